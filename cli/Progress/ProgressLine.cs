using System.Globalization;
using NativeGan.Models.Training;

namespace NativeGan.Cli.Progress;

/// <summary>The text of a training progress line, the same on a terminal's live line and in a log.</summary>
public static class ProgressLine
{
    /// <summary>"iter  120/1000  3.21 it/s  d_loss 0.6931  g_loss 0.6931  ETA 04:34".</summary>
    public static string Format(TrainProgress p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var c = CultureInfo.InvariantCulture;
        string losses = string.Concat(p.Losses.Select(l => $"  {l.Name} {Value(l.Value)}"));
        int digits = p.Total.ToString(c).Length;
        return string.Create(c, $"iter {p.Iteration.ToString(c).PadLeft(digits)}/{p.Total}  {p.ItersPerSecond:0.00} it/s{losses}  ETA {Duration(p.Eta)}");
    }

    /// <summary>A loss or metric as the progress line and the summary print it ("-" when the iteration had none).</summary>
    public static string Value(double? v) => v is double d ? d.ToString("0.0000", CultureInfo.InvariantCulture) : "-";

    /// <summary>mm:ss below an hour, else h:mm:ss.</summary>
    public static string Duration(TimeSpan t)
    {
        if (t < TimeSpan.Zero) t = TimeSpan.Zero;
        return t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"mm\:ss", CultureInfo.InvariantCulture);
    }
}
