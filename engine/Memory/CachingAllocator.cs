namespace NativeGan.Memory;

/// <summary>
/// Reuses device buffers by size class so that steady-state training allocates nothing from the device.
/// Sizes round up to one of four classes per power of two (at most 25% waste). On an allocation failure the
/// cache is emptied and the allocation tried once more.
/// </summary>
internal sealed class CachingAllocator<TBuffer> where TBuffer : class
{
    private readonly Func<int, TBuffer> allocateRaw;
    private readonly Action<TBuffer> freeRaw;
    private readonly Dictionary<int, Stack<TBuffer>> pool = new();
    private readonly object gate = new();
    private long liveBytes, cachedBytes, peakBytes, liveCount, rawAllocations, reuses;

    public CachingAllocator(Func<int, TBuffer> allocateRaw, Action<TBuffer> freeRaw)
    {
        this.allocateRaw = allocateRaw;
        this.freeRaw = freeRaw;
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
        catch (Exception e) when (e is OutOfMemoryException || e.GetType().Name.Contains("OutOfMemory") || e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase))
        {
            EmptyCache();
            buffer = allocateRaw(capacity);
        }
        lock (gate)
        {
            rawAllocations++;
            OnHandedOut(capacity);
        }
        return (buffer, capacity);
    }

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
