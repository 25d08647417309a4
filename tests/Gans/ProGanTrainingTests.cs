using System.Globalization;
using NativeGan.IO;
using NativeGan.Models.Imaging;
using NativeGan.Models.Data;
using NativeGan.Models.Gans;
using NativeGan.Models.Training;

namespace NativeGan.Tests.Gans;

/// <summary>
/// ProGAN runs on the three real photos of tests/fixtures/srdata/images read at 16x16: growth from 4x4 to 16x16 with
/// the logged alpha following the schedule, bitwise resume from a checkpoint taken mid-fade, the sample verb at the
/// checkpoint's resolution, and the train verb's dispatch.
/// </summary>
public class ProGanTrainingTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "progan-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    /// <summary>Stage 0: batch 3, 4 images (2 iterations); stages 1 and 2: batch 2, fade 6 + stable 4 (5 iterations each).</summary>
    internal static ProGanConfig TinyConfig(string ganType = "wgan-gp") => new()
    {
        DatasetPath = ProGanTestNets.PhotoFolder,
        Resolution = 16,
        FmapBase = ProGanTestNets.FmapBase,
        FmapMax = ProGanTestNets.FmapMax,
        GanType = ganType,
        BatchSize = 2,
        BatchSizes = new SortedDictionary<int, int> { [4] = 3 },
        FadeImages = 6,
        StableImages = 4,
        Seed = 11,
        SampleEvery = 0,
        CheckpointEvery = 0,
        SampleCount = 16,
        Device = "cpu",
    };

    private static List<string[]> Rows(string csv) => File.ReadAllLines(csv).Skip(1).Select(l => l.Split(',')).ToList();

    [Fact]
    public void GrowsFrom4To16WithAlphaFollowingTheSchedule()
    {
        var config = TinyConfig();
        Assert.Equal(12, config.ResolvedIterations);
        string dir = Path.Combine(root, "grow");
        using var trainer = new ProGanTrainer(config, dir);
        Assert.Equal(3, trainer.Dataset.Count);
        Assert.Equal(4, trainer.CurrentResolution);
        var summary = trainer.Run(cancellation: TestContext.Current.CancellationToken);
        Assert.Equal(12, summary.Iteration);
        Assert.Equal(2, trainer.Stage);
        Assert.Equal(16, trainer.CurrentResolution);
        Assert.Equal(1f, trainer.Alpha);

        var rows = Rows(trainer.CsvPath);
        Assert.Equal(12, rows.Count);
        var c = CultureInfo.InvariantCulture;
        int[] stages = rows.Select(r => int.Parse(r[1], c)).ToArray();
        float[] alphas = rows.Select(r => float.Parse(r[2], c)).ToArray();
        long[] seen = rows.Select(r => long.Parse(r[3], c)).ToArray();
        Assert.Equal(new[] { 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2 }, stages);
        Assert.Equal(new[] { 1f, 1f, 0f, 2f / 6, 4f / 6, 1f, 1f, 0f, 2f / 6, 4f / 6, 1f, 1f }, alphas);
        Assert.Equal(new long[] { 3, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26 }, seen);
        foreach (var r in rows)
            for (int k = 4; k <= 9; k++) Assert.True(float.IsFinite(float.Parse(r[k], c)), $"column {k} of row {r[0]}: {r[k]}");

        // the final grid is at 16x16: 2 rows of 8 16-pixel tiles with 2-pixel padding
        var grid = ImageIO.ReadHeader(summary.Samples[^1]);
        Assert.Equal((8 * 18 + 2) * 4, grid.Width);   // 16 images, 8 per row, enlarged 4x to reach 512
        Assert.Equal((2 * 18 + 2) * 4, grid.Height);
        Assert.True(File.Exists(trainer.LossPlotPath));
        var ckpt = Safetensors.Read(summary.LastCheckpoint!);
        Assert.Equal("2", ckpt.Metadata["stage"]);
        Assert.Equal("16", ckpt.Metadata["resolution"]);
    }

    [Theory]
    [InlineData("wgan-gp", 4)]   // checkpoint after 2 fade steps of 8x8: next alpha 4/6
    [InlineData("lsgan", 8)]     // after 1 fade step of 16x16: next alpha 2/6
    public void ResumeFromMidFadeCheckpointGivesBitwiseTheSameLosses(string ganType, int stopAt)
    {
        string full = Path.Combine(root, ganType + "-full"), split = Path.Combine(root, ganType + "-split");
        using (var t = new ProGanTrainer(TinyConfig(ganType), full)) t.Run(cancellation: TestContext.Current.CancellationToken);

        string checkpoint;
        using (var t = new ProGanTrainer(TinyConfig(ganType), split))
        {
            t.Run(stopAt, cancellation: TestContext.Current.CancellationToken);
            checkpoint = t.LastCheckpoint!;
            Assert.True(t.Alpha > 0f && t.Alpha < 1f, $"alpha {t.Alpha} at the checkpoint is not mid-fade");
        }
        var meta = Safetensors.Read(checkpoint).Metadata;
        var c = CultureInfo.InvariantCulture;
        float alpha = float.Parse(meta["alpha"], c);
        Assert.True(alpha > 0f && alpha < 1f);
        Assert.Equal(stopAt.ToString(c), meta["iteration"]);

        using (var t = ProGanTrainer.Resume(split))
        {
            Assert.Equal(stopAt, t.Iteration);
            Assert.Equal(alpha, t.Alpha);
            Assert.Equal(int.Parse(meta["stage"], c), t.Stage);
            t.Run(cancellation: TestContext.Current.CancellationToken);
        }
        var a = File.ReadAllLines(Path.Combine(full, "log.csv"));
        var b = File.ReadAllLines(Path.Combine(split, "log.csv"));
        Assert.Equal(13, a.Length);
        Assert.Equal(a, b);
        // and the final weights are the same bits
        var wa = Safetensors.Read(CheckpointStore.Latest(full)).Tensors;
        var wb = Safetensors.Read(CheckpointStore.Latest(split)).Tensors;
        Assert.Equal(wa.Keys.Order(), wb.Keys.Order());
        foreach (var k in wa.Keys) Assert.True(wa[k].Data.SequenceEqual(wb[k].Data), k);
    }

    [Fact]
    public void SampleVerbDrawsAtTheCheckpointsResolution()
    {
        string dir = Path.Combine(root, "sample");
        using (var t = new ProGanTrainer(TinyConfig(), dir)) t.Run(3, cancellation: TestContext.Current.CancellationToken);  // stage 1 (8x8), alpha 2/6
        string png = Path.Combine(root, "grid.png");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = NativeGan.Cli.CliApp.Run(new[] { "sample", "--checkpoint", dir, "--out", png, "--count", "6", "--seed", "3" }, stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        var img = ImageIO.ReadHeader(png);
        Assert.Equal((6 * 10 + 2) * 9, img.Width);   // 6 tiles of 8 pixels in one row (Rows = 8 per row), enlarged 9x to reach 512
        Assert.Equal((10 + 2) * 9, img.Height);
    }

    [Fact]
    public void TrainVerbDispatchesProGanConfigsAndResumes()
    {
        Directory.CreateDirectory(root);
        string cfg = Path.Combine(root, "progan.yml");
        File.WriteAllText(cfg, TinyConfig().ToYaml().Replace("sample_count: 16", "sample_count: 4"));
        string run = Path.Combine(root, "run");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = NativeGan.Cli.CliApp.Run(new[] { "train", "--config", cfg, "--out", run, "--iterations", "3" }, stdout, stderr);
        Assert.True(code == 0, stderr.ToString() + stdout);
        Assert.Contains("progan 16x16", stdout.ToString());
        code = NativeGan.Cli.CliApp.Run(new[] { "train", "--resume", run, "--iterations", "4" }, stdout = new StringWriter(), stderr = new StringWriter());
        Assert.True(code == 0, stderr.ToString() + stdout);
        Assert.Contains("resuming", stdout.ToString());
        Assert.Equal(5, File.ReadAllLines(Path.Combine(run, "log.csv")).Length);
    }

    [Fact]
    public void ConfigRejectsUnknownKeysWithFileAndKey()
    {
        var e = Assert.Throws<ConfigException>(() => ProGanConfig.Parse("model: progan\nfade_imgs: 10\n", "x.yml"));
        Assert.Contains("x.yml", e.Message);
        Assert.Contains("fade_imgs", e.Message);
        e = Assert.Throws<ConfigException>(() => ProGanConfig.Parse("model: progan\ndataset:\n  size: 3\n", "y.yml"));
        Assert.Contains("dataset.size", e.Message);
        e = Assert.Throws<ConfigException>(() => ProGanConfig.Parse("resolution: 96\n", "z.yml"));
        Assert.Contains("resolution", e.Message);
        var empty = ProGanConfig.Parse("", "e.yml");
        Assert.Equal(128, empty.Resolution);
        Assert.Equal("wgan-gp", empty.GanType);
        var round = ProGanConfig.Parse(TinyConfig().ToYaml());
        Assert.Equal(TinyConfig().ToYaml(), round.ToYaml());
        foreach (var name in new[] { "progan_128.yml", "progan_shapes_16.yml" })
        {
            string path = Path.Combine(RepoConfigs(), name);
            Assert.True(ProGanConfig.IsProGanConfigFile(path), path);
            ProGanConfig.Load(path);
        }
    }

    private static string RepoConfigs()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !Directory.Exists(Path.Combine(dir.FullName, "configs"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("configs/ not found above the test folder"), "configs");
    }
}
