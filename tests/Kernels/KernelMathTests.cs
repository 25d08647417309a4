using NativeGan.Kernels;

namespace NativeGan.Tests.Kernels;

/// <summary>
/// KernelMath against double precision: dense sweeps of the float range with a max-ulp bound each, and the
/// special values of MathF / C99 pow bit for bit.
/// </summary>
public class KernelMathTests(ITestOutputHelper output)
{
    // Bounds met with margin by the measured maxima (about 0.76, 0.50, 0.63 and 0.73 ulp); the algorithms'
    // error budgets stay below 1 ulp also where a GPU contracts a*b+c into an FMA.
    private const double ExpMaxUlp = 0.85, LogMaxUlp = 0.55, PowMaxUlp = 0.8, CosPiMaxUlp = 0.85;
    // Every 97th float bit pattern for Exp and Log; CosPi's range is swept more thinly (cheap to get right
    // away from its reduction, which the dense Box-Muller grid covers).
    private const int Step = 97, CosPiStep = 293;

    [Fact]
    public void ExpIsWithinBoundOverTheWholeRange()
    {
        // x from -104 to 89 (every result from 0 through the subnormals to inf), and densely at both ends.
        var m = new ErrorMeter();
        m.Sweep(0x00000000u, 0x42B20000u, Step, KernelMath.Exp, Math.Exp);
        m.Sweep(0x80000000u, 0xC2D00000u, Step, KernelMath.Exp, Math.Exp);
        m.Sweep(0x42B17000u, 0x42B17300u, 1, KernelMath.Exp, Math.Exp);
        m.Sweep(0xC2CFE000u, 0xC2D00100u, 1, KernelMath.Exp, Math.Exp);
        m.Sweep(0xC2AEA000u, 0xC2AEB000u, 1, KernelMath.Exp, Math.Exp);
        Report("Exp over [-104, 89]", m, ExpMaxUlp);
    }

    [Fact]
    public void LogIsWithinBoundOverTheWholeRange()
    {
        // Every positive finite float (subnormals included) and every float in [0.9375, 1.0625].
        var m = new ErrorMeter();
        m.Sweep(0x00000001u, 0x7F800000u, Step, KernelMath.Log, Math.Log);
        m.Sweep(0x3F700000u, 0x3F880000u, 1, KernelMath.Log, Math.Log);
        Report("Log over (0, inf)", m, LogMaxUlp);
    }

