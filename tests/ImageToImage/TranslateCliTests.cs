using NativeGan.Cli;
using NativeGan.Models.Imaging;
using NativeGan.Tests.Data;

namespace NativeGan.Tests.ImageToImage;

public class TranslateCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => NativeGan.Tests.Cli.CliRun.Run(args);

    /// <summary>`train` dispatches a cyclegan config to the image-to-image trainer; `translate` then maps a real photo
    /// both ways with the run's generators (same size out as in); a bad direction and a missing checkpoint are errors.</summary>
    [Fact]
    public void TrainThenTranslateBothWays()
    {
        using var dir = new TempDir();
        string config = Path.Combine(dir.Path, "cyc.yml");
        File.WriteAllText(config, $@"model: cyclegan
dataset: {{kind: color2gray, path: '{I2iTestUtil.Photos}', crop_size: 32}}
ngf: 4
ndf: 4
n_blocks: 1
iterations: 2
checkpoint_every: 0
sample_every: 0
device: cpu
");
        string run = Path.Combine(dir.Path, "run");
        var (code, stdout, stderr) = Run("train", "--config", config, "--out", run);
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("cyclegan (resnet, lsgan)", stdout);
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "iter_000002.safetensors")));

        string photo = Path.Combine(I2iTestUtil.Photos, "chelsea.png");
        foreach (var direction in new[] { "AtoB", "BtoA" })
        {
            string output = Path.Combine(dir.Path, $"out_{direction}.png");
            (code, stdout, stderr) = Run("translate", "--checkpoint", run, "-i", photo, "-o", output, "--direction", direction, "--device", "cpu");
            Assert.True(code == 0, stderr);
            var inImg = ImageIO.Read(photo);
            var outImg = ImageIO.Read(output);
            Assert.Equal((inImg.Width, inImg.Height, 3), (outImg.Width, outImg.Height, outImg.Channels));
        }

        (code, _, stderr) = Run("translate", "--checkpoint", run, "-i", photo, "-o", Path.Combine(dir.Path, "x.png"), "--direction", "sideways");
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Contains("AtoB or BtoA", stderr);
        (code, _, stderr) = Run("translate", "--checkpoint", Path.Combine(dir.Path, "missing"), "-i", photo, "-o", Path.Combine(dir.Path, "x.png"));
        Assert.NotEqual(0, code);
        Assert.Contains("missing", stderr);
    }
}
