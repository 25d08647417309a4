using NativeGan.IO;
using NativeGan.NN;
using static NativeGan.Tests.Fixtures.Assertions;

namespace NativeGan.Tests.NN;

public class LayerModuleTests
{
    private static readonly Device Cpu = Device.Cpu;

    /// <summary>state_dict() keys with their shapes, "name[d0, d1]" as torch prints them.</summary>
    private static string[] Keys(Module m) => m.StateDict().Select(kv => $"{kv.Key}{ShapeUtil.Format(kv.Value.ShapeArray)}").ToArray();

    private static Tensor Rand(Generator g, params int[] shape) => Tensor.Randn(shape, Cpu, g);

    // ------------------------------------------------------------------ names and shapes (torch's state_dict)

    [Fact]
    public void ConvKeysAndShapesMatchTorch()
    {
        using var c = new Conv2d(4, 8, 3, padding: 1, device: Cpu);
        Assert.Equal(new[] { "weight[8, 4, 3, 3]", "bias[8]" }, Keys(c));
        Assert.Equal(new[] { "weight", "bias" }, c.NamedParameters().Select(p => p.Name));
        using var nb = new Conv2d(4, 8, 1, bias: false, device: Cpu);
        Assert.Equal(new[] { "weight[8, 4, 1, 1]" }, Keys(nb));
        Assert.Null(nb.Bias);
        using var g = new Conv2d(4, 8, 3, groups: 2, device: Cpu);
        Assert.Equal(new[] { "weight[8, 2, 3, 3]", "bias[8]" }, Keys(g));
        using var r = new Conv2d(3, 5, (1, 3), (1, 1), (0, 1), (1, 1), device: Cpu);
        Assert.Equal(new[] { "weight[5, 3, 1, 3]", "bias[5]" }, Keys(r));

        using var t = new ConvTranspose2d(4, 6, 4, stride: 2, padding: 1, groups: 2, device: Cpu);
        Assert.Equal(new[] { "weight[4, 3, 4, 4]", "bias[6]" }, Keys(t));
        using var e = new EqualizedConv2d(4, 8, 3, padding: 1, device: Cpu);
        Assert.Equal(new[] { "weight[8, 4, 3, 3]", "bias[8]" }, Keys(e));

        Assert.Contains("groups", Assert.Throws<ArgumentException>(() => new Conv2d(4, 6, 3, groups: 4)).Message);
        Assert.Contains("output_padding", Assert.Throws<ArgumentException>(() => new ConvTranspose2d(4, 4, 3, stride: 1, outputPadding: 1)).Message);
        Assert.Contains("Conv2d", Assert.Throws<ArgumentException>(() => new Conv2d(0, 4, 3)).Message);
    }

