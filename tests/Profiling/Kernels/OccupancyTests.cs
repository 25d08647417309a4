using NativeGan.Profiling.Kernels;

namespace NativeGan.Tests.Profiling.Kernels;

public class OccupancyTests
{
    [Fact]
    public void HundredRegistersAt256ThreadsOnSm90IsRegisterBoundAtAQuarter()
    {
        // 100 x 32 = 3200 -> 3328 registers per warp (unit 256); 16384 per sub-partition / 3328 = 4 warps, x4 = 16 warps
        // per SM = 2 blocks of 8 warps. Shared: 8448 + 1024 reserved = 9472 B per block -> 24 blocks of 228 KiB.
        var o = Occupancy.Calculate(GpuArchitecture.Sm90, 100, 8448, 256);
        Assert.Equal(8, o.WarpsPerBlock);
        Assert.Equal(2, o.BlocksByRegisters);
        Assert.Equal(24, o.BlocksBySharedMemory);
        Assert.Equal(8, o.BlocksByWarps);
        Assert.Equal(2, o.ActiveBlocksPerSm);
        Assert.Equal(16, o.ActiveWarpsPerSm);
        Assert.Equal(0.25, o.Occupancy);
        Assert.Equal(OccupancyLimiter.Registers, o.Limiter);
    }

    [Fact]
    public void SharedMemoryBoundOnSm80()
    {
        // 48 KiB static + 1 KiB reserved = 50176 B (a multiple of 128); 167936 / 50176 = 3 blocks of 4 warps = 12 / 64.
        var o = Occupancy.Calculate(GpuArchitecture.Sm80, 32, 48 * 1024, 128);
        Assert.Equal(3, o.BlocksBySharedMemory);
        Assert.Equal(16, o.BlocksByRegisters);
        Assert.Equal(OccupancyLimiter.SharedMemory, o.Limiter);
        Assert.Equal(12.0 / 64, o.Occupancy);
    }

    [Fact]
    public void SharedMemoryRoundsUpToTheAllocationUnitOnSm75()
    {
        // 10000 B -> 10240 (unit 256, nothing reserved); 65536 / 10240 = 6 blocks of 2 warps = 12 / 32.
        var o = Occupancy.Calculate(GpuArchitecture.Sm75, 16, 10000, 64);
        Assert.Equal(6, o.BlocksBySharedMemory);
        Assert.Equal(OccupancyLimiter.SharedMemory, o.Limiter);
        Assert.Equal(12.0 / 32, o.Occupancy);
    }

    [Fact]
    public void SmallKernelFillsTheWarpSlots()
    {
        var o = Occupancy.Calculate(GpuArchitecture.Sm86, 12, 0, 256);
        Assert.Equal(6, o.ActiveBlocksPerSm);   // 48 warps / 8
        Assert.Equal(1.0, o.Occupancy);
        Assert.Equal(OccupancyLimiter.Warps, o.Limiter);
    }

    [Fact]
    public void RegisterAndWarpLimitsTieAtFullOccupancyOnSm75()
    {
        // 64 registers: 2048 per warp, 8 warps per sub-partition = 32 warps = the SM's 32 warp slots.
        var o = Occupancy.Calculate(GpuArchitecture.Sm75, 64, 0, 256);
        Assert.Equal(4, o.BlocksByRegisters);
        Assert.Equal(4, o.BlocksByWarps);
        Assert.Equal(1.0, o.Occupancy);
        Assert.Equal(OccupancyLimiter.Warps, o.Limiter);
    }

    [Fact]
    public void TinyBlocksHitTheBlockLimitOnSm89()
    {
        var o = Occupancy.Calculate(GpuArchitecture.Sm89, 16, 0, 32);
        Assert.Equal(24, o.ActiveBlocksPerSm);
        Assert.Equal(0.5, o.Occupancy);
        Assert.Equal(OccupancyLimiter.Blocks, o.Limiter);
    }

    [Fact]
    public void BlocksThatCannotLaunch()
    {
        Assert.Equal(OccupancyLimiter.Launch, Occupancy.Calculate(GpuArchitecture.Sm70, 255, 0, 1024).Limiter);    // 8192 x 32 warps > 64K
        Assert.Equal(OccupancyLimiter.Launch, Occupancy.Calculate(GpuArchitecture.Sm90, 32, 0, 2048).Limiter);     // > 1024 threads
        Assert.Equal(OccupancyLimiter.Launch, Occupancy.Calculate(GpuArchitecture.Sm86, 32, 100 * 1024, 128).Limiter); // > 99 KiB
        Assert.Equal(0, Occupancy.Calculate(GpuArchitecture.Sm90, 256, 0, 32).ActiveBlocksPerSm);                   // > 255 per thread
    }

    [Theory]
    [InlineData("sm_90", "sm_90")]
    [InlineData("sm_90a", "sm_90")]
    [InlineData("86", "sm_86")]
    [InlineData("8.9", "sm_89")]
    public void ArchitectureNames(string name, string expected)
    {
        Assert.True(GpuArchitecture.TryGet(name, out var a));
        Assert.Equal(expected, a.Name);
    }

    [Fact]
    public void UnknownArchitecture()
    {
        Assert.False(GpuArchitecture.TryGet("sm_52", out _));
        Assert.Throws<ArgumentException>(() => GpuArchitecture.Get("sm_100"));
    }
}
