using NativeGan.Memory;

namespace NativeGan.Tests.Engine;

/// <summary>Every backend's "device full" surfaces as the engine's one <see cref="DeviceOutOfMemoryException"/>.</summary>
public class DeviceOutOfMemoryTests
{
    private sealed class FakeDeviceFull : Exception
    {
        public FakeDeviceFull() : base("the backend's own out-of-memory error") { }
    }

    [Fact]
    public void Allocator_empties_its_cache_and_retries_once_before_giving_up()
    {
        int freed = 0, attempts = 0;
        var allocator = new CachingAllocator<float[]>(
            n => { attempts++; return attempts >= 3 ? throw new FakeDeviceFull() : new float[n]; },
            _ => freed++, e => e is FakeDeviceFull, "test:0");
        var (kept, keptCapacity) = allocator.Allocate(1000);
        var (cached, cachedCapacity) = allocator.Allocate(5000);
        allocator.Return(cached, cachedCapacity);

        var e = Assert.Throws<DeviceOutOfMemoryException>(() => allocator.Allocate(100_000));
        Assert.Equal(1, freed); // the cached buffer went back to the device before the second try
        Assert.Equal(4, attempts);
        Assert.IsType<FakeDeviceFull>(e.InnerException);
        Assert.Contains("test:0", e.Message);
        Assert.Contains($"{CachingAllocator<float[]>.SizeClass(100_000) * 4 / 1048576.0:0.0} MiB", e.Message);
        Assert.IsAssignableFrom<OutOfMemoryException>(e);
        GC.KeepAlive(kept);
        Assert.Equal(keptCapacity * 4L, allocator.Stats.LiveBytes);
    }

    [Fact]
    public void A_retry_that_succeeds_hands_out_the_buffer()
    {
        int attempts = 0;
        var allocator = new CachingAllocator<float[]>(
            n => ++attempts == 1 ? throw new FakeDeviceFull() : new float[n], _ => { }, e => e is FakeDeviceFull, "test:0");
        var (buffer, capacity) = allocator.Allocate(10);
        Assert.Equal(capacity, buffer.Length);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public void Errors_that_are_not_out_of_memory_pass_through_untouched()
    {
        int attempts = 0;
        var allocator = new CachingAllocator<float[]>(
            _ => { attempts++; throw new InvalidOperationException("driver gone"); }, _ => { }, e => e is FakeDeviceFull, "test:0");
        var e = Assert.Throws<InvalidOperationException>(() => allocator.Allocate(10));
        Assert.Equal("driver gone", e.Message);
        Assert.Equal(1, attempts);
    }
}
