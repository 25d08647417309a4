using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NativeGan.Profiling;

/// <summary>One row of the profile table: a kernel issued by one op.</summary>
public sealed record KernelSummary(string Kernel, string Op, int Calls, double TotalUs, double Flops, double Bytes)
{
    public double GflopsPerSecond => Flops > 0 && TotalUs > 0 ? Flops / TotalUs / 1e3 : double.NaN;
    public double GBytesPerSecond => Bytes > 0 && TotalUs > 0 ? Bytes / TotalUs / 1e3 : double.NaN;
}

/// <summary>Tables and Chrome trace JSON built from the profiler's events.</summary>
public static class ProfileReport
{
    /// <summary>Kernel rows grouped by (kernel, op), largest total time first.</summary>
    public static List<KernelSummary> Summarize(IReadOnlyList<KernelEvent> events) =>
        events.GroupBy(e => (e.Kernel, e.Op))
            .Select(g => new KernelSummary(g.Key.Kernel, g.Key.Op, g.Count(), g.Sum(e => e.DurUs), g.Sum(e => e.Flops), g.Sum(e => e.Bytes)))
            .OrderByDescending(r => r.TotalUs).ThenBy(r => r.Kernel, StringComparer.Ordinal).ThenBy(r => r.Op, StringComparer.Ordinal).ToList();

    /// <summary>Aligned text table; <paramref name="stepWallUs"/> is the summed wall time of the profiled steps.</summary>
    public static string Table(IReadOnlyList<KernelEvent> events, double stepWallUs, int steps)
    {
        var rows = Summarize(events);
        var ci = CultureInfo.InvariantCulture;
        var cells = new List<string[]> { new[] { "kernel", "op", "calls", "total ms", "share", "GFLOP/s", "GB/s" } };
        foreach (var r in rows)
            cells.Add(new[]
            {
                r.Kernel, r.Op, r.Calls.ToString(ci), (r.TotalUs / 1e3).ToString("F3", ci),
                stepWallUs > 0 ? (100 * r.TotalUs / stepWallUs).ToString("F1", ci) + "%" : "-",
                double.IsNaN(r.GflopsPerSecond) ? "-" : r.GflopsPerSecond.ToString("F2", ci),
                double.IsNaN(r.GBytesPerSecond) ? "-" : r.GBytesPerSecond.ToString("F2", ci),
            });
        int[] width = new int[cells[0].Length];
        foreach (var c in cells) for (int i = 0; i < c.Length; i++) width[i] = Math.Max(width[i], c[i].Length);
        var sb = new StringBuilder();
        foreach (var c in cells)
        {
            for (int i = 0; i < c.Length; i++)
            {
                if (i > 0) sb.Append("  ");
                sb.Append(i < 2 ? c[i].PadRight(width[i]) : c[i].PadLeft(width[i]));
            }
            sb.AppendLine();
        }
        double kernelUs = events.Sum(e => e.DurUs);
        int s = Math.Max(steps, 1);
        sb.AppendLine(ci, $"step time: {stepWallUs / 1e3 / s:F3} ms ({steps} steps), kernels {kernelUs / 1e3 / s:F3} ms/step, " +
            $"idle between kernels (host overhead) {(stepWallUs - kernelUs) / 1e3 / s:F3} ms/step " +
            $"({(stepWallUs > 0 ? 100 * (stepWallUs - kernelUs) / stepWallUs : 0):F1}%), {events.Count / (double)s:F0} launches/step");
        return sb.ToString();
    }

    /// <summary>Chrome trace event format: one complete ("X") event per kernel (cat "kernel", tid 1) and per phase
    /// (cat "phase", tid 0); timestamps in microseconds.</summary>
    public static void WriteTrace(Stream stream, IReadOnlyList<KernelEvent> kernels, IReadOnlyList<PhaseEvent> phases)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        w.WriteStartObject();
        w.WriteStartArray("traceEvents");
        foreach (var p in phases)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteString("cat", "phase");
            w.WriteString("ph", "X");
            w.WriteNumber("ts", p.StartUs);
            w.WriteNumber("dur", p.DurUs);
            w.WriteNumber("pid", 1);
            w.WriteNumber("tid", 0);
            w.WriteStartObject("args");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        foreach (var k in kernels)
        {
            w.WriteStartObject();
            w.WriteString("name", k.Kernel);
            w.WriteString("cat", "kernel");
            w.WriteString("ph", "X");
            w.WriteNumber("ts", k.StartUs);
            w.WriteNumber("dur", k.DurUs);
            w.WriteNumber("pid", 1);
            w.WriteNumber("tid", 1);
            w.WriteStartObject("args");
            w.WriteString("op", k.Op);
            if (k.Flops > 0) w.WriteNumber("flops", k.Flops);
            if (k.Bytes > 0) w.WriteNumber("bytes", k.Bytes);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("displayTimeUnit", "ms");
        w.WriteEndObject();
    }
}
