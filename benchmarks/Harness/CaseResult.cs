using System.Globalization;
using System.Text;

namespace NativeGan.Benchmarks.Harness;

internal enum CaseStatus { Ok, Skipped, Failed }

/// <summary>One row of the harness table.</summary>
internal sealed record CaseResult(string Name, string Shape, CaseStatus Status, string Note,
    double UsPerCall = double.NaN, double WallUsPerCall = double.NaN, double Bytes = 0, double Flops = 0,
    double MaxError = double.NaN, int Reps = 0, double? PyTorchUs = null)
{
    public double GBps => Bytes > 0 ? Bytes / (UsPerCall * 1e3) : double.NaN;
    public double GFlops => Flops > 0 ? Flops / (UsPerCall * 1e3) : double.NaN;
    /// <summary>PyTorch time / our time: above 1 means faster than PyTorch.</summary>
    public double VsPyTorch => PyTorchUs is double p ? p / UsPerCall : double.NaN;
}

/// <summary>Prints the results as an aligned table and writes them as CSV.</summary>
internal static class ResultTable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Print(TextWriter w, IReadOnlyList<CaseResult> results)
    {
        var rows = new List<string[]>
        {
            new[] { "case", "shape", "us/call", "wall us", "throughput", "PyTorch us", "vs PyTorch", "check" },
        };
        foreach (var r in results)
        {
            bool timed = r.Status == CaseStatus.Ok;
            rows.Add(new[]
            {
                r.Name,
                r.Shape,
                timed ? F(r.UsPerCall) : "-",
                timed ? F(r.WallUsPerCall) : "-",
                !timed ? "-" : r.Flops > 0 ? $"{G(r.GFlops)} GFLOP/s" : r.Bytes > 0 ? $"{G(r.GBps)} GB/s" : "-",
                r.PyTorchUs is double p ? F(p) : "n/a",
                timed && r.PyTorchUs != null ? r.VsPyTorch.ToString(r.VsPyTorch >= 0.01 ? "0.00" : "0.0E0", Inv) + "x" : "n/a",
                r.Status switch
                {
                    CaseStatus.Ok => $"ok (max err {r.MaxError.ToString("G2", Inv)})",
                    CaseStatus.Skipped => $"skipped: {r.Note}",
                    _ => $"FAILED: {r.Note}",
                },
            });
        }
        int cols = rows[0].Length;
        var widths = Enumerable.Range(0, cols - 1).Select(c => rows.Max(row => row[c].Length)).ToArray();
        foreach (var row in rows)
        {
            var sb = new StringBuilder();
            for (int c = 0; c < cols - 1; c++)
            {
                // Text columns left-aligned, numbers right-aligned.
                sb.Append(c < 2 ? row[c].PadRight(widths[c]) : row[c].PadLeft(widths[c]));
                sb.Append("  ");
            }
            sb.Append(row[^1]);
            w.WriteLine(sb.ToString().TrimEnd());
        }
    }

    private static string G(double v) => v.ToString(v >= 1 ? "0.0" : "0.000", Inv);
    private static string F(double us) => us.ToString(us >= 100 ? "0" : "0.0", Inv);

    public static void WriteCsv(string path, string device, IReadOnlyList<CaseResult> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine("case,shape,device,status,reps,us_per_call,wall_us_per_call,bytes,flops,gb_per_s,gflop_per_s,pytorch_us,vs_pytorch,max_error,note");
        foreach (var r in results)
        {
            sb.AppendLine(string.Join(",",
                r.Name, Quote(r.Shape), Quote(device), r.Status.ToString().ToLowerInvariant(), r.Reps.ToString(Inv),
                N(r.UsPerCall), N(r.WallUsPerCall), N(r.Bytes), N(r.Flops), N(r.GBps), N(r.GFlops),
                r.PyTorchUs is double p ? N(p) : "", N(r.VsPyTorch), N(r.MaxError), Quote(r.Note)));
        }
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        File.WriteAllText(path, sb.ToString());
    }

    private static string N(double v) => double.IsNaN(v) || double.IsInfinity(v) ? "" : v.ToString("G6", Inv);
    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
}
