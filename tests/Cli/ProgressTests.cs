using NativeGan.Cli.Progress;
using NativeGan.Cli.Verbs;
using NativeGan.Models.Sr.Upscaling;
using NativeGan.Models.Training;
using NativeGan.Tests.Data;
using NativeGan.Tests.Training;

namespace NativeGan.Tests.Cli;

/// <summary>A clock that only moves when told to (or reads its time from a function): progress cadence without timed assertions.</summary>
internal sealed class TestClock(Func<TimeSpan>? now = null) : TimeProvider
{
    private TimeSpan manual;

    public void Advance(TimeSpan by) => manual += by;
    public TimeSpan Now => now?.Invoke() ?? manual;
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() => Now.Ticks;
    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch + Now;
    // The heartbeat's timer never fires on its own: the tests call Heartbeat() where they want one.
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new IdleTimer();

    private sealed class IdleTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

public class ProgressTests
{
    private static TrainProgress At(long iteration, long total = 1000) =>
        new(iteration, total, new[] { new LossValue("d_loss", 0.5f), new LossValue("g_loss", null) }, 1.0, TimeSpan.FromSeconds(total - iteration));

    private static string[] Lines(StringWriter w) => w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    private static long[] IterLines(IEnumerable<string> lines) => lines.Where(l => l.StartsWith("iter ", StringComparison.Ordinal))
        .Select(l => long.Parse(l[5..l.IndexOf('/')].Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public void Cadence_is_due_only_after_the_interval_since_the_last_line()
    {
        var clock = new TestClock();
        var cadence = new ProgressCadence(clock, TimeSpan.FromSeconds(10));
        Assert.False(cadence.Due);
        clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(cadence.Due);
        clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(cadence.Due);
        cadence.LineWritten();
        Assert.False(cadence.Due);
        Assert.Equal(TimeSpan.Zero, cadence.SinceLastLine);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProgressCadence(clock, TimeSpan.Zero));
    }

    [Fact]
    public void Redirected_training_prints_every_log_every_and_at_least_every_ten_seconds()
    {
        var clock = new TestClock();
        var output = new StringWriter();
        using var printer = new TrainProgressPrinter(output, logEvery: 50, startIteration: 0, totalIterations: 120, clock);
        // 4 s an iteration: the cadence asks for a line after 3 iterations (12 s) whatever log_every says; multiples of
        // 50 print as always, and the last iteration.
        for (long i = 1; i <= 120; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(4));
            printer.OnProgress(At(i, 120));
        }
        var printed = IterLines(Lines(output));
        var expected = new List<long>();
        long lastAt = 0;
        for (long i = 1; i <= 120; i++)
            if (i % 50 == 0 || i == 120 || (i - lastAt) * 4 >= 10) { expected.Add(i); lastAt = i; }
        Assert.Equal(expected, printed);
        Assert.Contains(3L, printed);
        Assert.Contains(50L, printed);
        // Never more than 10 s of silence: consecutive lines at most 3 iterations (12 s, the first iteration past 10 s) apart.
        Assert.All(printed.Zip(printed.Skip(1)), p => Assert.InRange(p.Second - p.First, 1, 3));
        Assert.Contains("iter   3/120  1.00 it/s  d_loss 0.5000  g_loss -  ETA", output.ToString());
    }

    [Fact]
    public void Fast_iterations_print_only_the_log_every_lines()
    {
        var clock = new TestClock();
        var output = new StringWriter();
        using var printer = new TrainProgressPrinter(output, logEvery: 10, startIteration: 0, totalIterations: 35, clock);
        for (long i = 1; i <= 35; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            printer.OnProgress(At(i, 35));
        }
        Assert.Equal(new long[] { 10, 20, 30, 35 }, IterLines(Lines(output)));
    }

    [Fact]
    public void Heartbeat_speaks_while_one_slow_iteration_runs_and_stays_quiet_otherwise()
    {
        var clock = new TestClock();
        var output = new StringWriter();
        using var printer = new TrainProgressPrinter(output, logEvery: 1000, startIteration: 0, totalIterations: 1000, clock);
        clock.Advance(TimeSpan.FromSeconds(9));
        printer.Heartbeat();
        Assert.Empty(Lines(output));                       // under 10 s: nothing yet
        clock.Advance(TimeSpan.FromSeconds(16));
        printer.Heartbeat();
        var lines = Lines(output);
        Assert.Single(lines);
        Assert.Equal("iter    0/1000  (iteration 1 running for 00:25)", lines[0]);
        printer.Heartbeat();
        Assert.Single(Lines(output));                      // just printed: quiet again
        clock.Advance(TimeSpan.FromSeconds(100));
        printer.OnProgress(At(1));                         // the first iteration took 2 minutes: its line comes at once
        Assert.Equal(2, Lines(output).Length);
        Assert.StartsWith("iter    1/1000", Lines(output)[1]);
        clock.Advance(TimeSpan.FromSeconds(12));
        printer.Heartbeat();                               // the second is running: the last line again, and for how long
        Assert.Equal("iter    1/1000  1.00 it/s  d_loss 0.5000  g_loss -  ETA 16:39  (iteration 2 running for 00:12)", Lines(output)[2]);
        printer.OnReport("validation at iter 1: psnr 20 dB");
        Assert.Equal("validation at iter 1: psnr 20 dB", Lines(output)[3]);
    }