    [Fact]
    public void NormKeysAndShapesMatchTorch()
    {
        using var bn2 = new BatchNorm2d(3, device: Cpu);
        Assert.Equal(new[] { "weight[3]", "bias[3]", "running_mean[3]", "running_var[3]", "num_batches_tracked[]" }, Keys(bn2));
        Assert.Equal(new[] { "weight", "bias" }, bn2.NamedParameters().Select(p => p.Name));
        Assert.Equal(new[] { "running_mean", "running_var", "num_batches_tracked" }, bn2.NamedBuffers().Select(p => p.Name));
        Assert.Equal(new[] { 1f, 1f, 1f }, bn2.Weight!.ToArray());
        Assert.Equal(new[] { 0f, 0f, 0f }, bn2.Bias!.ToArray());
        Assert.Equal(new[] { 1f, 1f, 1f }, bn2.RunningVar!.ToArray());
        Assert.Equal(0f, bn2.NumBatchesTracked!.Item());

        using var bn1 = new BatchNorm1d(5, device: Cpu);
        Assert.Equal(new[] { "weight[5]", "bias[5]", "running_mean[5]", "running_var[5]", "num_batches_tracked[]" }, Keys(bn1));
        using var noAffine = new BatchNorm2d(3, affine: false, device: Cpu);
        Assert.Equal(new[] { "running_mean[3]", "running_var[3]", "num_batches_tracked[]" }, Keys(noAffine));
        using var noStats = new BatchNorm2d(3, trackRunningStats: false, device: Cpu);
        Assert.Equal(new[] { "weight[3]", "bias[3]" }, Keys(noStats));

        using var inorm = new InstanceNorm2d(3, device: Cpu);
        Assert.Empty(Keys(inorm));
        using var inormAffine = new InstanceNorm2d(3, affine: true, device: Cpu);
        Assert.Equal(new[] { "weight[3]", "bias[3]" }, Keys(inormAffine));

        using var ln = new LayerNorm(new[] { 4, 5 }, device: Cpu);
        Assert.Equal(new[] { "weight[4, 5]", "bias[4, 5]" }, Keys(ln));
        using var ln1 = new LayerNorm(7, elementwiseAffine: false, device: Cpu);
        Assert.Empty(Keys(ln1));

        foreach (var m in new Module[] { new PixelNorm(), new Upsample(2), new Upsample(2, "bilinear"), new PixelShuffle(2), new PixelUnshuffle(2),
                     new AvgPool2d(2), new MaxPool2d(3, 2, 1), new AdaptiveAvgPool2d(1) })
        {
            using (m)
            {
                Assert.Empty(m.StateDict());
                Assert.Empty(m.Parameters());
            }
        }
        Assert.Contains("mode", Assert.Throws<ArgumentException>(() => new Upsample(2, "bicubic")).Message);
    }

    // ------------------------------------------------------------------ default initialisation (torch's reset_parameters)

    [Fact]
    public void ConvDefaultInitIsTorchsKaimingUniformBound()
    {
        // kaiming_uniform(a = sqrt(5)): bound = sqrt(6 / ((1 + a^2) fan_in)) = 1 / sqrt(fan_in); bias the same bound.
        using var c = new Conv2d(16, 32, 3, device: Cpu, generator: new Generator(3));
        float bound = 1f / MathF.Sqrt(16 * 9);
        var w = c.Weight.ToArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.All(c.Bias!.ToArray(), v => Assert.InRange(v, -bound, bound));
        double std = Math.Sqrt(w.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.9 * bound / Math.Sqrt(3), 1.1 * bound / Math.Sqrt(3)); // U(-b, b) has std b / sqrt(3)
        Assert.True(w.Max() > 0.9f * bound && w.Min() < -0.9f * bound);

        using var same = new Conv2d(16, 32, 3, device: Cpu, generator: new Generator(3));
        Assert.Equal(w, same.Weight.ToArray());

        // Groups: fan_in = in / groups * k * k.
        using var grouped = new Conv2d(16, 32, 3, groups: 4, device: Cpu, generator: new Generator(4));
        float gb = 1f / MathF.Sqrt(4 * 9);
        Assert.All(grouped.Weight.ToArray(), v => Assert.InRange(v, -gb, gb));
        Assert.True(grouped.Weight.ToArray().Max() > bound * 1.5f);

        // ConvTranspose2d: fan_in from weight dim 1 (out / groups) * k * k, as torch on the transposed layout.
        using var t = new ConvTranspose2d(64, 8, 4, stride: 2, padding: 1, device: Cpu, generator: new Generator(5));
        float tb = 1f / MathF.Sqrt(8 * 16);
        var tw = t.Weight.ToArray();
        Assert.All(tw, v => Assert.InRange(v, -tb, tb));
        Assert.All(t.Bias!.ToArray(), v => Assert.InRange(v, -tb, tb));
        Assert.True(tw.Max() > 0.9f * tb);

        // EqualizedConv2d: N(0, 1) storage, runtime scale sqrt(2 / fan_in).
        using var e = new EqualizedConv2d(16, 32, 3, device: Cpu, generator: new Generator(6));
        Assert.Equal(MathF.Sqrt(2f / (16 * 9)), e.Scale, 6);
        var ew = e.Weight.ToArray();
        double estd = Math.Sqrt(ew.Select(v => (double)v * v).Average());
        Assert.InRange(estd, 0.9, 1.1);
        Assert.All(e.Bias!.ToArray(), v => Assert.Equal(0f, v));
    }

