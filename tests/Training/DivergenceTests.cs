using NativeGan.IO;
using NativeGan.Models.Data;
using NativeGan.Models.Gans;
using NativeGan.Models.Sr.Training;
using NativeGan.Models.Training;
using NativeGan.NN;
using NativeGan.Tests.Data;
using static NativeGan.Tests.Sr.Training.SrTrainingTestUtil;
using static NativeGan.Tests.Training.TrainerTests;

namespace NativeGan.Tests.Training;

/// <summary>A data set whose samples turn NaN from the <paramref name="fromRead"/>-th read on (the loader reads the
/// batches' samples in order on one thread, so read k*B is the first sample of batch k).</summary>
internal sealed class PoisonedDataset(IDataset inner, int fromRead) : IDataset
{
    private int reads;
    public int Count => inner.Count;
    public int[] SampleShape => inner.SampleShape;

    public float ReadSample(int index, Span<float> destination)
    {
        float label = inner.ReadSample(index, destination);
        if (Interlocked.Increment(ref reads) > fromRead) destination.Fill(float.NaN);
        return label;
    }
}

// Compares weights with checkpoints and counts live tensors elsewhere: kept out of the parallel pool.
[Collection(nameof(NativeGan.Tests.Engine.MemoryTests))]
public class DivergenceTests
{
    private static Dictionary<string, float[]> State(Module m) => m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());

    private static void AssertSame(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (k, v) in expected) Assert.True(v.AsSpan().SequenceEqual(actual[k]), $"{k} differs");
    }

    private static Dictionary<string, float[]> FromCheckpoint(string path, string prefix) =>
        Safetensors.Read(path).Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value.Data);

    private static long[] LoggedIterations(string csv) => File.ReadAllLines(csv).Skip(1).Select(l => long.Parse(l.Split(',')[0])).ToArray();

    [Fact]
    public void ANaNBatchStopsTheGanStepBeforeAnyOptimizerStep()
    {
        var rng = new Generator(1);
        var g = new VanillaGenerator(8, 16, 16, new[] { 1, 4, 4 }, Device.Cpu, rng);
        var d = new VanillaDiscriminator(16, 8, Device.Cpu, rng);
        using var step = new VanillaGanStep(g, d, rng: new Generator(2));
        using var real = Tensor.Full(new[] { 4, 1, 4, 4 }, float.NaN, Device.Cpu);
        var (g0, d0) = (State(g), State(d));
        var (og0, od0) = (step.OptimizerG.StateDict(), step.OptimizerD.StateDict());
        var e = Assert.Throws<NonFiniteLossException>(() => step.Step(real));
        Assert.Equal("d_loss", e.LossName);
        Assert.Contains("d_loss is NaN", e.Message);
        AssertSame(g0, State(g));
        AssertSame(d0, State(d));
        AssertSame(og0, step.OptimizerG.StateDict());
        AssertSame(od0, step.OptimizerD.StateDict());
        Assert.Equal(0, step.Iteration);
        g.Dispose();
        d.Dispose();
    }

    [Fact]
    public void GanRunRollsBackToTheLastCheckpointAndWritesNothingNewer()
    {
        using var dir = new TempDir();
        var config = GanConfig.Parse(TinyYaml(WriteTinyIdx(dir), "gan", iterations: 8, checkpointEvery: 3, sampleEvery: 0), "tiny.yml");
        string outDir = Path.Combine(dir.Path, "run"), ckpts = Path.Combine(outDir, "checkpoints");
        // batch 8: samples 32.. are read for the 5th batch, so iteration 5's d_loss is NaN.
        var data = new PoisonedDataset(GanTrainer.OpenDataset(config), fromRead: 4 * 8);
        using var t = new GanTrainer(config, outDir, dataset: data);
        var e = Assert.Throws<TrainingDivergedException>(() => t.Run(cancellation: TestContext.Current.CancellationToken));
        Assert.Equal("d_loss", e.LossName);
        Assert.Equal(5, e.Iteration);
        Assert.Equal(3, e.RolledBackIteration);
        Assert.Contains("training diverged at iteration 5: loss d_loss is NaN", e.Message);
        Assert.Contains("iter_000003.safetensors", e.Message);
        Assert.Contains("try a lower lr", e.Message, StringComparison.OrdinalIgnoreCase);

        string good = Path.Combine(ckpts, "iter_000003.safetensors");
        Assert.Equal(3, t.Iteration);
        Assert.Equal(good, t.LastCheckpoint);
        AssertSame(FromCheckpoint(good, "g."), State(t.Step.G));
        AssertSame(FromCheckpoint(good, "d."), State(t.Step.D));
        Assert.Equal(new[] { "iter_000003.safetensors" }, Directory.GetFiles(ckpts, "iter_*").Select(Path.GetFileName));
        Assert.Equal("iter_000003.safetensors", File.ReadAllText(Path.Combine(ckpts, "latest")).Trim());
        Assert.Equal(new long[] { 1, 2, 3 }, LoggedIterations(t.CsvPath));   // row 4 (logged before the divergence) is dropped with the state
    }

    [Fact]
    public void WithoutACheckpointTheRunRollsBackToItsStartAndWritesNoCheckpoint()
    {
        using var dir = new TempDir();
        var config = GanConfig.Parse(TinyYaml(WriteTinyIdx(dir), "gan", iterations: 8, checkpointEvery: 5, sampleEvery: 0), "tiny.yml");
        Dictionary<string, float[]> g0, d0;
        using (var fresh = new GanTrainer(config, Path.Combine(dir.Path, "fresh"))) (g0, d0) = (State(fresh.Step.G), State(fresh.Step.D));
        string outDir = Path.Combine(dir.Path, "run");
        using var t = new GanTrainer(config, outDir, dataset: new PoisonedDataset(GanTrainer.OpenDataset(config), fromRead: 2 * 8));
        var e = Assert.Throws<TrainingDivergedException>(() => t.Run(cancellation: TestContext.Current.CancellationToken));
        Assert.Equal(3, e.Iteration);
        Assert.Null(e.RolledBackTo);
        Assert.Contains("start of the run (iteration 0", e.Message);
        Assert.Equal(0, t.Iteration);
        Assert.Null(t.LastCheckpoint);
        AssertSame(g0, State(t.Step.G));
        AssertSame(d0, State(t.Step.D));
        Assert.Empty(Directory.GetFiles(Path.Combine(outDir, "checkpoints")));
        Assert.Empty(LoggedIterations(t.CsvPath));
    }

    [Theory]
    [InlineData("progan")]
    [InlineData("cyclegan")]
    public void ProGanAndCycleGanRunsRollBackToTheirLastGoodState(string model)
    {
        // An absurd learning rate: the weights overflow within a few iterations and a loss turns NaN / infinite.
        using var dir = new TempDir();
        Func<string, TrainerBase> make;
        Func<TrainerBase, Dictionary<string, float[]>> weights;
        string prefix;
        if (model == "progan")
        {
            var c = NativeGan.Tests.Gans.ProGanTrainingTests.TinyConfig();
            (c.CheckpointEvery, c.Lr) = (1, 1e30f);
            (make, weights, prefix) = (d => new ProGanTrainer(c, d), t => State(((ProGanTrainer)t).Step.D), "d.");
        }
        else
        {
            var c = NativeGan.Tests.ImageToImage.I2iTrainerTests.TinyCycleGan(checkpointEvery: 1);
            c.Lr = 1e30f;
            (make, weights, prefix) = (d => new NativeGan.Models.ImageToImage.I2iTrainer(c, d), t => State(((NativeGan.Models.ImageToImage.I2iTrainer)t).Networks[0].Module), "g_a.");
        }
        Dictionary<string, float[]> initial;
        using (var fresh = make(Path.Combine(dir.Path, "fresh"))) initial = weights(fresh);
        string outDir = Path.Combine(dir.Path, "run"), ckpts = Path.Combine(outDir, "checkpoints");
        using var t = make(outDir);
        var e = Assert.Throws<TrainingDivergedException>(() => t.Run(cancellation: TestContext.Current.CancellationToken));
        Assert.Contains($"loss {e.LossName} is ", e.Message);
        Assert.Equal(e.RolledBackIteration, t.Iteration);
        Assert.Equal(e.Iteration - 1, e.RolledBackIteration);   // a checkpoint every iteration: back to the one before
        // The weights in memory are the last good ones: the checkpoint's, or the initial ones when there was none yet.
        AssertSame(e.RolledBackTo is { } good ? FromCheckpoint(good, prefix) : initial, weights(t));
        Assert.Equal(e.RolledBackTo == null ? null : Path.GetFileName(e.RolledBackTo), File.Exists(Path.Combine(ckpts, "latest")) ? File.ReadAllText(Path.Combine(ckpts, "latest")).Trim() : null);
        Assert.All(CheckpointStore.Candidates(outDir), c => Assert.True(c.Iteration <= t.Iteration, c.Path));
        Assert.Equal(Enumerable.Range(1, (int)t.Iteration).Select(i => (long)i), LoggedIterations(t.CsvPath));
    }

    [Fact]
    public void SrRunNamesTheLossRollsBackAndTheCliPrintsItWithoutAStackTrace()
    {
        using var dir = new TempDir();
        string train = CopyImages(dir, "train", "astronaut.png", "chelsea.png", "coffee.png");
        string yaml = TinyYaml("rrdbnet_psnr", train, total: 8, checkpointEvery: 3, scale: 2, gtSize: 32);
        string outDir = Path.Combine(dir.Path, "run"), ckpts = Path.Combine(outDir, "checkpoints");
        using (var t = new SrTrainer(SrConfig.Parse(yaml, "a.yml"), outDir))
        {
            // A bad update at iteration 4 (its G weights turn NaN after the loss was read): iteration 5's l_g_pix is NaN.
            t.Step.AfterGeneratorBackward = s =>
            {
                if (s.Iteration != 3) return;
                using (Tensor.NoGrad()) s.G.Parameters().First().FillInPlace(float.NaN);
            };
            var e = Assert.Throws<TrainingDivergedException>(() => t.Run(cancellation: TestContext.Current.CancellationToken));
            Assert.Equal("l_g_pix", e.LossName);
            Assert.Equal(5, e.Iteration);
            string good = Path.Combine(ckpts, "iter_000003.safetensors");
            Assert.Equal(good, e.RolledBackTo);
            Assert.Equal(3, t.Iteration);
            AssertSame(FromCheckpoint(good, "params."), State(t.G));
            Assert.All(State(t.G).Values, v => Assert.All(v, x => Assert.True(float.IsFinite(x))));
            Assert.Equal(new[] { "iter_000003.safetensors" }, Directory.GetFiles(ckpts, "iter_*").Select(Path.GetFileName));
            Assert.False(File.Exists(t.ReleasedWeightsPath(5)));
            Assert.Equal(new long[] { 1, 2, 3 }, LoggedIterations(t.CsvPath));
        }
        Assert.Equal("iter_000003.safetensors", File.ReadAllText(Path.Combine(ckpts, "latest")).Trim());

        // The CLI: one error line, no stack trace, exit code 2 (here the poison is an absurd learning rate: G's weights overflow).
        string cfg = dir.File("huge_lr.yml");
        Assert.Contains("g: {lr: 1.0e-3}", yaml);
        File.WriteAllText(cfg, yaml.Replace("g: {lr: 1.0e-3}", "g: {lr: 1.0e+30}"));
        string cliOut = Path.Combine(dir.Path, "cli");
        var (code, output, error) = TrainerTests.Cli("train", "--config", cfg, "--out", cliOut);
        Assert.True(code == 2, output + error);
        Assert.Matches("^error: training diverged at iteration [0-9]+: loss l_g_pix is (NaN|-?Infinity|∞|-∞); the update was skipped", error);
        Assert.Contains("try a lower lr", error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", error);
        Assert.Empty(Directory.GetFiles(Path.Combine(cliOut, "checkpoints")));
    }
}
