namespace NativeGan.Cli;

/// <summary>The process exit codes of `nativegan`, the same for every verb.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Unknown verb, unknown option, missing or malformed argument.</summary>
    public const int BadArguments = 1;
    /// <summary>The arguments were fine but the work failed (no such device, bad file, out of memory, ...).</summary>
    public const int RuntimeFailure = 2;
    /// <summary>Stopped by Ctrl+C, SIGTERM or SIGHUP (128 + SIGINT, as shells report it); a training wrote its checkpoint first.</summary>
    public const int Interrupted = 130;
}
