namespace NativeGan.Distributed;

/// <summary>A collective or the library behind it failed: a rank went away, a library is missing, or the ranks
/// disagree. The message names this rank and what was being done.</summary>
public sealed class DistributedException : Exception
{
    public DistributedException(string message) : base(message) { }
    public DistributedException(string message, Exception inner) : base(message, inner) { }
}
