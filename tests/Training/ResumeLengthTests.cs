using NativeGan.Cli;
using NativeGan.IO;
using NativeGan.Models.Gans;
using NativeGan.Models.ImageToImage;
using NativeGan.Models.Sr.Training;
using NativeGan.Models.Training;
using NativeGan.Tests.Data;
using static NativeGan.Tests.Training.TrainerTests;

namespace NativeGan.Tests.Training;

/// <summary>A run remembers the length it was started with (or extended to): resume continues to it, not to the config's.</summary>
public class ResumeLengthTests
{
    private static int LogRows(string runDir) => File.ReadAllLines(Path.Combine(runDir, "log.csv")).Length - 1;

    [Fact]
    public void ResumeContinuesToTheIterationsTheRunWasStartedWithAndAFinishedRunSaysHowToExtendIt()
    {
        using var dir = new TempDir();
        string cfg = dir.File("tiny.yml");
        File.WriteAllText(cfg, TinyYaml(WriteTinyIdx(dir), "gan", iterations: 12, checkpointEvery: 2, sampleEvery: 100));
        string run = Path.Combine(dir.Path, "run");
        var (code, output, error) = TrainerTests.Cli("train", "--config", cfg, "--out", run, "--iterations", "4");
        Assert.True(code == 0, output + error);
        Assert.Contains("done: 4/4 iterations", output);
        Assert.Equal("4", Safetensors.Read(CheckpointStore.Latest(run)).Metadata[CheckpointReader.TotalIterationsKey]);

        // Finished at 4 (the config says 12): no work, exit 0, and how to go on.
        (code, output, error) = TrainerTests.Cli("train", "--resume", run);
        Assert.True(code == 0, output + error);
        Assert.Contains("is finished: it is at iteration 4 of 4", output);
        Assert.Contains($"nativegan train --resume {Path.GetFullPath(run)} --iterations M", output);
        Assert.DoesNotContain("done:", output);
        Assert.Equal(4, LogRows(run));
        Assert.Equal(new[] { 4L, 2L }, CheckpointStore.Candidates(run).Select(c => c.Iteration));

        // --iterations extends it, and the new length is what the next resume remembers.
        (code, output, error) = TrainerTests.Cli("train", "--resume", run, "--iterations", "6");
        Assert.True(code == 0, output + error);
        Assert.Contains("at iteration 4 of 6", output);
        Assert.Contains("done: 6/6 iterations (2 in ", output);
        (code, output, error) = TrainerTests.Cli("train", "--resume", run);
        Assert.True(code == 0, output + error);
        Assert.Contains("is finished: it is at iteration 6 of 6", output);
        Assert.Equal(6, LogRows(run));

        // The same through --auto-resume with the config (which says 12).
        (code, output, error) = TrainerTests.Cli("train", "--config", cfg, "--out", run, "--auto-resume");
        Assert.True(code == 0, output + error);
        Assert.Contains("is finished: it is at iteration 6 of 6", output);
        Assert.Equal(6, LogRows(run));
    }

    [Fact]
    public void AnInterruptedRunResumesToItsOwnLengthNotTheConfigs()
    {
        using var dir = new TempDir();
        var config = GanConfig.Parse(TinyYaml(WriteTinyIdx(dir), "gan", iterations: 12, checkpointEvery: 100, sampleEvery: 100), "tiny.yml");
        config.Iterations = 5; // as --iterations 5 does; the stored config text still says 12
        string run = Path.Combine(dir.Path, "run");
        // Stopped at 2 the way the CLI's Ctrl+C / SIGTERM stops it (Run returns early and checkpoints).
        using (var cancel = new CancellationTokenSource())
        using (var t = new GanTrainer(config, run))
        {
            t.Progress = p => { if (p.Iteration == 2) cancel.Cancel(); };
            Assert.Equal(2, t.Run(cancellation: cancel.Token).Iteration);
        }
        var (code, output, error) = TrainerTests.Cli("train", "--resume", run);
        Assert.True(code == 0, output + error);
        Assert.Contains("at iteration 2 of 5", output);
        Assert.Contains("done: 5/5 iterations (3 in ", output);
        Assert.Equal(5, LogRows(run));
    }

