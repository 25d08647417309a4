using System.Diagnostics;
using System.Globalization;
using NativeGan.IO;

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
/// <param name="Notes">Lines for the user after the run (the SR trainer: which weights it released and how they validated).</param>
public sealed record TrainSummary(long StartIteration, long Iteration, TimeSpan Elapsed, IReadOnlyList<LossValue>? Last, string? LastCheckpoint, string OutDir,
    IReadOnlyList<string> Samples, IReadOnlyList<string>? Notes = null);

/// <summary>What one iteration produced: its <c>log.csv</c> cells (after the iteration column), the values shown on
/// the progress line, and whether every loss is finite (a run stops with an error when one is not).</summary>
public sealed record IterationResult(IReadOnlyList<float?> Row, IReadOnlyList<LossValue> Losses, bool AllFinite);

/// <summary>
/// The run-folder machinery the GAN and SR trainers share: <c>config.yml</c>, <c>log.csv</c> (<see cref="TrainingLog"/>),
/// <c>loss.png</c> (<see cref="LossPlot"/>), <c>checkpoints/iter_NNNNNN.safetensors</c> with the <c>latest</c> pointer
/// (<see cref="CheckpointStore"/>), progress callbacks with speed and ETA, cancellation that still checkpoints, and
/// the loop of <see cref="Run"/>. A trainer says what one iteration does, what a checkpoint holds, and what to do
/// after an iteration (sample grids, validation).
/// A loss that turns NaN or infinite stops the run: the step skips that update (<see cref="FiniteLoss"/>), the
/// trainer reloads the last checkpoint written or resumed from (or the in-memory state taken when the run started,
/// when there is none yet), drops the <c>log.csv</c> rows past it, writes no checkpoint and throws
/// <see cref="TrainingDivergedException"/>.
/// </summary>
public abstract class TrainerBase : IDisposable
{
    private readonly TrainingLog log;
    private readonly List<string> samples = new();
    private bool disposed;
    // The state when Run started without any checkpoint to roll back to (dropped once one is written).
    private (List<(string Name, int[] Shape, float[] Data)> Tensors, Dictionary<string, string> Meta)? startSnapshot;
    // Set when a rollback failed: the in-memory state may be poisoned and must never be checkpointed.
    private bool poisoned;

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

    /// <summary>What the run starts from, for the CLI to print before the first step: the data (how many images or
    /// pairs, which folder), the weights loaded (file and key) or the seed, the networks' parameter counts, the device.</summary>
    public virtual IReadOnlyList<string> StartReport => Array.Empty<string>();

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

    /// <summary>The lock on <see cref="OutDir"/> its caller took before building this trainer (the CLI takes it before
    /// anything is written to the folder); when null or another folder's, <see cref="Run"/> takes its own for the run.
    /// The caller keeps ownership.</summary>
    public RunLock? FolderLock { get; set; }

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

    /// <summary>Metadata added to every checkpoint after <see cref="CollectCheckpoint"/> (the SR trainer's best validation).</summary>
    protected virtual void AddCheckpointMetadata(Dictionary<string, string> metadata) { }

    /// <summary>The <c>format</c> metadata of this trainer's checkpoints and the family named in errors ("GAN", "SR", ...).</summary>
    protected abstract (string Format, string Kind) CheckpointKind { get; }

    /// <summary>Loads a checkpoint of this trainer's kind into it: everything <see cref="CollectCheckpoint"/> wrote,
    /// and <see cref="LastCheckpoint"/> = the reader's path (used by resume and by the rollback after a divergence).</summary>
    protected abstract void LoadCheckpoint(CheckpointReader reader);

    /// <summary>Lines for the run's summary (what was released, how it validated); none by default.</summary>
    public virtual IReadOnlyList<string> SummaryNotes() => Array.Empty<string>();

    /// <summary>Which <c>log.csv</c> columns the loss plot draws (default: every column with values).</summary>
    protected virtual bool PlotsColumn(string name) => true;

