namespace NativeGan.Kernels.Random;

/// <summary>
/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"), the counter-based generator
/// cuRAND and PyTorch use. Pure integer arithmetic, so CPU and GPU produce identical bits for the same
/// (key, counter). Element i of a draw uses counter (offset + i).
/// </summary>
public static class Philox
{
    private const uint M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
    private const uint W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;

    public static void Generate(ulong seed, ulong counter, out uint r0, out uint r1, out uint r2, out uint r3) =>
        Generate((uint)seed, (uint)(seed >> 32), (uint)counter, (uint)(counter >> 32), 0u, 0u, out r0, out r1, out r2, out r3);

    /// <summary>The full Philox4x32-10 block function: key (k0, k1), counter (c0..c3).</summary>
    public static void Generate(uint k0, uint k1, uint c0, uint c1, uint c2, uint c3, out uint r0, out uint r1, out uint r2, out uint r3)
    {
        // Ten rounds, written out because ILGPU does not unroll loops.
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1); k0 += W0; k1 += W1;
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1); k0 += W0; k1 += W1;
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1); k0 += W0; k1 += W1;
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1); k0 += W0; k1 += W1;
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1); k0 += W0; k1 += W1;
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1); k0 += W0; k1 += W1;
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1); k0 += W0; k1 += W1;
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1); k0 += W0; k1 += W1;
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1); k0 += W0; k1 += W1;
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1);
        r0 = c0; r1 = c1; r2 = c2; r3 = c3;
    }

    private static void Round(ref uint c0, ref uint c1, ref uint c2, ref uint c3, uint k0, uint k1)
    {
        ulong p0 = (ulong)M0 * c0;
        ulong p1 = (ulong)M1 * c2;
        uint hi0 = (uint)(p0 >> 32), lo0 = (uint)p0;
        uint hi1 = (uint)(p1 >> 32), lo1 = (uint)p1;
        uint n0 = hi1 ^ c1 ^ k0;
        uint n1 = lo1;
        uint n2 = hi0 ^ c3 ^ k1;
        uint n3 = lo0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
    }

    /// <summary>Uniform in [0, 1) with 24 bits of precision: exactly representable, so bit-identical everywhere.</summary>
    public static float Uniform(ulong seed, ulong counter)
    {
        Generate(seed, counter, out uint r0, out _, out _, out _);
        // Converted from int: ILGPU converts a uint to float through a double.
        return (int)(r0 >> 8) * (1f / 16777216f);
    }

    /// <summary>
    /// Standard normal by Box-Muller on two uniforms of the same counter, sqrt(-2 ln u1) cos(2 pi u2), in float
    /// (double runs at a small fraction of float speed on consumer GPUs). The cosine takes 2 u2 exactly, so the
    /// only roundings are those of KernelMath.Log, KernelMath.CosPi, the square root and the product.
    /// </summary>
    public static float Normal(ulong seed, ulong counter)
    {
        Generate(seed, counter, out uint r0, out uint r1, out _, out _);
        return BoxMuller(r0, r1);
    }

    /// <summary>The normal draw of two Philox outputs: u1 = ((r0 &gt;&gt; 8) + 1) / 2^24, u2 = (r1 &gt;&gt; 8) / 2^24.</summary>
    public static float BoxMuller(uint r0, uint r1)
    {
        float u1 = ((int)(r0 >> 8) + 1) * (1f / 16777216f);   // (0, 1]: log is finite
        float twoU2 = (int)(r1 >> 8) * (1f / 8388608f);        // 2 u2 in [0, 2), exact
        return MathF.Sqrt(-2f * KernelMath.Log(u1)) * KernelMath.CosPi(twoU2);
    }
}