    [Fact]
    public void PowIsWithinBoundWhileTheResultExponentIsBelow126()
    {
        var rng = new System.Random(1234);
        var m = new ErrorMeter();
        int kept = 0;
        for (int i = 0; i < 1_500_000; i++)
        {
            double z = (rng.NextDouble() * 2 - 1) * 126;     // the target y log2|x|
            float x = (i % 4) switch
            {
                0 => BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(1, 0x7F800000)),    // any positive float
                1 => (float)(rng.NextDouble() * 2),                                          // near 1: large |y|
                2 => -BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(0x3F000000, 0x42000000)),
                _ => (float)(1 + (rng.NextDouble() - 0.5) * 1e-3),
            };
            float y = (float)(z / Math.Log2(Math.Abs(x)));
            if (x < 0) y = MathF.Round(y);                  // a negative base needs an integer exponent
            if (!float.IsFinite(y) || !(Math.Abs(y * Math.Log2(Math.Abs(x))) < 126)) continue;
            m.Add(x, KernelMath.Pow(x, y), Math.Pow(x, y), y);
            kept++;
        }
        Assert.True(kept > 1_000_000, $"only {kept} pairs in range");
        Report($"Pow over {kept} random pairs, |y log2|x|| < 126", m, PowMaxUlp);
    }

    [Fact]
    public void CosPiIsWithinBoundWithExactReduction()
    {
        var m = new ErrorMeter();
        m.Sweep(0x00000000u, 0x4B800000u, CosPiStep, KernelMath.CosPi, CosPiReference);
        m.Sweep(0x80000000u, 0xCB800000u, CosPiStep, KernelMath.CosPi, CosPiReference);
        // The arguments Box-Muller passes: 2 u2 = j / 2^23 for a 24-bit j.
        for (uint j = 0; j < 1u << 24; j += 13)
        {
            float t = j * (1f / 8388608f);
            m.Add(t, KernelMath.CosPi(t), CosPiReference(t));
        }
        Report("CosPi over [-2^24, 2^24] and j / 2^23", m, CosPiMaxUlp);
    }

    /// <summary>cos(pi x) in double after an exact reduction of x to [-1/4, 1/4] (a float's x mod 2 is exact).</summary>
    private static double CosPiReference(double x)
    {
        double r = Math.Abs(x) % 2.0;
        double q = Math.Round(2 * r);
        double d = r - q / 2;
        int quadrant = (int)q & 3;
        double v = (quadrant & 1) == 0 ? Math.Cos(Math.PI * d) : Math.Sin(Math.PI * d);
        return quadrant == 1 || quadrant == 2 ? -v : v;
    }

    public static TheoryData<float, float> ExpSpecials() => new()
    {
        { float.NaN, float.NaN }, { 0f, 1f }, { -0f, 1f },
        { float.PositiveInfinity, float.PositiveInfinity }, { float.NegativeInfinity, 0f },
        { BitConverter.UInt32BitsToSingle(0x42B17218u), float.PositiveInfinity },   // first float with e^x > max
        { 89f, float.PositiveInfinity }, { 1000f, float.PositiveInfinity }, { float.MaxValue, float.PositiveInfinity },
        { -104f, 0f }, { -1000f, 0f }, { float.MinValue, 0f },
        { (float)(-149 * Math.Log(2)), float.Epsilon },                             // the smallest subnormal
        { 1f, MathF.E },
    };

    [Theory]
    [MemberData(nameof(ExpSpecials))]
    public void ExpSpecialValuesAreExact(float x, float expected)
    {
        AssertBits(expected, KernelMath.Exp(x), $"Exp({x})");
        AssertBits(expected, MathF.Exp(x), $"MathF.Exp({x}) (the table itself)");
    }

    [Fact]
    public void ExpOfTheLargestFiniteArgumentIsFinite()
    {
        float x = BitConverter.UInt32BitsToSingle(0x42B17217u);   // 88.72283: e^x just below float.MaxValue
        float y = KernelMath.Exp(x);
        Assert.True(float.IsFinite(y) && y > 3.4e38f, $"Exp({x}) = {y}");
    }

    public static TheoryData<float, float> LogSpecials() => new()
    {
        { float.NaN, float.NaN }, { -1f, float.NaN }, { -float.Epsilon, float.NaN }, { float.NegativeInfinity, float.NaN },
        { 0f, float.NegativeInfinity }, { -0f, float.NegativeInfinity },
        { float.PositiveInfinity, float.PositiveInfinity }, { 1f, 0f },
        { float.Epsilon, (float)(-149 * Math.Log(2)) },                             // subnormal input
        { BitConverter.UInt32BitsToSingle(0x00400000u), (float)(-127 * Math.Log(2)) },
        { BitConverter.UInt32BitsToSingle(0x00800000u), (float)(-126 * Math.Log(2)) },
        { 2f, (float)Math.Log(2) }, { 0.5f, (float)-Math.Log(2) },
        { float.MaxValue, (float)Math.Log(float.MaxValue) },
    };

    [Theory]
    [MemberData(nameof(LogSpecials))]
    public void LogSpecialValuesAreExact(float x, float expected)
    {
        AssertBits(expected, KernelMath.Log(x), $"Log({x})");
        AssertBits(expected, MathF.Log(x), $"MathF.Log({x}) (the table itself)");
    }

    private const float Inf = float.PositiveInfinity, NaN = float.NaN;

    public static TheoryData<float, float, float> PowSpecials() => new()
    {
        // pow(x, +-0) = 1 and pow(1, y) = 1, even for NaN.
        { NaN, 0f, 1f }, { NaN, -0f, 1f }, { -Inf, 0f, 1f }, { 0f, 0f, 1f }, { -3f, -0f, 1f },
        { 1f, NaN, 1f }, { 1f, Inf, 1f }, { 1f, -Inf, 1f }, { 1f, 3.5f, 1f },
        { -1f, Inf, 1f }, { -1f, -Inf, 1f },
        // NaN operands and a negative base with a non-integer exponent.
        { NaN, 1f, NaN }, { 2f, NaN, NaN }, { -2f, 0.5f, NaN }, { -8f, 1f / 3f, NaN }, { -0.5f, 1.5f, NaN },
        // Signed zeros.
        { 0f, -3f, Inf }, { -0f, -3f, -Inf }, { -0f, -2f, Inf }, { -0f, -0.5f, Inf }, { 0f, -Inf, Inf }, { -0f, -Inf, Inf },
        { 0f, 3f, 0f }, { -0f, 3f, -0f }, { -0f, 2f, 0f }, { -0f, 0.5f, 0f }, { -0f, Inf, 0f },
        // Infinite exponents.
        { 0.5f, -Inf, Inf }, { -0.5f, -Inf, Inf }, { 2f, -Inf, 0f }, { -2f, -Inf, 0f },
        { 0.5f, Inf, 0f }, { -0.5f, Inf, 0f }, { 2f, Inf, Inf }, { -2f, Inf, Inf },
        // Infinite bases.
        { -Inf, -3f, -0f }, { -Inf, -2f, 0f }, { -Inf, -0.5f, 0f }, { -Inf, 3f, -Inf }, { -Inf, 2f, Inf }, { -Inf, 0.5f, Inf },
        { Inf, -1f, 0f }, { Inf, -0.5f, 0f }, { Inf, 0.5f, Inf }, { Inf, 2f, Inf },
        // A negative base with an integer exponent keeps the sign of odd powers.
        { -2f, 3f, -8f }, { -2f, 2f, 4f }, { -2f, -1f, -0.5f }, { -0.5f, 3f, -0.125f }, { -3f, 1e10f, Inf },
        { -1f, 16777215f, -1f }, { -1f, 16777218f, 1f }, { -2f, -150f, 0f }, { -2f, -149f, -float.Epsilon },
        // Exact results, overflow and underflow.
        { 2f, 10f, 1024f }, { 4f, 0.5f, 2f }, { 9f, 1.5f, 27f }, { 10f, 2f, 100f }, { 0.5f, 2f, 0.25f },
        { 2f, -149f, float.Epsilon }, { 2f, -150f, 0f }, { 2f, 127f, 1.70141183e38f }, { 2f, 128f, Inf },
        { 10f, 39f, Inf }, { 10f, -46f, 0f }, { 1e-30f, 2f, 0f },
    };

    [Theory]
    [MemberData(nameof(PowSpecials))]
    public void PowSpecialValuesAreExact(float x, float y, float expected)
    {
        AssertBits(expected, KernelMath.Pow(x, y), $"Pow({x}, {y})");
        AssertBits(expected, MathF.Pow(x, y), $"MathF.Pow({x}, {y}) (the table itself)");
    }

    public static TheoryData<float, float> CosPiSpecials() => new()
    {
        { 0f, 1f }, { -0f, 1f }, { 0.5f, 0f }, { -0.5f, 0f }, { 1f, -1f }, { 1.5f, 0f }, { 2f, 1f }, { 0.25f, MathF.Sqrt(0.5f) },
        { 8388609f, -1f }, { 16777216f, 1f }, { float.MaxValue, 1f },
        { float.PositiveInfinity, float.NaN }, { float.NegativeInfinity, float.NaN }, { float.NaN, float.NaN },
    };

    [Theory]
    [MemberData(nameof(CosPiSpecials))]
    public void CosPiSpecialValuesAreExact(float x, float expected) => AssertBits(expected, KernelMath.CosPi(x), $"CosPi({x})");

    /// <summary>Same bits, except that any NaN matches any NaN.</summary>
    private static void AssertBits(float expected, float actual, string what)
    {
        if (float.IsNaN(expected)) Assert.True(float.IsNaN(actual), $"{what} = {actual}, expected NaN");
        else Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(actual),
            $"{what} = {actual:R} (0x{BitConverter.SingleToUInt32Bits(actual):X8}), expected {expected:R} (0x{BitConverter.SingleToUInt32Bits(expected):X8})");
    }

    private void Report(string what, ErrorMeter m, double bound)
    {
        output.WriteLine($"{what}: {m.Count} values, max {m.MaxUlp:F4} ulp at {m.Worst}, max relative error {m.MaxRelative:E3} (bound {bound} ulp)");
        Assert.True(m.MaxUlp <= bound, $"{what}: {m.MaxUlp:F4} ulp at {m.Worst} exceeds {bound}");
    }
}

