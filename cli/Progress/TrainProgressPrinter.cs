using System.Globalization;
using NativeGan.Models.Training;

namespace NativeGan.Cli.Progress;

/// <summary>
/// The progress of a training run on redirected output: a line every <c>log_every</c> iterations and at the last one,
/// as always, and besides at least every <see cref="ProgressCadence.Interval"/> (10 s): after an iteration when that
/// much time has passed, and from <see cref="Heartbeat"/> while one slow iteration is still running (the first steps
/// of a run on the CPU can take minutes). Thread-safe: the trainer reports on its thread, the heartbeat on a timer's.
/// </summary>
public sealed class TrainProgressPrinter : IDisposable
{
    private readonly TextWriter output;
    private readonly int logEvery;
    private readonly TimeProvider clock;
    private readonly ProgressCadence cadence;
    private readonly object gate = new();
    private readonly ITimer? timer;
    private long iteration, total;
    private long stepStarted;
    private TrainProgress? last;

    /// <param name="output">Where the lines go.</param>
    /// <param name="logEvery">The config's log_every (values below 1 count as 1).</param>
    /// <param name="startIteration">Iterations done before this run started (a resumed run).</param>
    /// <param name="totalIterations">The iteration the run stops at.</param>
    /// <param name="clock">The clock (<see cref="TimeProvider.System"/> in the CLI).</param>
    /// <param name="interval">The longest silence (default <see cref="ProgressCadence.RedirectedInterval"/>).</param>
    /// <param name="heartbeatTimer">Start a timer on <paramref name="clock"/> that calls <see cref="Heartbeat"/> every second
    /// (the CLI); tests call <see cref="Heartbeat"/> themselves.</param>
    public TrainProgressPrinter(TextWriter output, int logEvery, long startIteration, long totalIterations, TimeProvider clock,
        TimeSpan? interval = null, bool heartbeatTimer = false)
    {
        this.output = output ?? throw new ArgumentNullException(nameof(output));
        this.clock = clock ?? throw new ArgumentNullException(nameof(clock));
        this.logEvery = Math.Max(1, logEvery);
        iteration = startIteration;
        total = totalIterations;
        cadence = new ProgressCadence(clock, interval ?? ProgressCadence.RedirectedInterval);
        stepStarted = clock.GetTimestamp();
        if (heartbeatTimer)
        {
            var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 100, Math.Min(TimeSpan.TicksPerSecond, cadence.Interval.Ticks / 5)));
            timer = clock.CreateTimer(_ => Heartbeat(), null, period, period);
        }
    }

    /// <summary>The trainer's per-iteration callback: a line when the iteration is a multiple of log_every, the last one,
    /// or when the interval has passed since the last line.</summary>
    public void OnProgress(TrainProgress p)
    {
        ArgumentNullException.ThrowIfNull(p);
        lock (gate)
        {
            last = p;
            iteration = p.Iteration;
            total = p.Total;
            stepStarted = clock.GetTimestamp();
            if (p.Iteration % logEvery == 0 || p.Iteration == p.Total || cadence.Due) Write(ProgressLine.Format(p));
        }
    }

    /// <summary>A line for the user from the trainer (validation results, released weights): written as it comes.</summary>
    public void OnReport(string line)
    {
        lock (gate) output.WriteLine(line);
    }

    /// <summary>Called while an iteration runs: when the interval has passed with no progress line, repeats the last one
    /// and says which iteration is running and for how long.</summary>
    public void Heartbeat()
    {
        lock (gate)
        {
            if (!cadence.Due) return;
            // The last progress line again (its speed and losses), and how long the iteration after it has been running.
            var running = clock.GetElapsedTime(stepStarted);
            int digits = total.ToString(CultureInfo.InvariantCulture).Length;
            string line = last != null ? ProgressLine.Format(last)
                : string.Create(CultureInfo.InvariantCulture, $"iter {iteration.ToString(CultureInfo.InvariantCulture).PadLeft(digits)}/{total}");
            if (running >= TimeSpan.FromSeconds(1))
                line += string.Create(CultureInfo.InvariantCulture, $"  (iteration {iteration + 1} running for {ProgressLine.Duration(running)})");
            Write(line);
        }
    }

    private void Write(string line)
    {
        output.WriteLine(line);
        output.Flush();
        cadence.LineWritten();
    }

    public void Dispose() => timer?.Dispose();
}
