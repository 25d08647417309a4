using NativeGan.Cli;
using NativeGan.Models.Training;
using NativeGan.Tests.Data;
using StbImageSharp;

namespace NativeGan.Tests.Training;

public class QuickstartGridTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("--iterations")]
    [InlineData("--iters")]
    public void A_short_quickstart_writes_its_final_grid_at_a_readable_size(string iterationsOption)
    {
        using var dir = new TempDir();
        string run = Path.Combine(dir.Path, "qs");
        var (code, stdout, stderr) = Run("quickstart", iterationsOption, "2", "--batch-size", "4", "--device", "cpu", "--out", run);
        Assert.True(code == 0, stderr);
        Assert.Contains("2/2", stdout);
        string grid = Path.Combine(run, "samples", "iter_000002.png");
        Assert.True(File.Exists(grid), stdout);
        var img = ImageResult.FromMemory(File.ReadAllBytes(grid), ColorComponents.Grey);
        // 64 samples of 28x28, 8 per row: 242 pixels enlarged 3x.
        Assert.Equal((242 * 3, 242 * 3), (img.Width, img.Height));
        Assert.Equal(3, SampleGrid.ReadableScale(28, 8, 2));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "log.csv")).Length); // header + 2 iterations

        // The narrow widths are stored with the checkpoint, so `sample` rebuilds the same generator.
        string sampled = Path.Combine(dir.Path, "sampled.png");
        var sample = Run("sample", "--checkpoint", run, "--n", "8", "--out", sampled);
        Assert.True(sample.Code == 0, sample.Err);
        Assert.Equal(((28 + 2) * 8 + 2) * 3, ImageResult.FromMemory(File.ReadAllBytes(sampled), ColorComponents.Grey).Width);
    }

    [Fact]
    public void Widths_apply_to_dcgan_only()
    {
        Assert.Equal((24, 8), (GanConfig.Parse("ngf: 24\nndf: 8").Ngf, GanConfig.Parse("ngf: 24\nndf: 8").Ndf));
        var ex = Assert.Throws<ConfigException>(() => GanConfig.Parse("model: wgan_gp\nngf: 24", "w.yml"));
        Assert.Contains("ngf", ex.Message);
        Assert.Contains("w.yml", ex.Message);
        Assert.Throws<ConfigException>(() => GanConfig.Parse("ndf: 0"));
    }

    [Fact]
    public void Quickstart_rejects_disagreeing_iteration_counts()
    {
        using var dir = new TempDir();
        var (code, _, stderr) = Run("quickstart", "--iterations", "2", "--iters", "3", "--out", Path.Combine(dir.Path, "qs"));
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Contains("--iterations 2 and --iters 3 disagree", stderr);
        (code, _, stderr) = Run("quickstart", "--iterations", "0", "--out", Path.Combine(dir.Path, "qs"));
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Contains("at least 1", stderr);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "qs")));
    }

    [Fact]
    public void Quickstart_config_is_a_valid_narrow_dcgan()
    {
        var config = GanConfig.Parse(NativeGan.Cli.Verbs.QuickstartVerb.Yaml("fashion_mnist", 32, 1000), "quickstart");
        Assert.Equal("dcgan", config.Model);
        Assert.Equal(NativeGan.Cli.Verbs.QuickstartVerb.GeneratorWidth, config.Ngf);
        Assert.Equal(NativeGan.Cli.Verbs.QuickstartVerb.DiscriminatorWidth, config.Ndf);
        Assert.Equal(250, config.SampleEvery);
        Assert.Equal(1e-3f, config.Lr);
        Assert.Equal(GanConfig.Parse(config.ToYaml()).ToYaml(), config.ToYaml()); // widths survive the stored config
    }
}
