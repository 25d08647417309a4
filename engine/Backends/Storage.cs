namespace NativeGan.Backends;

/// <summary>
/// A pooled device buffer shared by a tensor and its views. Reference counted: the last release hands the
/// buffer back to its device's caching allocator (never to the garbage collector).
/// </summary>
internal abstract class Storage
{
    private int references = 1;

    protected Storage(Device device, int capacity)
    {
        Device = device;
        Capacity = capacity;
    }

    public Device Device { get; }
    public int Capacity { get; }
    public bool IsReleased => Volatile.Read(ref references) <= 0;

    public void Retain()
    {
        if (Interlocked.Increment(ref references) <= 1)
            throw new ObjectDisposedException(nameof(Storage), "A released storage cannot be shared again.");
    }

    public void Release()
    {
        int left = Interlocked.Decrement(ref references);
        if (left == 0) Device.Backend.Free(this);
    }
}
