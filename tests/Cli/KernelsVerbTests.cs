using NativeGan.Backends.Ilgpu;
using NativeGan.Cli;
using static NativeGan.Tests.Cli.CliRun;

namespace NativeGan.Tests.Cli;

/// <summary>`nativegan kernels` on a machine without a GPU: the list, PTX files, and its errors.</summary>
public class KernelsVerbTests
{
    [Fact]
    public void ListsEveryKernelWithItsFamily()
    {
        var (code, output, error) = Run("kernels", "--arch", "sm_86", "--no-ptxas");
        Assert.True(code == 0, output + error);
        Assert.Contains($"sm_86: {KernelCatalog.All.Count} of {KernelCatalog.All.Count} kernels compile to PTX", output);
        foreach (var k in KernelCatalog.All)
            Assert.Matches($@"(?m)^{k.Name.Replace(".", @"\.")}\s+{k.Family}\s+{k.GroupSize}\s", output);
    }

    [Fact]
    public void WritesPtxPerArchitecture()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nativegan-kernels-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, error) = Run("kernels", "--arch", "sm_75,8.9", "--filter", "gemm", "--ptx", dir, "--no-ptxas");
            Assert.True(code == 0, output + error);
            foreach (var arch in new[] { "sm_75", "sm_89" })
            {
                var files = Directory.GetFiles(Path.Combine(dir, arch)).Select(Path.GetFileName).Order().ToArray();
                Assert.Equal(new[] { "GemmKernels.Naive.ptx", "GemmKernels.Tiled.ptx", "GemmKernels.Tiled128.ptx" }, files);
                string ptx = File.ReadAllText(Path.Combine(dir, arch, "GemmKernels.Tiled128.ptx"));
                Assert.Contains(".visible .entry", ptx);
                Assert.Contains(".version 7.8", ptx);
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>With ptxas, every kernel's row carries the parsed registers, spills, shared memory and occupancy.</summary>
    [Fact]
    public void WithPtxasEveryKernelHasItsResources()
    {
        var tools = NativeGan.Tests.Kernels.CudaTools.Require();
        var (code, output, error) = Run("kernels", "--arch", "sm_90", "--ptxas", tools.PtxasPath);
        Assert.True(code == 0, output + error);
        Assert.Contains($"sm_90: ptxas assembles {KernelCatalog.All.Count} of {KernelCatalog.All.Count}, 0 spill registers", output);
        foreach (var k in KernelCatalog.All)
            Assert.Matches($@"(?m)^{k.Name.Replace(".", @"\.")}\s+{k.Family}\s+sm_90\s+\d+\s+0\s+\d+\s+\d+(\.\d+)?% \(\w+\)\s", output);
        // The 128x128 GEMM tile: its shared-memory tiles and register-bound occupancy, its k loop mostly FFMA.
        Assert.Matches(@"(?m)^GemmKernels\.Tiled128\s+gemm\s+sm_90\s+\d{2,3}\s+0\s+8448\s+25% \(registers\)\s+\d+\s+5\d\.\d\s+0\s+16 LDS\.32", output);
    }

    [Theory]
    [InlineData("--arch", "ampere", "unknown GPU architecture 'ampere'")]
    [InlineData("--filter", "nosuchkernel", "no kernel matches --filter 'nosuchkernel'")]
    public void BadArgumentsAreNamed(string option, string value, string message)
    {
        var (code, output, error) = Run("kernels", option, value, "--no-ptxas");
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Contains(message, error);
        Assert.DoesNotContain("   at ", output + error);
    }
}

/// <summary>What `nativegan devices` says of a CUDA device's kernels, for the architectures a user may have.</summary>
public class DevicesKernelStatusTests
{
    [Theory]
    [InlineData("8.6", "sm_86")]
    [InlineData("9.0", "sm_90")]
    [InlineData("7.5", "sm_75")]
    public void EveryKernelCompilesForTheDevicesArchitecture(string computeCapability, string arch)
    {
        using var compiler = new PtxKernelCompiler();
        var failures = new List<string>();
        var device = new DeviceInfo("cuda:0", DeviceKind.Cuda, "test GPU", 8L << 30, computeCapability);
        string status = NativeGan.Cli.Verbs.DevicesVerb.KernelStatus(device, compiler, failures);
        Assert.Empty(failures);
        Assert.Equal($"all {KernelCatalog.All.Count} compile for {arch}", status);
    }

    [Fact]
    public void CpuDevicesHaveNoKernelColumn()
    {
        var failures = new List<string>();
        var cpu = new DeviceInfo("cpu", DeviceKind.Cpu, "CPU", 1L << 30, null);
        Assert.Equal("-", NativeGan.Cli.Verbs.DevicesVerb.KernelStatus(cpu, null, failures));
    }
}
