using System.Diagnostics;

namespace NativeGan.Profiling.Kernels;

/// <summary>Runs one external program with an argument list, both streams read concurrently (no pipe deadlock) and a timeout.</summary>
internal static class ToolProcess
{
    public static ToolOutput Run(string program, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            CreateNoWindow = true,
        };
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        foreach (var a in arguments) info.ArgumentList.Add(a);

        using var process = new Process { StartInfo = info };
        process.Start();
        // Both pipes drained on their own tasks: a tool that fills one pipe while we block on the other cannot stall.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        bool exited = process.WaitForExit(timeout);
        if (!exited)
        {
            try { process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }   // exited between the wait and the kill
            process.WaitForExit();
        }
        else
        {
            process.WaitForExit();   // lets the asynchronous readers reach end of stream
        }
        string output = stdout.GetAwaiter().GetResult();
        string error = stderr.GetAwaiter().GetResult();
        return new ToolOutput(exited ? process.ExitCode : -1, output, error, TimedOut: !exited);
    }
}
