using NativeGan.Cli.Verbs;
using NativeGan.IO;
using NativeGan.Models.Sr.Training;
using NativeGan.Models.Training;
using NativeGan.Tests.Data;

namespace NativeGan.Tests.Cli;

/// <summary>The SR demo configs train out of the box on the shipped photos, from any current directory, and the run's
/// summary names the weights and the exact upscale command, which works; upscale -m RUN and -m CHECKPOINT take the EMA.</summary>
public class SrDemoConfigTests
{
    private static string RepoConfig(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string p = Path.Combine(dir.FullName, "configs", name);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException($"configs/{name} not found above {AppContext.BaseDirectory}");
    }

    private static string Photos(string config) => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(config)!, "..", "tests", "fixtures", "srdata", "images"));

    [Theory]
    [InlineData("rrdbnet_psnr_demo.yml", "rrdbnet_psnr", false)]
    [InlineData("esrgan_demo.yml", "esrgan", true)]
    public void Demo_config_trains_a_few_iterations_and_its_upscale_command_runs(string name, string model, bool adversarial)
    {
        string config = RepoConfig(name);
        var c = SrConfig.Load(config);
        Assert.Equal(model, c.Model);
        Assert.Empty(c.MissingPaths);
        Assert.Equal(adversarial, c.HasDiscriminator);
        if (adversarial)
        {
            Assert.NotNull(c.GanLoss);
            Assert.True(c.PerceptualLoss is { PerceptualWeight: > 0 }, "ESRGAN's demo keeps the perceptual loss");
            Assert.True(File.Exists(c.PerceptualLoss!.VggWeights), c.PerceptualLoss.VggWeights);
        }

        using var dir = new TempDir();
        string run = Path.Combine(dir.Path, "run");
        var (code, output, error) = CliRun.Run("train", "--config", config, "--iterations", "3", "--out", run, "--device", "cpu");
        Assert.True(code == 0, output + error);
        Assert.Contains("done: 3/3 iterations", output);
        string photos = Photos(config);
        Assert.Contains($"  data: 3 HR images in {photos}; LR made by MATLAB-style bicubic x4", output);
        Assert.Contains("  device: cpu", output);
        Assert.Contains("  G (RRDBNet): ", output);
        if (adversarial)
        {
            Assert.Contains("  D (UNetDiscriminatorSN): ", output);
            Assert.Contains($"  perceptual loss: VGG19 conv1_2 from {Path.Combine(Path.GetDirectoryName(config)!, "demo", "vgg19_conv1_random.safetensors")}", output);
            Assert.Matches(@"final losses: l_g_pix [0-9.]+, l_g_percep [0-9.]+, l_g_gan [0-9.]+, l_d_real [0-9.]+, l_d_fake [0-9.]+", output);
        }
        else Assert.Matches(@"final losses: l_g_pix [0-9.]+", output);

        // The summary's command, run as printed: the released EMA weights on the training photos.
        string latest = Path.Combine(run, "models", "net_g_latest.safetensors");
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        string command = lines.Single(l => l.StartsWith("upscale with: ", StringComparison.Ordinal))["upscale with: ".Length..];
        Assert.Equal($"nativegan upscale -m {latest} -i {photos} -o {Path.Combine(run, "upscaled")}", command);
        Assert.Contains(lines, l => l == $"or the best validated: nativegan upscale -m {Path.Combine(run, "models", "net_g_best.safetensors")} -i {photos} -o {Path.Combine(run, "upscaled")}");
        var args = command.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
        (code, var upOut, error) = CliRun.Run(args);
        Assert.True(code == 0, upOut + error);
        Assert.Contains("done: 3/3 images", upOut);
        foreach (var photo in new[] { "astronaut.png", "chelsea.png", "coffee.png" })
        {
            var inHeader = NativeGan.Models.Imaging.ImageHeader.Read(Path.Combine(photos, photo));
            var outHeader = NativeGan.Models.Imaging.ImageHeader.Read(Path.Combine(run, "upscaled", photo));
            Assert.Equal((inHeader.Width * 4, inHeader.Height * 4), (outHeader.Width, outHeader.Height));
        }
    }

    [Fact]
    public void Upscale_from_the_run_folder_or_its_checkpoint_takes_the_ema_generator()
    {
        using var dir = new TempDir();
        var config = SrConfig.Load(RepoConfig("rrdbnet_psnr_demo.yml"));
        config.Val = null;              // no validation: nothing to say the plain weights did better
        config.TotalIter = 3;
        string run = Path.Combine(dir.Path, "run");
        var output = new StringWriter();
        Assert.Equal(0, TrainVerb.RunToEnd(new SrTrainer(config, run, Device.Cpu), output, TimeProvider.System));
        Assert.Contains("validation: none (no datasets.val): net_g_best is not written", output.ToString());
        Assert.DoesNotContain("or the best validated", output.ToString());
        string latest = Path.Combine(run, "models", "net_g_latest.safetensors");
        Assert.Equal("params_ema", Safetensors.ReadHeader(latest).Metadata["weights"]);
        string checkpoint = Path.Combine(run, "checkpoints", "iter_000003.safetensors");
        string input = Path.Combine(Photos(RepoConfig("rrdbnet_psnr_demo.yml")), "coffee.png");

        byte[] Upscale(string outName, params string[] model)
        {
            string outPath = Path.Combine(dir.Path, outName);
            var (code, o, e) = CliRun.Run(["upscale", .. model, "-i", input, "-o", outPath, "--device", "cpu"]);
            Assert.True(code == 0, o + e);
            return File.ReadAllBytes(outPath);
        }
        var ema = Upscale("latest.png", "-m", latest);
        Assert.Equal(ema, Upscale("run.png", "-m", run));
        Assert.Equal(ema, Upscale("checkpoint.png", "-m", checkpoint));
        Assert.Equal(ema, Upscale("checkpoint_ema.png", "-m", checkpoint, "--weights", "ema"));
        var plain = Upscale("plain.png", "-m", run, "--weights", "plain");
        Assert.NotEqual(ema, plain);    // the EMA really differs from G after 3 updates: the equalities above say something
    }
}
