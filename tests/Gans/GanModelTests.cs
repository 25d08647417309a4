using NativeGan.Models.Gans;
using NativeGan.NN;

namespace NativeGan.Tests.Gans;

/// <summary>Shapes, state-dict keys and initialisation of the GAN family's networks.</summary>
public class GanModelTests
{
    private static readonly Device Cpu = Device.Cpu;

    private static Tensor Noise(Generator g, params int[] shape) => Tensor.Randn(shape, Cpu, g);

    private static void AssertShape(Tensor t, params int[] expected) =>
        Assert.True(t.Shape.SequenceEqual(expected), $"expected [{string.Join(", ", expected)}], got [{string.Join(", ", t.Shape)}]");

    private static void AssertKeys(Module m, params (string Key, int[] Shape)[] expected)
    {
        var state = m.StateDict();
        foreach (var (key, shape) in expected)
        {
            Assert.True(state.ContainsKey(key), $"missing key {key}; have {string.Join(", ", state.Keys)}");
            Assert.True(state[key].Shape.SequenceEqual(shape), $"{key}: expected [{string.Join(", ", shape)}], got [{string.Join(", ", state[key].Shape)}]");
        }
    }

    [Fact]
    public void VanillaGanShapesAndKeys()
    {
        var g = new Generator(1);
        using var gen = new VanillaGenerator(device: Cpu, generator: g);
        using var disc = new VanillaDiscriminator(device: Cpu, generator: g);
        using var scope = Tensor.Scope();
        var img = gen.Forward(Noise(g, 3, 64));
        AssertShape(img, 3, 1, 28, 28);
        var p = disc.Forward(img);
        AssertShape(p, 3, 1);
        Assert.All(p.ToArray(), v => Assert.InRange(v, 0f, 1f));
        Assert.All(img.ToArray(), v => Assert.InRange(v, -1f, 1f));
        AssertKeys(gen, ("model.0.weight", new[] { 256, 64 }), ("model.0.bias", new[] { 256 }), ("model.2.weight", new[] { 784, 256 }), ("model.2.bias", new[] { 784 }));
        AssertKeys(disc, ("model.0.weight", new[] { 128, 784 }), ("model.2.weight", new[] { 1, 128 }), ("model.2.bias", new[] { 1 }));
        Assert.Equal(4, gen.StateDict().Count);
        Assert.Equal(4, disc.StateDict().Count);
    }

