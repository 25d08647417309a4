using System.Diagnostics;
using System.Globalization;

namespace NativeGan.Models.Training;

/// <summary>One named value of a progress line or summary (null: the iteration had no such term, printed "-").</summary>
public readonly record struct LossValue(string Name, float? Value);

/// <summary>What a trainer reports after every iteration (for progress lines).</summary>
/// <param name="Iteration">Iterations completed so far.</param>
/// <param name="Total">Iterations the run is asked to reach.</param>
/// <param name="Losses">The values of the iteration just run, in display order.</param>
/// <param name="ItersPerSecond">Speed since this process started training (or resumed).</param>
/// <param name="Eta">Estimated time to <paramref name="Total"/>.</param>
public sealed record TrainProgress(long Iteration, long Total, IReadOnlyList<LossValue> Losses, double ItersPerSecond, TimeSpan Eta);

/// <summary>The outcome of <see cref="TrainerBase.Run"/>.</summary>
public sealed record TrainSummary(long StartIteration, long Iteration, TimeSpan Elapsed, IReadOnlyList<LossValue>? Last, string? LastCheckpoint, string OutDir,
    IReadOnlyList<string> Samples);

/// <summary>What one iteration produced: its <c>log.csv</c> cells (after the iteration column), the values shown on
/// the progress line, and whether every loss is finite (a run stops with an error when one is not).</summary>
public sealed record IterationResult(IReadOnlyList<float?> Row, IReadOnlyList<LossValue> Losses, bool AllFinite);

/// <summary>
/// The run-folder machinery the GAN and SR trainers share: <c>config.yml</c>, <c>log.csv</c> (<see cref="TrainingLog"/>),
/// <c>loss.png</c> (<see cref="LossPlot"/>), <c>checkpoints/iter_NNNNNN.safetensors</c> with the <c>latest</c> pointer
/// (<see cref="CheckpointStore"/>), progress callbacks with speed and ETA, cancellation that still checkpoints, and
/// the loop of <see cref="Run"/>. A trainer says what one iteration does, what a checkpoint holds, and what to do
/// after an iteration (sample grids, validation).
/// </summary>
public abstract class TrainerBase : IDisposable
{
    private readonly TrainingLog log;
    private readonly List<string> samples = new();
    private bool disposed;

    protected TrainerBase(string outDir, string csvHeader)
    {
        ArgumentException.ThrowIfNullOrEmpty(outDir);
        OutDir = Path.GetFullPath(outDir);
        log = new TrainingLog(Path.Combine(OutDir, "log.csv"), csvHeader);
    }

    public string OutDir { get; }
    public string CsvPath => log.Path;
    public string LossPlotPath => Path.Combine(OutDir, "loss.png");
    public string SamplesDir => Path.Combine(OutDir, "samples");
    public string CheckpointsDir => Path.Combine(OutDir, CheckpointStore.FolderName);
    public string ConfigPath => Path.Combine(OutDir, "config.yml");

    /// <summary>Iterations completed.</summary>
    public abstract long Iteration { get; }

    /// <summary>The total the config asks for (what <see cref="Run"/> reaches by default).</summary>
    public abstract long TotalIterations { get; }

    /// <summary>Progress lines every this many iterations when output is not a terminal.</summary>
    public abstract int LogEvery { get; }

    /// <summary>One line for the CLI: model, data, batch, iterations, device, output folder.</summary>
    public abstract string Description { get; }

    /// <summary>Checkpoint every this many iterations (0: only at the end).</summary>
    protected abstract int CheckpointEvery { get; }

    /// <summary>The config text written to <c>config.yml</c> and into checkpoints.</summary>
    protected abstract string ConfigText { get; }

    /// <summary>The loss plot's title.</summary>
    protected abstract string PlotTitle { get; }

    /// <summary>Called after every iteration.</summary>
    public Action<TrainProgress>? Progress { get; set; }

    /// <summary>Called with a line for the user on notable events (an SR trainer's validation results).</summary>
    public Action<string>? Report { get; set; }

    /// <summary>The checkpoint written last (by this process or the one resumed from).</summary>
    public string? LastCheckpoint { get; protected set; }

    /// <summary>Images written so far by this process (sample grids).</summary>
    public IReadOnlyList<string> Samples => samples;

    protected void AddSample(string path) => samples.Add(path);

    /// <summary>Runs one iteration; <paramref name="total"/> is the iteration the run stops at.</summary>
    protected abstract IterationResult RunIteration(long total);

    /// <summary>Called when <see cref="Run"/> starts, before any iteration.</summary>
    protected virtual void OnRunStart() { }

    /// <summary>Called after iteration <paramref name="iteration"/> is logged, before its checkpoint (sample grids).</summary>
    protected virtual void OnIterationLogged(long iteration) { }

    /// <summary>Called at the end of a run that did any work, before the final checkpoint (last sample grid).</summary>
    protected virtual void OnRunEnd(long iteration) { }

