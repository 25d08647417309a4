using System.Globalization;
using NativeGan.Models.Data;
using NativeGan.Models.Gans;
using NativeGan.NN;

namespace NativeGan.Tests.Gans;

/// <summary>Tiny ProGAN networks and helpers shared by the tests below (CPU, widths 8 / 8 / 4, 4x4 to 16x16).</summary>
internal static class ProGanTestNets
{
    public const int Resolution = 16, Channels = 3, FmapBase = 32, FmapMax = 8;

    public static (ProGanGenerator G, ProGanDiscriminator D) Build(ulong seed, int channels = Channels)
    {
        var rng = new Generator(seed);
        var g = new ProGanGenerator(Resolution, channels, null, FmapBase, FmapMax, Device.Cpu, rng);
        var d = new ProGanDiscriminator(Resolution, channels, FmapBase, FmapMax, 4, Device.Cpu, rng);
        return (g, d);
    }

    public static float[] Values(Tensor t) => t.ToArray();

    public static void AssertClose(float[] expected, float[] actual, float atol, float rtol = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= atol + rtol * MathF.Abs(expected[i]),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    public static string PhotoFolder => Path.Combine(AppContext.BaseDirectory, "fixtures", "srdata", "images");
}

/// <summary>The growth schedule: alpha rises linearly over fade_images of each new stage, then stays 1.</summary>
public class ProGanScheduleTests
{
    [Fact]
    public void AlphaRisesLinearlyOverTheFadeThenStaysOne()
    {
        var s = new ProGanSchedule(StageCount: 3, FadeImages: 100, StableImages: 50);
        Assert.Equal(1f, s.Alpha(0, 0));    // 4x4 has nothing to fade in
        Assert.Equal(1f, s.Alpha(0, 49));
        Assert.Equal(0f, s.Alpha(1, 0));
        Assert.Equal(0.25f, s.Alpha(1, 25));
        Assert.Equal(0.5f, s.Alpha(2, 50));
        Assert.Equal(0.99f, s.Alpha(2, 99));
        Assert.Equal(1f, s.Alpha(1, 100));
        Assert.Equal(1f, s.Alpha(1, 149));
        for (long i = 0; i < 100; i++) Assert.Equal((float)(i / 100.0), s.Alpha(1, i));
        Assert.Equal(50, s.StageImages(0));
        Assert.Equal(150, s.StageImages(1));
    }

    [Fact]
    public void AdvanceMovesToTheNextStageOnTheBatchThatReachesItsLength()
    {
        var s = new ProGanSchedule(3, FadeImages: 6, StableImages: 4);
        var p = new ProGanProgress(0, 0, 0);
        p = s.Advance(p, 3);
        Assert.Equal(new ProGanProgress(0, 3, 3), p);
        p = s.Advance(p, 3);                       // 6 >= 4: stage 1 starts at 0
        Assert.Equal(new ProGanProgress(1, 0, 6), p);
        var alphas = new List<float>();
        while (p.Stage == 1) { alphas.Add(s.Alpha(p)); p = s.Advance(p, 2); }
        Assert.Equal(new[] { 0f, 2f / 6, 4f / 6, 1f, 1f }, alphas.ToArray());
        Assert.Equal(new ProGanProgress(2, 0, 16), p);
        for (int i = 0; i < 20; i++) p = s.Advance(p, 2); // the last stage goes on
        Assert.Equal(2, p.Stage);
        Assert.Equal(40, p.ImagesInStage);
        // 2 (stage 0, batch 3) + 5 + 5 (batch 2)
        Assert.Equal(12, s.TotalIterations(stage => stage == 0 ? 3 : 2));
    }
}

/// <summary>
/// Fade-in: the faded output equals the blend of the two paths, each computed explicitly. G: the new block's toRGB
/// and the previous stage's image upsampled by 2 (nearest). D: the new block on the new fromRGB and the previous
/// fromRGB on the 2x2-average-pooled image, blended and sent through the rest.
/// </summary>
public class ProGanFadeTests
{
    [Theory]
    [InlineData(1, 0.3f)]
    [InlineData(2, 0.75f)]
    public void GeneratorOutputIsTheBlendOfTheNewBlockAndTheUpsampledOldOutput(int stage, float alpha)
    {
        var (g, d) = ProGanTestNets.Build(1);
        using (g) using (d)
        using (Tensor.NoGrad())
        using (Tensor.Scope())
        {
            var z = Tensor.Randn(new[] { 4, g.LatentDim }, Device.Cpu, new Generator(2));
            var full = g.Forward(z, stage, 1f);                     // the new path alone
            var previousImage = g.Forward(z, stage - 1, 1f);        // the previous stage's own output
            var oldPath = previousImage.Interpolate(2, 2, InterpolationMode.Nearest);
            var faded = g.Forward(z, stage, alpha);
            int r = ProGanShapes.Resolution(stage);
            Assert.Equal(new[] { 4, 3, r, r }, faded.Shape.ToArray());
            var a = full.ToArray();
            var b = oldPath.ToArray();
            var expected = a.Select((v, i) => alpha * v + (1 - alpha) * b[i]).ToArray();
            ProGanTestNets.AssertClose(expected, faded.ToArray(), 1e-5f);
            // alpha 0 is exactly the old path; the two paths differ, so the blend is not trivially either one
            ProGanTestNets.AssertClose(b, g.Forward(z, stage, 0f).ToArray(), 1e-6f);
            Assert.True(a.Zip(b).Max(p => MathF.Abs(p.First - p.Second)) > 1e-2f);
        }
    }

