using System.Text.RegularExpressions;
using NativeGan.IO;
using NativeGan.Models.Sr;

namespace NativeGan.Tests.Sr;

/// <summary>Key mapping of old ESRGAN and BSRGAN checkpoints, and architecture detection from shapes.</summary>
public class SrKeyMapTests
{
    /// <summary>BasicSR key -> old ESRGAN key (the inverse of SrKeyMap for x4 models with numBlock RRDBs).</summary>
    private static string ToOldEsrgan(string key, int numBlock)
    {
        var m = Regex.Match(key, @"^body\.(\d+)\.rdb(\d)\.conv(\d)\.(\w+)$");
        if (m.Success) return $"model.1.sub.{m.Groups[1].Value}.RDB{m.Groups[2].Value}.conv{m.Groups[3].Value}.0.{m.Groups[4].Value}";
        var (head, tail) = (key[..key.IndexOf('.')], key[key.IndexOf('.')..]);
        return head switch
        {
            "conv_first" => "model.0" + tail,
            "conv_body" => $"model.1.sub.{numBlock}" + tail,
            "conv_up1" => "model.3" + tail,
            "conv_up2" => "model.6" + tail,
            "conv_hr" => "model.8" + tail,
            "conv_last" => "model.10" + tail,
            _ => throw new ArgumentException(key),
        };
    }

    private static string ToBsrgan(string key)
    {
        var m = Regex.Match(key, @"^body\.(\d+)\.rdb(\d)\.conv(\d)\.(\w+)$");
        if (m.Success) return $"RRDB_trunk.{m.Groups[1].Value}.RDB{m.Groups[2].Value}.conv{m.Groups[3].Value}.{m.Groups[4].Value}";
        var (head, tail) = (key[..key.IndexOf('.')], key[key.IndexOf('.')..]);
        return head switch
        {
            "conv_body" => "trunk_conv" + tail,
            "conv_up1" => "upconv1" + tail,
            "conv_up2" => "upconv2" + tail,
            "conv_hr" => "HRconv" + tail,
            _ => key,
        };
    }

    [Fact]
    public void OldEsrganKeysMapToBasicSr()
    {
        var f = SrFixture.Load("rrdbnet_tiny_x4");
        var old = f.Weights.Tensors.ToDictionary(kv => ToOldEsrgan(kv.Key, 2), kv => kv.Value);
        Assert.Contains("model.1.sub.1.RDB3.conv5.0.weight", old.Keys);
        Assert.Contains("model.1.sub.2.weight", old.Keys);
        Assert.Equal(SrKeyLayout.OldEsrgan, SrKeyMap.DetectLayout(old.Keys));
        var mapped = SrKeyMap.ToBasicSr(old);
        Assert.Equal(f.Weights.Tensors.Keys.Order(StringComparer.Ordinal), mapped.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, entry) in f.Weights.Tensors) Assert.Same(entry, mapped[key]);