/// <summary>Largest error in units in the last place of the float nearest the double reference.</summary>
internal sealed class ErrorMeter
{
    private const double MinNormal = 1.1754943508222875e-38;
    private readonly object gate = new();
    public double MaxUlp { get; private set; }
    public double MaxRelative { get; private set; }
    public string Worst { get; private set; } = "";
    public long Count { get; private set; }

    /// <summary>Every step-th float bit pattern in [from, to) (from and to with the same sign bit).</summary>
    public void Sweep(uint from, uint to, int step, Func<float, float> f, Func<double, double> reference)
    {
        int n = (int)((to - from + (uint)step - 1) / (uint)step);
        Parallel.For(0, Environment.ProcessorCount, part =>
        {
            var local = new ErrorMeter();
            for (int i = part; i < n; i += Environment.ProcessorCount)
            {
                float x = BitConverter.UInt32BitsToSingle(from + (uint)i * (uint)step);
                local.Add(x, f(x), reference(x));
            }
            Merge(local);
        });
    }

    public void Add(float x, float got, double want, float? y = null)
    {
        Count++;
        double ulp = UlpError(got, want);
        if (ulp > MaxUlp)
        {
            MaxUlp = ulp;
            Worst = y is null ? $"x = {x:R}" : $"x = {x:R}, y = {y.Value:R}";
        }
        if (Math.Abs(want) >= MinNormal && float.IsFinite(got) && !double.IsInfinity(want))
            MaxRelative = Math.Max(MaxRelative, Math.Abs(got - want) / Math.Abs(want));
    }

    private void Merge(ErrorMeter other)
    {
        lock (gate)
        {
            Count += other.Count;
            if (other.MaxUlp > MaxUlp) { MaxUlp = other.MaxUlp; Worst = other.Worst; }
            MaxRelative = Math.Max(MaxRelative, other.MaxRelative);
        }
    }

    private static double UlpError(float got, double want)
    {
        if (double.IsNaN(want)) return float.IsNaN(got) ? 0 : double.PositiveInfinity;
        // Values from float.MaxValue + half an ulp up round to infinity.
        if (Math.Abs(want) >= 3.4028235677973366e38) return float.IsInfinity(got) && Math.Sign(got) == Math.Sign(want) ? 0 : double.PositiveInfinity;
        if (!float.IsFinite(got)) return double.PositiveInfinity;
        double a = Math.Abs(want);
        double ulp = a < MinNormal ? Math.ScaleB(1.0, -149) : Math.ScaleB(1.0, Math.ILogB(a) - 23);
        return Math.Abs(got - want) / ulp;
    }
}
