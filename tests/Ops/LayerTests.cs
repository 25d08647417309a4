using NativeGan.Tests.Fixtures;
namespace NativeGan.Tests.Ops;

/// <summary>Layer ops: bad arguments, and the behaviour the PyTorch fixtures do not pin down.</summary>
public class LayerTests
{

    private static Device Dev(string name) => name == "cpu" ? Device.Cpu : Device.IlgpuCpu;

    private static Tensor Seq(Device d, params int[] shape) =>
        Tensor.FromArray(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(i => (float)i).ToArray(), shape, d);

    [Fact]
    public void PixelShuffleRejectsChannelsNotDivisibleByRSquared()
    {
        using var s = Tensor.Scope();
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(1, 6, 2, 2).PixelShuffle(2));
        Assert.Contains("pixel_shuffle", e.Message);
        Assert.Contains("6", e.Message);
    }

    [Fact]
    public void PixelUnshuffleRejectsSizesNotDivisibleByR()
    {
        using var s = Tensor.Scope();
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(1, 1, 4, 5).PixelUnshuffle(2));
        Assert.Contains("pixel_unshuffle", e.Message);
    }

    [Fact]
    public void PoolKernelLargerThanPaddedInputNamesTheOp()
    {
        using var s = Tensor.Scope();
        var x = Tensor.Zeros(1, 1, 3, 3);
        Assert.Contains("avg_pool2d", Assert.Throws<ArgumentException>(() => x.AvgPool2d(5, 1, 0)).Message);
        Assert.Contains("max_pool2d", Assert.Throws<ArgumentException>(() => x.MaxPool2d(4)).Message);
    }

    [Fact]
    public void NegativePaddingIsRejected()
    {
        using var s = Tensor.Scope();
        var x = Tensor.Zeros(1, 1, 4, 4);
        var e = Assert.Throws<ArgumentException>(() => x.AvgPool2d(2, 2, -1));
        Assert.Contains("avg_pool2d", e.Message);
        Assert.Contains("negative", e.Message);
        Assert.Contains("max_pool2d", Assert.Throws<ArgumentException>(() => x.MaxPool2d(2, 2, -1)).Message);
    }

    [Fact]
    public void OtherBadArgumentsNameTheOp()
    {
        using var s = Tensor.Scope();
        Assert.Contains("interpolate", Assert.Throws<ArgumentException>(() => Tensor.Zeros(1, 1, 2, 2).Upsample(2, "bicubicx")).Message);
        Assert.Contains("batch_norm", Assert.Throws<ArgumentException>(() => Tensor.BatchNorm(Tensor.Zeros(2, 3), null, null, Tensor.Ones(4), null, true)).Message);
        Assert.Contains("batch_norm", Assert.Throws<ArgumentException>(() => Tensor.BatchNorm(Tensor.Zeros(1, 3), null, null, null, null, true)).Message);
        Assert.Contains("layer_norm", Assert.Throws<ArgumentException>(() => Tensor.LayerNorm(Tensor.Zeros(2, 3), new[] { 4 })).Message);
        Assert.Contains("minibatch_std", Assert.Throws<ArgumentException>(() => Tensor.MinibatchStddev(Tensor.Zeros(3, 1, 2, 2), 2)).Message);
        Assert.Contains("spectral_norm", Assert.Throws<ArgumentException>(() => Tensor.SpectralNorm(Tensor.Zeros(3, 2), Tensor.Zeros(2))).Message);
        Assert.Contains("adaptive_avg_pool2d", Assert.Throws<ArgumentException>(() => Tensor.Zeros(1, 1, 2, 2).AdaptiveAvgPool2d(0)).Message);
    }

    [Theory]
    [Devices("cpu", "ilgpu-cpu")]
    public void AvgPoolCountIncludePadMatchesAHandComputation(string device)
    {
        using var s = Tensor.Scope();
        var d = Dev(device);
        // 3x3 input 0..8, k=3, s=2, p=1 -> 2x2 output; every window covers 4 real pixels out of 9.
        var x = Seq(d, 1, 1, 3, 3);
        var include = x.AvgPool2d(3, 2, 1, countIncludePad: true).ToArray();
        var exclude = x.AvgPool2d(3, 2, 1, countIncludePad: false).ToArray();
        float[] sums = { 0 + 1 + 3 + 4, 1 + 2 + 4 + 5, 3 + 4 + 6 + 7, 4 + 5 + 7 + 8 };
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(sums[i] / 9f, include[i], 5);
            Assert.Equal(sums[i] / 4f, exclude[i], 5);
        }
        // Backward of the include-pad pool: every real pixel gets 1/9 per window that covers it.
        var xg = Seq(d, 1, 1, 3, 3);
        xg.RequiresGrad = true;
        var g = NativeGan.Autograd.Grad(new[] { xg.AvgPool2d(3, 2, 1, countIncludePad: true).Sum() }, new[] { xg })[0]!.ToArray();
        float[] windows = { 1, 2, 1, 2, 4, 2, 1, 2, 1 };
        for (int i = 0; i < 9; i++) Assert.Equal(windows[i] / 9f, g[i], 5);
    }

    [Theory]
    [Devices("cpu", "ilgpu-cpu")]
    public void MaxPoolSendsTheGradientToTheArgmaxOnly(string device)
    {
        using var s = Tensor.Scope();
        var d = Dev(device);
        var x = Tensor.FromArray(new float[] { 1, 5, 2, 0, 3, 4, 9, 8, 7, 6, -1, -2, 0, 0, 0, 10 }, new[] { 1, 1, 4, 4 }, d, requiresGrad: true);
        var y = x.MaxPool2d(2);
        Assert.Equal(new float[] { 5, 9, 7, 10 }, y.ToArray());
        var g = NativeGan.Autograd.Grad(new[] { y.Sum() }, new[] { x })[0]!.ToArray();
        Assert.Equal(new float[] { 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1 }, g);
    }

    [Theory]
    [Devices("cpu", "ilgpu-cpu")]
    public void NearestUpsampleRepeatsPixels(string device)
    {
        using var s = Tensor.Scope();
        var y = Seq(Dev(device), 1, 1, 2, 2).Interpolate(2, 3, InterpolationMode.Nearest).ToArray();
        Assert.Equal(new float[] { 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 2, 2, 2, 3, 3, 3 }, y);
    }

    [Theory]
    [Devices("cpu", "ilgpu-cpu")]
    public void PixelShuffleAndUnshuffleAreInverse(string device)
    {
        using var s = Tensor.Scope();
        var x = Seq(Dev(device), 2, 18, 2, 3);
        var y = x.PixelShuffle(3);
        Assert.Equal(new[] { 2, 2, 6, 9 }, y.Shape);
        Assert.Equal(x.ToArray(), y.PixelUnshuffle(3).ToArray());
    }

    [Fact]
    public void BatchNormEvalUsesTheRunningStats()
    {
        using var s = Tensor.Scope();
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2);
        var rm = Tensor.FromArray(new float[] { 0.5f, -1f }, 2);
        var rv = Tensor.FromArray(new float[] { 4f, 0.25f }, 2);
        var y = Tensor.BatchNorm(x, rm, rv, null, null, training: false, eps: 0f).ToArray();
        for (int n = 0; n < 3; n++)
        {
            Assert.Equal((2 * n + 1 - 0.5f) / 2f, y[2 * n], 5);
            Assert.Equal((2 * n + 2 + 1f) / 0.5f, y[2 * n + 1], 5);
        }
        // Eval leaves the running stats alone.
        Assert.Equal(new float[] { 0.5f, -1f }, rm.ToArray());
        Assert.Equal(new float[] { 4f, 0.25f }, rv.ToArray());
    }

    [Fact]
    public void BatchNormTrainingUpdatesTheRunningStatsInPlace()
    {
        using var s = Tensor.Scope();
        var x = Tensor.FromArray(new float[] { 1, 10, 2, 20, 3, 30, 6, 40 }, 4, 2);
        var rm = Tensor.FromArray(new float[] { 1f, 2f }, 2);
        var rv = Tensor.FromArray(new float[] { 1f, 1f }, 2);
        var rmStorageBefore = rm;
        Tensor.BatchNorm(x, rm, rv, null, null, training: true, momentum: 0.25f);
        Assert.Same(rmStorageBefore, rm);
        // channel 0: mean 3, unbiased var (4+1+0+9)/3; channel 1: mean 25, unbiased var (225+25+25+225)/3.
        var m = rm.ToArray();
        var v = rv.ToArray();
        Assert.Equal(0.75f * 1f + 0.25f * 3f, m[0], 5);
        Assert.Equal(0.75f * 2f + 0.25f * 25f, m[1], 5);
        Assert.Equal(0.75f + 0.25f * 14f / 3f, v[0], 4);
        Assert.Equal(0.75f + 0.25f * 500f / 3f, v[1], 3);
    }

    [Fact]
    public void BatchNormTrainingNormalisesWithTheBiasedBatchVariance()
    {
        using var s = Tensor.Scope();
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 6 }, 4, 1);
        var y = Tensor.BatchNorm(x, null, null, null, null, training: true, eps: 0f).ToArray();
        float mean = 3f, std = MathF.Sqrt((4 + 1 + 0 + 9) / 4f);
        for (int i = 0; i < 4; i++) Assert.Equal((new float[] { 1, 2, 3, 6 }[i] - mean) / std, y[i], 5);
    }

    [Fact]
    public void SpectralNormSigmaIsTheLargestSingularValueAfterIterations()
    {
        using var s = Tensor.Scope();
        var w = Tensor.FromArray(new float[] { 3, 0, 0, 0, 1, 0 }, 2, 3);
        var u = Tensor.FromArray(new float[] { 0.6f, 0.8f }, 2);
        var r = Tensor.SpectralNorm(w, u, nPowerIterations: 20);
        Assert.Equal(3f, r.Sigma.Item(), 4);
        Assert.Equal(new[] { 2, 3 }, r.Weight.Shape);
        Assert.Equal(1f, r.Weight.ToArray()[0], 4);
    }

    [Fact]
    public void MinibatchStddevGroupsSamplesModuloTheGroupCount()
    {
        using var s = Tensor.Scope();
        // N=4, group 2 -> groups {0, 2} and {1, 3}.
        var x = Tensor.FromArray(new float[] { 0, 10, 2, 30 }, 4, 1, 1, 1);
        var y = Tensor.MinibatchStddev(x, 2, eps: 0f).ToArray();
        Assert.Equal(new float[] { 0, 1, 10, 10, 2, 1, 30, 10 }, y);
    }

    public static TheoryData<string> KernelCases() => new()
    {
        "avg_include", "avg_exclude", "max", "adaptive", "bilinear", "bilinear_align", "bilinear_3x2",
    };

    private static Tensor ApplyKernelCase(string name, Tensor x) => name switch
    {
        "avg_include" => x.AvgPool2d(3, 2, 1, countIncludePad: true),
        "avg_exclude" => x.AvgPool2d(3, 1, 1, countIncludePad: false),
        "max" => x.MaxPool2d(3, 2, 1),
        "adaptive" => x.AdaptiveAvgPool2d(3, 4),
        "bilinear" => x.Interpolate(2, 2, InterpolationMode.Bilinear),
        "bilinear_align" => x.Interpolate(2, 3, InterpolationMode.Bilinear, alignCorners: true),
        _ => x.Interpolate(3, 2, InterpolationMode.Bilinear),
    };

    /// <summary>
    /// The ILGPU kernels (backward as a gather) against the CPU backend (backward as a per-plane scatter) at shapes the
    /// fixtures do not reach: forward, first gradient, and the backward's own backward.
    /// </summary>
    [Theory]
    [MemberData(nameof(KernelCases))]
    public void IlgpuKernelsMatchTheCpuBackend(string name)
    {
        using var s = Tensor.Scope();
        var rng = new System.Random(7);
        var shape = new[] { 2, 3, 7, 5 };
        var data = Enumerable.Range(0, 2 * 3 * 7 * 5).Select(i => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        (float[] Y, float[] G, float[] GG) Run(Device d)
        {
            var x = Tensor.FromArray(data, shape, d, requiresGrad: true);
            var y = ApplyKernelCase(name, x);
            var w = Tensor.FromArray(Enumerable.Range(0, y.NumEl).Select(i => MathF.Sin(i)).ToArray(), y.ShapeArray, d, requiresGrad: true);
            var g = NativeGan.Autograd.Grad(new[] { y.Mul(w).Sum() }, new[] { x }, createGraph: true)[0]!;
            // These ops are linear in x: the gradient's own gradient (with respect to w) runs the backward's backward.
            var gg = NativeGan.Autograd.Grad(new[] { g.Square().Sum() }, new[] { w })[0]!;
            return (y.ToArray(), g.ToArray(), gg.ToArray());
        }
        var cpu = Run(Device.Cpu);
        var ilgpu = Run(Device.IlgpuCpu);
        foreach (var (a, b, what) in new[] { (cpu.Y, ilgpu.Y, "forward"), (cpu.G, ilgpu.G, "gradient"), (cpu.GG, ilgpu.GG, "second") })
        {
            Assert.Equal(a.Length, b.Length);
            for (int i = 0; i < a.Length; i++)
                Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5 + 1e-4 * Math.Abs(a[i]), $"{name} {what}[{i}]: cpu {a[i]}, ilgpu {b[i]}");
        }
    }

    [Theory]
    [Devices("cpu", "ilgpu-cpu")]
    public void MaxPoolPropagatesNaN(string device)
    {
        using var s = Tensor.Scope();
        var x = Tensor.FromArray(new float[] { 1, float.NaN, 3, 4 }, new[] { 1, 1, 2, 2 }, Dev(device));
        Assert.True(float.IsNaN(x.MaxPool2d(2).Item()));
    }
}
