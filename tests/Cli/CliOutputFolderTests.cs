using NativeGan.Cli;
using NativeGan.IO;
using NativeGan.Models.Imaging;
using NativeGan.Tests.Data;

namespace NativeGan.Tests.Cli;

/// <summary>
/// Every verb that writes creates the missing folders of its output first: each runs here into a nested folder that
/// does not exist yet (with a space in its name), and the file it names is there afterwards.
/// </summary>
public sealed class CliOutputFolderTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures");
    private static readonly string Models = Path.Combine(Fixtures, "models");
    private static readonly string Photos = Path.Combine(Fixtures, "srdata", "images");
    private readonly string _dir = Directory.CreateTempSubdirectory("nativegan-outfolders-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A path under two folders that do not exist yet.</summary>
    private string Nested(string name)
    {
        string path = Path.Combine(_dir, "new folder " + Guid.NewGuid().ToString("N")[..6], "deeper", name);
        Assert.False(Directory.Exists(Path.GetDirectoryName(Path.GetDirectoryName(path))));
        return path;
    }

    private static void Ok((int Code, string Out, string Err) r)
    {
        Assert.True(r.Code == ExitCodes.Ok, $"exit {r.Code}: {r.Err}{r.Out}");
        Assert.DoesNotContain(".tmp", r.Err);
    }

    [Fact]
    public void Convert() 
    {
        string output = Nested("legacy.safetensors");
        Ok(CliRun.Run("convert", Path.Combine(Fixtures, "pth", "legacy.pth"), output));
        Assert.Equal(5, Safetensors.Read(output).Tensors.Count);
        string output2 = Nested("legacy.safetensors");
        Ok(CliRun.Run("convert", "-i", Path.Combine(Fixtures, "pth", "legacy.pth"), "-o", output2));
        Assert.Equal(File.ReadAllBytes(output), File.ReadAllBytes(output2));
    }

    [Fact]
    public void Degrade()
    {
        string output = Nested("grid.png");
        Ok(CliRun.Run("degrade", "--config", Path.Combine(CliRun.RepositoryRoot, "configs", "realesrgan_degradations.yml"),
            "-i", Path.Combine(Photos, "astronaut.png"), "--n", "2", "-o", output, "--seed", "1"));
        Assert.Equal(2 * (96 + 2) * 2 + 2, ImageIO.ReadHeader(output).Width);
    }

    [Fact]
    public void Forward()
    {
        string output = Nested("out.safetensors");
        Ok(CliRun.Run("forward", "--weights", Path.Combine(Models, "rrdbnet_tiny_x4.pth"),
            "-i", Path.Combine(Models, "rrdbnet_tiny_x4.io.safetensors"), "--output", output, "--device", "cpu"));
        Assert.True(Safetensors.Read(output).Tensors.ContainsKey("output"));
    }

    [Fact]
    public void KernelsPtx()
    {
        string output = Nested("ptx");
        Ok(CliRun.Run("kernels", "--arch", "sm_80", "--filter", "GemmKernels.Naive", "-o", output, "--no-ptxas"));
        Assert.True(File.Exists(Path.Combine(output, "sm_80", "GemmKernels.Naive.ptx")));
        string viaOldName = Nested("ptx");
        Ok(CliRun.Run("kernels", "--arch", "sm_80", "--filter", "GemmKernels.Naive", "--ptx", viaOldName, "--no-ptxas"));
        Assert.True(File.Exists(Path.Combine(viaOldName, "sm_80", "GemmKernels.Naive.ptx")));
    }

    [Fact]
    public void PrepareEveryStep()
    {
        string input = Path.Combine(_dir, "hr");
        Directory.CreateDirectory(input);
        File.Copy(Path.Combine(Photos, "coffee.png"), Path.Combine(input, "coffee.png"));
        string multiscale = Nested("multiscale");
        Ok(CliRun.Run("prepare", "multiscale", "-i", input, "-o", multiscale));
        Assert.Equal(4, Directory.GetFiles(multiscale).Length);
        string sub = Nested("sub");
        Ok(CliRun.Run("prepare", "subimages", "-i", input, "--out", sub, "--crop-size", "32", "--step", "32"));
        Assert.NotEmpty(Directory.GetFiles(sub));
        string meta = Nested("meta_info.txt");
        Ok(CliRun.Run("prepare", "meta-info", "-i", input, "--root", _dir, "-o", meta));
        Assert.Equal(new[] { "hr/coffee.png" }, File.ReadAllLines(meta));
    }

    [Fact]
    public void ProfileTrace()
    {
        string trace = Nested("trace.json");
        Ok(CliRun.Run("profile", "--op", "add", "--shape", "2x3,2x3", "--steps", "1", "--warmup", "0", "--trace", trace));
        Assert.Contains("traceEvents", File.ReadAllText(trace));
    }

    [Fact]
    public void UpscaleFileAndFolder()
    {
        string weights = Path.Combine(Models, "rrdbnet_tiny_x4.pth");
        string file = Nested("coffee_x4.png");
        Ok(CliRun.Run("upscale", "-i", Path.Combine(Photos, "coffee.png"), "--out", file, "-m", weights, "--device", "cpu"));
        Assert.True(File.Exists(file));
        string input = Path.Combine(_dir, "in");
        Directory.CreateDirectory(input);
        File.Copy(Path.Combine(Photos, "coffee.png"), Path.Combine(input, "coffee.png"));
        string folder = Nested("x4");
        Ok(CliRun.Run("upscale", "-i", input, "--output", folder, "-m", weights, "--device", "cpu"));
        Assert.True(File.Exists(Path.Combine(folder, "coffee.png")));
    }

    [Fact]
    public void TrainThenSampleWithLabelNames()
    {
        using var tmp = new TempDir();
        string config = tmp.File("cgan.yml");
        File.WriteAllText(config, Training.TrainerTests.TinyYaml(Training.TrainerTests.WriteTinyIdx(tmp), "cgan", iterations: 2, checkpointEvery: 2, sampleEvery: 2));
        string run = Nested("run");
        Ok(CliRun.Run("train", "--config", config, "-o", run, "--iters", "2"));
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "iter_000002.safetensors")));

        string byName = Nested("sneaker.png"), byNumber = Nested("seven.png");
        Ok(CliRun.Run("sample", "--checkpoint", run, "--n", "4", "--label", "sneaker", "-o", byName));
        Ok(CliRun.Run("sample", "--checkpoint", run, "--n", "4", "--label", "7", "--out", byNumber));
        Assert.Equal(File.ReadAllBytes(byNumber), File.ReadAllBytes(byName));
        Ok(CliRun.Run("sample", "--checkpoint", run, "--n", "4", "--label", "Ankle boot", "-o", Nested("boot.png")));

        var (code, _, error) = CliRun.Run("sample", "--checkpoint", run, "--label", "snekaer", "-o", Nested("x.png"));
        Assert.Equal(ExitCodes.BadArguments, code);
        var line = Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("'snekaer' is not a Fashion-MNIST class (did you mean 'sneaker'?)", line);
        Assert.Contains("T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot", line);

        // A model without labels refuses --label instead of ignoring it.
        string dcganConfig = tmp.File("dcgan.yml");
        File.WriteAllText(dcganConfig, Training.TrainerTests.TinyYaml(Training.TrainerTests.WriteTinyIdx(tmp), "gan", iterations: 1, checkpointEvery: 1, sampleEvery: 1));
        string plain = Path.Combine(tmp.Path, "plain");
        Ok(CliRun.Run("train", "--config", dcganConfig, "--out", plain));
        (code, _, error) = CliRun.Run("sample", "--checkpoint", plain, "--label", "sneaker", "-o", Nested("y.png"));
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Contains("is a gan checkpoint, which draws no classes; --label needs a cgan checkpoint", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void TrainThenTranslate()
    {
        string config = Path.Combine(_dir, "cyc.yml");
        File.WriteAllText(config, $@"model: cyclegan
dataset: {{kind: color2gray, path: '{Photos}', crop_size: 32}}
ngf: 4
ndf: 4
n_blocks: 1
iterations: 1
checkpoint_every: 0
sample_every: 0
device: cpu
");
        string run = Nested("run");
        Ok(CliRun.Run("train", "--config", config, "--out", run));
        string output = Nested("translated.png");
        Ok(CliRun.Run("translate", "--checkpoint", run, "-i", Path.Combine(Photos, "chelsea.png"), "--output", output, "--device", "cpu"));
        Assert.Equal(ImageIO.ReadHeader(Path.Combine(Photos, "chelsea.png")).Width, ImageIO.ReadHeader(output).Width);
    }
}