    [Fact]
    public void Dcgan64ShapesKeysAndInit()
    {
        var g = new Generator(2);
        using var gen = new DcganGenerator(64, 3, device: Cpu, generator: g);
        using var disc = new DcganDiscriminator(64, 3, device: Cpu, generator: g);
        AssertKeys(gen,
            ("main.0.weight", new[] { 100, 512, 4, 4 }), ("main.1.weight", new[] { 512 }), ("main.1.running_var", new[] { 512 }),
            ("main.3.weight", new[] { 512, 256, 4, 4 }), ("main.6.weight", new[] { 256, 128, 4, 4 }), ("main.9.weight", new[] { 128, 64, 4, 4 }),
            ("main.12.weight", new[] { 64, 3, 4, 4 }));
        AssertKeys(disc,
            ("main.0.weight", new[] { 64, 3, 4, 4 }), ("main.2.weight", new[] { 128, 64, 4, 4 }), ("main.3.weight", new[] { 128 }),
            ("main.5.weight", new[] { 256, 128, 4, 4 }), ("main.8.weight", new[] { 512, 256, 4, 4 }), ("main.11.weight", new[] { 1, 512, 4, 4 }));
        Assert.DoesNotContain(gen.StateDict().Keys, k => k.StartsWith("main.0.bias", StringComparison.Ordinal));

        // normal(0, 0.02) convs, N(1, 0.02) batch-norm weights, zero biases
        var w = gen.StateDict()["main.0.weight"].ToArray();
        double mean = w.Average(), std = Math.Sqrt(w.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, -0.002, 0.002);
        Assert.InRange(std, 0.018, 0.022);
        var bn = gen.StateDict()["main.1.weight"].ToArray();
        Assert.InRange(bn.Average(), 0.99, 1.01);
        Assert.InRange(bn.Select(v => Math.Abs(v - 1f)).Max(), 1e-4, 0.1);
        Assert.All(gen.StateDict()["main.1.bias"].ToArray(), v => Assert.Equal(0f, v));

        using var scope = Tensor.Scope();
        var img = gen.Forward(Noise(g, 2, 100, 1, 1));
        AssertShape(img, 2, 3, 64, 64);
        AssertShape(gen.Forward(Noise(g, 2, 100)), 2, 3, 64, 64);
        var p = disc.Forward(img);
        AssertShape(p, 2, 1);
        Assert.All(p.ToArray(), v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Dcgan28ShapesAndKeys()
    {
        var g = new Generator(3);
        using var gen = new DcganGenerator(28, 1, latentDim: 100, ngf: 64, device: Cpu, generator: g);
        using var disc = new DcganDiscriminator(28, 1, ndf: 64, device: Cpu, generator: g);
        AssertKeys(gen, ("main.0.weight", new[] { 100, 256, 7, 7 }), ("main.3.weight", new[] { 256, 128, 4, 4 }), ("main.6.weight", new[] { 128, 1, 4, 4 }));
        AssertKeys(disc, ("main.0.weight", new[] { 64, 1, 4, 4 }), ("main.2.weight", new[] { 128, 64, 4, 4 }), ("main.3.weight", new[] { 128 }),
            ("main.5.weight", new[] { 1, 128, 7, 7 }));
        using var scope = Tensor.Scope();
        var img = gen.Forward(Noise(g, 2, 100));
        AssertShape(img, 2, 1, 28, 28);
        AssertShape(disc.Forward(img), 2, 1);
        Assert.Throws<ArgumentException>(() => disc.Forward(Noise(g, 2, 1, 32, 32)));
    }

    [Fact]
    public void WganShapesAndKeys()
    {
        var g = new Generator(4);
        using var gen = new WganGenerator(device: Cpu, generator: g);
        using var critic = new WganCritic(device: Cpu, generator: g);
        AssertKeys(gen, ("model.0.weight", new[] { 128, 100 }), ("model.2.weight", new[] { 256, 128 }), ("model.3.weight", new[] { 256 }),
            ("model.3.running_mean", new[] { 256 }), ("model.5.weight", new[] { 512, 256 }), ("model.6.weight", new[] { 512 }),
            ("model.8.weight", new[] { 1024, 512 }), ("model.9.weight", new[] { 1024 }), ("model.11.weight", new[] { 784, 1024 }));
        AssertKeys(critic, ("model.0.weight", new[] { 512, 784 }), ("model.2.weight", new[] { 256, 512 }), ("model.4.weight", new[] { 1, 256 }));
        Assert.DoesNotContain(critic.Children().SelectMany(c => c.Children()), m => m is BatchNormBase or Sigmoid);
        using var scope = Tensor.Scope();
        var img = gen.Forward(Noise(g, 3, 100));
        AssertShape(img, 3, 1, 28, 28);
        AssertShape(critic.Forward(img), 3, 1);
    }

    [Fact]
    public void CganShapesAndKeys()
    {
        var g = new Generator(5);
        using var gen = new CganGenerator(device: Cpu, generator: g);
        using var disc = new CganDiscriminator(device: Cpu, generator: g);
        AssertKeys(gen, ("label_emb.weight", new[] { 10, 10 }), ("model.0.weight", new[] { 128, 110 }), ("model.11.weight", new[] { 784, 1024 }));
        AssertKeys(disc, ("label_embedding.weight", new[] { 10, 10 }), ("model.0.weight", new[] { 512, 794 }), ("model.2.weight", new[] { 512, 512 }),
            ("model.5.weight", new[] { 512, 512 }), ("model.8.weight", new[] { 1, 512 }));
        Assert.Equal("label_emb.weight", gen.StateDict().Keys.First());
        using var scope = Tensor.Scope();
        var labels = Tensor.FromArray(new float[] { 0, 3, 9 }, new[] { 3 }, Cpu);
        var img = gen.Forward(Noise(g, 3, 100), labels);
        AssertShape(img, 3, 1, 28, 28);
        AssertShape(disc.Forward(img, labels), 3, 1);
        Assert.Throws<ArgumentException>(() => gen.Forward(Noise(g, 3, 100)));
    }

    [Fact]
    public void InfoGanShapesAndKeys()
    {
        var g = new Generator(6);
        using var gen = new InfoGanGenerator(device: Cpu, generator: g);
        using var disc = new InfoGanDiscriminator(device: Cpu, generator: g);
        AssertKeys(gen, ("l1.0.weight", new[] { 128 * 8 * 8, 74 }), ("conv_blocks.0.weight", new[] { 128 }), ("conv_blocks.2.weight", new[] { 128, 128, 3, 3 }),
            ("conv_blocks.3.weight", new[] { 128 }), ("conv_blocks.6.weight", new[] { 64, 128, 3, 3 }), ("conv_blocks.7.weight", new[] { 64 }),
            ("conv_blocks.9.weight", new[] { 1, 64, 3, 3 }));
        AssertKeys(disc, ("conv_blocks.0.weight", new[] { 16, 1, 3, 3 }), ("conv_blocks.3.weight", new[] { 32, 16, 3, 3 }), ("conv_blocks.6.weight", new[] { 32 }),
            ("conv_blocks.7.weight", new[] { 64, 32, 3, 3 }), ("conv_blocks.11.weight", new[] { 128, 64, 3, 3 }), ("conv_blocks.14.weight", new[] { 128 }),
            ("adv_layer.0.weight", new[] { 1, 512 }), ("aux_layer.0.weight", new[] { 10, 512 }), ("latent_layer.0.weight", new[] { 2, 512 }));
        using var scope = Tensor.Scope();
        var labels = GanSampling.RandomLabels(2, 10, Cpu, g);
        var img = gen.Forward(Noise(g, 2, 62), GanSampling.OneHot(labels, 10), Tensor.Rand(new[] { 2, 2 }, Cpu, g, -1f, 1f));
        AssertShape(img, 2, 1, 32, 32);
        var (validity, logits, code) = disc.Heads(img);
        AssertShape(validity, 2, 1);
        AssertShape(logits, 2, 10);
        AssertShape(code, 2, 2);

        // 28x28 (Fashion-MNIST): the flattened size follows the conv arithmetic (28 -> 14 -> 7 -> 4 -> 2)
        using var gen28 = new InfoGanGenerator(imageSize: 28, device: Cpu, generator: g);
        using var disc28 = new InfoGanDiscriminator(imageSize: 28, device: Cpu, generator: g);
        var img28 = gen28.Forward(Noise(g, 2, 74));
        AssertShape(img28, 2, 1, 28, 28);
        Assert.Equal(512, disc28.Features);
        AssertShape(disc28.Forward(img28), 2, 1);
    }

    [Fact]
    public void RandomLabelsAndOneHot()
    {
        var g = new Generator(7);
        using var scope = Tensor.Scope();
        var labels = GanSampling.RandomLabels(2000, 10, Cpu, g).ToArray();
        Assert.All(labels, v => Assert.True(v >= 0 && v <= 9 && v == MathF.Floor(v), $"label {v}"));
        var counts = labels.GroupBy(v => v).ToDictionary(x => x.Key, x => x.Count());
        Assert.Equal(10, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 120, 280));
        var oneHot = GanSampling.OneHot(Tensor.FromArray(new float[] { 2, 0 }, new[] { 2 }, Cpu), 3).ToArray();
        Assert.Equal(new float[] { 0, 0, 1, 1, 0, 0 }, oneHot);
    }
}
