namespace NativeGan.Cli.Progress;

/// <summary>
/// When redirected output (a log file, nohup, CI) gets its next progress line: at least every <see cref="Interval"/>,
/// whatever the config's log_every says, so a slow run never looks hung. The clock is a <see cref="TimeProvider"/>
/// so the cadence is tested with a clock the test moves.
/// </summary>
public sealed class ProgressCadence
{
    /// <summary>The longest redirected output stays silent while work goes on.</summary>
    public static readonly TimeSpan RedirectedInterval = TimeSpan.FromSeconds(10);

    private readonly TimeProvider clock;
    private long lastPrint;

    public ProgressCadence(TimeProvider clock, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), interval, "ProgressCadence: the interval must be positive.");
        this.clock = clock;
        Interval = interval;
        lastPrint = clock.GetTimestamp();
    }

    public TimeSpan Interval { get; }

    /// <summary>Time since the last line (or since the cadence started).</summary>
    public TimeSpan SinceLastLine => clock.GetElapsedTime(lastPrint);

    /// <summary>Whether a line is owed: <see cref="Interval"/> has passed since the last one.</summary>
    public bool Due => SinceLastLine >= Interval;

    /// <summary>Records that a line was just written.</summary>
    public void LineWritten() => lastPrint = clock.GetTimestamp();
}