    /// <summary>Runs iterations until <see cref="Iteration"/> reaches <paramref name="untilIteration"/> (default:
    /// <see cref="TotalIterations"/>), writing the log and checkpoints; a final checkpoint and loss plot at the end.
    /// A cancelled run stops after the current iteration and still checkpoints. The run folder is locked for the run
    /// (<see cref="FolderLock"/>): another training in it throws <see cref="RunFolderInUseException"/>.</summary>
    public TrainSummary Run(long? untilIteration = null, CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using var ownLock = FolderLock is { IsHeld: true } held && held.RunDir == OutDir ? null : RunLock.Acquire(OutDir);
        long total = untilIteration ?? TotalIterations;
        long start = Iteration;
        Directory.CreateDirectory(OutDir);
        Directory.CreateDirectory(CheckpointsDir);
        log.Open(Iteration);
        // A folder without a checkpoint holds no run yet: its config is this one (a crashed first attempt's is replaced).
        if (!File.Exists(ConfigPath) || LastCheckpoint == null) CheckpointStore.WriteTextAtomically(ConfigPath, ConfigText);
        if (LastCheckpoint == null) startSnapshot = Collect();
        OnRunStart();
        var watch = Stopwatch.StartNew();
        IReadOnlyList<LossValue>? last = null;
        long lastCheckpointAt = -1;
        while (Iteration < total && !cancellation.IsCancellationRequested)
        {
            long n = Iteration + 1;
            IterationResult result;
            try
            {
                result = RunIteration(total);
            }
            catch (NonFiniteLossException e)
            {
                throw RollBack(n, e.LossName, e.Value, e);
            }
            if (!result.AllFinite)
            {
                // A value the step does not check before its optimizer step (a D output mean): the update is in; roll back all the same.
                var (name, value) = FirstNonFinite(result.Row);
                throw RollBack(n, name, value, null);
            }
            last = result.Losses;
            n = Iteration;
            log.WriteRow(n, result.Row);
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
        return new TrainSummary(start, Iteration, watch.Elapsed, last, LastCheckpoint, OutDir, samples.ToArray(), SummaryNotes());
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
        ThrowIfPoisoned();
        Directory.CreateDirectory(CheckpointsDir);
        var (tensors, meta) = Collect();
        string path = CheckpointStore.Save(CheckpointsDir, Iteration, tensors, meta);
        LastCheckpoint = path;
        startSnapshot = null;
        OnCheckpointSaved(path);
        return path;
    }

    /// <summary>Writes the full checkpoint of the current state to <paramref name="path"/> (temp + rename) with
    /// <paramref name="extraMetadata"/>, without touching <c>latest</c> or <see cref="LastCheckpoint"/> (the SR
    /// trainer's <c>checkpoints/best.safetensors</c>).</summary>
    protected void SaveCheckpointCopy(string path, IReadOnlyDictionary<string, string> extraMetadata)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ThrowIfPoisoned();
        var (tensors, meta) = Collect();
        foreach (var (k, v) in extraMetadata) meta[k] = v;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Safetensors.Write(path, tensors, meta);
    }

    private void ThrowIfPoisoned()
    {
        if (poisoned)
            throw new InvalidOperationException($"{OutDir}: this trainer diverged and could not be rolled back; its state is not checkpointed. Resume the run from its last checkpoint.");
    }

    /// <summary>Everything a checkpoint holds: the trainer's tensors and metadata, <c>iteration</c> and <c>config</c>.</summary>
    private (List<(string Name, int[] Shape, float[] Data)> Tensors, Dictionary<string, string> Meta) Collect()
    {
        var tensors = new List<(string Name, int[] Shape, float[] Data)>();
        var meta = new Dictionary<string, string>();
        CollectCheckpoint(tensors, meta);
        AddCheckpointMetadata(meta);
        meta["iteration"] = Iteration.ToString(CultureInfo.InvariantCulture);
        // The run's length as it was asked for (a --iterations override is not in the config text): resume continues to it.
        meta[CheckpointReader.TotalIterationsKey] = TotalIterations.ToString(CultureInfo.InvariantCulture);
        meta["config"] = ConfigText;
        return (tensors, meta);
    }

