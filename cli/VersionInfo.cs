using System.Runtime.InteropServices;

namespace NativeGan.Cli;

/// <summary>
/// `nativegan --version` (one line) and `nativegan version` (also the .NET runtime and the OS). CommandLineParser
/// reserves the word `version` for its built-in verb, so <see cref="CliApp"/> calls these rather than a [Verb] class.
/// </summary>
public static class VersionInfo
{
    public static int WriteVersion(TextWriter stdout)
    {
        stdout.WriteLine($"nativegan {CliApp.Version}");
        return ExitCodes.Ok;
    }

    public static int Write(TextWriter stdout)
    {
        WriteVersion(stdout);
        stdout.WriteLine($"runtime: {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})");
        stdout.WriteLine($"os: {RuntimeInformation.OSDescription}");
        return ExitCodes.Ok;
    }
}
