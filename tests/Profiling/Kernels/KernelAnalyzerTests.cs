using NativeGan.Profiling.Kernels;

namespace NativeGan.Tests.Profiling.Kernels;

public class KernelAnalyzerTests
{
    private static KernelAnalysis FromFixtures(string kernel, string family, string arch = "sm_90", int blockSize = 256) =>
        KernelAnalyzer.FromToolOutput(kernel, family, arch, blockSize, KernelFixtures.Ptxas(kernel, arch), KernelFixtures.Sass(kernel, arch));

    [Fact]
    public void Tiled128AnalysisComposesResourcesOccupancyAndLoop()
    {
        var a = FromFixtures("GemmKernels.Tiled128", "gemm");
        Assert.True(a.Succeeded);
        Assert.Equal("Kernel_Tiled128", a.EntryFunction);
        Assert.Equal(100, a.Resources!.Registers);
        Assert.Equal(0.25, a.Occupancy!.Occupancy);
        Assert.Equal(OccupancyLimiter.Registers, a.Occupancy.Limiter);
        Assert.Equal(115, a.InnermostLoop!.Instructions);
    }

    [Fact]
    public void TablesInTextAndMarkdown()
    {
        var rows = new[]
        {
            FromFixtures("GemmKernels.Tiled128", "gemm"),
            FromFixtures("GemmKernels.Tiled128", "gemm", "sm_80"),
            FromFixtures("Conv2dKernels.BackwardWeight", "conv"),
            FromFixtures("ElementwiseKernels.Fill", "elementwise"),
            FromFixtures("PoolKernels.MaxForward", "pool"),
        };
        Assert.Equal(["GemmKernels.Tiled128", "gemm", "sm_90", "100", "0", "8448", "25% (registers)", "115", "55.7", "0", "16 LDS.32", "0", "0"],
            KernelAnalysisTable.Cells(rows[0]));
        // sm_80: 96 registers = 3072 per warp, 5 warps per sub-partition = 20 warps = 2 blocks of 8 (25%).
        Assert.Equal("25% (registers)", KernelAnalysisTable.Cells(rows[1])[6]);
        Assert.Equal(["Conv2dKernels.BackwardWeight", "conv", "sm_90", "26", "0", "0", "100% (warps)", "25", "4", "0", "0", "2 LD.32", "0"],
            KernelAnalysisTable.Cells(rows[2]));
        Assert.Equal("1 ST.32", KernelAnalysisTable.Cells(rows[3])[12]);

        string text = KernelAnalysisTable.ToText(rows);
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(6, lines.Length);
        Assert.StartsWith("kernel ", lines[0]);
        Assert.Contains("FFMA %", lines[0]);
        Assert.DoesNotContain("note", lines[0]);

        string md = KernelAnalysisTable.ToMarkdown(rows);
        var mdLines = md.TrimEnd('\n').Split('\n');
        Assert.Equal(7, mdLines.Length);
        Assert.Equal("| kernel | family | arch | regs | spill B | smem B | occupancy | loop instr | FFMA % | HMMA % | LDS width | global LD | global ST |", mdLines[0]);
        Assert.StartsWith("|---|---|---|---:|", mdLines[1]);
        Assert.StartsWith("| GemmKernels.Tiled128 | gemm | sm_90 | 100 | 0 | 8448 | 25% (registers) | 115 | 55.7 |", mdLines[2]);
    }

    [Fact]
    public void FailedAnalysisGetsANoteColumn()
    {
        var ok = FromFixtures("ElementwiseKernels.Fill", "elementwise");
        var failed = KernelAnalyzer.FromToolOutput("ElementwiseKernels.Fill", "elementwise", "sm_90", 256,
            KernelFixtures.Read("ElementwiseKernels.Fill.sm_90.syntax-error.ptxas.txt"), null);
        Assert.False(failed.Succeeded);
        Assert.Contains("Unknown modifier", failed.Error);
        var md = KernelAnalysisTable.ToMarkdown([ok, failed]).Split('\n');
        Assert.EndsWith("| note |", md[0]);
        Assert.EndsWith("|  |", md[2]);
        Assert.Contains("ptxas: ptxas kernel.ptx, line 30; error   : Unknown modifier '.op'", md[3]);
    }

    [Fact]
    public void SpillsShowStoresAndLoads()
    {
        var a = KernelAnalyzer.FromToolOutput("GemmKernels.Tiled128", "gemm", "sm_90", 256,
            KernelFixtures.Read("GemmKernels.Tiled128.sm_90.maxrreg32.ptxas.txt"), null);
        var cells = KernelAnalysisTable.Cells(a);
        Assert.Equal(("32", "1004/944", "100% (warps)", "-"), (cells[3], cells[4], cells[6], cells[7]));
    }

    [Fact]
    public void UnknownArchitectureKeepsResourcesAndWarns()
    {
        var a = KernelAnalyzer.FromToolOutput("ElementwiseKernels.Fill", "elementwise", "sm_52", 256, KernelFixtures.Ptxas("ElementwiseKernels.Fill"), null);
        Assert.True(a.Succeeded);
        Assert.Null(a.Occupancy);
        Assert.Contains("no occupancy table for sm_52", a.Warnings);
    }
}
