using System.Globalization;
using NativeGan.Models.Sr.Upscaling;

namespace NativeGan.Cli.Progress;

/// <summary>
/// The progress of <c>nativegan upscale</c> on redirected output: each image's result line as it finishes, the
/// upscaler's warnings as they come, and at least every <see cref="ProgressCadence.Interval"/> (10 s) a line saying
/// which image and tile is at work: after a tile when that much time has passed, and from <see cref="Heartbeat"/>
/// while one tile (or a whole image run in one piece) is still in the model. Thread-safe: the upscaler reports on its
/// thread, the heartbeat on a timer's.
/// </summary>
public sealed class UpscaleProgressPrinter : IDisposable
{
    private readonly TextWriter output;
    private readonly TimeProvider clock;
    private readonly ProgressCadence cadence;
    private readonly object gate = new();
    private readonly ITimer? timer;
    private string? input;
    private int imageIndex, imageCount;
    private string pass = "";
    private int tilesDone, tileCount;
    private long imageStarted, tileStarted;

    /// <param name="output">Where the lines go.</param>
    /// <param name="clock">The clock (<see cref="TimeProvider.System"/> in the CLI).</param>
    /// <param name="interval">The longest silence (default <see cref="ProgressCadence.RedirectedInterval"/>).</param>
    /// <param name="heartbeatTimer">Start a timer on <paramref name="clock"/> that calls <see cref="Heartbeat"/> (the CLI);
    /// tests call it themselves.</param>
    public UpscaleProgressPrinter(TextWriter output, TimeProvider clock, TimeSpan? interval = null, bool heartbeatTimer = false)
    {
        this.output = output ?? throw new ArgumentNullException(nameof(output));
        this.clock = clock ?? throw new ArgumentNullException(nameof(clock));
        cadence = new ProgressCadence(clock, interval ?? ProgressCadence.RedirectedInterval);
        if (heartbeatTimer)
        {
            var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 100, Math.Min(TimeSpan.TicksPerSecond, cadence.Interval.Ticks / 5)));
            timer = clock.CreateTimer(_ => Heartbeat(), null, period, period);
        }
    }

    /// <summary>Image <paramref name="index"/> (from 1) of <paramref name="count"/> starts.</summary>
    public void BeginImage(string path, int index, int count)
    {
        lock (gate)
        {
            input = path;
            (imageIndex, imageCount) = (index, count);
            (pass, tilesDone, tileCount) = ("", 0, 0);
            imageStarted = tileStarted = clock.GetTimestamp();
        }
    }

    /// <summary>The upscaler's report: a finished tile (a line when the interval has passed), or a warning (always a line).</summary>
    public void OnProgress(UpscaleProgress p)
    {
        ArgumentNullException.ThrowIfNull(p);
        lock (gate)
        {
            if (p.Kind != UpscaleEventKind.TileDone)
            {
                Write($"{input}: {p.Message}");
                return;
            }
            pass = p.Pass;
            (tilesDone, tileCount) = (p.Tile, p.TileCount);
            tileStarted = clock.GetTimestamp();
            if (cadence.Due)
                Write(string.Create(CultureInfo.InvariantCulture,
                    $"{input}: {p.Pass} tile {p.Tile}/{p.TileCount} done, {ProgressLine.Duration(clock.GetElapsedTime(imageStarted))} on this image{Of()}"));
        }
    }

    /// <summary>A line of the verb's own (an image done, an error): written at once, and it counts as progress.</summary>
    public void WriteLine(string line)
    {
        lock (gate) Write(line);
    }

    /// <summary>While the model runs: when the interval has passed with no line, says which image and tile is at work and for how long.</summary>
    public void Heartbeat()
    {
        lock (gate)
        {
            if (input == null || !cadence.Due) return;
            string tile = tileCount > 0 && tilesDone < tileCount
                ? string.Create(CultureInfo.InvariantCulture, $"{pass} tile {tilesDone + 1}/{tileCount}")
                : tilesDone == 0 ? "the first tile" : "the next pass";
            Write(string.Create(CultureInfo.InvariantCulture,
                $"{input}: {tile} running for {ProgressLine.Duration(clock.GetElapsedTime(tileStarted))}, " +
                $"{ProgressLine.Duration(clock.GetElapsedTime(imageStarted))} on this image{Of()}"));
        }
    }

    private string Of() => imageCount > 1 ? string.Create(CultureInfo.InvariantCulture, $" (image {imageIndex}/{imageCount})") : "";

    private void Write(string line)
    {
        output.WriteLine(line);
        output.Flush();
        cadence.LineWritten();
    }

    public void Dispose() => timer?.Dispose();
}
