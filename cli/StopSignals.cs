using System.Runtime.InteropServices;

namespace NativeGan.Cli;

/// <summary>
/// Turns Ctrl+C (SIGINT), SIGTERM (a scheduler, <c>kill</c>, <c>docker stop</c>) and SIGHUP (a closed terminal or ssh
/// session) into a cancellation, so that a training stops after the current iteration and writes its checkpoint
/// instead of dying mid-run. The first signal cancels and keeps the process alive; a second one of the same kind
/// gets the signal's default action (the process ends at once).
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource cancel = new();
    private readonly List<PosixSignalRegistration> registrations = new();
    private volatile string? received;

    public StopSignals()
    {
        foreach (var (signal, name) in new[] { (PosixSignal.SIGINT, "Ctrl+C (SIGINT)"), (PosixSignal.SIGTERM, "SIGTERM"), (PosixSignal.SIGHUP, "SIGHUP") })
        {
            try
            {
                registrations.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    if (cancel.IsCancellationRequested) return; // a second signal ends the process
                    context.Cancel = true;
                    received = name;
                    cancel.Cancel();
                }));
            }
            catch (PlatformNotSupportedException)
            {
                // Not every signal exists everywhere (SIGHUP on some Windows hosts); the others still work.
            }
        }
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => cancel.Token;

    /// <summary>The signal that cancelled ("Ctrl+C (SIGINT)", "SIGTERM", "SIGHUP"), or null while none arrived.</summary>
    public string? Received => received;

    public void Dispose()
    {
        foreach (var r in registrations) r.Dispose();
        cancel.Dispose();
    }
}