    // ------------------------------------------------------------------ forward equals the functional op

    [Fact]
    public void ConvForwardsEqualTheFunctionalOps()
    {
        using var scope = Tensor.Scope();
        var g = new Generator(10);
        var x = Rand(g, 2, 4, 7, 6);
        using var c = new Conv2d(4, 6, 3, stride: 2, padding: 1, dilation: 1, groups: 2, device: Cpu, generator: g);
        Assert.Equal(Tensor.Conv2d(x, c.Weight, c.Bias, 2, 1, 1, 2).ToArray(), c.Forward(x).ToArray());
        Assert.Equal(new[] { 2, 6, 4, 3 }, c.Forward(x).Shape);
        using var d = new Conv2d(4, 3, 3, padding: 2, dilation: 2, bias: false, device: Cpu, generator: g);
        Assert.Equal(Tensor.Conv2d(x, d.Weight, null, 1, 2, 2).ToArray(), d.Forward(x).ToArray());

        using var t = new ConvTranspose2d(4, 6, 3, stride: 2, padding: 1, outputPadding: 1, groups: 2, device: Cpu, generator: g);
        var ty = t.Forward(x);
        Assert.Equal(new[] { 2, 6, 14, 12 }, ty.Shape);
        Assert.Equal(Tensor.ConvTranspose2d(x, t.Weight, t.Bias, 2, 1, 1, 2).ToArray(), ty.ToArray());

        using var e = new EqualizedConv2d(4, 5, 3, padding: 1, lrMultiplier: 0.5f, biasInit: 1f, device: Cpu, generator: g);
        var expected = Tensor.Conv2d(x, e.Weight.Mul(e.Scale), e.Bias!.Mul(0.5f), 1, 1);
        AssertClose(expected.ToArray(), e.Forward(x).ToArray(), 1e-6, 1e-6, "equalized conv");
        Assert.All(e.Bias!.ToArray(), v => Assert.Equal(2f, v)); // stored biasInit / lrMul
    }