    [Theory]
    [InlineData(1, 0.4f)]
    [InlineData(2, 0.6f)]
    public void DiscriminatorBlendsTheNewBlockWithThePooledOldFromRgb(int stage, float alpha)
    {
        var (g, d) = ProGanTestNets.Build(3);
        using (g) using (d)
        using (Tensor.NoGrad())
        using (Tensor.Scope())
        {
            int r = ProGanShapes.Resolution(stage);
            var x = Tensor.Rand(new[] { 4, 3, r, r }, Device.Cpu, new Generator(4), -1f, 1f);
            // explicit: new path = block_s(lrelu(fromRGB_s(x))), old path = lrelu(fromRGB_{s-1}(avgpool2(x)))
            var fresh = ((Module)d.Blocks[stage - 1]).Forward(d.FromRgb[stage].Forward(x).LeakyRelu(0.2f)).AvgPool2d(2);
            var old = d.FromRgb[stage - 1].Forward(x.AvgPool2d(2)).LeakyRelu(0.2f);
            var h = fresh.Mul(alpha).Add(old.Mul(1f - alpha));
            for (int s = stage - 1; s >= 1; s--) h = d.Block(s, h);
            var expected = d.Tail(h).ToArray();
            ProGanTestNets.AssertClose(expected, d.Forward(x, stage, alpha).ToArray(), 1e-5f);
            // alpha 0: D of the previous stage on the pooled image
            ProGanTestNets.AssertClose(d.Forward(x.AvgPool2d(2), stage - 1, 1f).ToArray(), d.Forward(x, stage, 0f).ToArray(), 1e-5f);
        }
    }

    [Fact]
    public void FadedRealsBlendTheImageWithItsPooledUpsampledVersion()
    {
        using var scope = Tensor.Scope();
        var x = Tensor.Rand(new[] { 2, 3, 8, 8 }, Device.Cpu, new Generator(5), -1f, 1f);
        var v = x.ToArray();
        var got = ProGanStep.FadeReals(x, 0.25f).ToArray();
        for (int n = 0; n < 2 * 3; n++)
            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 8; j++)
                {
                    int b = n * 64, i0 = i / 2 * 2, j0 = j / 2 * 2;
                    float mean = (v[b + i0 * 8 + j0] + v[b + i0 * 8 + j0 + 1] + v[b + (i0 + 1) * 8 + j0] + v[b + (i0 + 1) * 8 + j0 + 1]) / 4;
                    float want = 0.25f * v[b + i * 8 + j] + 0.75f * mean;
                    Assert.True(MathF.Abs(want - got[b + i * 8 + j]) < 1e-6f, $"pixel {n},{i},{j}: {want} vs {got[b + i * 8 + j]}");
                }
        Assert.Same(x, ProGanStep.FadeReals(x, 1f));
    }
}

