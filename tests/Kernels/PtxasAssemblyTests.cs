using NativeGan.Backends.Ilgpu;
using NativeGan.Profiling.Kernels;

namespace NativeGan.Tests.Kernels;

/// <summary>
/// NVIDIA's ptxas assembles every catalog kernel's PTX for every checked architecture, without an error and without
/// spilling registers to local memory: the step a CUDA driver takes when the engine loads a kernel on a GPU.
/// </summary>
public class PtxasAssemblyTests(PtxCompilerFixture fixture) : IClassFixture<PtxCompilerFixture>
{
    public static TheoryData<string, string> KernelsAndArchitectures() => PtxCompileTests.KernelsAndArchitectures();

    [Theory]
    [MemberData(nameof(KernelsAndArchitectures))]
    public void AssemblesWithoutSpills(string kernel, string arch)
    {
        var tools = CudaTools.Require();
        var ptx = fixture.Compiler.Compile(KernelCatalog.Find(kernel)!, arch);
        Assert.True(ptx.Succeeded, $"{kernel} for {arch}: {ptx.Error}");

        var assembly = tools.Assemble(ptx.Ptx!, arch);
        Assert.True(assembly.Succeeded, $"ptxas -arch={arch} {kernel}: {assembly.Error}\n{assembly.Log}");
        Assert.False(assembly.Report.HasErrors, string.Join("\n", assembly.Report.Errors));
        var entry = Assert.Single(assembly.Report.Entries);
        Assert.Equal(arch, entry.Arch);
        Assert.InRange(entry.Registers, 1, 255);
        Assert.False(entry.Spills, $"{kernel} on {arch} spills {entry.SpillStoreBytes} B stored / {entry.SpillLoadBytes} B loaded");
        Assert.Equal(0, entry.StackFrameBytes);
        // Every kernel must fit the engine's launch group on the architecture (registers and shared memory).
        var occupancy = Occupancy.Calculate(GpuArchitecture.Get(arch), entry.Registers, entry.SharedMemoryBytes, KernelCatalog.Find(kernel)!.GroupSize);
        Assert.True(occupancy.ActiveBlocksPerSm >= 1, $"{kernel} cannot launch {occupancy.BlockSize} threads per group on {arch} ({occupancy.Limiter})");
    }
}