    /// <summary>The first non-finite cell of a log row, with its column name.</summary>
    private (string Name, float Value) FirstNonFinite(IReadOnlyList<float?> row)
    {
        var names = log.Header.Split(',');
        for (int i = 0; i < row.Count; i++)
            if (row[i] is float f && !float.IsFinite(f)) return (i + 1 < names.Length ? names[i + 1] : $"column {i + 1}", f);
        return ("(unknown)", float.NaN);
    }

    /// <summary>After a non-finite loss at iteration <paramref name="iteration"/>: reloads the last checkpoint written
    /// or resumed from (or the state at the start of the run), drops the log rows past it, redraws the loss plot and
    /// returns the exception to throw. Nothing is checkpointed.</summary>
    private Exception RollBack(long iteration, string loss, float value, Exception? cause)
    {
        string? to = LastCheckpoint;
        try
        {
            if (to != null)
                LoadCheckpoint(new CheckpointReader(Safetensors.Read(to), to, CheckpointKind.Format, CheckpointKind.Kind));
            else if (startSnapshot is { } snap)
            {
                var file = new SafetensorsFile
                {
                    Tensors = snap.Tensors.ToDictionary(t => t.Name, t => new SafetensorsEntry { Name = t.Name, DType = "F32", Shape = t.Shape, Data = t.Data }),
                    Metadata = snap.Meta,
                };
                startSnapshot = null;
                LoadCheckpoint(new CheckpointReader(file, $"{OutDir} (state at the start of the run)", CheckpointKind.Format, CheckpointKind.Kind));
                LastCheckpoint = null;
            }
            else throw new InvalidOperationException("no checkpoint and no start-of-run state to go back to");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            poisoned = true;
            return new InvalidOperationException($"training diverged at iteration {iteration}: loss {loss} is {TrainingLog.Format(value)}, and rolling back to " +
                $"{to ?? "the start of the run"} failed: {e.Message}. No checkpoint of the diverged state was written; resume from the last checkpoint.", e);
        }
        log.Reopen(Iteration);
        WriteLossPlot();
        return new TrainingDivergedException(loss, value, iteration, to, Iteration, OutDir, cause);
    }

    /// <summary>Redraws <c>loss.png</c> from <c>log.csv</c>: the columns <see cref="PlotsColumn"/> picks that hold values.</summary>
    public void WriteLossPlot()
    {
        log.Flush();
        if (!File.Exists(CsvPath)) return;
        var columns = LossPlot.ReadCsv(CsvPath);
        var series = columns
            .Where(s => s.Values.Count > 0 && PlotsColumn(s.Name) && !ValidationColumns.Contains(s.Name))
            .Select(s => (s.Name, (IReadOnlyList<double>)s.Iterations, (IReadOnlyList<double>)s.Values))
            .ToList();
        if (ValidationColumns.Count == 0)
        {
            LossPlot.Save(series, LossPlotPath, PlotTitle);
            return;
        }
        var present = ValidationColumns.Select((name, i) => (Column: columns.FirstOrDefault(c => c.Name == name), Index: i))
            .Where(c => c.Column.Name != null)
            .ToList();
        var validation = present.Select(c => (c.Column.Name, (IReadOnlyList<double>)c.Column.Iterations, (IReadOnlyList<double>)c.Column.Values)).ToList();
        LossPlot.SaveWithValidation(series, validation, LossPlotPath, PlotTitle, leftAxisSeries: Math.Max(1, present.Count(c => c.Index < ValidationLeftAxisColumns)));
    }

    /// <summary><c>log.csv</c> columns drawn in a validation panel under the losses (the first
    /// <see cref="ValidationLeftAxisColumns"/> on the left axis, the rest on the right), not with the losses; none by default.</summary>
    protected virtual IReadOnlyList<string> ValidationColumns => Array.Empty<string>();

    /// <summary>How many of <see cref="ValidationColumns"/>, from the first, go on the validation panel's left axis.</summary>
    protected virtual int ValidationLeftAxisColumns => 1;

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

    /// <summary>Frees what the derived trainer holds (called once, from <see cref="Dispose()"/>).</summary>
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