/// <summary>
/// Equalized learning rate in every layer of G and D (dense, 3x3 convs, toRGB and fromRGB 1x1 convs): the runtime
/// scale is He's constant sqrt(2 / fan_in) computed here from the stored weight's shape, the forward equals the plain
/// op with the scaled weight, and the stored weights are N(0, 1).
/// </summary>
public class ProGanEqualizedLrTests
{
    [Fact]
    public void EveryLayerScalesItsWeightByHesConstant()
    {
        var (g, d) = ProGanTestNets.Build(6);
        using (g) using (d)
        using (Tensor.NoGrad())
        using (Tensor.Scope())
        {
            var layers = g.NamedModules().Select(m => ("g." + m.Name, m.Module)).Concat(d.NamedModules().Select(m => ("d." + m.Name, m.Module)))
                .Where(m => m.Module is EqualizedConv2d or EqualizedLinear).ToList();
            var names = layers.Select(l => l.Item1).ToHashSet();
            // the 3-stage nets: G dense, conv0, 2 blocks x 2 convs, 3 toRGB; D 3 fromRGB, 2 x 2 convs, conv0, dense1, dense2
            Assert.Equal(9, layers.Count(l => l.Item1.StartsWith("g.")));
            Assert.Equal(10, layers.Count(l => l.Item1.StartsWith("d.")));
            foreach (var n in new[] { "g.dense", "g.to_rgb.0", "g.to_rgb.2", "d.from_rgb.0", "d.from_rgb.2", "d.dense1", "d.dense2", "d.conv0", "g.blocks.1.conv2" })
                Assert.Contains(n, names);
            var rng = new Generator(7);
            foreach (var (name, m) in layers)
            {
                switch (m)
                {
                    case EqualizedConv2d c:
                    {
                        var w = c.Weight.Shape;
                        double fanIn = w[1] * w[2] * w[3];
                        float he = (float)Math.Sqrt(2.0 / fanIn);
                        Assert.True(MathF.Abs(c.Scale - he) <= 1e-6f * he, $"{name}: scale {c.Scale}, He {he} (fan_in {fanIn})");
                        var x = Tensor.Randn(new[] { 2, w[1], 4, 4 }, Device.Cpu, rng);
                        var expected = Tensor.Conv2d(x, c.Weight.Mul(he), c.Bias, c.Stride, c.Padding);
                        ProGanTestNets.AssertClose(expected.ToArray(), c.Forward(x).ToArray(), 1e-5f);
                        break;
                    }
                    case EqualizedLinear l:
                    {
                        var w = l.Weight.Shape;
                        float he = (float)Math.Sqrt(2.0 / w[1]);
                        Assert.True(MathF.Abs(l.Scale - he) <= 1e-6f * he, $"{name}: scale {l.Scale}, He {he} (fan_in {w[1]})");
                        var x = Tensor.Randn(new[] { 3, w[1] }, Device.Cpu, rng);
                        var expected = Tensor.Linear(x, l.Weight.Mul(he), l.Bias);
                        ProGanTestNets.AssertClose(expected.ToArray(), l.Forward(x).ToArray(), 1e-5f);
                        break;
                    }
                }
            }
            // stored weights N(0, 1): pooled over every layer of both nets, biases zero
            var all = layers.SelectMany(l => l.Module.Param("weight")!.ToArray()).ToArray();
            double mean = all.Average(v => (double)v), std = Math.Sqrt(all.Average(v => (v - mean) * (v - mean)));
            Assert.True(all.Length > 3000, $"{all.Length} weights");
            Assert.InRange(mean, -0.05, 0.05);
            Assert.InRange(std, 0.95, 1.05);
            Assert.All(layers, l => Assert.All(l.Module.Param("bias")!.ToArray(), b => Assert.Equal(0f, b)));
        }
    }

    [Fact]
    public void DefaultWidthsFollowTheOfficialNf()
    {
        Assert.Equal(new[] { 512, 512, 512, 512, 256, 128 }, Enumerable.Range(0, 6).Select(s => ProGanShapes.Width(s, 8192, 512)).ToArray());
        Assert.Equal(6, ProGanShapes.Stages(128));
        Assert.Equal(3, ProGanShapes.StddevGroup(3, 4));
        Assert.Equal(4, ProGanShapes.StddevGroup(8, 4));
        Assert.Equal(3, ProGanShapes.StddevGroup(6, 4));
        Assert.Throws<ArgumentException>(() => ProGanShapes.Stages(96));
    }
}

/// <summary>One step of each loss type on real photos at 8x8 mid-fade.</summary>
public class ProGanStepTests
{
    private static Tensor Photos8(Device device)
    {
        var ds = new ImageFolderDataset(ProGanTestNets.PhotoFolder, 16, 3);
        var data = new float[3 * 3 * 16 * 16];
        for (int i = 0; i < 3; i++) ds.ReadSample(i, data.AsSpan(i * 768, 768));
        return Tensor.FromArray(data, new[] { 3, 3, 16, 16 }, device).AvgPool2d(2);
    }

