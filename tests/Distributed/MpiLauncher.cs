using System.Diagnostics;
using System.Text;

namespace NativeGan.Tests.Distributed;

/// <summary>Starts the MPI worker under Open MPI's mpirun on this machine, over shared memory and loopback only.</summary>
internal static class MpiLauncher
{
    public static string? Mpirun => FindOnPath("mpirun");

    /// <summary>Why the MPI tests cannot run here, or null.</summary>
    public static string? MissingReason()
    {
        if (!OperatingSystem.IsLinux()) return "the MPI tests run on Linux";
        if (Mpirun == null) return "mpirun is not installed (apt-get install openmpi-bin)";
        var d = NativeGan.Distributed.ProcessGroup.Describe();
        return d.MpiAvailable ? null : d.MpiError;
    }

    public static string WorkerDll => Path.Combine(AppContext.BaseDirectory, "NativeGan.MpiWorker.dll");

    public sealed record Result(int ExitCode, string Output, TimeSpan Elapsed);

    public static Result Run(int ranks, TimeSpan timeout, params string[] workerArgs)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var psi = new ProcessStartInfo(Mpirun!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--oversubscribe", "--allow-run-as-root", "-np", ranks.ToString(),
                     "--mca", "btl", "self,vader,tcp", "--mca", "btl_tcp_if_include", "lo", "--mca", "oob_tcp_if_include", "lo",
                     "--mca", "btl_vader_single_copy_mechanism", "none",
                     dotnet, WorkerDll })
            psi.ArgumentList.Add(a);
        foreach (var a in workerArgs) psi.ArgumentList.Add(a);
        // A test process may itself run under a launcher's environment; the job gets its own.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("OMPI_", StringComparison.Ordinal) || k.StartsWith("PMIX_", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(key);
        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"mpirun -np {ranks} {string.Join(' ', workerArgs)} did not finish within {timeout.TotalSeconds} s:\n{output}");
        }
        p.WaitForExit();
        lock (output) return new Result(p.ExitCode, output.ToString(), clock.Elapsed);
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
