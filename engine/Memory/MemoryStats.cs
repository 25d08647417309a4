namespace NativeGan.Memory;

/// <summary>A snapshot of a device's caching allocator.</summary>
/// <param name="LiveBytes">Bytes held by storages in use (by their rounded capacity).</param>
/// <param name="CachedBytes">Bytes kept in the pool for reuse.</param>
/// <param name="PeakLiveBytes">The largest LiveBytes seen since the last ResetPeak.</param>
/// <param name="LiveStorages">Storages in use.</param>
/// <param name="RawAllocations">Allocations that went to the device (cache misses).</param>
/// <param name="Reuses">Allocations served from the pool.</param>
public readonly record struct MemoryStats(
    long LiveBytes, long CachedBytes, long PeakLiveBytes, long LiveStorages, long RawAllocations, long Reuses)
{
    public override string ToString() =>
        $"live {LiveBytes / 1048576.0:F2} MiB in {LiveStorages} storages, cached {CachedBytes / 1048576.0:F2} MiB, " +
        $"peak {PeakLiveBytes / 1048576.0:F2} MiB, {RawAllocations} device allocations, {Reuses} reuses";
}
