using NativeGan.Cli;
using NativeGan.IO;
using NativeGan.Models.Training;
using NativeGan.Tests.Data;

namespace NativeGan.Tests.Training;

public class TrainerTests
{
    /// <summary>A tiny Fashion-MNIST look-alike (raw idx files, 28x28, 40 images, 10 classes) in a temp folder.</summary>
    internal static string WriteTinyIdx(TempDir dir, int n = 40)
    {
        File.WriteAllBytes(dir.File("data/train-images-idx3-ubyte"), IdxWriter.Images(n, 28, 28, (i, r, c) => (byte)((i * 37 + r * 5 + c * 3) % 256)));
        File.WriteAllBytes(dir.File("data/train-labels-idx1-ubyte"), IdxWriter.Labels(n, i => (byte)(i % 10)));
        return Path.Combine(dir.Path, "data");
    }

    internal static string TinyYaml(string dataPath, string model = "gan", int iterations = 6, int checkpointEvery = 3, int sampleEvery = 3) => $"""
        model: {model}
        dataset:
          kind: fashion_mnist
          path: '{dataPath}'
        batch_size: 8
        iterations: {iterations}
        seed: 7
        sample_every: {sampleEvery}
        checkpoint_every: {checkpointEvery}
        log_every: 1
        device: cpu
        """;

    internal static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    // ---------------------------------------------------------------- config

    [Fact]
    public void EmptyConfigIsAllDefaults()
    {
        var c = GanConfig.Parse("", "empty.yml");
        Assert.Equal("dcgan", c.Model);
        Assert.Equal("fashion_mnist", c.Dataset.Kind);
        Assert.Equal(Models.Data.MnistDataset.DebianFashionMnistDirectory, c.Dataset.ResolvedPath);
        Assert.Equal(28, c.Dataset.ResolvedImageSize);
        Assert.Equal(1, c.Dataset.ResolvedChannels);
        Assert.Equal(64, c.BatchSize);
        Assert.Null(c.Lr);
        Assert.Null(c.Betas);
        Assert.Equal(1, c.ResolvedDSteps);
        Assert.Equal(5, GanConfig.Parse("model: wgan_gp").ResolvedDSteps);
    }

    [Fact]
    public void ConfigReadsEveryField()
    {
        var c = GanConfig.Parse("""
            model: wgan_gp
            dataset: {kind: image_folder, path: /data/x, image_size: 64, channels: 3, max_samples: 100}
            batch_size: 16
            iterations: 123
            seed: 42
            lr: 0.0005
            betas: [0.1, 0.99]
            d_steps: 3
            d_init_steps: 2
            sample_every: 10
            checkpoint_every: 20
            log_every: 5
            device: cpu
            """, "x.yml");
        Assert.Equal(("wgan_gp", "image_folder", "/data/x", 64, 3, 100), (c.Model, c.Dataset.Kind, c.Dataset.Path, c.Dataset.ImageSize, c.Dataset.Channels, c.Dataset.MaxSamples));
        Assert.Equal((16, 123, 42UL, 0.0005f, (0.1f, 0.99f)), (c.BatchSize, c.Iterations, c.Seed, c.Lr, c.Betas!.Value));
        Assert.Equal((3, 2, 10, 20, 5, "cpu"), (c.DSteps!.Value, c.DInitSteps, c.SampleEvery, c.CheckpointEvery, c.LogEvery, c.Device));
        // ToYaml round-trips.
        var back = GanConfig.Parse(c.ToYaml());
        Assert.Equal(c.ToYaml(), back.ToYaml());
    }

