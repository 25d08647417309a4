namespace NativeGan.Memory;

/// <summary>
/// Reuses device buffers by size class so that steady-state training allocates nothing from the device.
/// Sizes round up to one of four classes per power of two (at most 25% waste). On an allocation failure the
/// cache is emptied and the allocation tried once more; when that fails too, <see cref="DeviceOutOfMemoryException"/>
/// says how much was asked for and how much the device holds. Only the backend knows which of its errors mean
/// "out of memory", so it passes that test in.
/// </summary>
internal sealed class CachingAllocator<TBuffer> where TBuffer : class
{
    private readonly Func<int, TBuffer> allocateRaw;
    private readonly Action<TBuffer> freeRaw;
    private readonly Func<Exception, bool> isOutOfMemory;
    private readonly string deviceName;
    private readonly Dictionary<int, Stack<TBuffer>> pool = new();
    private readonly object gate = new();
    private long liveBytes, cachedBytes, peakBytes, liveCount, rawAllocations, reuses;

    /// <param name="isOutOfMemory">Whether an exception of <paramref name="allocateRaw"/> means the device is full.</param>
    /// <param name="deviceName">The device named in <see cref="DeviceOutOfMemoryException"/>.</param>
    public CachingAllocator(Func<int, TBuffer> allocateRaw, Action<TBuffer> freeRaw, Func<Exception, bool> isOutOfMemory, string deviceName)
    {
        this.allocateRaw = allocateRaw;
        this.freeRaw = freeRaw;
        this.isOutOfMemory = isOutOfMemory;
        this.deviceName = deviceName;
    }

    /// <summary>The capacity (in floats) that a request of <paramref name="length"/> floats is served with.</summary>
    public static int SizeClass(int length)
    {
        if (length <= 64) return 64;
        int log = 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)(length - 1));
        long step = 1L << Math.Max(log - 2, 0);
        long rounded = (length + step - 1) / step * step;
        return rounded > int.MaxValue ? int.MaxValue : (int)rounded;
    }

    public (TBuffer Buffer, int Capacity) Allocate(int length)
    {
        int capacity = SizeClass(length);
        lock (gate)
        {
            if (pool.TryGetValue(capacity, out var stack) && stack.Count > 0)
            {
                var reused = stack.Pop();
                cachedBytes -= capacity * 4L;
                reuses++;
                OnHandedOut(capacity);
                return (reused, capacity);
            }
        }
        TBuffer buffer;
        try
        {
            buffer = allocateRaw(capacity);
        }
        catch (Exception e) when (isOutOfMemory(e))
        {
            EmptyCache();
            try
            {
                buffer = allocateRaw(capacity);
            }
            catch (Exception again) when (isOutOfMemory(again))
            {
                var s = Stats;
                throw new DeviceOutOfMemoryException(
                    $"{deviceName} is out of memory: allocating {Mib(capacity * 4L)} failed with {Mib(s.LiveBytes)} in use by tensors " +
                    $"(peak {Mib(s.PeakLiveBytes)}) after the allocator's cache was emptied.", again);
            }
        }
        lock (gate)
        {
            rawAllocations++;
            OnHandedOut(capacity);
        }
        return (buffer, capacity);
    }

    private static string Mib(long bytes) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MiB");

    private void OnHandedOut(int capacity)
    {
        liveBytes += capacity * 4L;
        liveCount++;
        if (liveBytes > peakBytes) peakBytes = liveBytes;
    }

    public void Return(TBuffer buffer, int capacity)
    {
        lock (gate)
        {
            liveBytes -= capacity * 4L;
            liveCount--;
            if (!pool.TryGetValue(capacity, out var stack)) pool[capacity] = stack = new Stack<TBuffer>();
            stack.Push(buffer);
            cachedBytes += capacity * 4L;
        }
    }

    public void EmptyCache()
    {
        List<TBuffer> toFree = new();
        lock (gate)
        {
            foreach (var stack in pool.Values) toFree.AddRange(stack);
            pool.Clear();
            cachedBytes = 0;
        }
        foreach (var b in toFree) freeRaw(b);
    }

    public void ResetPeak()
    {
        lock (gate) peakBytes = liveBytes;
    }

    public MemoryStats Stats
    {
        get { lock (gate) return new MemoryStats(liveBytes, cachedBytes, peakBytes, liveCount, rawAllocations, reuses); }
    }
}
