namespace NativeGan.Profiling.Kernels;

/// <summary>What bounds the number of resident blocks per SM.</summary>
public enum OccupancyLimiter
{
    /// <summary>The SM's warp slots are full (100% occupancy, or as close as the block size allows).</summary>
    Warps,
    /// <summary>The per-SM limit on resident blocks.</summary>
    Blocks,
    Registers,
    SharedMemory,
    /// <summary>The block cannot launch at all: too many threads, registers per thread or per block, or shared memory per block.</summary>
    Launch,
}

/// <summary>
/// Theoretical occupancy: <see cref="ActiveWarpsPerSm"/> / <see cref="GpuArchitecture.MaxWarpsPerSm"/>, with the resident blocks
/// each resource allows (int.MaxValue when a resource sets no bound, e.g. no shared memory on sm_70).
/// </summary>
public sealed record OccupancyResult(
    GpuArchitecture Architecture,
    int BlockSize,
    int RegistersPerThread,
    int SharedMemoryPerBlock,
    int WarpsPerBlock,
    int BlocksByWarps,
    int BlocksByBlockLimit,
    int BlocksByRegisters,
    int BlocksBySharedMemory,
    int ActiveBlocksPerSm,
    OccupancyLimiter Limiter)
{
    public int ActiveWarpsPerSm => ActiveBlocksPerSm * WarpsPerBlock;

    /// <summary>Active warps per SM over the architecture's maximum, 0 to 1.</summary>
    public double Occupancy => (double)ActiveWarpsPerSm / Architecture.MaxWarpsPerSm;
}

/// <summary>
/// The CUDA occupancy calculator's arithmetic (as in <c>cuda_occupancy.h</c>) for one kernel on one architecture.
/// </summary>
public static class Occupancy
{
    /// <param name="registersPerThread">As ptxas reported it ("Used N registers").</param>
    /// <param name="staticSharedBytes">ptxas's "bytes smem".</param>
    /// <param name="blockSize">Threads per block the kernel is launched with.</param>
    /// <param name="dynamicSharedBytes">Dynamic shared memory given at launch.</param>
    public static OccupancyResult Calculate(GpuArchitecture arch, int registersPerThread, int staticSharedBytes, int blockSize, int dynamicSharedBytes = 0)
    {
        ArgumentNullException.ThrowIfNull(arch);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(registersPerThread);
        ArgumentOutOfRangeException.ThrowIfNegative(staticSharedBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(dynamicSharedBytes);

        int warpsPerBlock = DivideRoundUp(blockSize, GpuArchitecture.WarpSize);
        int byWarps = arch.MaxWarpsPerSm / warpsPerBlock;
        int byBlocks = arch.MaxBlocksPerSm;
        int byRegisters = BlocksByRegisters(arch, registersPerThread, warpsPerBlock);
        int bySmem = BlocksBySharedMemory(arch, staticSharedBytes + dynamicSharedBytes);
        bool launchable = blockSize <= arch.MaxThreadsPerBlock && byRegisters > 0 && bySmem > 0;

        int blocks = launchable ? Math.Min(Math.Min(byWarps, byBlocks), Math.Min(byRegisters, bySmem)) : 0;
        // Ties go to the first in this order: when the warp slots are full, nothing else is worth changing.
        var limiter = !launchable ? OccupancyLimiter.Launch
            : blocks == byWarps ? OccupancyLimiter.Warps
            : blocks == byBlocks ? OccupancyLimiter.Blocks
            : blocks == byRegisters ? OccupancyLimiter.Registers
            : OccupancyLimiter.SharedMemory;
        return new OccupancyResult(arch, blockSize, registersPerThread, staticSharedBytes + dynamicSharedBytes, warpsPerBlock,
            byWarps, byBlocks, byRegisters, bySmem, blocks, limiter);
    }

    /// <summary>Registers go to warps in units of 256, and to the SM's 4 sub-partitions (16K registers each) whole warps at a time.</summary>
    private static int BlocksByRegisters(GpuArchitecture arch, int registersPerThread, int warpsPerBlock)
    {
        if (registersPerThread > arch.MaxRegistersPerThread) return 0;
        int perWarp = RoundUp(registersPerThread * GpuArchitecture.WarpSize, arch.RegisterAllocationUnit);
        if (perWarp == 0) return int.MaxValue;
        // The hardware's per-block check assumes the block's warps are spread over all sub-partitions.
        long assumedPerBlock = (long)perWarp * RoundUp(warpsPerBlock, arch.RegisterSubPartitions);
        if (assumedPerBlock > arch.MaxRegistersPerBlock || (long)perWarp * warpsPerBlock > arch.MaxRegistersPerBlock) return 0;
        int warpsPerSubPartition = arch.RegistersPerSm / arch.RegisterSubPartitions / perWarp;
        return warpsPerSubPartition * arch.RegisterSubPartitions / warpsPerBlock;
    }

    /// <summary>Each block takes its bytes plus the system's reserved bytes, rounded up to the allocation unit.</summary>
    private static int BlocksBySharedMemory(GpuArchitecture arch, int bytes)
    {
        if (bytes > arch.MaxSharedMemoryPerBlock) return 0;
        int allocated = RoundUp(bytes + arch.ReservedSharedMemoryPerBlock, arch.SharedMemoryAllocationUnit);
        if (allocated == 0) return int.MaxValue;
        return allocated > arch.SharedMemoryPerSm ? 0 : arch.SharedMemoryPerSm / allocated;
    }

    private static int DivideRoundUp(int x, int y) => (x + y - 1) / y;

    private static int RoundUp(int x, int unit) => DivideRoundUp(x, unit) * unit;
}
