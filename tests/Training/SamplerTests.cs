using NativeGan.Cli;
using NativeGan.Models.Training;
using NativeGan.Tests.Data;
using StbImageSharp;

namespace NativeGan.Tests.Training;

/// <summary>`nativegan sample` draws grids from checkpoints of `nativegan train`.</summary>
public class SamplerTests
{
    private static string Train(TempDir dir, string model)
    {
        File.WriteAllBytes(dir.File("data/train-images-idx3-ubyte"), IdxWriter.Images(32, 28, 28, (i, r, c) => (byte)((i * 31 + r * 7 + c) % 256)));
        File.WriteAllBytes(dir.File("data/train-labels-idx1-ubyte"), IdxWriter.Labels(32, i => (byte)(i % 10)));
        string yaml = $"""
            model: {model}
            dataset:
              kind: fashion_mnist
              path: '{Path.Combine(dir.Path, "data")}'
            batch_size: 8
            iterations: 2
            seed: 3
            sample_every: 2
            checkpoint_every: 2
            log_every: 1
            device: cpu
            """;
        string run = Path.Combine(dir.Path, "run");
        using var trainer = new GanTrainer(GanConfig.Parse(yaml, "tiny.yml"), run);
        trainer.Run();
        return run;
    }

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static ImageResult Decode(string path)
    {
        using var s = File.OpenRead(path);
        return ImageResult.FromStream(s, ColorComponents.Grey);
    }

    [Fact]
    public void SamplesAGridFromARunFolderAndIsReproducible()
    {
        using var dir = new TempDir();
        string run = Train(dir, "dcgan");
        string a = Path.Combine(dir.Path, "a.png"), b = Path.Combine(dir.Path, "b.png"), c = Path.Combine(dir.Path, "c.png");
        Assert.Equal(0, Cli("sample", "--checkpoint", run, "--n", "6", "--out", a).Code);
        Assert.Equal(0, Cli("sample", "--checkpoint", run, "--n", "6", "--out", b).Code);
        Assert.Equal(0, Cli("sample", "--checkpoint", run, "--n", "6", "--seed", "9", "--out", c).Code);
        var img = Decode(a);
        // 6 images, 8 per row: one row 182 pixels wide, enlarged 3x to be at least 512 wide
        Assert.Equal(((28 + 2) * 1 + 2) * 3, img.Height);
        Assert.Equal(((28 + 2) * 6 + 2) * 3, img.Width);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(c));
    }

    [Fact]
    public void CganLabelPicksTheClassAndIsChecked()
    {
        using var dir = new TempDir();
        string run = Train(dir, "cgan");
        string three = Path.Combine(dir.Path, "three.png"), rows = Path.Combine(dir.Path, "rows.png");
        Assert.Equal(0, Cli("sample", "--checkpoint", run, "--n", "8", "--label", "3", "--out", three).Code);
        Assert.Equal(0, Cli("sample", "--checkpoint", run, "--n", "8", "--out", rows).Code);
        Assert.NotEqual(File.ReadAllBytes(three), File.ReadAllBytes(rows));   // same noise, other labels
        var (code, _, err) = Cli("sample", "--checkpoint", run, "--label", "12", "--out", Path.Combine(dir.Path, "x.png"));
        Assert.Equal(ExitCodes.BadArguments, code);   // a bad argument: 1, as README's exit codes say
        Assert.Contains("--label must be in [0, 10)", err);
    }

    [Fact]
    public void NotACheckpointIsAClearError()
    {
        using var dir = new TempDir();
        string bogus = dir.File("bogus.safetensors");
        NativeGan.IO.Safetensors.Write(bogus, new[] { ("w", new[] { 1 }, new[] { 1f }) });
        var (code, _, err) = Cli("sample", "--checkpoint", bogus, "--out", dir.File("x.png"));
        Assert.Equal(ExitCodes.BadArguments, code);   // an input file that is not what the verb reads: 1
        Assert.Contains("expected a NativeGan GAN checkpoint", err);
        Assert.DoesNotContain("   at ", err);
    }
}