    [Fact]
    public void Train_cli_prints_what_it_starts_from_a_line_every_ten_seconds_and_every_losses_last_value()
    {
        using var dir = new TempDir();
        string data = TrainerTests.WriteTinyIdx(dir);
        // WGAN: five critic steps per generator step, so most iterations have no g_loss; log_every far above the run.
        var config = GanConfig.Parse($"""
            model: wgan
            dataset: {"{"}kind: fashion_mnist, path: '{data}'{"}"}
            batch_size: 8
            iterations: 12
            seed: 7
            sample_every: 0
            checkpoint_every: 0
            log_every: 1000
            device: cpu
            """, "wgan.yml");
        var trainer = new GanTrainer(config, Path.Combine(dir.Path, "run"));
        long gParams = trainer.Step.G.ParameterCount();
        // A slow step without waiting: the clock reads 4 s per iteration done.
        var clock = new TestClock(() => TimeSpan.FromSeconds(4 * trainer.Iteration));
        var output = new StringWriter();
        Assert.Equal(0, TrainVerb.RunToEnd(trainer, output, clock));
        var lines = Lines(output);
        Assert.Equal(new long[] { 3, 6, 9, 12 }, IterLines(lines));

        // Before the first step: the data with its size and folder, the weights, both networks' sizes, the device.
        int firstIter = Array.FindIndex(lines, l => l.StartsWith("iter ", StringComparison.Ordinal));
        var start = lines[..firstIter];
        Assert.Contains($"  data: 40 images (fashion_mnist) in {data}", start);
        Assert.Contains("  weights: none loaded (G and D initialised from seed 7)", start);
        Assert.Contains(start, l => l.StartsWith("  G (WganGenerator): ", StringComparison.Ordinal) && l.EndsWith(" parameters", StringComparison.Ordinal));
        Assert.Contains(start, l => l.StartsWith("  D (WganCritic): ", StringComparison.Ordinal));
        Assert.Contains("  device: cpu", start);
        Assert.Contains($"  G (WganGenerator): {gParams.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} parameters", start);

        // The summary: every log.csv column's last value, g_loss from the last iteration that had one.
        string finals = lines.Single(l => l.StartsWith("final losses: ", StringComparison.Ordinal));
        var csv = LossPlot.ReadCsv(trainer.CsvPath);
        foreach (var (name, iterations, values) in csv.Where(c => c.Values.Count > 0))
        {
            string value = values[^1].ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains((long)iterations[^1] == 12 ? $"{name} {value}" : $"{name} {value} (iter {(long)iterations[^1]})", finals);
        }
        var g = csv.Single(c => c.Name == "g_loss");
        Assert.True(g.Values.Count > 0 && g.Iterations[^1] < 12, "the test needs a g_loss older than the last iteration");
        Assert.Contains("g_loss ", finals);
        Assert.Contains("d_real ", finals);
    }

    [Fact]
    public void Slow_tiles_print_a_line_at_least_every_ten_seconds_and_a_whole_image_gets_heartbeats()
    {
        var clock = new TestClock();
        var output = new StringWriter();
        using var printer = new UpscaleProgressPrinter(output, clock);
        // A "model" that takes 6 s a tile on the test clock.
        Tensor Slow(Tensor x)
        {
            clock.Advance(TimeSpan.FromSeconds(6));
            return x.Upsample(2);
        }
        var upscaler = new ImageUpscaler(Slow, 2, Device.Cpu, new UpscaleOptions { Tile = 8, TilePad = 2 });
        var rng = new Random(1);
        var image = new NativeGan.Models.Imaging.ImageData(32, 16, 3, 8, Enumerable.Range(0, 3 * 32 * 16).Select(_ => (float)rng.NextDouble()).ToArray(), "img.png");
        printer.BeginImage("img.png", 1, 2);
        var progress = new ImmediateProgress(printer.OnProgress);
        upscaler.Upscale(image, progress);
        Assert.Equal(8, progress.TilesDone);              // 4 x 2 tiles of 8 px
        var lines = Lines(output);
        // 6 s a tile: a line after every second tile (12 s), none after the first (6 s).
        Assert.Equal(new[]
        {
            "img.png: color tile 2/8 done, 00:12 on this image (image 1/2)",
            "img.png: color tile 4/8 done, 00:24 on this image (image 1/2)",
            "img.png: color tile 6/8 done, 00:36 on this image (image 1/2)",
            "img.png: color tile 8/8 done, 00:48 on this image (image 1/2)",
        }, lines);
        printer.WriteLine("img.png (32x16, RGB, 8-bit) -> out.png (64x32) in 48.00 s");

        // A whole image in one piece (41 s in the model): the heartbeat says what runs while no tile finishes.
        printer.BeginImage("big.png", 2, 2);
        clock.Advance(TimeSpan.FromSeconds(5));
        printer.Heartbeat();
        Assert.Equal(5, Lines(output).Length);             // 5 s after the last line: quiet
        clock.Advance(TimeSpan.FromSeconds(6));
        printer.Heartbeat();
        Assert.Equal("big.png: the first tile running for 00:11, 00:11 on this image (image 2/2)", Lines(output)[5]);
        clock.Advance(TimeSpan.FromSeconds(10));
        printer.Heartbeat();
        Assert.Equal("big.png: the first tile running for 00:21, 00:21 on this image (image 2/2)", Lines(output)[6]);
        printer.OnProgress(new UpscaleProgress(UpscaleEventKind.TileSizeReduced, "color", 0, 0, 64, "out of memory: tile halved to 64"));
        Assert.Equal("big.png: out of memory: tile halved to 64", Lines(output)[7]);
    }

    private sealed class ImmediateProgress(Action<UpscaleProgress> report) : IProgress<UpscaleProgress>
    {
        public int TilesDone { get; private set; }

        public void Report(UpscaleProgress value)
        {
            if (value.Kind == UpscaleEventKind.TileDone) TilesDone++;
            report(value);
        }
    }
}