    [Fact]
    public void ACheckpointWithoutTheStoredLengthFallsBackToItsConfig()
    {
        using var dir = new TempDir();
        var config = GanConfig.Parse(TinyYaml(WriteTinyIdx(dir), "gan", iterations: 5, checkpointEvery: 100, sampleEvery: 100), "tiny.yml");
        config.Iterations = 2;
        string run = Path.Combine(dir.Path, "run");
        using (var t = new GanTrainer(config, run)) t.Run(cancellation: TestContext.Current.CancellationToken);
        // Rewrite the checkpoint as one written before the length was stored.
        string path = CheckpointStore.Latest(run);
        var old = Safetensors.Read(path);
        var meta = old.Metadata.ToDictionary();
        Assert.True(meta.Remove(CheckpointReader.TotalIterationsKey));
        Safetensors.Write(path, old.Tensors.Values.Select(e => (e.Name, e.Shape, e.Data)), meta);
        Assert.Null(CheckpointReader.Open(path, GanTrainer.CheckpointFormat, "GAN").StoredTotalIterations);

        var (code, output, error) = TrainerTests.Cli("train", "--resume", run);
        Assert.True(code == 0, output + error);
        Assert.Contains("at iteration 2 of 5", output);
        Assert.Contains("done: 5/5 iterations (3 in ", output);
    }

    [Fact]
    public void ABadStoredLengthIsAClearErrorNamingTheCheckpoint()
    {
        using var dir = new TempDir();
        var config = GanConfig.Parse(TinyYaml(WriteTinyIdx(dir), "gan", iterations: 1, checkpointEvery: 100, sampleEvery: 100), "tiny.yml");
        string run = Path.Combine(dir.Path, "run");
        using (var t = new GanTrainer(config, run)) t.Run(cancellation: TestContext.Current.CancellationToken);
        string path = CheckpointStore.Latest(run);
        var file = Safetensors.Read(path);
        var meta = file.Metadata.ToDictionary();
        meta[CheckpointReader.TotalIterationsKey] = "-3";
        Safetensors.Write(path, file.Tensors.Values.Select(e => (e.Name, e.Shape, e.Data)), meta);
        var e = Assert.Throws<InvalidDataException>(() => GanTrainer.Resume(run));
        Assert.Contains(path, e.Message);
        Assert.Contains("total_iterations", e.Message);
        Assert.Contains("'-3'", e.Message);
    }

    [Fact]
    public void ProGanImageToImageAndSrRunsRememberTheirLengthToo()
    {
        using var dir = new TempDir();
        var ct = TestContext.Current.CancellationToken;

        var progan = NativeGan.Tests.Gans.ProGanTrainingTests.TinyConfig();
        progan.Iterations = 3;
        string proganRun = Path.Combine(dir.Path, "progan");
        using (var t = new ProGanTrainer(progan, proganRun)) t.Run(untilIteration: 1, cancellation: ct);
        using (var t = ProGanTrainer.Resume(proganRun)) Assert.Equal(3, t.TotalIterations);
        using (var t = ProGanTrainer.Resume(proganRun, iterations: 4)) Assert.Equal(4, t.TotalIterations);

        var cycle = NativeGan.Tests.ImageToImage.I2iTrainerTests.TinyCycleGan(checkpointEvery: 0); // its text says 6
        cycle.Iterations = 2;
        string cycleRun = Path.Combine(dir.Path, "cycle");
        using (var t = new I2iTrainer(cycle, cycleRun)) t.Run(untilIteration: 1, cancellation: ct);
        using (var t = I2iTrainer.Resume(cycleRun)) Assert.Equal(2, t.TotalIterations);

        string train = NativeGan.Tests.Sr.Training.SrTrainingTestUtil.CopyImages(dir, "train", "astronaut.png", "chelsea.png");
        var sr = SrConfig.Parse(NativeGan.Tests.Sr.Training.SrTrainingTestUtil.TinyYaml("rrdbnet_psnr", train, total: 4, gtSize: 32), "tiny.yml");
        sr.TotalIter = 3;
        string srRun = Path.Combine(dir.Path, "sr");
        using (var t = new SrTrainer(sr, srRun)) t.Run(untilIteration: 1, cancellation: ct);
        using (var t = SrTrainer.Resume(srRun)) Assert.Equal(3, t.TotalIterations);
    }
}
