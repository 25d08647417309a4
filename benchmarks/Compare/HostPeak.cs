using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NativeGan.Benchmarks.Compare;

/// <summary>
/// The host's float32 peak as this process can reach it: every core runs a loop of independent fused multiply-adds on
/// the widest vectors the JIT accelerates, with enough accumulators to hide the FMA latency (12 chains: latency 4 x 2
/// FMA pipes, plus slack). `compare` prints each row's GFLOP/s beside this figure, so a ratio against PyTorch can be
/// read against what the machine could do at all.
/// </summary>
internal static class HostPeak
{
    /// <summary>The vector path the CPU backend's hot loops take on this host (what the SGEMM micro-kernel picks).</summary>
    public static string VectorPath =>
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? "Vector512 (AVX-512F)"
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? "Vector256 (AVX2 + FMA)"
        : Vector128.IsHardwareAccelerated ? "Vector128" : "scalar";

    /// <summary>Vector width in bits of <see cref="VectorPath"/>.</summary>
    public static int VectorBits =>
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? 512 : Vector256.IsHardwareAccelerated && Fma.IsSupported ? 256 : 128;

    /// <summary>GFLOP/s of all cores together (an FMA counts 2 FLOPs per lane), best of three runs of about 0.2 s.</summary>
    public static double MeasureGflops(int threads)
    {
        double best = 0;
        for (int trial = 0; trial < 3; trial++)
        {
            const long iterations = 4_000_000;
            var watch = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() => Sink(Run(iterations))) { IsBackground = true }).ToList();
            foreach (var t in workers) t.Start();
            foreach (var t in workers) t.Join();
            double seconds = watch.Elapsed.TotalSeconds;
            double flops = threads * (double)iterations * 12 * 2 * (VectorBits / 32);
            best = Math.Max(best, flops / seconds / 1e9);
        }
        return best;
    }

    private static float sink;
    private static void Sink(float v) => sink += v;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Run(long iterations) => VectorBits switch
    {
        512 => Run512(iterations),
        256 => Run256(iterations),
        _ => Run128(iterations),
    };

    private static float Run512(long n)
    {
        var m = Vector512.Create(0.999999f);
        var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = m, c1 = m, c2 = m, c3 = m, c4 = m, c5 = m, c6 = m, c7 = m, c8 = m, c9 = m, c10 = m, c11 = m;
        for (long i = 0; i < n; i++)
        {
            c0 = Avx512F.FusedMultiplyAdd(c0, m, a); c1 = Avx512F.FusedMultiplyAdd(c1, m, a);
            c2 = Avx512F.FusedMultiplyAdd(c2, m, a); c3 = Avx512F.FusedMultiplyAdd(c3, m, a);
            c4 = Avx512F.FusedMultiplyAdd(c4, m, a); c5 = Avx512F.FusedMultiplyAdd(c5, m, a);
            c6 = Avx512F.FusedMultiplyAdd(c6, m, a); c7 = Avx512F.FusedMultiplyAdd(c7, m, a);
            c8 = Avx512F.FusedMultiplyAdd(c8, m, a); c9 = Avx512F.FusedMultiplyAdd(c9, m, a);
            c10 = Avx512F.FusedMultiplyAdd(c10, m, a); c11 = Avx512F.FusedMultiplyAdd(c11, m, a);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    private static float Run256(long n)
    {
        var m = Vector256.Create(0.999999f);
        var a = Vector256.Create(1e-7f);
        Vector256<float> c0 = m, c1 = m, c2 = m, c3 = m, c4 = m, c5 = m, c6 = m, c7 = m, c8 = m, c9 = m, c10 = m, c11 = m;
        for (long i = 0; i < n; i++)
        {
            c0 = Fma.MultiplyAdd(c0, m, a); c1 = Fma.MultiplyAdd(c1, m, a);
            c2 = Fma.MultiplyAdd(c2, m, a); c3 = Fma.MultiplyAdd(c3, m, a);
            c4 = Fma.MultiplyAdd(c4, m, a); c5 = Fma.MultiplyAdd(c5, m, a);
            c6 = Fma.MultiplyAdd(c6, m, a); c7 = Fma.MultiplyAdd(c7, m, a);
            c8 = Fma.MultiplyAdd(c8, m, a); c9 = Fma.MultiplyAdd(c9, m, a);
            c10 = Fma.MultiplyAdd(c10, m, a); c11 = Fma.MultiplyAdd(c11, m, a);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    // Without FMA a multiply and an add are two instructions for the same 2 FLOPs a lane.
    private static float Run128(long n)
    {
        var m = Vector128.Create(0.999999f);
        var a = Vector128.Create(1e-7f);
        Vector128<float> c0 = m, c1 = m, c2 = m, c3 = m, c4 = m, c5 = m, c6 = m, c7 = m, c8 = m, c9 = m, c10 = m, c11 = m;
        for (long i = 0; i < n; i++)
        {
            c0 = c0 * m + a; c1 = c1 * m + a; c2 = c2 * m + a; c3 = c3 * m + a;
            c4 = c4 * m + a; c5 = c5 * m + a; c6 = c6 * m + a; c7 = c7 * m + a;
            c8 = c8 * m + a; c9 = c9 * m + a; c10 = c10 * m + a; c11 = c11 * m + a;
        }
        return Vector128.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
