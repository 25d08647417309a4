using NativeGan.Distributed;
using NativeGan.Models.Training;
using NativeGan.NN;

namespace NativeGan.Tests.Distributed;

public class GradientReducerTests
{
    private static Sequential Mlp() => new(new Linear(4, 8, device: Device.Cpu, generator: new Generator(1)), new Tanh(),
        new Linear(8, 3, device: Device.Cpu, generator: new Generator(2)));

    [Fact]
    public void BucketsHoldTheParametersInReverseOrderUpToTheCap()
    {
        var model = Mlp();
        var p = model.Parameters().ToList();   // w0 [8,4], b0 [8], w1 [3,8], b1 [3]
        using var reducer = new DistributedGradientReducer(new SingleProcessGroup(), p, bucketBytes: 100);
        // b1 12 B + w1 96 B >= 100 closes the first bucket; b0 32 B + w0 128 B closes the second.
        Assert.Equal(2, reducer.Buckets.Count);
        Assert.Same(p[3], reducer.Buckets[0][0]);
        Assert.Same(p[2], reducer.Buckets[0][1]);
        Assert.Same(p[1], reducer.Buckets[1][0]);
        Assert.Same(p[0], reducer.Buckets[1][1]);
        using var one = new DistributedGradientReducer(new SingleProcessGroup(), p);
        Assert.Single(one.Buckets);
    }

    [Fact]
    public void HookFiresOnceAfterAccumulationWithTheSummedGradient()
    {
        using var w = Tensor.FromArray(new[] { 2f, 3f }, new[] { 2 }, Device.Cpu, requiresGrad: true);
        var seen = new List<float[]>();
        using (w.RegisterPostAccumulateGradHook(t => seen.Add(t.Grad!.ToArray())))
        {
            using (var s = Tensor.Scope()) w.Mul(w).Add(w.Mul(4f)).Sum().Backward();   // d/dw = 2w + 4
            Assert.Single(seen);
            Assert.Equal(new[] { 8f, 10f }, seen[0]);
            using (var s = Tensor.Scope()) w.Sum().Backward();                          // accumulates + 1
            Assert.Equal(new[] { 9f, 11f }, seen[1]);
        }
        using (var s = Tensor.Scope()) w.Sum().Backward();
        Assert.Equal(2, seen.Count);   // removed
        using var y = w.Mul(2f);
        Assert.Throws<InvalidOperationException>(() => y.RegisterPostAccumulateGradHook(_ => { }));
    }

    [Fact]
    public void OverlapStartsBucketsDuringBackwardAndOneRankKeepsItsGradients()
    {
        var model = Mlp();
        var p = model.Parameters().ToList();
        using var reducer = new DistributedGradientReducer(new SingleProcessGroup(), p, bucketBytes: 100);
        using var scope = Tensor.Scope();
        var loss = model.Call(Tensor.FromArray(Enumerable.Range(0, 8).Select(i => i * 0.1f).ToArray(), new[] { 2, 4 }, Device.Cpu)).Square().Mean();
        using (reducer.OverlapWithBackward()) loss.Backward();
        var before = p.Select(t => t.Grad!.ToArray()).ToList();
        reducer.ReduceGradients();
        Assert.Equal(2, reducer.BucketsStartedDuringBackward);
        for (int i = 0; i < p.Count; i++) Assert.Equal(before[i], p[i].Grad!.ToArray());
    }

    [Fact]
    public void AParameterWithoutAGradientOnEveryRankKeepsNone()
    {
        using var used = Tensor.FromArray(new[] { 1f }, new[] { 1 }, Device.Cpu, requiresGrad: true);
        using var unused = Tensor.FromArray(new[] { 1f }, new[] { 1 }, Device.Cpu, requiresGrad: true);
        using var reducer = new DistributedGradientReducer(new SingleProcessGroup(), new[] { used, unused }, bucketBytes: 4);
        using var scope = Tensor.Scope();
        using (reducer.OverlapWithBackward()) used.Mul(3f).Sum().Backward();
        reducer.ReduceGradients();
        Assert.Equal(new[] { 3f }, used.Grad!.ToArray());
        Assert.Null(unused.Grad);
        // The unused parameter's bucket comes first in reverse order, so nothing could start during backward.
        Assert.Equal(0, reducer.BucketsStartedDuringBackward);
    }

    [Fact]
    public void TwoBackwardPassesInsideOneOverlapAreRefused()
    {
        using var w = Tensor.FromArray(new[] { 1f }, new[] { 1 }, Device.Cpu, requiresGrad: true);
        w.Name = "w";
        using var reducer = new DistributedGradientReducer(new SingleProcessGroup(), new[] { w });
        using var scope = Tensor.Scope();
        using var overlap = reducer.OverlapWithBackward();
        w.Sum().Backward();
        var e = Assert.Throws<InvalidOperationException>(() => w.Sum().Backward());
        Assert.Contains("'w' [1] was accumulated twice", e.Message);
    }
}