    [Fact]
    public void NormAndResamplingForwardsEqualTheFunctionalOps()
    {
        using var scope = Tensor.Scope();
        var g = new Generator(11);
        var x = Rand(g, 2, 3, 4, 6);

        using var inorm = new InstanceNorm2d(3, affine: true, device: Cpu);
        using (Tensor.NoGrad())
        {
            inorm.Weight!.CopyFrom(new[] { 1f, 2f, 3f });
            inorm.Bias!.CopyFrom(new[] { -1f, 0f, 1f });
        }
        Assert.Equal(Tensor.InstanceNorm(x, inorm.Weight, inorm.Bias).ToArray(), inorm.Forward(x).ToArray());
        Assert.Equal(Tensor.InstanceNorm(x).ToArray(), new InstanceNorm2d(3).Forward(x).ToArray());

        using var ln = new LayerNorm(new[] { 4, 6 }, eps: 1e-3f, device: Cpu);
        Assert.Equal(Tensor.LayerNorm(x, new[] { 4, 6 }, ln.Weight, ln.Bias, 1e-3f).ToArray(), ln.Forward(x).ToArray());
        // Unit weight and zero bias: per-sample zero mean over the normalised dims.
        var y = ln.Forward(x).Mean(new[] { 2, 3 }).ToArray();
        Assert.All(y, v => Assert.InRange(v, -1e-5f, 1e-5f));

        Assert.Equal(Tensor.PixelNorm(x, 1e-8f).ToArray(), new PixelNorm().Forward(x).ToArray());
        Assert.Equal(x.Upsample(2).ToArray(), new Upsample(2).Forward(x).ToArray());
        Assert.Equal(new[] { 2, 3, 12, 18 }, new Upsample(3, "bilinear").Forward(x).Shape);
        Assert.Equal(x.Interpolate(2, 2, InterpolationMode.Bilinear).ToArray(), new Upsample(2, "bilinear").Forward(x).ToArray());
        Assert.Equal(x.Interpolate(2, 2, InterpolationMode.Bilinear, alignCorners: true).ToArray(),
            new Upsample(2, "bilinear", alignCorners: true).Forward(x).ToArray());

        var s = Rand(g, 2, 8, 3, 5);
        var shuffled = new PixelShuffle(2).Forward(s);
        Assert.Equal(new[] { 2, 2, 6, 10 }, shuffled.Shape);
        Assert.Equal(s.PixelShuffle(2).ToArray(), shuffled.ToArray());
        Assert.Equal(s.ToArray(), new PixelUnshuffle(2).Forward(shuffled).ToArray());

        Assert.Equal(x.AvgPool2d(2).ToArray(), new AvgPool2d(2).Forward(x).ToArray());
        Assert.Equal(x.AvgPool2d(3, 1, 1, false).ToArray(), new AvgPool2d(3, 1, 1, countIncludePad: false).Forward(x).ToArray());
        Assert.Equal(x.MaxPool2d(3, 2, 1).ToArray(), new MaxPool2d(3, 2, 1).Forward(x).ToArray());
        Assert.Equal(new[] { 2, 3, 2, 3 }, new MaxPool2d(2).Forward(x).Shape);
        Assert.Equal(x.AdaptiveAvgPool2d(1).ToArray(), new AdaptiveAvgPool2d(1).Forward(x).ToArray());
        Assert.Equal(x.AdaptiveAvgPool2d(3, 4).ToArray(), new AdaptiveAvgPool2d(3, 4).Forward(x).ToArray());
    }

    // ------------------------------------------------------------------ batch norm modes and running statistics

    [Fact]
    public void BatchNorm2dTrainUsesBatchStatsAndUpdatesRunningStats()
    {
        using var scope = Tensor.Scope();
        var g = new Generator(12);
        using var bn = new BatchNorm2d(3, device: Cpu);
        using (Tensor.NoGrad())
        {
            bn.Weight!.CopyFrom(new[] { 1f, 2f, 0.5f });
            bn.Bias!.CopyFrom(new[] { 0f, 1f, -1f });
        }
        var x = Rand(g, 4, 3, 5, 5).Mul(2f).Add(3f);
        var xv = x.ToArray();
        int n = 4, c = 3, hw = 25, count = n * hw;
        var mean = new double[c];
        var varB = new double[c];
        for (int ch = 0; ch < c; ch++)
        {
            var vals = Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(0, hw).Select(p => (double)xv[(i * c + ch) * hw + p])).ToArray();
            mean[ch] = vals.Average();
            varB[ch] = vals.Select(v => (v - mean[ch]) * (v - mean[ch])).Average();
        }

        // Training: batch statistics (biased variance), functional batch_norm's result.
        var y = bn.Forward(x);
        var expectedY = Tensor.BatchNorm(x, null, null, bn.Weight, bn.Bias, true).ToArray();
        AssertClose(expectedY, y.ToArray(), 1e-5, 1e-5, "bn train");
        // Running stats: momentum 0.1 with the unbiased variance; one batch counted.
        var rm = mean.Select(m => (float)(0.1 * m)).ToArray();
        var rv = varB.Select(v => (float)(0.9 + 0.1 * v * count / (count - 1))).ToArray();
        AssertClose(rm, bn.RunningMean!.ToArray(), 1e-4, 1e-5, "running_mean");
        AssertClose(rv, bn.RunningVar!.ToArray(), 1e-4, 1e-5, "running_var");
        Assert.Equal(1f, bn.NumBatchesTracked!.Item());
        bn.Forward(x);
        Assert.Equal(2f, bn.NumBatchesTracked!.Item());
        var rm2 = rm.Select((v, i) => (float)(0.9 * v + 0.1 * mean[i])).ToArray();
        AssertClose(rm2, bn.RunningMean!.ToArray(), 1e-4, 1e-5, "running_mean after 2");

