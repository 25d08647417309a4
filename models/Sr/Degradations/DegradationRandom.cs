namespace NativeGan.Models.Sr.Degradations;

/// <summary>
/// The host random stream of the degradation pipeline: counter-based (SplitMix64 of seed + position), so the whole
/// state is (Seed, Position) and a resumed run continues exactly. Not System.Random.
/// </summary>
public sealed class DegradationRandom
{
    public DegradationRandom(ulong seed) { Seed = seed; }

    public ulong Seed { get; }
    public ulong Position { get; set; }

    public ulong NextULong()
    {
        ulong z = Seed * 0xD1B54A32D192ED03UL + (++Position) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double Uniform() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double lo, double hi) => lo + (hi - lo) * Uniform();

    /// <summary>Integer in [lo, hi] inclusive (Python's random.randint).</summary>
    public int RandInt(int lo, int hi) => lo + (int)(NextULong() % (ulong)(hi - lo + 1));

    /// <summary>An index drawn with the given weights (Python's random.choices(..., weights)[0]).</summary>
    public int Choice(double[] weights)
    {
        double total = 0;
        foreach (var w in weights) total += w;
        double u = Uniform() * total, acc = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            acc += weights[i];
            if (u < acc) return i;
        }
        return weights.Length - 1;
    }

    /// <summary>Standard normal (Box-Muller, one value per call).</summary>
    public double Normal()
    {
        double u1 = 1.0 - Uniform(), u2 = Uniform();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Poisson(lambda), exact: multiplication method below 10, Hörmann's PTRS above (as numpy).</summary>
    public double Poisson(double lam)
    {
        if (lam <= 0) return 0;
        if (lam < 10)
        {
            double l = Math.Exp(-lam), p = 1;
            int k = 0;
            do { k++; p *= Uniform(); } while (p > l);
            return k - 1;
        }
        double slam = Math.Sqrt(lam), loglam = Math.Log(lam);
        double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
        double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
        while (true)
        {
            double u = Uniform() - 0.5, v = Uniform();
            double us = 0.5 - Math.Abs(u);
            double k = Math.Floor((2 * a / us + b) * u + lam + 0.43);
            if (us >= 0.07 && v <= vr) return k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            if (Math.Log(v) + Math.Log(invalpha) - Math.Log(a / (us * us) + b) <= -lam + k * loglam - LogGamma(k + 1))
                return k;
        }
    }

    /// <summary>log Γ(x) for x &gt; 0 (Lanczos, g = 7, 9 terms).</summary>
    public static double LogGamma(double x)
    {
        ReadOnlySpan<double> c = stackalloc double[] { 0.99999999999980993, 676.5203681218851, -1259.1392167224028,
            771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7 };
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        x -= 1;
        double s = c[0];
        for (int i = 1; i < 9; i++) s += c[i] / (x + i);
        double t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(s);
    }
}
