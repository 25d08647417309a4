using System.Globalization;
using System.Text.Json;
using NativeGan.Benchmarks.Harness;

namespace NativeGan.Benchmarks.Compare;

/// <summary>One compared workload's outcome.</summary>
internal sealed record CompareRow(string Name, string Description, string Status, string Check, double OursUs, double? TorchUs, double? Ratio,
    string Goal, bool? MeetsGoal);

/// <summary>
/// `compare [--device cpu|cuda] [--json FILE] [--png FILE] [--workloads A,B] [--trials N] [--no-torch]`: runs the
/// device's workloads (CPU or GPU list of CompareWorkloads), each first checked against its reference (the harness
/// cases), then timed after warm-up (median of the trials); then the same workloads in PyTorch in the same run, and
/// prints ours, PyTorch's, the ratio (PyTorch time / ours: above 1 we are faster) and the goal. Exit codes: 0 all
/// checks passed, 1 bad arguments, 2 a check failed or the device could not be opened.
/// </summary>
internal static class CompareCommand
{
    public const string Usage = """
        usage: dotnet run --project benchmarks -c Release -- compare [options]
          --device cpu|cuda   which workloads: the CPU or the GPU list (default cpu)
          --json FILE         write the rows (ours, PyTorch, ratio, goal) as JSON
          --png FILE          write a bar chart of the ratios (PyTorch time / ours) per workload
          --workloads A,B     only workloads whose name contains A or B
          --trials N          timed trials per workload, the median is reported (default 3)
          --no-torch          skip the PyTorch side
        """;

