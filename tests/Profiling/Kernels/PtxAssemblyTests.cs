using NativeGan.Profiling.Kernels;

namespace NativeGan.Tests.Profiling.Kernels;

/// <summary>The real tools on committed PTX; skipped where tools/fetch-cuda-tools.sh has not been run (CI runs it).</summary>
public class PtxAssemblyTests
{
    private static CudaToolchain Tools() => NativeGan.Tests.Kernels.CudaTools.Require();

    [Fact]
    public void Tiled128EndToEndMatchesTheFixtures()
    {
        var tools = Tools();
        string ptx = KernelFixtures.Read("GemmKernels.Tiled128.ptx");
        var assembly = tools.Assemble(ptx, "sm_90");
        Assert.True(assembly.Succeeded, assembly.Error);
        Assert.Equal(PtxasReport.Parse(KernelFixtures.Ptxas("GemmKernels.Tiled128")), assembly.Report, new ReportComparer());

        var a = new KernelAnalyzer(tools).Analyze("GemmKernels.Tiled128", "gemm", ptx, "sm_90", 256);
        Assert.True(a.Succeeded, a.Error);
        var expected = KernelAnalyzer.FromToolOutput("GemmKernels.Tiled128", "gemm", "sm_90", 256,
            KernelFixtures.Ptxas("GemmKernels.Tiled128"), KernelFixtures.Sass("GemmKernels.Tiled128"));
        Assert.Equal(KernelAnalysisTable.Cells(expected), KernelAnalysisTable.Cells(a));
        Assert.Equal(expected.LoopMix!.Whole.Opcodes, a.LoopMix!.Whole.Opcodes);
    }

    [Fact]
    public void PtxasErrorsComeBackAsText()
    {
        var tools = Tools();
        string bad = KernelFixtures.Read("GemmKernels.Tiled128.ptx").Replace(".entry Kernel_Tiled128(", ".entry Kernel_Tiled128 bogus(");
        var assembly = tools.Assemble(bad, "sm_90");
        Assert.False(assembly.Succeeded);
        Assert.Contains("error", assembly.Error);
        Assert.True(assembly.Report.HasErrors);
        var a = new KernelAnalyzer(tools).Analyze("GemmKernels.Tiled128", "gemm", bad, "sm_90");
        Assert.StartsWith("ptxas: ", a.Error);
    }

    [Fact]
    public void NvdisasmAndCuobjdumpAgreeOnTheLoop()
    {
        var tools = Tools();
        Assert.SkipUnless(tools.NvdisasmPath is not null, $"nvdisasm not found; run {CudaToolchain.FetchScript}");
        var assembly = tools.Assemble(KernelFixtures.Read("GemmKernels.Tiled128.ptx"), "sm_90");
        var nv = tools.Disassemble(assembly.Cubin!, "-c");
        Assert.True(nv.Succeeded, nv.StandardError);
        var fromNvdisasm = SassLoopMix.Analyze(nv.StandardOutput, "Kernel_Tiled128").Innermost!;
        Assert.Equal((0x1be0, 0x2300, 115), (fromNvdisasm.StartOffset, fromNvdisasm.EndOffset, fromNvdisasm.Mix.Instructions));
    }

    [Fact]
    public void TemporaryFilesAreRemoved()
    {
        var tools = Tools();
        int Count() => Directory.GetDirectories(Path.GetTempPath(), "nativegan-ptxas-*").Length + Directory.GetDirectories(Path.GetTempPath(), "nativegan-cuobjdump-*").Length;
        int before = Count();
        var assembly = tools.Assemble(KernelFixtures.Read("GemmKernels.Tiled128.ptx"), "sm_90");
        tools.DumpSass(assembly.Cubin!);
        Assert.True(Count() <= before);
    }

    private sealed class ReportComparer : IEqualityComparer<PtxasReport>
    {
        public bool Equals(PtxasReport? x, PtxasReport? y) =>
            x!.Functions.Select(Key).SequenceEqual(y!.Functions.Select(Key)) && x.Errors.SequenceEqual(y.Errors);

        private static string Key(PtxasFunction f) =>
            $"{f.Name} {f.Registers} {f.SharedMemoryBytes} {f.SpillStoreBytes} {f.SpillLoadBytes} {f.StackFrameBytes} {string.Join(",", f.ConstantBanks)}";

        public int GetHashCode(PtxasReport obj) => 0;
    }
}
