using NativeGan.Models.Sr;

namespace NativeGan.Tests.Sr;

/// <summary>The VGG19 feature extractor and BasicSR's perceptual/style loss against PyTorch (a narrow VGG19, random weights).</summary>
public class PerceptualLossTests
{
    private static readonly string[] Layers = { "conv1_2", "relu2_2", "conv3_4", "conv5_4" };

    private static Vgg19FeatureExtractor Vgg(SrFixture f, bool useInputNorm = true, bool rangeNorm = false)
    {
        var widths = f.Config.GetProperty("widths").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var vgg = new Vgg19FeatureExtractor(Layers, useInputNorm, rangeNorm, Device.Cpu, widths);
        vgg.LoadTorchvisionWeights(f.Weights.Tensors, "vgg19_tiny.weights.safetensors");
        return vgg;
    }

    private static Dictionary<string, float> LayerWeights(SrFixture f) =>
        f.Config.GetProperty("layer_weights").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetSingle());

    [Theory]
    [InlineData("feat", true, false)]
    [InlineData("feat_range_norm", true, true)]
    [InlineData("feat_no_input_norm", false, false)]
    public void FeaturesMatchTorchvisionLayers(string prefix, bool useInputNorm, bool rangeNorm)
    {
        var f = SrFixture.Load("vgg19_tiny");
        using var vgg = Vgg(f, useInputNorm, rangeNorm);
        using var scope = Tensor.Scope();
        var x = f.Tensor("x", Device.Cpu);
        if (rangeNorm) x = x.Affine(2f, -1f);
        var features = vgg.Extract(x);
        Assert.Equal(Layers, features.Keys.ToArray());
        foreach (var layer in Layers)
            SrFixture.AssertClose(f.Entry($"{prefix}.{layer}"), features[layer], $"{prefix}.{layer}");
    }

    [Fact]
    public void BuildsOnlyUpToTheLastRequestedLayerWithBasicSrKeys()
    {
        using var vgg = new Vgg19FeatureExtractor(new[] { "relu2_2", "conv1_1" }, device: Device.Cpu, stageWidths: new[] { 2, 3, 4, 5, 6 });
        var keys = vgg.StateDict().Keys.ToList();
        Assert.Equal(new[] { "mean", "std", "vgg_net.conv1_1.weight", "vgg_net.conv1_1.bias", "vgg_net.conv1_2.weight", "vgg_net.conv1_2.bias",
            "vgg_net.conv2_1.weight", "vgg_net.conv2_1.bias", "vgg_net.conv2_2.weight", "vgg_net.conv2_2.bias" }, keys);
        Assert.Equal(new[] { "conv1_1", "relu2_2" }, vgg.RequestedLayers);
        Assert.All(vgg.Parameters(), p => Assert.False(p.RequiresGrad));
        Assert.False(vgg.IsTraining);
        Assert.Equal(34, Vgg19FeatureExtractor.IndexOf("conv5_4"));
        Assert.Equal(36, Vgg19FeatureExtractor.IndexOf("pool5"));
        Assert.Contains("relu5_4", Assert.Throws<ArgumentException>(() => new Vgg19FeatureExtractor(new[] { "relu6_1" })).Message);
    }

    [Fact]
    public void RefusesToRunWithoutWeightsAndSaysWhereToPutThem()
    {
        using var vgg = new Vgg19FeatureExtractor(new[] { "conv1_2" }, device: Device.Cpu, stageWidths: new[] { 2, 2, 2, 2, 2 });
        var loss = new PerceptualLoss(vgg, new Dictionary<string, float> { ["conv1_2"] = 1f });
        using var scope = Tensor.Scope();
        var x = Tensor.Rand(new[] { 1, 3, 8, 8 }, Device.Cpu, new Generator(1));
        var e = Assert.Throws<InvalidOperationException>(() => loss.Compute(x, x));
        Assert.Contains("vgg19-dcbb9e9d.pth", e.Message);
        Assert.Contains("perceptual.vgg_weights", e.Message);
        Assert.Throws<InvalidOperationException>(() => vgg.Extract(x));
    }

    [Fact]
    public void LoadTorchvisionWeightsNamesMissingKeysAndWrongShapes()
    {
        var f = SrFixture.Load("vgg19_tiny");
        using var wide = new Vgg19FeatureExtractor(new[] { "conv2_1" }, device: Device.Cpu);
        var e = Assert.Throws<ArgumentException>(() => wide.LoadTorchvisionWeights(f.Weights.Tensors, "tiny.safetensors"));
        Assert.Contains("features.0.weight (conv1_1.weight) has shape [4, 3, 3, 3], expected [64, 3, 3, 3]", e.Message);
        Assert.Contains("tiny.safetensors", e.Message);
        var partial = f.Weights.Tensors.Where(kv => kv.Key != "features.5.bias").ToDictionary(kv => kv.Key, kv => kv.Value);
        using var narrow = new Vgg19FeatureExtractor(new[] { "conv2_1" }, device: Device.Cpu, stageWidths: new[] { 4, 8, 8, 16, 16 });
        Assert.Contains("missing features.5.bias (conv2_1.bias)", Assert.Throws<ArgumentException>(() => narrow.LoadTorchvisionWeights(partial)).Message);
        Assert.False(narrow.HasWeights);

        // BasicSR's own keys (this module's state dict) load too.
        using var source = Vgg(f);
        var basicSr = source.StateDict().ToDictionary(kv => kv.Key, kv => new NativeGan.IO.SafetensorsEntry
            { Name = kv.Key, DType = "F32", Shape = kv.Value.Shape.ToArray(), Data = kv.Value.ToArray() });
        using var copy = new Vgg19FeatureExtractor(Layers, device: Device.Cpu, stageWidths: new[] { 4, 8, 8, 16, 16 });
        copy.LoadTorchvisionWeights(basicSr);
        Assert.True(copy.HasWeights);
        Assert.Equal(source.StateDictArrays()["vgg_net.conv5_4.weight"], copy.StateDictArrays()["vgg_net.conv5_4.weight"]);
    }

    [Theory]
    [InlineData("l1")]
    [InlineData("l2")]
    [InlineData("fro")]
    public void LossAndItsInputGradientMatchBasicSr(string criterion)
    {
        var f = SrFixture.Load("vgg19_tiny");
        using var vgg = Vgg(f);
        var loss = new PerceptualLoss(vgg, LayerWeights(f), perceptualWeight: 1f, styleWeight: 0.5f, criterion: criterion);
        using var scope = Tensor.Scope();
        var x = f.Tensor("x", Device.Cpu, requiresGrad: true);
        var gt = f.Tensor("gt", Device.Cpu);
        var (percep, style) = loss.Compute(x, gt);
        Assert.NotNull(percep);
        Assert.NotNull(style);
        SrFixture.AssertClose(f.Entry($"{criterion}.percep"), percep!.Reshape(1), $"{criterion} perceptual");
        SrFixture.AssertClose(f.Entry($"{criterion}.style"), style!.Reshape(1), $"{criterion} style");
        var grad = NativeGan.Autograd.Grad(new[] { percep.Add(style) }, new[] { x })[0]!;
        SrFixture.AssertClose(f.Entry($"{criterion}.grad_x"), grad, $"{criterion} d(loss)/dx", rtol: 1e-3, atol: 1e-5);
        Assert.All(vgg.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void ZeroWeightsGiveNullTermsAndBadArgumentsAreNamed()
    {
        var f = SrFixture.Load("vgg19_tiny");
        using var vgg = Vgg(f);
        using var scope = Tensor.Scope();
        var x = f.Tensor("x", Device.Cpu);
        var (p, s) = new PerceptualLoss(vgg, LayerWeights(f), 1f, 0f).Compute(x, x);
        Assert.NotNull(p);
        Assert.Null(s);
        Assert.InRange(p!.Item(), 0f, 1e-7f);
        (p, s) = new PerceptualLoss(vgg, LayerWeights(f), 0f, 1f, "l2").Compute(x, f.Tensor("gt", Device.Cpu));
        Assert.Null(p);
        Assert.NotNull(s);
        Assert.Contains("relu5_4", Assert.Throws<ArgumentException>(() => new PerceptualLoss(vgg, new Dictionary<string, float> { ["relu5_4"] = 1f })).Message);
        Assert.Contains("'l3'", Assert.Throws<ArgumentException>(() => new PerceptualLoss(vgg, LayerWeights(f), criterion: "l3")).Message);
    }
}