    [Theory]
    [InlineData("modle: dcgan", "unknown key 'modle'")]
    [InlineData("dataset:\n  kind: fashion_mnist\n  sizee: 3", "unknown key 'dataset.sizee'")]
    [InlineData("model: stylegan", "key 'model'")]
    [InlineData("batch_size: -3", "key 'batch_size'")]
    [InlineData("batch_size: lots", "expected an integer")]
    [InlineData("lr: fast", "key 'lr'")]
    [InlineData("betas: [0.5]", "key 'betas'")]
    [InlineData("device: tpu", "key 'device'")]
    [InlineData("dataset: {kind: fashion_mnist, image_size: 64}", "dataset.image_size")]
    [InlineData("model: [1, 2", "invalid YAML")]
    [InlineData("- a\n- b", "expected a mapping")]
    public void BadConfigsNameTheFileAndTheKey(string yaml, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => GanConfig.Parse(yaml, "my.yml"));
        Assert.StartsWith("my.yml: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ShippedConfigsParse()
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "configs");
        var files = Directory.GetFiles(dir, "*.yml");
        Assert.Contains(files, f => f.EndsWith("dcgan_fashion.yml"));
        Assert.True(files.Length >= 7);
        foreach (var f in files.Where(f => !Models.Sr.Training.SrConfig.IsSrConfigFile(f) && !Models.Gans.ProGanConfig.IsProGanConfigFile(f)
                                        && !Models.ImageToImage.I2iConfig.IsI2iConfigFile(f)
                                        && !Models.Sr.Degradations.DegradationConfig.IsDegradationConfigFile(f))) // SR: tests/Sr/Training; ProGAN: tests/Gans; Pix2Pix/CycleGAN: tests/ImageToImage; degradations: tests/Sr/Degradations
        {
            var c = GanConfig.Load(f);
            Assert.Contains(c.Model, GanConfig.Models);
        }
    }

    [Fact]
    public void MissingDatasetSaysHowToInstallIt()
    {
        var c = GanConfig.Parse("dataset: {path: /nonexistent/fashion}", "f.yml");
        var e = Assert.Throws<ConfigException>(() => GanTrainer.OpenDataset(c));
        Assert.Contains("f.yml", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
    }

    // ---------------------------------------------------------------- trainer

    [Fact]
    public void RunWritesLogSamplesCheckpointAndLatestPointer()
    {
        using var dir = new TempDir();
        var config = GanConfig.Parse(TinyYaml(WriteTinyIdx(dir), "dcgan", iterations: 3, checkpointEvery: 2, sampleEvery: 2), "tiny.yml");
        string outDir = Path.Combine(dir.Path, "run");
        using (var trainer = new GanTrainer(config, outDir))
        {
            var progress = new List<long>();
            trainer.Progress = p => progress.Add(p.Iteration);
            var summary = trainer.Run(cancellation: TestContext.Current.CancellationToken);
            Assert.Equal(new long[] { 1, 2, 3 }, progress);
            Assert.Equal(3, summary.Iteration);
        }
        var lines = File.ReadAllLines(Path.Combine(outDir, "log.csv"));
        Assert.StartsWith("iteration,d_loss,g_loss", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("3,", lines[3]);
        Assert.True(File.Exists(Path.Combine(outDir, "samples", "iter_000002.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "samples", "iter_000003.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "loss.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "checkpoints", "iter_000002.safetensors")));
        Assert.Equal("iter_000003.safetensors", File.ReadAllText(Path.Combine(outDir, "checkpoints", "latest")).Trim());

        var ckpt = Safetensors.Read(GanTrainer.LatestCheckpoint(outDir));
        Assert.Contains(ckpt.Tensors.Keys, k => k.StartsWith("g.main."));
        Assert.Contains(ckpt.Tensors.Keys, k => k.StartsWith("d.main."));
        Assert.Contains(ckpt.Tensors.Keys, k => k.StartsWith("opt_g.state.0.exp_avg"));
        Assert.Contains(ckpt.Tensors.Keys, k => k.StartsWith("opt_d.state.0.exp_avg_sq"));
        Assert.Equal("3", ckpt.Metadata["iteration"]);
        Assert.Contains("model: dcgan", ckpt.Metadata["config"]);
        Assert.True(ckpt.Metadata.ContainsKey("rng_offset"));
        Assert.True(ckpt.Metadata.ContainsKey("loader_epoch"));
        Assert.True(ckpt.Metadata.ContainsKey("loader_position"));
        Assert.Empty(Directory.GetFiles(Path.Combine(outDir, "checkpoints"), "*.tmp*"));
    }

    [Theory]
    [InlineData("gan")]
    [InlineData("dcgan")]
    [InlineData("wgan_gp")]
    [InlineData("cgan")]
    [InlineData("infogan")]
    public void ResumeReproducesTheUninterruptedLossesBitwise(string model)
    {
        using var dir = new TempDir();
        var yaml = TinyYaml(WriteTinyIdx(dir), model, iterations: 6, checkpointEvery: 3);
        string straight = Path.Combine(dir.Path, "straight"), split = Path.Combine(dir.Path, "split");
        using (var t = new GanTrainer(GanConfig.Parse(yaml, "a.yml"), straight)) t.Run(cancellation: TestContext.Current.CancellationToken);

        using (var t = new GanTrainer(GanConfig.Parse(yaml, "a.yml"), split))
        {
            t.Run(untilIteration: 4, cancellation: TestContext.Current.CancellationToken); // one row past the checkpoint at 3: redone on resume
            Assert.Equal("iter_000004.safetensors", File.ReadAllText(Path.Combine(split, "checkpoints", "latest")).Trim());
        }
        // Go back to the checkpoint at 3 as if the run had crashed after logging iteration 4.
        File.WriteAllText(Path.Combine(split, "checkpoints", "latest"), "iter_000003.safetensors\n");
        using (var t = GanTrainer.Resume(split))
        {
            Assert.Equal(3, t.Iteration);
            t.Run(cancellation: TestContext.Current.CancellationToken);
            Assert.Equal(6, t.Iteration);
        }
        var a = File.ReadAllLines(Path.Combine(straight, "log.csv"));
        var b = File.ReadAllLines(Path.Combine(split, "log.csv"));
        Assert.Equal(7, a.Length);
        Assert.Equal(a, b);
    }

    [Fact]
    public void AFailedCheckpointWriteLeavesThePreviousOneUsable()
    {
        using var dir = new TempDir();
        var yaml = TinyYaml(WriteTinyIdx(dir), "gan", iterations: 6, checkpointEvery: 3);
        string outDir = Path.Combine(dir.Path, "run");
        string ckptDir = Path.Combine(outDir, "checkpoints");
        using (var t = new GanTrainer(GanConfig.Parse(yaml, "a.yml"), outDir))
        {
            t.Run(untilIteration: 3, cancellation: TestContext.Current.CancellationToken);
            byte[] before = File.ReadAllBytes(Path.Combine(ckptDir, "iter_000003.safetensors"));
            // Make the rename onto iter_000006.safetensors fail (a directory is in the way; works as root too).
            Directory.CreateDirectory(Path.Combine(ckptDir, "iter_000006.safetensors"));
            Assert.ThrowsAny<IOException>(() => t.Run(cancellation: TestContext.Current.CancellationToken));
            Assert.Equal("iter_000003.safetensors", File.ReadAllText(Path.Combine(ckptDir, "latest")).Trim());
            Assert.Equal(before, File.ReadAllBytes(Path.Combine(ckptDir, "iter_000003.safetensors")));
            Assert.Empty(Directory.GetFiles(ckptDir, "*.tmp*"));
        }
        Directory.Delete(Path.Combine(ckptDir, "iter_000006.safetensors"));
        using (var t = GanTrainer.Resume(outDir))
        {
            Assert.Equal(3, t.Iteration);
            t.Run(cancellation: TestContext.Current.CancellationToken);
            Assert.Equal(6, t.Iteration);
        }
    }

    // ---------------------------------------------------------------- CLI

    [Fact]
    public void CliTrainRunsEndToEndAndResumes()
    {
        using var dir = new TempDir();
        string cfg = dir.File("tiny.yml");
        File.WriteAllText(cfg, TinyYaml(WriteTinyIdx(dir), "dcgan", iterations: 50, checkpointEvery: 1));
        string outDir = Path.Combine(dir.Path, "runs", "tiny");
        var (code, output, error) = Cli("train", "--config", cfg, "--out", outDir, "--iterations", "2", "--device", "cpu");
        Assert.True(code == 0, output + error);
        Assert.Contains("iter 2/2", output);
        Assert.Contains("it/s", output);
        Assert.Contains("ETA", output);
        Assert.Contains("done: 2/2", output);
        Assert.True(File.Exists(Path.Combine(outDir, "checkpoints", "iter_000002.safetensors")));

        (code, output, error) = Cli("train", "--resume", outDir, "--iterations", "3");
        Assert.True(code == 0, output + error);
        Assert.Contains("resuming", output);
        Assert.Contains("done: 3/3", output);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(outDir, "log.csv")).Length);
    }

    [Fact]
    public void CliTrainWithABadConfigPrintsOneErrorLineNamingTheFile()
    {
        using var dir = new TempDir();
        string cfg = dir.File("bad.yml");
        File.WriteAllText(cfg, "model: dcgan\nbatch_sise: 8\n");
        var (code, output, error) = Cli("train", "--config", cfg, "--out", Path.Combine(dir.Path, "out"));
        Assert.NotEqual(0, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains("bad.yml", error);
        Assert.Contains("batch_sise", error);
        Assert.DoesNotContain("   at ", output + error);

        (code, _, error) = Cli("train", "--config", Path.Combine(dir.Path, "missing.yml"));
        Assert.NotEqual(0, code);
        Assert.Contains("missing.yml", error);
        Assert.StartsWith("error: ", error);

        File.WriteAllText(cfg, "dataset: {path: /nonexistent/fashion}\n");
        (code, _, error) = Cli("train", "--config", cfg, "--out", Path.Combine(dir.Path, "out2"));
        Assert.NotEqual(0, code);
        Assert.Contains("apt-get install dataset-fashion-mnist", error);
        Assert.DoesNotContain("   at ", error);

        (code, _, error) = Cli("train");
        Assert.Equal(1, code);
        Assert.Contains("--config", error);
    }
}
