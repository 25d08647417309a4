using System.Diagnostics;
using NativeGan.Benchmarks.Harness;

namespace NativeGan.Benchmarks.Compare;

/// <summary>
/// Runs the PyTorch side of `compare`: tools/torch_gpu_baseline.py (the same workloads, shapes and arithmetic) in
/// a Python that has torch. Debian's python3-torch installs into the system Python, so /usr/bin/python3 is tried
/// before whatever `python3` is first on PATH. Only this benchmark uses Python, never the product.
/// PyTorch runs with <see cref="UnsetVariables"/> removed from its environment: hosts that set them for old OpenBLAS
/// builds slow a current one to about 60% of its speed, and the baseline must be PyTorch at its best.
/// </summary>
internal static class TorchTwin
{
    /// <summary>OpenBLAS tuning variables removed from PyTorch's environment.</summary>
    public static readonly string[] UnsetVariables = { "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE" };

    // Which BLAS library the process mapped after a matmul (Debian's torch links libblas.so.3, which the alternatives
    // system points at OpenBLAS, BLIS or the reference BLAS), and what torch was built with (pip wheels carry MKL).
    private const string BlasProbe = """
        import os, torch
        a = torch.ones(64, 64); float((a @ a).sum())
        libs = set()
        for line in open('/proc/self/maps'):
            path = line.split()[-1] if '/' in line else ''
            name = os.path.basename(path).lower()
            if 'blas' in name or 'mkl' in name or 'blis' in name:
                libs.add(os.path.realpath(path))
        info = [l.strip() for l in torch.__config__.show().splitlines() if 'BLAS_INFO' in l]
        print('torch-config:' + ';'.join(info))
        for l in sorted(libs): print('lib:' + l)
        """;

    /// <summary>The BLAS behind PyTorch's CPU matmul: a name and the library files, or an error when it is the
    /// reference BLAS (6 GFLOP/s for a 1024 SGEMM, which would make every ratio a flattering fiction).</summary>
    public static (string? Blas, string Detail) ProbeBlas(string python)
    {
        var (code, output) = Run(python, new[] { "-c", BlasProbe }, TimeSpan.FromSeconds(120));
        if (code != 0) return (null, $"could not ask {python} which BLAS torch uses (exit {code}): {output.Trim()}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var libs = lines.Where(l => l.StartsWith("lib:")).Select(l => l[4..]).ToList();
        string config = lines.FirstOrDefault(l => l.StartsWith("torch-config:"))?["torch-config:".Length..] ?? "";
        string detail = libs.Count > 0 ? string.Join(", ", libs) : config.Length > 0 ? config : "no BLAS library mapped";
        string? name = Classify(libs, config);
        return (name, detail);
    }

    /// <summary>"OpenBLAS", "MKL", "BLIS", "reference BLAS" (refused by the caller) or null when nothing says.</summary>
    public static string? Classify(IReadOnlyList<string> libraries, string torchConfig)
    {
        foreach (var lib in libraries)
        {
            string l = lib.ToLowerInvariant();
            if (l.Contains("openblas")) return "OpenBLAS";
            if (l.Contains("mkl")) return "MKL";
            if (l.Contains("blis")) return "BLIS";
        }
        // Debian's netlib reference implementation lives in .../blas/libblas.so.3.
        if (libraries.Any(l => l.Contains("/blas/", StringComparison.Ordinal))) return "reference BLAS";
        if (torchConfig.Contains("mkl", StringComparison.OrdinalIgnoreCase)) return "MKL";
        if (torchConfig.Contains("open", StringComparison.OrdinalIgnoreCase)) return "OpenBLAS";
        return null;
    }

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
        foreach (var name in UnsetVariables) psi.Environment.Remove(name);
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