    public static int Run(string[] args)
    {
        string deviceSpec = "cpu";
        string? json = null, png = null;
        string[] filters = Array.Empty<string>();
        int trials = 3;
        bool torch = true;
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length && !args[i + 1].StartsWith("--") ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value.");
                switch (args[i])
                {
                    case "--device": deviceSpec = Value(); break;
                    case "--json": json = Value(); break;
                    case "--png": png = Value(); break;
                    case "--workloads": filters = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                    case "--trials":
                        string t = Value();
                        if (!int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out trials) || trials < 1)
                            throw new ArgumentException($"option --trials expects a positive integer, got '{t}'.");
                        break;
                    case "--no-torch": torch = false; break;
                    case "--help" or "-h": Console.WriteLine(Usage); return 0;
                    default: throw new ArgumentException($"unknown option '{args[i]}'.");
                }
            }
            if (deviceSpec is not ("cpu" or "cuda") && !deviceSpec.StartsWith("cuda:"))
                throw new ArgumentException($"--device expects cpu or cuda, got '{deviceSpec}'.");
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 1;
        }
        try
        {
            return Run(deviceSpec, json, png, filters, trials, torch, Console.Out);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    public static int Run(string deviceSpec, string? jsonPath, string? pngPath, string[] filters, int trials, bool torch, TextWriter w)
    {
        var device = Device.Parse(deviceSpec);
        bool cuda = device.Kind == DeviceKind.Cuda;
        if (!cuda && device.Kind != DeviceKind.Cpu) throw new ArgumentException($"compare runs on cpu or cuda, not {device}.");
        var workloads = (cuda ? CompareWorkloads.Cuda : CompareWorkloads.Cpu)
            .Where(x => filters.Length == 0 || filters.Any(f => x.Name.Contains(f, StringComparison.OrdinalIgnoreCase))).ToList();
        if (workloads.Count == 0) throw new ArgumentException($"no workload matches --workloads {string.Join(",", filters)}.");

        w.WriteLine($"NativeGan compare, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {(cuda ? "GPU" : "CPU")} workloads");
        w.WriteLine($"device: {device} - {device.Name}{(cuda ? "" : $" - {KernelHarness.HostCpuModel()}")}");
        if (File.Exists("/proc/loadavg"))
            w.WriteLine($"host load average (1/5/15 min): {string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3))} on {Environment.ProcessorCount} cores");

        var timer = DeviceTimer.For(device);
        var options = new HarnessOptions { Trials = trials };
        var ours = new List<(CompareWorkload W, CaseResult R)>();
        foreach (var wl in workloads)
        {
            var c = wl.Make();
            CaseResult r;
            using (c.RecordsGraph ? null : Tensor.NoGrad()) r = KernelHarness.RunCase(c, device, timer, options);
            ours.Add((wl, r));
            w.WriteLine($"  {wl.Name}: {(r.Status == CaseStatus.Ok ? $"{r.UsPerCall / 1000:0.###} ms ({r.Note}{(r.Note.Length > 0 ? "; " : "")}check {Check(r)})" : $"{r.Status.ToString().ToLowerInvariant()}: {r.Note}")}");
        }

        IReadOnlyDictionary<string, double> torchUs = new Dictionary<string, double>();
        string torchNote;
        if (!torch) torchNote = "PyTorch side skipped (--no-torch)";
        else if (TorchTwin.FindScript() is not { } script) torchNote = "PyTorch side skipped: tools/torch_gpu_baseline.py not found above the working folder";
        else
        {
            var (python, why) = TorchTwin.FindPython(cuda);
            if (python == null) torchNote = $"PyTorch side skipped: {why}";
            else
            {
                torchUs = TorchTwin.Measure(python, script, ours.Where(o => o.R.Status == CaseStatus.Ok).Select(o => o.W.Name), cuda,
                    cuda ? 0 : Environment.ProcessorCount, w);
                torchNote = $"PyTorch: {why}, {(cuda ? "CUDA, TF32 off, cudnn.benchmark on" : $"CPU, {Environment.ProcessorCount} threads")}, timed in this run";
            }
        }
        w.WriteLine(torchNote);
        w.WriteLine();

        var rows = ours.Select(o =>
        {
            double? t = torchUs.TryGetValue(o.W.Name, out double us) ? us : null;
            double? ratio = t is double tu && o.R.Status == CaseStatus.Ok ? tu / o.R.UsPerCall : null;
            return new CompareRow(o.W.Name, o.W.Description, o.R.Status.ToString().ToLowerInvariant(), o.R.Status == CaseStatus.Ok ? Check(o.R) : o.R.Note,
                o.R.UsPerCall, t, ratio, o.W.Goal, ratio is double r ? r >= o.W.MinRatio : null);
        }).ToList();
        PrintTable(w, rows);
        if (jsonPath != null)
        {
            var doc = new { device = device.ToString(), deviceName = device.Name, measuredUtc = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), torch = torchNote, rows };
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            w.WriteLine($"wrote {jsonPath}");
        }
        if (pngPath != null)
        {
            if (rows.Any(r => r.Ratio != null))
            {
                ComparePlot.Save(rows, pngPath, $"NativeGan vs PyTorch, {device} ({DateTime.UtcNow:yyyy-MM-dd})");
                w.WriteLine($"wrote {pngPath}");
            }
            else w.WriteLine($"no PNG: no ratio was measured ({torchNote}).");
        }
        return ours.Any(o => o.R.Status == CaseStatus.Failed) ? 2 : 0;
    }

    private static string Check(CaseResult r) => r.Status == CaseStatus.Ok ? (double.IsFinite(r.MaxError) && r.MaxError > 0 ? $"ok, max err {r.MaxError:0.#e+0}" : "ok") : r.Note;

    private static void PrintTable(TextWriter w, IReadOnlyList<CompareRow> rows)
    {
        string Ms(double? us) => us is double u && double.IsFinite(u) ? (u / 1000).ToString(u >= 1e5 ? "0" : "0.###", CultureInfo.InvariantCulture) : "-";
        var table = rows.Select(r => new[]
        {
            r.Name, Ms(r.Status == "ok" ? r.OursUs : null), Ms(r.TorchUs),
            r.Ratio is double x ? x.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "n/a",
            r.Goal, r.MeetsGoal switch { true => "meets", false => "short", null => "-" }, r.Check,
        }).ToList();
        var header = new[] { "workload", "ours ms", "PyTorch ms", "PyTorch/ours", "goal", "", "check" };
        var widths = header.Select((h, i) => Math.Max(h.Length, table.Count == 0 ? 0 : table.Max(t => t[i].Length))).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
        w.WriteLine(Line(header));
        foreach (var t in table) w.WriteLine(Line(t));
    }
}
