
namespace NativeGan.Tests.Engine;

/// <summary>Runs alone: the device-wide live-byte counts these tests compare would move with any test running beside them.</summary>
[CollectionDefinition(nameof(MemoryTests), DisableParallelization = true)]
public sealed class MemoryTestsCollection;

[Collection(nameof(MemoryTests))]
public class MemoryTests
{
    /// <summary>
    /// A two-layer MLP regression trained for 1000 SGD steps, each step inside a dispose scope: live device
    /// bytes after the last step equal those after the first, and the loss goes down (it really trained).
    /// </summary>
    [Fact]
    public void TrainingAnMlpFor1000StepsDoesNotGrowLiveMemory()
    {
        var device = Device.Cpu;
        var g = new Generator(11);
        var w1 = Tensor.Randn(new[] { 16, 8 }, device, g, std: 0.3f).RequireGrad();
        var b1 = Tensor.Zeros(new[] { 16 }, device).RequireGrad();
        var w2 = Tensor.Randn(new[] { 1, 16 }, device, g, std: 0.3f).RequireGrad();
        var b2 = Tensor.Zeros(new[] { 1 }, device).RequireGrad();
        var parameters = new[] { w1, b1, w2, b2 };
        var x = Tensor.Randn(new[] { 32, 8 }, device, g);
        var target = x.Sum(1, keepDim: true).Tanh();

        float Step()
        {
            using var scope = Tensor.Scope();
            var hidden = Tensor.Linear(x, w1, b1).LeakyRelu(0.2f);
            var loss = Losses.Mse(Tensor.Linear(hidden, w2, b2), target);
            loss.Backward();
            using (Tensor.NoGrad())
                foreach (var p in parameters)
                {
                    p.AddInPlace(p.Grad!.Mul(-0.05f));
                    p.ZeroGrad();
                }
            return loss.Item();
        }

        float first = Step();
        long baseline = device.MemoryStats.LiveBytes;
        long storages = device.MemoryStats.LiveStorages;
        float last = first;
        for (int i = 1; i < 1000; i++) last = Step();
        Assert.Equal(baseline, device.MemoryStats.LiveBytes);
        Assert.Equal(storages, device.MemoryStats.LiveStorages);
        Assert.True(last < first * 0.5f, $"loss went from {first} to {last}");
        foreach (var t in parameters.Append(x).Append(target)) t.Dispose();
    }

    [Fact]
    public void ScopeDisposesWhatItCreatedExceptWhatIsMovedOut()
    {
        var device = Device.Cpu;
        Tensor kept, dropped;
        using (Tensor.Scope())
        {
            dropped = Tensor.Ones(new[] { 4 }, device);
            kept = dropped.Mul(2f).MoveToOuterScope();
        }
        Assert.True(dropped.IsDisposed);
        Assert.False(kept.IsDisposed);
        Assert.Equal(new[] { 2f, 2f, 2f, 2f }, kept.ToArray());
        kept.Dispose();
    }

    [Fact]
    public void ViewsKeepTheirStorageAliveAfterTheOriginalIsDisposed()
    {
        var device = Device.Cpu;
        var t = Tensor.FromArray(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, new[] { 2, 3 }, device);
        var view = t.Narrow(1, 1, 2);
        t.Dispose();
        Assert.Equal(new[] { 2f, 3f, 5f, 6f }, view.ToArray());
        view.Dispose();
        Assert.Throws<ObjectDisposedException>(() => view.ToArray());
    }

    [Fact]
    public void AllocatorReusesFreedBuffersAndEmptiesItsCache()
    {
        var device = Device.IlgpuCpu;
        using (Tensor.Scope()) Tensor.Zeros(new[] { 1000 }, device);
        var before = device.MemoryStats;
        using (Tensor.Scope()) Tensor.Zeros(new[] { 1000 }, device);
        var after = device.MemoryStats;
        Assert.True(after.Reuses > before.Reuses);
        Assert.Equal(before.RawAllocations, after.RawAllocations);
        device.EmptyCache();
        Assert.Equal(0, device.MemoryStats.CachedBytes);
    }
}
