using System.Diagnostics;
using NativeGan.Benchmarks.Harness;

namespace NativeGan.Benchmarks.Compare;

/// <summary>
/// Runs the PyTorch side of `compare`: tools/torch_gpu_baseline.py (the same workloads, shapes and arithmetic) in
/// a Python that has torch. Debian's python3-torch installs into the system Python, so /usr/bin/python3 is tried
/// before whatever `python3` is first on PATH. Only this benchmark uses Python, never the product.
/// </summary>
internal static class TorchTwin
{
    /// <summary>$NATIVEGAN_PYTHON, /usr/bin/python3, python3 — the first that imports torch (and, for CUDA, sees a GPU).</summary>
    public static (string? Python, string Why) FindPython(bool cuda)
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("NATIVEGAN_PYTHON") is { Length: > 0 } env) candidates.Add(env);
        candidates.Add("/usr/bin/python3");
        candidates.Add("python3");
        var tried = new List<string>();
        foreach (var python in candidates.Distinct())
        {
            string check = cuda ? "import torch; assert torch.cuda.is_available(); print(torch.__version__)" : "import torch; print(torch.__version__)";
            var (code, output) = Run(python, new[] { "-c", check }, TimeSpan.FromSeconds(120));
            if (code == 0) return (python, $"{python}: torch {output.Trim()}");
            tried.Add($"{python} ({(code == -1 ? "not found" : cuda ? "no torch with CUDA" : "no torch")})");
        }
        return (null, "no Python with torch" + (cuda ? " and a CUDA device" : "") + $": tried {string.Join(", ", tried)} " +
            "(on Debian: apt-get install python3-torch; or set NATIVEGAN_PYTHON)");
    }

    /// <summary>tools/torch_gpu_baseline.py, found from the working folder or the build output upwards.</summary>
    public static string? FindScript()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                string path = Path.Combine(dir.FullName, "tools", "torch_gpu_baseline.py");
                if (File.Exists(path)) return path;
            }
        }
        return null;
    }

    /// <summary>Times <paramref name="names"/> in PyTorch; returns microseconds per call by name.</summary>
    public static IReadOnlyDictionary<string, double> Measure(string python, string script, IEnumerable<string> names, bool cuda, int threads, TextWriter log)
    {
        string json = Path.Combine(Path.GetTempPath(), $"nativegan-compare-{Environment.ProcessId}.json");
        var args = new List<string> { script, "--cases", string.Join(",", names), "--out", json };
        if (!cuda) args.AddRange(new[] { "--cpu", "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        log.WriteLine($"PyTorch: {python} {string.Join(" ", args)}");
        try
        {
            var (code, output) = Run(python, args, TimeSpan.FromMinutes(30));
            if (code != 0)
                throw new InvalidOperationException($"the PyTorch side failed (exit {code}): {string.Join(" | ", output.Split('\n').TakeLast(5))}");
            return Baselines.Load(json);
        }
        finally
        {
            if (File.Exists(json)) File.Delete(json);
        }
    }

    private static (int Code, string Output) Run(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                p.Kill(entireProcessTree: true);
                return (-2, "timed out");
            }
            return (p.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, "");
        }
    }
}