    [Theory]
    [InlineData("wgan-gp")]
    [InlineData("lsgan")]
    [InlineData("vanilla")]
    [InlineData("hinge")]
    public void OneStepOfEachLossTypeUpdatesBothNetworks(string ganType)
    {
        var (g, d) = ProGanTestNets.Build(8);
        using (g) using (d)
        using (var step = new ProGanStep(g, d, ganType, stage: 1, rng: new Generator(9)))
        using (var scope = Tensor.Scope())
        {
            var real = ProGanStep.FadeReals(Photos8(Device.Cpu), 0.5f);
            float[] realOut;
            using (Tensor.NoGrad()) realOut = d.Forward(real, 1, 0.5f).ToArray();
            var before = g.StateDictArrays().Concat(d.StateDictArrays().Select(kv => KeyValuePair.Create("d." + kv.Key, kv.Value))).ToDictionary();
            var r = step.Step(real, 0.5f);
            Assert.True(r.AllFinite, r.ToString());
            Assert.Equal((float)realOut.Average(v => (double)v), r.DReal, 5);
            if (ganType == "wgan-gp")
            {
                Assert.NotNull(r.GradientPenalty);
                Assert.True(r.GradientPenalty > 0f);
                float drift = 0.001f * (float)realOut.Average(v => (double)v * v);
                Assert.Equal(drift, r.Drift!.Value, 6);
                Assert.Equal(r.DFake - r.DReal + r.GradientPenalty!.Value + r.Drift.Value, r.DLoss, 4);
            }
            else
            {
                Assert.Null(r.GradientPenalty);
                Assert.Null(r.Drift);
            }
            if (ganType == "lsgan") Assert.True(r.DLoss >= 0f);
            // the stage's layers moved, the 16x16 block (not in stage 1) did not
            var after = g.StateDictArrays().Concat(d.StateDictArrays().Select(kv => KeyValuePair.Create("d." + kv.Key, kv.Value))).ToDictionary();
            foreach (var key in new[] { "dense.weight", "blocks.0.conv1.weight", "to_rgb.1.weight", "to_rgb.0.weight", "d.from_rgb.1.weight", "d.from_rgb.0.weight", "d.dense2.weight" })
                Assert.False(before[key].SequenceEqual(after[key]), $"{ganType}: {key} did not change");
            foreach (var key in new[] { "blocks.1.conv1.weight", "to_rgb.2.weight", "d.from_rgb.2.weight", "d.blocks.1.conv1.weight" })
                Assert.True(before[key].SequenceEqual(after[key]), $"{ganType}: {key} changed outside its stage");
        }
    }

    [Fact]
    public void LossTypesMatchTheirFormulas()
    {
        using var scope = Tensor.Scope();
        var real = Tensor.FromArray(new[] { 0.5f, -1f, 2f }, new[] { 3, 1 }, Device.Cpu);
        var fake = Tensor.FromArray(new[] { -0.5f, 0.25f, 1.5f }, new[] { 3, 1 }, Device.Cpu);
        double[] rv = { 0.5, -1, 2 }, fv = { -0.5, 0.25, 1.5 };
        static double Sp(double x) => Math.Log(1 + Math.Exp(x));
        Assert.Equal(fv.Average() - rv.Average(), ProGanLossTypes.Discriminator("wgan-gp", real, fake).Item(), 5);
        Assert.Equal(0.5 * (rv.Average(v => (v - 1) * (v - 1)) + fv.Average(v => v * v)), ProGanLossTypes.Discriminator("lsgan", real, fake).Item(), 5);
        Assert.Equal(0.5 * (rv.Average(v => Sp(-v)) + fv.Average(v => Sp(v))), ProGanLossTypes.Discriminator("vanilla", real, fake).Item(), 5);
        Assert.Equal(rv.Average(v => Math.Max(0, 1 - v)) + fv.Average(v => Math.Max(0, 1 + v)), ProGanLossTypes.Discriminator("hinge", real, fake).Item(), 5);
        Assert.Equal(-fv.Average(), ProGanLossTypes.Generator("wgan-gp", fake).Item(), 5);
        Assert.Equal(fv.Average(v => (v - 1) * (v - 1)), ProGanLossTypes.Generator("lsgan", fake).Item(), 5);
        Assert.Equal(fv.Average(v => Sp(-v)), ProGanLossTypes.Generator("vanilla", fake).Item(), 5);
        Assert.Equal(-fv.Average(), ProGanLossTypes.Generator("hinge", fake).Item(), 5);
    }
}
