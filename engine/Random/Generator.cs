namespace NativeGan;

/// <summary>
/// A counter-based random stream: a seed and a position. Each draw of n numbers uses counters
/// [Offset, Offset + n) and advances Offset by n, so a run is reproduced by restoring (Seed, Offset) and the
/// numbers do not depend on the device.
/// </summary>
public sealed class Generator
{
    private static Generator? defaultGenerator;

    public Generator(ulong seed = 0x5EEDUL)
    {
        Seed = seed;
    }

    public ulong Seed { get; private set; }
    public ulong Offset { get; set; }

    /// <summary>The process-wide generator used when none is passed.</summary>
    public static Generator Default => defaultGenerator ??= new Generator();

    public void ManualSeed(ulong seed)
    {
        Seed = seed;
        Offset = 0;
    }

    /// <summary>Reserves n counters and returns the first.</summary>
    public ulong Advance(int n)
    {
        ulong start = Offset;
        Offset += (ulong)n;
        return start;
    }

    public (ulong Seed, ulong Offset) GetState() => (Seed, Offset);

    public void SetState(ulong seed, ulong offset)
    {
        Seed = seed;
        Offset = offset;
    }
}