    /// <summary>Adds the checkpoint's tensors and metadata (besides <c>iteration</c> and <c>config</c>, added here).</summary>
    protected abstract void CollectCheckpoint(List<(string Name, int[] Shape, float[] Data)> tensors, Dictionary<string, string> metadata);

    /// <summary>Called after a checkpoint was written (other files that go with it).</summary>
    protected virtual void OnCheckpointSaved(string path) { }

    /// <summary>Which <c>log.csv</c> columns the loss plot draws (default: every column with values).</summary>
    protected virtual bool PlotsColumn(string name) => true;

    /// <summary>Runs iterations until <see cref="Iteration"/> reaches <paramref name="untilIteration"/> (default:
    /// <see cref="TotalIterations"/>), writing the log and checkpoints; a final checkpoint and loss plot at the end.
    /// A cancelled run stops after the current iteration and still checkpoints.</summary>
    public TrainSummary Run(long? untilIteration = null, CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        long total = untilIteration ?? TotalIterations;
        long start = Iteration;
        Directory.CreateDirectory(OutDir);
        Directory.CreateDirectory(CheckpointsDir);
        log.Open(Iteration);
        if (!File.Exists(ConfigPath)) File.WriteAllText(ConfigPath, ConfigText);
        OnRunStart();
        var watch = Stopwatch.StartNew();
        IReadOnlyList<LossValue>? last = null;
        long lastCheckpointAt = -1;
        while (Iteration < total && !cancellation.IsCancellationRequested)
        {
            var result = RunIteration(total);
            last = result.Losses;
            long n = Iteration;
            log.WriteRow(n, result.Row);
            if (!result.AllFinite)
                throw new InvalidOperationException($"training diverged at iteration {n}: " +
                    string.Join(", ", result.Losses.Where(l => l.Value != null).Select(l => $"{l.Name}={TrainingLog.Format(l.Value)}")) +
                    $" (see {CsvPath}; try a lower lr).");
            OnIterationLogged(n);
            if (CheckpointEvery > 0 && n % CheckpointEvery == 0) { SaveCheckpoint(); lastCheckpointAt = n; }
            if (Progress != null)
            {
                double rate = (n - start) / Math.Max(watch.Elapsed.TotalSeconds, 1e-9);
                var eta = rate > 0 ? TimeSpan.FromSeconds((total - n) / rate) : TimeSpan.Zero;
                Progress(new TrainProgress(n, total, result.Losses, rate, eta));
            }
        }
        if (Iteration > start || LastCheckpoint == null)
        {
            OnRunEnd(Iteration);
            if (lastCheckpointAt != Iteration) SaveCheckpoint();
        }
        log.Flush();
        WriteLossPlot();
        return new TrainSummary(start, Iteration, watch.Elapsed, last, LastCheckpoint, OutDir, samples.ToArray());
    }

    /// <summary>Runs one iteration with no log, checkpoint or plot (used by <c>nativegan profile</c>).</summary>
    public IterationResult RunOneIteration()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return RunIteration(TotalIterations);
    }

    /// <summary>Writes <c>checkpoints/iter_NNNNNN.safetensors</c> and points <c>latest</c> at it (both temp + rename):
    /// a failure at any point leaves the previous checkpoint and pointer as they were.</summary>
    public string SaveCheckpoint()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Directory.CreateDirectory(CheckpointsDir);
        var tensors = new List<(string, int[], float[])>();
        var meta = new Dictionary<string, string>();
        CollectCheckpoint(tensors, meta);
        meta["iteration"] = Iteration.ToString(CultureInfo.InvariantCulture);
        meta["config"] = ConfigText;
        string path = CheckpointStore.Save(CheckpointsDir, Iteration, tensors, meta);
        LastCheckpoint = path;
        OnCheckpointSaved(path);
        return path;
    }

    /// <summary>Redraws <c>loss.png</c> from <c>log.csv</c>: the columns <see cref="PlotsColumn"/> picks that hold values.</summary>
    public void WriteLossPlot()
    {
        log.Flush();
        if (!File.Exists(CsvPath)) return;
        var series = LossPlot.ReadCsv(CsvPath)
            .Where(s => s.Values.Count > 0 && PlotsColumn(s.Name))
            .Select(s => (s.Name, (IReadOnlyList<double>)s.Iterations, (IReadOnlyList<double>)s.Values))
            .ToList();
        LossPlot.Save(series, LossPlotPath, PlotTitle);
    }

    /// <summary>Frees what the derived trainer holds (called once, from <see cref="Dispose()"/>).</summary>
    /// <summary>Loads a checkpoint into a freshly built trainer; on failure the trainer is disposed before the exception goes on.</summary>
    protected static T Restore<T>(T trainer, Action<T> load) where T : TrainerBase
    {
        try
        {
            load(trainer);
            return trainer;
        }
        catch
        {
            trainer.Dispose();
            throw;
        }
    }

    protected abstract void DisposeCore();

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        log.Dispose();
        DisposeCore();
        GC.SuppressFinalize(this);
    }
}
