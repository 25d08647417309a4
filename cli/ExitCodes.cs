namespace NativeGan.Cli;

/// <summary>
/// The process exit codes of `nativegan`, the same for every verb (README.md and `nativegan --help` list them).
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>
    /// Bad input or usage, found before the work starts: unknown verb or option, a missing or malformed value, an input
    /// file or folder that does not exist or is not what the verb reads (a malformed config, a broken weights file).
    /// </summary>
    public const int BadArguments = 1;

    /// <summary>
    /// The input was fine but the work failed while running: no such device, out of memory, a file of a batch that could
    /// not be processed, a check that failed, training that diverged, an output that could not be written.
    /// </summary>
    public const int RuntimeFailure = 2;

    /// <summary>Stopped by Ctrl+C, SIGTERM or SIGHUP (128 + SIGINT, as shells report it); a training wrote its checkpoint first.</summary>
    public const int Interrupted = 130;

    /// <summary>The lines `nativegan --help` and README.md print.</summary>
    public const string Summary = "exit codes: 0 done, 1 bad input or usage, 2 failure while running, 130 interrupted";
}
