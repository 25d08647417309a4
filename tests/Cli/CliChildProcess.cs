using System.Diagnostics;
using System.Runtime.InteropServices;

namespace NativeGan.Tests.Cli;

/// <summary>
/// The built `nativegan` (cli/bin/&lt;configuration&gt;/net10.0/nativegan) run as a real child process, its output
/// collected line by line, for what only another process shows: OS file locks, signals, exit codes.
/// </summary>
internal sealed partial class CliChildProcess : IDisposable
{
    private readonly Process process;
    private readonly List<string> lines = new();

    private CliChildProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (lines) { lines.Add(e.Data); Monitor.PulseAll(lines); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (lines) { lines.Add(e.Data); Monitor.PulseAll(lines); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The CLI the test project's build made next to it (same configuration).</summary>
    public static string Executable
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string configuration = dir.Parent!.Name; // tests/bin/<configuration>/net10.0
            var root = dir;
            while (root != null && !File.Exists(Path.Combine(root.FullName, "NativeGan.sln"))) root = root.Parent;
            if (root == null) throw new InvalidOperationException($"no NativeGan.sln above {AppContext.BaseDirectory}");
            string exe = Path.Combine(root.FullName, "cli", "bin", configuration, "net10.0", OperatingSystem.IsWindows() ? "nativegan.exe" : "nativegan");
            if (!File.Exists(exe)) throw new FileNotFoundException($"{exe} is missing; build the CLI (dotnet build tests/NativeGan.Tests.csproj builds it).");
            return exe;
        }
    }

    /// <summary>Starts `nativegan args` with signals at their default actions (GNU env's --default-signal), so a
    /// test host started under nohup or in a background job still hands SIGHUP and SIGINT to the child.</summary>
    public static CliChildProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (OperatingSystem.IsLinux())
        {
            info.FileName = "/usr/bin/env";
            info.ArgumentList.Add("--default-signal=HUP,INT,TERM");
            info.ArgumentList.Add(Executable);
        }
        else info.FileName = Executable;
        foreach (var a in args) info.ArgumentList.Add(a);
        return new CliChildProcess(Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}"));
    }

    /// <summary>The process id (env execs the CLI, so it is the CLI's).</summary>
    public int Id => process.Id;

    public string Output
    {
        get { lock (lines) return string.Join('\n', lines); }
    }

    /// <summary>Waits for an output line that matches; fails with the output so far when none comes in time or the process ends.</summary>
    public string WaitForLine(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (lines)
        {
            for (int seen = 0; ; )
            {
                for (; seen < lines.Count; seen++)
                    if (match(lines[seen])) return lines[seen];
                if (process.HasExited && process.WaitForExit(1000) && seen == lines.Count)
                    throw new InvalidOperationException($"nativegan exited ({process.ExitCode}) before the awaited line:\n{string.Join('\n', lines)}");
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) throw new TimeoutException($"no awaited line within {timeout}:\n{string.Join('\n', lines)}");
                Monitor.Wait(lines, left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
            }
        }
    }

    /// <summary>Sends a POSIX signal (SIGTERM 15, SIGHUP 1, SIGINT 2).</summary>
    public void Signal(int signal)
    {
        if (SysKill(process.Id, signal) != 0) throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Waits for the exit and returns the exit code (all output read).</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout)) throw new TimeoutException($"nativegan still running after {timeout}:\n{Output}");
        process.WaitForExit(); // drains the redirected streams
        return process.ExitCode;
    }

    /// <summary>SIGKILL: the process gets no chance to clean up.</summary>
    public void KillHard()
    {
        process.Kill();
        process.WaitForExit();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);

    public void Dispose()
    {
        try { if (!process.HasExited) KillHard(); } catch (InvalidOperationException) { }
        process.Dispose();
    }
}