        // Eval: running statistics, buffers untouched.
        bn.Eval();
        var before = bn.StateDictArrays();
        var ye = bn.Forward(x).ToArray();
        var w = new[] { 1f, 2f, 0.5f };
        var b = new[] { 0f, 1f, -1f };
        var rmv = bn.RunningMean!.ToArray();
        var rvv = bn.RunningVar!.ToArray();
        var expectedEval = new float[xv.Length];
        for (int i = 0; i < xv.Length; i++)
        {
            int ch = i / hw % c;
            expectedEval[i] = (float)((xv[i] - rmv[ch]) / Math.Sqrt(rvv[ch] + 1e-5) * w[ch] + b[ch]);
        }
        AssertClose(expectedEval, ye, 1e-4, 1e-5, "bn eval");
        foreach (var (k, v) in bn.StateDictArrays()) Assert.Equal(before[k], v);
        Assert.Equal(2f, bn.NumBatchesTracked!.Item());

        // Back to training: batch statistics again, and gradients reach weight and bias.
        bn.Train();
        AssertClose(expectedY, bn.Forward(x).ToArray(), 1e-5, 1e-5, "bn train again");
        bn.Forward(x).Square().Sum().Backward();
        Assert.NotNull(bn.Weight!.Grad);
        Assert.NotNull(bn.Bias!.Grad);
        bn.ZeroGrad();
    }

    [Fact]
    public void BatchNormVariants()
    {
        using var scope = Tensor.Scope();
        var g = new Generator(13);
        // Cumulative moving average (momentum = None): after two batches, the running mean is their plain average.
        using var cma = new BatchNorm1d(2, momentum: null, device: Cpu);
        var a = Rand(g, 6, 2);
        var b = Rand(g, 6, 2).Add(5f);
        cma.Forward(a);
        cma.Forward(b);
        var expected = a.Mean(0).Add(b.Mean(0)).Mul(0.5f).ToArray();
        AssertClose(expected, cma.RunningMean!.ToArray(), 1e-5, 1e-5, "cumulative running mean");
        Assert.Equal(new[] { 6, 2, 4 }, cma.Forward(Rand(g, 6, 2, 4)).Shape);

        // Without running stats, eval still normalises with the batch statistics.
        using var noStats = new BatchNorm2d(2, trackRunningStats: false, device: Cpu);
        noStats.Eval();
        var x = Rand(g, 3, 2, 4, 4).Add(7f);
        AssertClose(Tensor.BatchNorm(x, null, null, noStats.Weight, noStats.Bias, true).ToArray(), noStats.Forward(x).ToArray(), 1e-6, 1e-6, "no running stats");

        Assert.Contains("4-D", Assert.Throws<ArgumentException>(() => new BatchNorm2d(2).Forward(a)).Message);
        Assert.Contains("expected 3 channels", Assert.Throws<ArgumentException>(() => new BatchNorm2d(3, device: Cpu).Forward(x)).Message);
    }

    // ------------------------------------------------------------------ state dict round trip

    [Fact]
    public void ConvBatchNormSequentialRoundTripsThroughSafetensors()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nativegan-layers-{Guid.NewGuid():N}.safetensors");
        Sequential Make(ulong seed)
        {
            var g = new Generator(seed);
            return new Sequential(new Conv2d(3, 8, 3, padding: 1, device: Cpu, generator: g), new BatchNorm2d(8, device: Cpu),
                new LeakyReLU(0.2f), new Conv2d(8, 3, 3, padding: 1, device: Cpu, generator: g));
        }
        try
        {
            using var a = Make(1);
            string[] keys =
            {
                "0.weight[8, 3, 3, 3]", "0.bias[8]",
                "1.weight[8]", "1.bias[8]", "1.running_mean[8]", "1.running_var[8]", "1.num_batches_tracked[]",
                "3.weight[3, 8, 3, 3]", "3.bias[3]",
            };
            Assert.Equal(keys, Keys(a));
            var x = Rand(new Generator(2), 2, 3, 6, 6);
            using (Tensor.Scope())
            {
                a.Forward(x);
                a.Forward(x.Mul(2f));
            }
            Assert.Equal(2f, a.StateDict()["1.num_batches_tracked"].Item());
            a.SaveSafetensors(path);
            var file = Safetensors.Read(path);
            Assert.Empty(file.Tensors["1.num_batches_tracked"].Shape);

            using var b = Make(7);
            Assert.NotEqual(a.StateDict()["0.weight"].ToArray(), b.StateDict()["0.weight"].ToArray());
            var r = b.LoadSafetensors(path);
            Assert.Empty(r.MissingKeys);
            Assert.Empty(r.UnexpectedKeys);
            foreach (var (k, t) in a.StateDict()) Assert.Equal(t.ToArray(), b.StateDict()[k].ToArray());
            Assert.Equal(2f, b.StateDict()["1.num_batches_tracked"].Item());
            a.Eval();
            b.Eval();
            using var scope = Tensor.Scope();
            Assert.Equal(a.Forward(x).ToArray(), b.Forward(x).ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void LayersRunTheSameOnIlgpu()
    {
        Sequential Make() => new(SpectralNorm.Apply(new Conv2d(3, 4, 3, padding: 1, device: Cpu, generator: new Generator(1)), generator: new Generator(2)),
            new BatchNorm2d(4, device: Cpu), new LeakyReLU(0.2f), new ConvTranspose2d(4, 2, 4, stride: 2, padding: 1, device: Cpu, generator: new Generator(3)),
            new InstanceNorm2d(2, affine: true, device: Cpu), new AvgPool2d(2), new Upsample(2, "bilinear"), new PixelUnshuffle(2));
        using var c = Make();
        using var i = Make();
        i.To(Device.IlgpuCpu);
        var xc = Rand(new Generator(4), 2, 3, 6, 6);
        using var xi = Tensor.FromArray(xc.ToArray(), xc.ShapeArray, Device.IlgpuCpu);
        for (int step = 0; step < 2; step++)
        {
            using var scope = Tensor.Scope();
            AssertClose(c.Forward(xc).ToArray(), i.Forward(xi).ToArray(), 1e-4, 1e-5, $"train forward {step}");
        }
        foreach (var (k, t) in c.StateDict()) AssertClose(t.ToArray(), i.StateDict()[k].ToArray(), 1e-4, 1e-5, k);
        Assert.Equal(2f, i.StateDict()["1.num_batches_tracked"].Item());
        c.Eval();
        i.Eval();
        using (Tensor.Scope()) AssertClose(c.Forward(xc).ToArray(), i.Forward(xi).ToArray(), 1e-4, 1e-5, "eval forward");
        xc.Dispose();
    }

    [Fact]
    public void LayersDescribeThemselves()
    {
        using var seq = new Sequential(new Conv2d(3, 8, 3, padding: 1, device: Cpu), new BatchNorm2d(8, device: Cpu), new Upsample(2), new PixelShuffle(2));
        var s = seq.ToString();
        Assert.Contains("Conv2d(3, 8, kernel_size=(3, 3)", s);
        Assert.Contains("BatchNorm2d(8, eps=", s);
        Assert.Contains("upscale_factor=2", s);
    }
}
