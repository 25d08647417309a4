using NativeGan.Models.Gans;
using NativeGan.Models.ImageToImage;
using NativeGan.Models.Training;
using NativeGan.Tests.Data;
using static NativeGan.Tests.Training.TrainerTests;

namespace NativeGan.Tests.Training;

// Compares runs bitwise: kept out of the parallel pool as the other trainer tests are.
[Collection(nameof(NativeGan.Tests.Engine.MemoryTests))]
public class AutoResumeTests
{
    private static void Truncate(string path, int bytes)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Write);
        fs.SetLength(fs.Length - bytes);
    }

    [Fact]
    public void ATruncatedNewestCheckpointIsSkippedWithAWarningAndTheRunContinuesFromThePreviousOne()
    {
        using var dir = new TempDir();
        var yaml = TinyYaml(WriteTinyIdx(dir), "gan", iterations: 6, checkpointEvery: 2);
        string straight = Path.Combine(dir.Path, "straight"), crashed = Path.Combine(dir.Path, "crashed");
        using (var t = new GanTrainer(GanConfig.Parse(yaml, "a.yml"), straight)) t.Run(cancellation: TestContext.Current.CancellationToken);
        using (var t = new GanTrainer(GanConfig.Parse(yaml, "a.yml"), crashed)) t.Run(untilIteration: 5, cancellation: TestContext.Current.CancellationToken);
        // Checkpoints at 2, 4 and the final one at 5; the newest loses its last bytes (a crash while copying, a full disk).
        string newest = Path.Combine(crashed, "checkpoints", "iter_000005.safetensors");
        Truncate(newest, 3);
        Assert.Equal("iter_000005.safetensors", File.ReadAllText(Path.Combine(crashed, "checkpoints", "latest")).Trim());

        var warnings = new List<string>();
        var reader = CheckpointReader.OpenNewestComplete(crashed, GanTrainer.CheckpointFormat, "GAN", warnings.Add);
        Assert.NotNull(reader);
        Assert.Equal("iter_000004.safetensors", Path.GetFileName(reader.Path));
        Assert.Contains(warnings, w => w.Contains("iter_000005.safetensors") && w.Contains("skipping"));
        Assert.Contains(warnings, w => w.Contains("latest") && w.Contains("iter_000004.safetensors"));
        // Plain --resume trusts latest and fails on the truncated file, naming it.
        var e = Assert.ThrowsAny<FormatException>(() => GanTrainer.Resume(crashed));
        Assert.Contains("iter_000005.safetensors", e.Message);

        using (var t = GanTrainer.Resume(crashed, checkpoint: reader))
        {
            Assert.Equal(4, t.Iteration);
            Assert.Equal(reader.Path, t.LastCheckpoint);
            t.Run(cancellation: TestContext.Current.CancellationToken);
            Assert.Equal(6, t.Iteration);
        }
        Assert.Equal(File.ReadAllLines(Path.Combine(straight, "log.csv")), File.ReadAllLines(Path.Combine(crashed, "log.csv")));
    }

    [Fact]
    public void ProGanAndCycleGanContinueFromTheNewestCompleteCheckpointToTheUninterruptedLosses()
    {
        using var dir = new TempDir();
        var progan = NativeGan.Tests.Gans.ProGanTrainingTests.TinyConfig();
        progan.CheckpointEvery = 3;
        Crash(() => new ProGanTrainer(progan, Path.Combine(dir.Path, "progan_straight")), () => new ProGanTrainer(progan, Path.Combine(dir.Path, "progan")),
            7, "iter_000006.safetensors", (d, r) => ProGanTrainer.Resume(d, checkpoint: r), ProGanTrainer.CheckpointFormat);
        var cycle = NativeGan.Tests.ImageToImage.I2iTrainerTests.TinyCycleGan(checkpointEvery: 2);
        Crash(() => new I2iTrainer(cycle, Path.Combine(dir.Path, "cycle_straight")), () => new I2iTrainer(cycle, Path.Combine(dir.Path, "cycle")),
            5, "iter_000004.safetensors", (d, r) => I2iTrainer.Resume(d, checkpoint: r), I2iTrainer.CheckpointFormat);
    }

    /// <summary>Runs a trainer straight, and another to <paramref name="stopAt"/> whose final checkpoint is then
    /// truncated; the newest complete one (<paramref name="expected"/>) continues to the straight run's log.</summary>
    private static void Crash(Func<TrainerBase> straight, Func<TrainerBase> crashed, long stopAt, string expected,
        Func<string, CheckpointReader, TrainerBase> resume, string format)
    {
        var ct = TestContext.Current.CancellationToken;
        string straightLog, outDir;
        using (var t = straight()) { t.Run(cancellation: ct); straightLog = t.CsvPath; }
        using (var t = crashed()) { t.Run(untilIteration: stopAt, cancellation: ct); outDir = t.OutDir; }
        Truncate(Path.Combine(outDir, "checkpoints", CheckpointStore.FileName(stopAt)), 4);
        var warnings = new List<string>();
        var reader = CheckpointReader.OpenNewestComplete(outDir, format, "test", warnings.Add)!;
        Assert.Equal(expected, Path.GetFileName(reader.Path));
        Assert.Contains(warnings, w => w.Contains(CheckpointStore.FileName(stopAt)));
        using (var t = resume(outDir, reader))
        {
            Assert.True(t.Iteration < stopAt);
            t.Run(cancellation: ct);
        }
        Assert.Equal(File.ReadAllLines(straightLog), File.ReadAllLines(Path.Combine(outDir, "log.csv")));
    }

    [Fact]
    public void NoCheckpointMeansNullAndNoCompleteCheckpointIsAClearError()
    {
        using var dir = new TempDir();
        Assert.Null(CheckpointStore.NewestComplete(Path.Combine(dir.Path, "missing")));
        Assert.Null(CheckpointStore.NewestComplete(dir.Path));
        File.WriteAllBytes(dir.File("checkpoints/iter_000003.safetensors"), new byte[] { 1, 2, 3 });
        File.WriteAllText(dir.File("checkpoints/best.safetensors"), "not a sequence checkpoint");
        Assert.Equal(new[] { 3L }, CheckpointStore.Candidates(dir.Path).Select(c => c.Iteration));
        var e = Assert.Throws<InvalidDataException>(() => CheckpointStore.NewestComplete(dir.Path));
        Assert.Contains("iter_000003.safetensors", e.Message);
        Assert.Contains("none of its 1 checkpoints", e.Message);
    }

    [Fact]
    public void CliAutoResumeStartsFreshOnAnEmptyFolderAndContinuesARunToTheUninterruptedLosses()
    {
        using var dir = new TempDir();
        string cfg = dir.File("tiny.yml");
        File.WriteAllText(cfg, TinyYaml(WriteTinyIdx(dir), "gan", iterations: 6, checkpointEvery: 2));
        string straight = Path.Combine(dir.Path, "straight"), auto = Path.Combine(dir.Path, "auto");
        var (code, straightOutput, error) = TrainerTests.Cli("train", "--config", cfg, "--out", straight);
        Assert.True(code == 0, straightOutput + error);

        // Empty folder: a new run (stopped at 3 as if interrupted; its final checkpoint is iter_000003).
        (code, var output, error) = TrainerTests.Cli("train", "--config", cfg, "--out", auto, "--auto-resume", "--iterations", "3");
        Assert.True(code == 0, output + error);
        Assert.Contains("holds no checkpoint; starting a new run", output);
        Assert.Contains("done: 3/3 iterations (3 in ", output);
        Truncate(Path.Combine(auto, "checkpoints", "iter_000003.safetensors"), 5);

        // The same command again: continues from iter_000002, the newest complete checkpoint. The run remembers the
        // 3 iterations it was started with, so going on to the config's 6 takes --iterations.
        (code, output, error) = TrainerTests.Cli("train", "--config", cfg, "--out", auto, "--auto-resume", "--iterations", "6");
        Assert.True(code == 0, output + error);
        Assert.Contains("auto-resume: resuming", output);
        Assert.Contains("at iteration 2 from iter_000002.safetensors", output);
        Assert.Contains("warning: skipping incomplete checkpoint", error);
        Assert.Contains("iter_000003.safetensors", error);
        Assert.Contains("done: 6/6 iterations (4 in ", output);   // iterations 3..6 only
        static string FinalLosses(string text) => text.Split('\n').Single(l => l.StartsWith("final losses:", StringComparison.Ordinal));
        Assert.Equal(FinalLosses(straightOutput), FinalLosses(output));
        Assert.Equal(File.ReadAllLines(Path.Combine(straight, "log.csv")), File.ReadAllLines(Path.Combine(auto, "log.csv")));
        Assert.Equal("iter_000006.safetensors", File.ReadAllText(Path.Combine(auto, "checkpoints", "latest")).Trim());
    }

    [Fact]
    public void CliAutoResumeRefusesAConfigOfAnotherModelNamingBoth()
    {
        using var dir = new TempDir();
        string data = WriteTinyIdx(dir);
        string gan = dir.File("gan.yml"), wgan = dir.File("wgan.yml");
        File.WriteAllText(gan, TinyYaml(data, "gan", iterations: 2, checkpointEvery: 2));
        File.WriteAllText(wgan, TinyYaml(data, "wgan", iterations: 2, checkpointEvery: 2));
        string run = Path.Combine(dir.Path, "run");
        Assert.Equal(0, TrainerTests.Cli("train", "--config", gan, "--out", run).Code);
        var (code, output, error) = TrainerTests.Cli("train", "--config", wgan, "--out", run, "--auto-resume");
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains("wgan.yml", error);
        Assert.Contains("a wgan config", error);
        Assert.Contains("trained as gan", error);
        Assert.DoesNotContain("auto-resume: resuming", output);
        (code, _, error) = TrainerTests.Cli("train", "--resume", run, "--auto-resume");
        Assert.Equal(1, code);
        Assert.Contains("--auto-resume goes with --config", error);
    }
}
