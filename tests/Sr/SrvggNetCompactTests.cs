using NativeGan.IO;
using NativeGan.Models.Sr;
using NativeGan.NN;

namespace NativeGan.Tests.Sr;

/// <summary>
/// SRVGGNetCompact against PyTorch (fixtures from tools/make_srvgg_fixtures.py) and the detection of every network
/// Real-ESRGAN releases from weights of the released shapes (random values: the files themselves are not shipped).
/// </summary>
public class SrvggNetCompactTests
{
    private static SRVGGNetCompact For(SrFixture f, Device device) =>
        new(f.Int("num_in_ch"), f.Int("num_out_ch"), f.Int("num_feat"), f.Int("num_conv"), f.Int("upscale"),
            f.Config.GetProperty("act_type").GetString()!, device);

    internal static Dictionary<string, SafetensorsEntry> Entries(Module model) =>
        model.StateDict().ToDictionary(kv => kv.Key,
            kv => new SafetensorsEntry { Name = kv.Key, DType = "F32", Shape = kv.Value.Shape.ToArray(), Data = kv.Value.ToArray() });

    [Theory]
    [InlineData("srvgg_tiny_x4_conv2")]
    [InlineData("srvgg_tiny_x2_conv5")]
    [InlineData("srvgg_tiny_x4_conv1_lrelu")]
    [InlineData("srvgg_tiny_x2_conv2_relu")]
    public void ForwardAndGradientsMatchPyTorch(string name)
    {
        var f = SrFixture.Load(name);
        using var model = For(f, Device.Cpu);
        Assert.Equal(f.Weights.Tensors.Keys.Order(StringComparer.Ordinal), model.StateDict().Keys.Order(StringComparer.Ordinal));
        model.LoadStateDict(f.Weights);
        using var scope = Tensor.Scope();
        var x = f.Tensor("input", Device.Cpu, requiresGrad: true);
        var y = model.Forward(x);
        SrFixture.AssertClose(f.Entry("output"), y, $"{name} output");
        var parameters = model.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor);
        var names = f.Io.Tensors.Keys.Where(k => k.StartsWith("grad.", StringComparison.Ordinal)).Select(k => k["grad.".Length..]).ToList();
        Assert.Contains("input", names);
        var inputs = names.Select(n => n == "input" ? x : parameters[n]).ToArray();
        var grads = NativeGan.Autograd.Grad(new[] { y }, inputs, new[] { f.Tensor("gout", Device.Cpu) });
        for (int i = 0; i < names.Count; i++)
            SrFixture.AssertClose(f.Entry("grad." + names[i]), grads[i]!, $"{name} grad.{names[i]}", rtol: 1e-3, atol: 1e-5);
    }

    [Theory]
    [InlineData("srvgg_tiny_x4_conv2", null)]
    [InlineData("srvgg_tiny_x2_conv5", null)]
    [InlineData("srvgg_tiny_x4_conv1_lrelu", "leakyrelu")]
    [InlineData("srvgg_tiny_x2_conv2_relu", "relu")]
    public void DetectReadsTheFixturesConfigAndReproducesPyTorch(string name, string? actHint)
    {
        var f = SrFixture.Load(name);
        var (model, arch) = SrArchitecture.CreateFromStateDict(f.Weights.Tensors, Device.Cpu, name, actHint);
        using (model)
        {
            Assert.Equal(new SrArchitecture("SRVGGNetCompact", f.Int("upscale"), 3, 3, f.Int("num_feat"), f.Int("num_conv"), 0,
                f.Config.GetProperty("act_type").GetString()), arch);
            using var scope = Tensor.Scope();
            using var noGrad = Tensor.NoGrad();
            SrFixture.AssertClose(f.Entry("output"), model.Forward(f.Tensor("input", Device.Cpu)), name);
        }
    }

    [Fact]
    public void WithoutPReLUWeightsTheActivationMustBeNamed()
    {
        var f = SrFixture.Load("srvgg_tiny_x2_conv2_relu");
        var e = Assert.Throws<ArgumentException>(() => SrArchitecture.Detect(f.Weights.Tensors));
        Assert.Contains("ReLU or LeakyReLU", e.Message);
        Assert.Contains("act_type", e.Message);
        var prelu = SrFixture.Load("srvgg_tiny_x4_conv2");
        Assert.Contains("PReLU weights at every activation",
            Assert.Throws<ArgumentException>(() => SrArchitecture.Detect(prelu.Weights.Tensors, "relu")).Message);
    }

    [Fact]
    public void BrokenLayoutsAreRefusedWithTheKeyAndShape()
    {
        var good = SrFixture.Load("srvgg_tiny_x4_conv2").Weights.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.Shape);
        var missing = new Dictionary<string, int[]>(good);
        missing.Remove("body.4.weight");
        Assert.Contains("'body.4.weight' is missing", Assert.Throws<ArgumentException>(() => SrArchitecture.Detect(missing)).Message);
        var notSquare = new Dictionary<string, int[]>(good) { ["body.6.weight"] = new[] { 30, 8, 3, 3 }, ["body.6.bias"] = new[] { 30 } };
        Assert.Contains("scale^2", Assert.Throws<ArgumentException>(() => SrArchitecture.Detect(notSquare)).Message);
        var halfPrelu = new Dictionary<string, int[]>(good);
        halfPrelu.Remove("body.3.weight");
        var e = Assert.Throws<ArgumentException>(() => SrArchitecture.Detect(halfPrelu));
        Assert.Contains("only 2 of them have PReLU weights", e.Message);
        Assert.Contains("SRVGGNetCompact", e.Message);
    }

    /// <summary>Every network in Real-ESRGAN's release, at its released shapes (inference_realesrgan.py).</summary>
    public static TheoryData<string, string, int, int, int, int, int> ReleasedLayouts() => new()
    {
        // name, kind, scale, num_feat, num_block or num_conv, num_grow_ch, in channels of the first conv
        { "realesr-general-x4v3", "SRVGGNetCompact", 4, 64, 32, 0, 3 },
        { "realesr-general-wdn-x4v3", "SRVGGNetCompact", 4, 64, 32, 0, 3 },
        { "realesr-animevideov3", "SRVGGNetCompact", 4, 64, 16, 0, 3 },
        { "RealESRGAN_x4plus", "RRDBNet", 4, 64, 23, 32, 3 },
        { "RealESRNet_x4plus", "RRDBNet", 4, 64, 23, 32, 3 },
        { "RealESRGAN_x4plus_anime_6B", "RRDBNet", 4, 64, 6, 32, 3 },
        { "RealESRGAN_x2plus", "RRDBNet", 2, 64, 23, 32, 12 },
    };

    [Theory]
    [MemberData(nameof(ReleasedLayouts))]
    public void DetectsEveryReleasedLayout(string release, string kind, int scale, int numFeat, int depth, int grow, int firstIn)
    {
        var expected = new SrArchitecture(kind, scale, 3, 3, numFeat, depth, grow, kind == "SRVGGNetCompact" ? "prelu" : null);
        using var built = expected.Create(Device.Cpu, new Generator(11));
        var state = Entries(built);
        string first = kind == "RRDBNet" ? "conv_first.weight" : "body.0.weight";
        Assert.Equal(new[] { numFeat, firstIn, 3, 3 }, state[first].Shape);
        if (kind == "SRVGGNetCompact")
        {
            // Real-ESRGAN's file: PReLU weights [64] at the odd indices, the last conv 64 -> 3 * 4^2 at 2 num_conv + 2.
            Assert.Equal(new[] { 48, 64, 3, 3 }, state[$"body.{2 * depth + 2}.weight"].Shape);
            Assert.Equal(new[] { 64 }, state[$"body.{2 * depth + 1}.weight"].Shape);
            Assert.Equal(2 * (depth + 2) + depth + 1, state.Count);
        }

        var (model, arch) = SrArchitecture.CreateFromStateDict(state, Device.Cpu, release + ".pth");
        using (model)
        {
            Assert.Equal(expected, arch);
            if (kind != "SRVGGNetCompact") return; // the RRDBNet forward is checked against PyTorch elsewhere; it is slow at 23 blocks
            using var scope = Tensor.Scope();
            using var noGrad = Tensor.NoGrad();
            var x = Tensor.Rand(new[] { 1, 3, 5, 4 }, Device.Cpu, new Generator(12));
            var y = model.Forward(x);
            Assert.Equal(new[] { 1, 3, 20, 16 }, y.Shape);
            Fixtures.Assertions.AssertClose(built.Forward(x).ToArray(), y.ToArray(), 0, 0, $"{release} loaded from its state dict");
        }
    }

    [Fact]
    public void ConstructorRefusesBadArguments()
    {
        Assert.Contains("act_type", Assert.Throws<ArgumentException>(() => new SRVGGNetCompact(actType: "gelu")).Message);
        Assert.Contains("num_out_ch must equal num_in_ch", Assert.Throws<ArgumentException>(() => new SRVGGNetCompact(3, 1)).Message);
        using var model = new SRVGGNetCompact(3, 3, 4, 1, 2, device: Device.Cpu, generator: new Generator(1));
        using var scope = Tensor.Scope();
        Assert.Contains("[N, 3, H, W]", Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(new[] { 1, 1, 4, 4 }, Device.Cpu))).Message);
    }
}
