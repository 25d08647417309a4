using NativeGan.Profiling.Kernels;

namespace NativeGan.Tests.Profiling.Kernels;

public class PtxasReportTests
{
    [Fact]
    public void Tiled128OnSm90UsesHundredRegistersAndTwoTilesOfSharedMemory()
    {
        var r = PtxasReport.Parse(KernelFixtures.Ptxas("GemmKernels.Tiled128"));
        var f = Assert.Single(r.Functions);
        Assert.Equal("Kernel_Tiled128", f.Name);
        Assert.True(f.IsEntry);
        Assert.Equal("sm_90", f.Arch);
        Assert.Equal(100, f.Registers);
        Assert.Equal(8448, f.SharedMemoryBytes);   // two 4224-byte tiles
        Assert.Equal((0, 0, 0), (f.SpillStoreBytes, f.SpillLoadBytes, f.StackFrameBytes));
        Assert.Empty(f.ConstantBanks);               // ptxas 11.8 prints no cmem for sm_90
        Assert.Equal(0, r.GlobalMemoryBytes);
        Assert.Empty(r.Errors);
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void Sm80ReportCarriesConstantBanks()
    {
        var f = Assert.Single(PtxasReport.Parse(KernelFixtures.Ptxas("GemmKernels.Tiled128", "sm_80")).Entries);
        Assert.Equal(96, f.Registers);
        Assert.Equal(8448, f.SharedMemoryBytes);
        Assert.Equal(new Dictionary<int, int> { [0] = 488, [2] = 8 }, f.ConstantBanks);
        Assert.Equal(496, f.ConstantMemoryBytes);
    }

    [Fact]
    public void SpillsAndStackFrameAreReadFromFunctionProperties()
    {
        var f = Assert.Single(PtxasReport.Parse(KernelFixtures.Read("GemmKernels.Tiled128.sm_90.maxrreg32.ptxas.txt")).Entries);
        Assert.Equal(32, f.Registers);
        Assert.Equal(1004, f.SpillStoreBytes);
        Assert.Equal(944, f.SpillLoadBytes);
        Assert.Equal(344, f.StackFrameBytes);
        Assert.True(f.Spills);
    }

    [Theory]
    [InlineData("Conv2dKernels.BackwardWeight", "Kernel_BackwardWeight", 26)]
    [InlineData("ElementwiseKernels.Fill", "Kernel_Fill", 12)]
    [InlineData("PoolKernels.MaxForward", "Kernel_MaxForward", 21)]
    public void KernelsWithoutSharedMemory(string kernel, string entry, int registers)
    {
        var f = Assert.Single(PtxasReport.Parse(KernelFixtures.Ptxas(kernel)).Entries);
        Assert.Equal((entry, registers, 0), (f.Name, f.Registers, f.SharedMemoryBytes));
    }

    [Fact]
    public void SyntaxErrorsAndFatalLinesAreErrors()
    {
        var r = PtxasReport.Parse(KernelFixtures.Read("ElementwiseKernels.Fill.sm_90.syntax-error.ptxas.txt"));
        Assert.True(r.HasErrors);
        Assert.Equal(3, r.Errors.Count);
        Assert.Contains(r.Errors, e => e.Contains("Not a name of any known instruction: 'bogus'"));
        Assert.Contains(r.Errors, e => e.StartsWith("ptxas fatal"));
        Assert.Empty(r.Functions);   // the quoted name is not a function
    }

    [Fact]
    public void SharedMemoryOverflowIsAnErrorOfThatEntry()
    {
        var r = PtxasReport.Parse(KernelFixtures.Read("GemmKernels.Tiled128.sm_90.smem-overflow.ptxas.txt"));
        var f = Assert.Single(r.Functions);
        Assert.True(f.IsEntry);
        Assert.Equal(69760, f.SharedMemoryBytes);
        Assert.Contains("too much shared data", Assert.Single(f.Messages));
        Assert.Single(r.Errors);
    }

    [Fact]
    public void WarningsAreCollected()
    {
        var r = PtxasReport.Parse(KernelFixtures.Read("ElementwiseKernels.Fill.sm_90.maxrreg8.ptxas.txt"));
        Assert.Contains("lower bound of 24", Assert.Single(r.Warnings));
        Assert.False(r.HasErrors);
        Assert.Equal(12, Assert.Single(r.Entries).Registers);
    }

    [Fact]
    public void NewerPtxasLineWithBarriersAndWindowsLineEnds()
    {
        const string text = "ptxas info    : Compiling entry function 'k' for 'sm_90'\r\n"
            + "ptxas info    : Function properties for k\r\n"
            + "    8 bytes stack frame, 4 bytes spill stores, 4 bytes spill loads\r\n"
            + "ptxas info    : Used 40 registers, used 1 barriers, 1024 bytes smem, 400 bytes cmem[0]\r\n";
        var f = Assert.Single(PtxasReport.Parse(text).Entries);
        Assert.Equal((40, 1, 1024, 400, 4, 4, 8), (f.Registers, f.Barriers, f.SharedMemoryBytes, f.ConstantMemoryBytes,
            f.SpillStoreBytes, f.SpillLoadBytes, f.StackFrameBytes));
    }
}