        var specific = SrKeyMap.ToBasicSr(new Dictionary<string, int>
        {
            ["model.0.weight"] = 0, ["model.1.sub.0.RDB1.conv1.0.weight"] = 1, ["model.1.sub.22.RDB3.conv5.0.bias"] = 2,
            ["model.1.sub.23.weight"] = 3, ["model.3.bias"] = 4, ["model.6.weight"] = 5, ["model.8.weight"] = 6, ["model.10.bias"] = 7,
        });
        Assert.Equal(new[] { "conv_first.weight", "body.0.rdb1.conv1.weight", "body.22.rdb3.conv5.bias", "conv_body.weight", "conv_up1.bias",
            "conv_up2.weight", "conv_hr.weight", "conv_last.bias" }, specific.OrderBy(kv => kv.Value).Select(kv => kv.Key));
    }

    [Fact]
    public void OldEsrganCheckpointLoadsAndRunsLikeTheBasicSrOne()
    {
        var f = SrFixture.Load("rrdbnet_tiny_x4");
        var old = f.Weights.Tensors.ToDictionary(kv => "module." + ToOldEsrgan(kv.Key, 2), kv => kv.Value);
        var (model, arch) = SrArchitecture.CreateFromStateDict(old, Device.Cpu, "old_esrgan.pth");
        using (model)
        {
            Assert.Equal(new SrArchitecture("RRDBNet", 4, 3, 3, 16, 2, 8), arch);
            using var scope = Tensor.Scope();
            using var noGrad = Tensor.NoGrad();
            SrFixture.AssertClose(f.Entry("output"), model.Forward(f.Tensor("input", Device.Cpu)), "old-layout RRDBNet");
        }
    }

    [Fact]
    public void BsrganKeysMapToBasicSr()
    {
        var f = SrFixture.Load("rrdbnet_tiny_x4");
        var bsrgan = f.Weights.Tensors.ToDictionary(kv => ToBsrgan(kv.Key), kv => kv.Value);
        Assert.Contains("RRDB_trunk.0.RDB1.conv1.weight", bsrgan.Keys);
        Assert.Contains("HRconv.bias", bsrgan.Keys);
        Assert.Equal(SrKeyLayout.Bsrgan, SrKeyMap.DetectLayout(bsrgan.Keys));
        var mapped = SrKeyMap.ToBasicSr(bsrgan);
        Assert.Equal(f.Weights.Tensors.Keys.Order(StringComparer.Ordinal), mapped.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new SrArchitecture("RRDBNet", 4, 3, 3, 16, 2, 8), SrArchitecture.Detect(bsrgan));
    }

    [Fact]
    public void BasicSrKeysPassUnchanged()
    {
        foreach (var name in new[] { "rrdbnet_tiny_x4", "msrresnet_tiny_x3", "srresnet_tiny_x4", "vgg_discriminator_tiny_128" })
        {
            var state = SrFixture.Load(name).Weights.Tensors;
            Assert.Equal(SrKeyLayout.BasicSr, SrKeyMap.DetectLayout(state.Keys));
            Assert.Equal(state.Keys, SrKeyMap.ToBasicSr(state).Keys);
        }
    }

    [Fact]
    public void OldLayoutsThatBasicSrCannotHoldAreRefusedByName()
    {
        var x8 = new Dictionary<string, int> { ["model.0.weight"] = 0, ["model.1.sub.0.RDB1.conv1.0.weight"] = 0, ["model.1.sub.1.weight"] = 0,
            ["model.3.weight"] = 0, ["model.6.weight"] = 0, ["model.9.weight"] = 0, ["model.11.weight"] = 0, ["model.13.weight"] = 0 };
        Assert.Contains("model.3, model.6, model.9", Assert.Throws<ArgumentException>(() => SrKeyMap.ToBasicSr(x8)).Message);
        var stray = new Dictionary<string, int> { ["model.0.weight"] = 0, ["model.1.sub.0.RDB1.conv1.0.weight"] = 0, ["model.1.sub.5.weight"] = 0 };
        Assert.Contains("model.1.sub.5.weight", Assert.Throws<ArgumentException>(() => SrKeyMap.ToBasicSr(stray)).Message);
    }

    [Theory]
    [InlineData("rrdbnet_tiny_x4")]
    [InlineData("rrdbnet_tiny_x2")]
    [InlineData("rrdbnet_tiny_x1")]
    [InlineData("msrresnet_tiny_x4")]
    [InlineData("msrresnet_tiny_x3")]
    [InlineData("srresnet_tiny_x4")]
    public void DetectInfersEveryFixturesConfig(string name)
    {
        var f = SrFixture.Load(name);
        var arch = SrArchitecture.Detect(f.Weights.Tensors);
        string kind = f.Config.GetProperty("arch").GetString()!;
        Assert.Equal(kind, arch.Kind);
        Assert.Equal(f.Int(kind == "RRDBNet" ? "scale" : "upscale"), arch.Scale);
        Assert.Equal(f.Int("num_in_ch"), arch.InChannels);
        Assert.Equal(f.Int("num_out_ch"), arch.OutChannels);
        Assert.Equal(f.Int("num_feat"), arch.NumFeat);
        Assert.Equal(f.Int("num_block"), arch.NumBlock);
        Assert.Equal(kind == "RRDBNet" ? f.Int("num_grow_ch") : 0, arch.NumGrowCh);

        // The detected network loads the weights strictly and reproduces PyTorch's output.
        var (model, _) = SrArchitecture.CreateFromStateDict(f.Weights.Tensors, Device.Cpu, name);
        using (model)
        {
            model.Eval();
            using var scope = Tensor.Scope();
            using var noGrad = Tensor.NoGrad();
            SrFixture.AssertClose(f.Entry("output"), model.Forward(f.Tensor("input", Device.Cpu)), name);
        }
    }

    [Theory]
    [InlineData(1, 4, 1)]
    [InlineData(4, 2, 1)]
    [InlineData(16, 1, 1)]
    [InlineData(3, 4, 3)]
    [InlineData(12, 2, 3)]
    [InlineData(48, 1, 3)]
    public void DetectReadsRrdbNetScaleFromConvFirstInputChannels(int convFirstIn, int scale, int inChannels)
    {
        var shapes = new Dictionary<string, int[]>
        {
            ["conv_first.weight"] = new[] { 64, convFirstIn, 3, 3 },
            ["body.0.rdb1.conv1.weight"] = new[] { 32, 64, 3, 3 },
            ["body.22.rdb3.conv5.weight"] = new[] { 64, 192, 3, 3 },
            ["conv_body.weight"] = new[] { 64, 64, 3, 3 },
            ["conv_up1.weight"] = new[] { 64, 64, 3, 3 },
            ["conv_up2.weight"] = new[] { 64, 64, 3, 3 },
            ["conv_hr.weight"] = new[] { 64, 64, 3, 3 },
            ["conv_last.weight"] = new[] { inChannels, 64, 3, 3 },
        };
        Assert.Equal(new SrArchitecture("RRDBNet", scale, inChannels, inChannels, 64, 23, 32), SrArchitecture.Detect(shapes));
    }

    [Fact]
    public void DetectCountsMsrResNetAndSrResNetUpsampling()
    {
        var msr = new Dictionary<string, int[]>
        {
            ["conv_first.weight"] = new[] { 64, 3, 3, 3 }, ["body.15.conv1.weight"] = new[] { 64, 64, 3, 3 }, ["body.0.conv1.weight"] = new[] { 64, 64, 3, 3 },
            ["upconv1.weight"] = new[] { 256, 64, 3, 3 }, ["conv_hr.weight"] = new[] { 64, 64, 3, 3 }, ["conv_last.weight"] = new[] { 3, 64, 3, 3 },
        };
        Assert.Equal(new SrArchitecture("MSRResNet", 2, 3, 3, 64, 16, 0), SrArchitecture.Detect(msr));
        msr["upconv2.weight"] = new[] { 256, 64, 3, 3 };
        Assert.Equal(4, SrArchitecture.Detect(msr).Scale);

        var sr = new Dictionary<string, int[]>
        {
            ["conv1.0.weight"] = new[] { 64, 3, 9, 9 }, ["trunk.15.rcb.0.weight"] = new[] { 64, 64, 3, 3 }, ["conv2.0.weight"] = new[] { 64, 64, 3, 3 },
            ["upsampling.0.upsample_block.0.weight"] = new[] { 256, 64, 3, 3 }, ["upsampling.2.upsample_block.0.weight"] = new[] { 256, 64, 3, 3 },
            ["conv3.weight"] = new[] { 3, 64, 9, 9 },
        };
        Assert.Equal(new SrArchitecture("SRResNet", 8, 3, 3, 64, 16, 0), SrArchitecture.Detect(sr));
    }

    [Fact]
    public void DetectExplainsUnknownLayouts()
    {
        var shapes = new Dictionary<string, int[]> { ["body.0.weight"] = new[] { 64, 3, 3, 3 }, ["body.1.weight"] = new[] { 64 } };
        var e = Assert.Throws<ArgumentException>(() => SrArchitecture.Detect(shapes));
        Assert.Contains("body.0.weight [64, 3, 3, 3]", e.Message);
        Assert.Contains("body.1.weight [64]", e.Message);
        Assert.Contains("RRDBNet", e.Message);
        Assert.Contains("MSRResNet", e.Message);
        Assert.Contains("SRResNet", e.Message);
        Assert.Contains("SRVGGNetCompact", e.Message);
        Assert.Contains("RRDB_trunk", e.Message);

        var noUp2 = SrFixture.Load("rrdbnet_tiny_x4").Weights.Tensors.Where(kv => !kv.Key.StartsWith("conv_up2.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Contains("conv_up2", Assert.Throws<ArgumentException>(() => SrArchitecture.Detect(noUp2)).Message);
    }
}
