namespace NativeGan.Models.Sr.Data;

/// <summary>A low-quality / ground-truth image pair, CHW floats in [0, 1] (RGB for 3 channels), with the
/// GT exactly <c>scale</c> times the LQ in each dimension. <see cref="Name"/> is the GT file it came from.</summary>
public sealed record SrImagePair(float[] Lq, int LqHeight, int LqWidth, float[] Gt, int GtHeight, int GtWidth, int Channels, string Name)
{
    public int Scale => GtHeight / LqHeight;
}

/// <summary>
/// The random numbers of the SR data pipeline: SplitMix64 (Steele et al.), a 64-bit state that a sample's
/// crop and augmentation draw from. The loader seeds one per sample from (seed, epoch, slot), so a batch
/// does not depend on which thread assembled it or on what was read before it.
/// </summary>
public struct SrRandom
{
    private ulong state;

    public SrRandom(ulong seed) => state = seed;

    /// <summary>A generator for one sample: independent streams for different (seed, epoch, slot).</summary>
    public static SrRandom ForSample(ulong seed, int epoch, long slot) =>
        new(Mix(seed ^ Mix(0xA0761D6478BD642FUL + (ulong)(uint)epoch * 0xE7037ED1A0B428DBUL) ^ Mix(0x8EBC6AF09C88C6E3UL + (ulong)slot)));

    public ulong NextUInt64()
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits (as Python's random.random()).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [min, max], both inclusive (as Python's random.randint); unbiased.</summary>
    public int NextInt(int min, int max)
    {
        if (max < min) throw new ArgumentException($"SrRandom.NextInt: max {max} < min {min}.");
        ulong n = (ulong)((long)max - min + 1);
        while (true)
        {
            ulong x = NextUInt64();
            UInt128 m = (UInt128)x * n;
            ulong low = (ulong)m;
            if (low >= n || low >= (0UL - n) % n) return (int)(min + (long)(ulong)(m >> 64));
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
