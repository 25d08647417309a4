using System.Diagnostics;
using NativeGan.Cli;

namespace NativeGan.Tests.Cli;

/// <summary>Runs `nativegan` in process, as a user's shell would, capturing both streams; or as a real process.</summary>
public static class CliRun
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// Runs <paramref name="fileName"/> as a process with <paramref name="args"/> (no shell), waits at most
    /// <paramref name="timeout"/>, and returns its exit code and both streams.
    /// </summary>
    public static (int Code, string Out, string Err) Process(string fileName, IEnumerable<string> args, TimeSpan timeout,
        string? workingDirectory = null, IDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        if (environment != null)
            foreach (var (k, v) in environment) info.Environment[k] = v;
        using var p = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', info.ArgumentList)} ran longer than {timeout}.");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The repository root (the folder holding NativeGan.sln) above the test binaries.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "NativeGan.sln"))) return d.FullName;
            throw new DirectoryNotFoundException($"no NativeGan.sln above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>The `dotnet` that runs these tests (DOTNET_HOST_PATH under `dotnet test`), else the one on the PATH; null if none.</summary>
    public static string? DotnetExecutable
    {
        get
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                string candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
                if (File.Exists(candidate)) return candidate;
            }
            return null;
        }
    }
}
