using NativeGan.Models.ImageToImage;
using NativeGan.NN;

namespace NativeGan.Tests.ImageToImage;

public class NetworkTests
{
    /// <summary>Every U-Net level returns cat([x, up(inner(down(x)))]): 2 * outer channels at its input's size.
    /// 32 and 64 run the whole generator; 256 (num_downs 8, the reference's unet_256) checks each level's output shape.</summary>
    [Theory]
    [InlineData(32, 5)]
    [InlineData(64, 6)]
    [InlineData(256, 8)]
    public void UnetSkipShapes(int size, int expectedDowns)
    {
        Assert.Equal(expectedDowns, UnetGenerator.NumDownsFor(size));
        const int ngf = 2;
        using var g = new UnetGenerator(3, 3, UnetGenerator.NumDownsFor(size), ngf, device: Device.Cpu, generator: new Generator(1));
        using var scope = Tensor.Scope();
        using var noGrad = Tensor.NoGrad();
        // Walk the levels: level k (0 = outermost) sees size / 2^k; non-outermost levels output [1, 2 * outer, s, s].
        var block = g.Model;
        int level = 0, inChannels = 3;
        var expectedOuter = new List<int> { 3, ngf, 2 * ngf, 4 * ngf };
        while (expectedOuter.Count < expectedDowns) expectedOuter.Add(8 * ngf);
        int dropouts = 0;
        while (true)
        {
            int s = size >> level;
            var x = Tensor.Randn(new[] { 1, inChannels, s, s }, Device.Cpu, new Generator((ulong)level));
            var y = block.Forward(x);
            int outer = expectedOuter[level];
            if (level == 0) Assert.Equal(new[] { 1, 3, s, s }, y.Shape.ToArray());
            else Assert.Equal(new[] { 1, inChannels + outer, s, s }, y.Shape.ToArray());
            dropouts += block.Model.OfType<Dropout>().Count();
            var inner = block.Model.OfType<UnetSkipConnectionBlock>().SingleOrDefault();
            if (inner == null) break;
            inChannels = level == 0 ? ngf : expectedOuter[level + 1];
            block = inner;
            level++;
        }
        Assert.Equal(expectedDowns - 1, level);
        Assert.Equal(expectedDowns - 5, dropouts);
        if (size <= 64)
        {
            var out1 = g.Forward(Tensor.Randn(new[] { 2, 3, size, size }, Device.Cpu, new Generator(9)));
            Assert.Equal(new[] { 2, 3, size, size }, out1.Shape.ToArray());
            Assert.All(out1.ToArray(), v => Assert.InRange(v, -1f, 1f));
        }
    }

    [Fact]
    public void UnetKeysFollowTheReference()
    {
        using var g = new UnetGenerator(3, 3, 5, 4, device: Device.Cpu);
        var keys = g.StateDict().Keys.ToHashSet();
        Assert.Contains("model.model.0.weight", keys);                 // outermost downconv, no bias with batch norm
        Assert.DoesNotContain("model.model.0.bias", keys);
        Assert.Contains("model.model.3.bias", keys);                   // outermost upconv keeps its bias
        Assert.Contains("model.model.1.model.2.running_mean", keys);   // second level's down norm
        Assert.Contains("model.model.1.model.3.model.3.model.3.model.1.weight", keys); // innermost downconv
    }

    [Fact]
    public void UnetRejectsSidesNotDivisible()
    {
        using var g = new UnetGenerator(3, 3, 5, 2, device: Device.Cpu);
        var e = Assert.Throws<ArgumentException>(() => g.Forward(Tensor.Zeros(new[] { 1, 3, 48, 40 }, Device.Cpu)));
        Assert.Contains("multiples of 32", e.Message);
    }

    [Fact]
    public void ResnetGeneratorShapesAndKeys()
    {
        Assert.Equal(9, ResnetGenerator.BlocksFor(256));
        Assert.Equal(6, ResnetGenerator.BlocksFor(128));
        using var g = new ResnetGenerator(3, 3, ngf: 4, nBlocks: 2, device: Device.Cpu, generator: new Generator(2));
        var keys = g.StateDict().Keys.ToList();
        Assert.Contains("model.1.weight", keys);            // after ReflectionPad2d(3)
        Assert.Contains("model.10.conv_block.1.weight", keys);
        Assert.Contains("model.10.conv_block.5.bias", keys); // instance norm: convs keep their bias
        Assert.DoesNotContain(keys, k => k.Contains("running_mean"));
        using var scope = Tensor.Scope();
        var y = g.Forward(Tensor.Randn(new[] { 1, 3, 20, 24 }, Device.Cpu, new Generator(3)));
        Assert.Equal(new[] { 1, 3, 20, 24 }, y.Shape.ToArray());
    }

    [Fact]
    public void PatchGanHas70PixelReceptiveFieldAndReferenceShapes()
    {
        using var d = new NLayerDiscriminator(6, ndf: 4, device: Device.Cpu, generator: new Generator(4));
        Assert.Equal(70, d.ReceptiveField);
        using var scope = Tensor.Scope();
        // 256 -> 128 -> 64 -> 32 -> 31 -> 30: the reference's 30x30 patch map.
        var y = d.Forward(Tensor.Randn(new[] { 1, 6, 256, 256 }, Device.Cpu, new Generator(5)));
        Assert.Equal(new[] { 1, 1, 30, 30 }, y.Shape.ToArray());
        Assert.Equal(new[] { "model.0.bias", "model.0.weight", "model.2.weight", "model.3.weight" },
            d.StateDict().Keys.Where(k => k.StartsWith("model.0.") || k.StartsWith("model.2.") || k == "model.3.weight").Order().ToArray());
    }

    [Fact]
    public void InitIsNormal002WithZeroBias()
    {
        using var d = new NLayerDiscriminator(3, ndf: 64, device: Device.Cpu, generator: new Generator(6));
        var w = d.StateDict()["model.2.weight"].ToArray();
        double mean = w.Average(), std = Math.Sqrt(w.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(std, 0.019, 0.021);
        Assert.InRange(mean, -0.001, 0.001);
        Assert.All(d.StateDict()["model.0.bias"].ToArray(), v => Assert.Equal(0f, v));
        var bn = d.StateDict()["model.3.weight"].ToArray();
        Assert.InRange(bn.Average(), 0.99, 1.01);
    }
}
