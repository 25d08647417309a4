using NativeGan.Cli;
using NativeGan.IO;
using NativeGan.Models.Imaging;

namespace NativeGan.Tests.Cli;

/// <summary>`nativegan forward` and `nativegan upscale`, run in-process on the PyTorch fixture networks and real photos.</summary>
public sealed class SrVerbTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures");
    private static readonly string Models = Path.Combine(Fixtures, "models");
    private static readonly string Photos = Path.Combine(Fixtures, "srdata", "images");
    private readonly string _dir = Directory.CreateTempSubdirectory("nativegan-srverbs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => NativeGan.Tests.Cli.CliRun.Run(args);

    [Fact]
    public void Forward_PthWeights_ReproducesPyTorchOutput()
    {
        string io = Path.Combine(Models, "rrdbnet_tiny_x4.io.safetensors");
        string output = Path.Combine(_dir, "out.safetensors");

        var (code, stdout, stderr) = Run("forward", "--weights", Path.Combine(Models, "rrdbnet_tiny_x4.pth"),
            "--input", io, "--output", output, "--device", "cpu");

        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Contains("RRDBNet", stdout);
        var expected = Safetensors.Read(io).Tensors["output"];
        var actual = Safetensors.Read(output).Tensors["output"];
        Assert.Equal(expected.Shape, actual.Shape);
        for (int i = 0; i < expected.Data.Length; i++)
            Assert.True(Math.Abs(expected.Data[i] - actual.Data[i]) <= 1e-5 + 1e-4 * Math.Abs(expected.Data[i]),
                $"output[{i}]: PyTorch {expected.Data[i]}, ours {actual.Data[i]}");
    }

    [Fact]
    public void Forward_InputWithWrongChannels_SaysWhatWasExpected()
    {
        string input = Path.Combine(_dir, "in.safetensors");
        Safetensors.Write(input, new[] { ("input", new[] { 1, 1, 4, 4 }, new float[16]) });
        var (code, _, stderr) = Run("forward", "--weights", Path.Combine(Models, "rrdbnet_tiny_x4.pth"),
            "--input", input, "--output", Path.Combine(_dir, "o.safetensors"), "--device", "cpu");
        Assert.Equal(ExitCodes.BadArguments, code);   // the input tensor does not fit the network: 1
        Assert.Contains("[N, 3, H, W]", stderr);
        Assert.Contains("[1, 1, 4, 4]", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void Upscale_RealPhoto_TiledMatchesUntiled()
    {
        // x2 through pixel_unshuffle: the upscaler pads 90x75 to the network's multiple of 2 and crops back.
        string weights = Path.Combine(Models, "rrdbnet_tiny_x2.weights.safetensors");
        string photo = Path.Combine(Photos, "coffee.png");
        string whole = Path.Combine(_dir, "whole.png");
        string tiled = Path.Combine(_dir, "tiled.png");

        var (code, stdout, stderr) = Run("upscale", "-i", photo, "-o", whole, "-m", weights, "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Contains("device: cpu", stdout, StringComparison.OrdinalIgnoreCase);
        (code, _, stderr) = Run("upscale", "-i", photo, "-o", tiled, "-m", weights, "--tile", "32", "--tile-pad", "24", "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, stderr);

        var source = ImageIO.Read(photo);
        var a = ImageIO.Read(whole);
        var b = ImageIO.Read(tiled);
        Assert.Equal((source.Width * 2, source.Height * 2, 3), (a.Width, a.Height, a.Channels));
        Assert.Equal((a.Width, a.Height, a.Channels), (b.Width, b.Height, b.Channels));
        // 8-bit outputs: tiles whose context covers the receptive field differ by at most one level of rounding.
        int maxDiff = 0;
        for (int i = 0; i < a.Planar.Length; i++)
            maxDiff = Math.Max(maxDiff, (int)Math.Round(Math.Abs(a.Planar[i] - b.Planar[i]) * 255));
        Assert.True(maxDiff <= 1, $"tiled and untiled differ by {maxDiff}/255");
    }

    [Fact]
    public void Upscale_Folder_ReportsABrokenFileAndGoesOn()
    {
        string input = Path.Combine(_dir, "in");
        Directory.CreateDirectory(input);
        File.Copy(Path.Combine(Photos, "chelsea.png"), Path.Combine(input, "a.png"));
        File.WriteAllBytes(Path.Combine(input, "b.png"), new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 });
        string output = Path.Combine(_dir, "out");

        var (code, stdout, stderr) = Run("upscale", "-i", input, "-o", output, "-m",
            Path.Combine(Models, "rrdbnet_tiny_x4.pth"), "--suffix", "out", "--device", "cpu");

        Assert.Equal(ExitCodes.RuntimeFailure, code);
        Assert.Contains("b.png", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.Contains("done: 1/2 images", stdout);
        var written = ImageIO.Read(Path.Combine(output, "a_out.png"));
        Assert.Equal((96 * 4, 80 * 4), (written.Width, written.Height));
        Assert.Single(Directory.GetFiles(output)); // nothing half-written for the broken input
    }

    [Fact]
    public void Upscale_MissingWeights_IsOneErrorLine()
    {
        var (code, _, stderr) = Run("upscale", "-i", Path.Combine(Photos, "coffee.png"), "-o", Path.Combine(_dir, "o.png"),
            "-m", Path.Combine(_dir, "nope.pth"), "--device", "cpu");
        Assert.NotEqual(ExitCodes.Ok, code);
        Assert.Contains("nope.pth", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void Upscale_UnknownWeightsChoice_SaysWhatWasExpected()
    {
        var (code, _, stderr) = Run("upscale", "-i", Path.Combine(Photos, "coffee.png"), "-o", Path.Combine(_dir, "o.png"),
            "-m", Path.Combine(Models, "rrdbnet_tiny_x4.pth"), "--weights", "foo", "--device", "cpu");
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Contains("--weights expects auto, ema, plain", stderr);
        Assert.Contains("got 'foo'", stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "o.png")));
    }

    /// <summary>A run folder: auto takes the better-validated of its EMA and plain weights (as its latest checkpoint
    /// recorded them) and says which; --weights ema / plain take those, and the images show the three agree.</summary>
    [Fact]
    public void Upscale_RunFolder_TakesTheBetterValidatedWeightsUnlessTold()
    {
        var dir = new NativeGan.Tests.Data.TempDir();
        try
        {
            string train = NativeGan.Tests.Sr.Training.SrTrainingTestUtil.CopyImages(dir, "train", "astronaut.png", "chelsea.png");
            string val = NativeGan.Tests.Sr.Training.SrTrainingTestUtil.CopyImages(dir, "val", "coffee.png");
            string run = Path.Combine(dir.Path, "run");
            var cfg = NativeGan.Models.Sr.Training.SrConfig.Parse(NativeGan.Tests.Sr.Training.SrTrainingTestUtil.TinyYaml("rrdbnet_psnr", train, val, total: 2, gtSize: 32), "tiny.yml");
            using (var t = new NativeGan.Models.Sr.Training.SrTrainer(cfg, run)) t.Run(cancellation: TestContext.Current.CancellationToken);
            var meta = Safetensors.Read(NativeGan.Models.Training.CheckpointStore.Latest(run)).Metadata;
            double ema = double.Parse(meta["val_psnr"], System.Globalization.CultureInfo.InvariantCulture);
            double plain = double.Parse(meta["val_psnr_plain"], System.Globalization.CultureInfo.InvariantCulture);
            string better = plain > ema ? "plain" : "ema";

            string photo = Path.Combine(Photos, "coffee.png");
            var outputs = new Dictionary<string, byte[]>();
            foreach (var choice in new[] { "auto", "ema", "plain" })
            {
                string output = Path.Combine(_dir, choice + ".png");
                var (code, stdout, stderr) = Run("upscale", "-i", photo, "-o", output, "-m", run, "--weights", choice, "--device", "cpu");
                Assert.True(code == ExitCodes.Ok, stderr);
                string key = (choice == "auto" ? better : choice) == "ema" ? "params_ema" : "params";
                Assert.Contains($"weights: the {(key == "params_ema" ? "EMA" : "plain")} weights ({key}) of {run} at iteration 2", stdout);
                if (choice == "auto") Assert.Contains("the better validated", stdout);
                outputs[choice] = ImageIO.Read(output).Planar.SelectMany(BitConverter.GetBytes).ToArray();
            }
            Assert.Equal(outputs[better], outputs["auto"]);
            Assert.NotEqual(outputs["ema"], outputs["plain"]);
        }
        finally
        {
            dir.Dispose();
        }
    }

    [Fact]
    public void Convert_OldEsrganLayout_WritesBasicSrKeysThatLoad()
    {
        // An old-ESRGAN-layout file made from the fixture's BasicSR weights by the inverse of the documented mapping.
        var basic = Safetensors.Read(Path.Combine(Models, "rrdbnet_tiny_x4.weights.safetensors")).Tensors;
        int blocks = basic.Keys.Where(k => k.StartsWith("body.")).Select(k => int.Parse(k.Split('.')[1])).Max() + 1;
        string Old(string k)
        {
            var p = k.Split('.');
            return p[0] switch
            {
                "conv_first" => $"model.0.{p[1]}",
                "body" => $"model.1.sub.{p[1]}.{p[2].ToUpperInvariant()}.{p[3]}.0.{p[4]}",
                "conv_body" => $"model.1.sub.{blocks}.{p[1]}",
                "conv_up1" => $"model.3.{p[1]}",
                "conv_up2" => $"model.6.{p[1]}",
                "conv_hr" => $"model.8.{p[1]}",
                "conv_last" => $"model.10.{p[1]}",
                _ => throw new InvalidOperationException(k),
            };
        }
        string oldFile = Path.Combine(_dir, "old.safetensors");
        Safetensors.Write(oldFile, basic.Select(kv => (Old(kv.Key), kv.Value.Shape, kv.Value.Data)));
        string converted = Path.Combine(_dir, "converted.safetensors");

        var (code, stdout, stderr) = Run("convert", oldFile, converted);

        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Contains("old ESRGAN", stdout);
        var written = Safetensors.Read(converted).Tensors;
        Assert.Equal(basic.Keys.Order(StringComparer.Ordinal), written.Keys.Order(StringComparer.Ordinal));
        foreach (var (k, e) in basic) Assert.Equal(e.Data, written[k].Data);
    }
}
