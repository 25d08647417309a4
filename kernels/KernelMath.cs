using System.Runtime.CompilerServices;
using ILGPU;

namespace NativeGan.Kernels;

/// <summary>
/// Float exp, log, pow and cos(pi x) for kernels. ILGPU's PTX backend has no lowering for MathF.Exp/Log/Pow
/// or Math.Cos, so kernels call these instead; the managed CPU backend calls the same code, so both compute
/// the same bits (ILGPU's CPU accelerator runs this IL as is).
///
/// Only float add, mul, div, sqrt, comparisons and integer bit manipulation are used. ILGPU 1.5.3 has no FMA
/// lowering (MathF.FusedMultiplyAdd becomes a call to an unresolved extern), and ptxas may contract a plain
/// a*b+c into an FMA on the GPU. Every error-free transformation below (the hi/lo splits that carry extra
/// precision) therefore uses only products that are exact, because one operand has at most 12 or 16
/// significant bits: contracting an exact product into an FMA changes nothing. Only polynomial steps, whose
/// rounding the error bounds already allow for, can round differently on a GPU that contracts.
///
/// Measured against double precision (tests/Kernels/KernelMathTests.cs): Exp 0.61 ulp for normal results and
/// 0.76 ulp for subnormal ones, Log 0.5005 ulp, Pow 0.64 ulp while |y log2 |x|| &lt; 126, CosPi 0.75 ulp.
/// </summary>
public static class KernelMath
{
    // ln 2 = Ln2A + Ln2B + Ln2C. Ln2A and Ln2B have 16 significant bits, so n * Ln2A and n * Ln2B are exact
    // for |n| < 256, which covers every exponent that reaches these products (|n| <= 151).
    private const float Ln2A = 0.693145751953125f;          // 0x3F317200
    private const float Ln2B = 1.4286197256296873E-06f;     // 0x35BFBF00
    private const float Ln2C = -1.2905320270077724E-11f;
    private const float Log2E = 1.44269504f;
    // Adding then subtracting 1.5 * 2^23 rounds a float of magnitude below 2^22 to an integer.
    private const float RoundShifter = 12582912f;
    private const uint SqrtHalfBits = 0x3F3504F3u;
    private const float TwoThirdsH = (float)(2.0 / 3.0);
    private const float TwoThirdsL = (float)(2.0 / 3.0 - (double)TwoThirdsH);
    private const float PiH = (float)Math.PI;
    private const float PiL = (float)(Math.PI - (double)PiH);
    private const float HalfPiSqH = (float)(-Math.PI * Math.PI / 2);
    private const float HalfPiSqL = (float)(-Math.PI * Math.PI / 2 - (double)HalfPiSqH);

    /// <summary>e^x, within 1 ulp; MathF.Exp's special values (NaN, 0 below -103.97, inf above 88.72).</summary>
    public static float Exp(float x)
    {
        if (float.IsNaN(x)) return x;
        if (x > 88.8f) return float.PositiveInfinity;
        if (x < -104f) return 0f;
        return ExpCore(x, 0f);
    }

    /// <summary>Natural logarithm, within 1 ulp; Log(0) = -inf, Log(x &lt; 0) = NaN, Log(inf) = inf.</summary>
    public static float Log(float x)
    {
        if (float.IsNaN(x)) return x;
        if (x < 0f) return float.NaN;
        if (x == 0f) return float.NegativeInfinity;
        if (x == float.PositiveInfinity) return x;
        return LogCore(x, out _);
    }

    /// <summary>x^y with the special cases of C99 pow (and MathF.Pow); within 1 ulp while |y log2 |x|| &lt; 126.</summary>
    public static float Pow(float x, float y)
    {
        if (y == 0f || x == 1f) return 1f;
        if (float.IsNaN(x) || float.IsNaN(y)) return x + y;
        float ax = MathF.Abs(x);
        float ay = MathF.Abs(y);
        int yKind = IntegerKind(y);
        bool negate = yKind == OddInteger && (Interop.FloatAsInt(x) & 0x80000000u) != 0;   // -0 included
        float r;
        if (ax == float.PositiveInfinity) r = y < 0f ? 0f : float.PositiveInfinity;
        else if (ax == 0f) r = y < 0f ? float.PositiveInfinity : 0f;
        else if (ay == float.PositiveInfinity)
        {
            if (ax == 1f) return 1f;
            r = (ax > 1f) == (y > 0f) ? float.PositiveInfinity : 0f;
        }
        else if (x < 0f && yKind == NotInteger) return float.NaN;
        else
        {
            float lh = LogCore(ax, out float ll);
            float ph = TwoProduct(y, lh, out float pe);
            if (ph > 89f) r = float.PositiveInfinity;
            else if (ph < -104.5f) r = 0f;
            else r = ExpCore(ph, pe + y * ll);
        }
        return negate ? -r : r;
    }

    /// <summary>cos(pi x), within 1 ulp. The argument is reduced exactly (x - q/2 is exact), so CosPi(2 u) is
    /// cos(2 pi u) for the exact u, without the rounding of 2 pi u. NaN for NaN and infinities.</summary>
    public static float CosPi(float x)
    {
        float ax = MathF.Abs(x);
        // From 2^24 on every float is an even integer: cos = 1; inf - inf gives NaN for infinities.
        if (!(ax < 16777216f)) return (ax - ax) + 1f;
        float t = ax + ax;
        // Below 2^22, t + 2^23 lands in [2^23, 2^24) where the spacing is 1: the sum rounds t to an integer.
        // From 2^22 on, ax is a multiple of 1/2 and t is an integer already.
        float q = ax < 4194304f ? (t + 8388608f) - 8388608f : t;
        float d = ax - 0.5f * q;    // exact, |d| <= 1/4
        int quadrant = (int)q & 3;
        float v = (quadrant & 1) == 0 ? CosPiReduced(d) : SinPiReduced(d);
        return quadrant == 1 || quadrant == 2 ? 0f - v : v;    // 0 - v: an exact zero stays +0
    }

    /// <summary>exp(xh + xl) for xh in [-104.5, 89] and |xl| small against xh.</summary>
    private static float ExpCore(float xh, float xl)
    {
        float n = (xh * Log2E + RoundShifter) - RoundShifter;
        int ni = (int)n;
        // xh - n ln2 as r + rl: a is exact (|a| < 1/2 and a multiple of ulp(xh) or of 2^-16), b is exact.
        float a = xh - n * Ln2A;
        float b = n * Ln2B;
        float r0 = TwoSum(a, -b, out float e0);
        float r = TwoSum(r0, e0 + xl - n * Ln2C, out float rl);
        // exp(r + rl) = 1 + r + r^2 q(r) + rl (1 + r) with q the Taylor series of (e^r - 1 - r) / r^2, whose
        // remainder is below 2^-32 for |r| <= 0.353.
        float q = 1f / 40320f;
        q = q * r + 1f / 5040f;
        q = q * r + 1f / 720f;
        q = q * r + 1f / 120f;
        q = q * r + 1f / 24f;
        q = q * r + 1f / 6f;
        q = q * r + 0.5f;
        float small = (r * r) * q + (rl * r + rl);
        // 1 + r is carried exactly as h + (1 - h) + r, so the only large rounding is the last addition.
        float h = 1f + r;
        float m = h + (((1f - h) + r) + small);
        // Scale by 2^n in steps whose factors are normal floats. A subnormal result rounds m a second time,
        // which is why it can be off by more than half an ulp (at most 0.76 measured).
        if (ni > 127) return m * PowerOfTwo(ni - 1) * 2f;
        if (ni < -126) return m * PowerOfTwo(ni + 64) * PowerOfTwo(-64);
        return m * PowerOfTwo(ni);
    }

    /// <summary>ln x as hi + lo (returned hi, out lo), relative error about 2^-34, for finite x &gt; 0.</summary>
    private static float LogCore(float x, out float lo)
    {
        uint ix = Interop.FloatAsInt(x);
        int k = 0;
        if (ix < 0x00800000u)
        {
            ix = Interop.FloatAsInt(x * 33554432f);     // subnormal: scale by 2^25
            k = -25;
        }
        // x = 2^k m with m in [sqrt(1/2), sqrt(2)), so ln m is small and never cancels against k ln 2.
        int t = (int)(ix - SqrtHalfBits);
        k += t >> 23;
        float m = Interop.IntAsFloat((uint)(t & 0x7FFFFF) + SqrtHalfBits);
        float f = m - 1f;                             // exact
        // ln(1 + f) = 2 atanh(s) with s = f / (2 + f), |s| <= 0.1716. s = sh + sl, sl from the exact
        // residual f - sh (u + ul), built from products of 12-bit halves.
        float u = 2f + f;
        float ul = f - (u - 2f);
        float sh = f / u;
        float sh1 = HighHalf(sh), sh2 = sh - sh1;
        float u1 = HighHalf(u), u2 = u - u1;
        float rho = f - sh1 * u1;                     // exact: sh1 u1 is within 2^-10 of f
        rho = (rho - sh1 * u2) - sh2 * u1;
        rho = (rho - sh2 * u2) - sh * ul;
        float sl = rho / u;
        // 2 atanh(sh + sl) = 2 sh + 2 sl / (1 - sh^2) + (2/3) sh^3 + sh^3 z R(z), z = sh^2; the sh^3 term is
        // carried as hi + lo, R's Taylor series ends where the remainder is below 2^-39 relative.
        float zh = TwoProduct(sh, sh, out float zl);
        float vh = TwoProduct(zh, sh, out float vl);
        vl += zl * sh;
        float th = TwoProduct(vh, TwoThirdsH, out float tl);
        tl += vh * TwoThirdsL + vl * TwoThirdsH;
        float rz = 2f / 13f;
        rz = rz * zh + 2f / 11f;
        rz = rz * zh + 2f / 9f;
        rz = rz * zh + 2f / 7f;
        rz = rz * zh + 2f / 5f;
        float tail = vh * (zh * rz) + 2f * (sl * zh + sl);
        float kf = k;
        float s1 = TwoSum(kf * Ln2A, sh + sh, out float e1);
        float s2 = TwoSum(s1, th, out float e2);
        float low = ((e1 + e2) + kf * Ln2B) + ((tl + tail) + kf * Ln2C);
        float hi = s2 + low;
        lo = (s2 - hi) + low;
        return hi;
    }

    /// <summary>sin(pi d) for |d| &lt;= 1/4: pi d carried as hi + lo, then a Taylor series to d^11.</summary>
    private static float SinPiReduced(float d)
    {
        float z = d * d;
        float p = -0.007370430945714348f;             // -pi^11 / 11!
        p = p * z + 0.08214588661112819f;             // pi^9 / 9!
        p = p * z - 0.5992645293207919f;              // -pi^7 / 7!
        p = p * z + 2.550164039877345f;               // pi^5 / 5!
        p = p * z - 5.167712780049969f;               // -pi^3 / 3!
        float ph = TwoProduct(d, PiH, out float pl);
        return ph + (pl + d * PiL + (d * z) * p);
    }

    /// <summary>cos(pi d) for |d| &lt;= 1/4: 1 - (pi^2/2) d^2 carried as hi + lo, then a Taylor series to d^12.</summary>
    private static float CosPiReduced(float d)
    {
        float zh = TwoProduct(d, d, out float zl);
        float p = 0.001929574309403922f;              // pi^12 / 12!
        p = p * zh - 0.02580689139001405f;            // -pi^10 / 10!
        p = p * zh + 0.23533063035889312f;            // pi^8 / 8!
        p = p * zh - 1.3352627688545893f;             // -pi^6 / 6!
        p = p * zh + 4.058712126416768f;              // pi^4 / 4!
        float wh = TwoProduct(zh, HalfPiSqH, out float wl);
        float h = 1f + wh;
        return h + (((1f - h) + wh) + (wl + zl * HalfPiSqH + zh * HalfPiSqL + (zh * zh) * p));
    }

    private const int NotInteger = 0, EvenInteger = 1, OddInteger = 2;

    /// <summary>Whether y is an integer, and an odd one; infinities are even integers, as in C99 pow.</summary>
    private static int IntegerKind(float y)
    {
        uint bits = Interop.FloatAsInt(y) & 0x7FFFFFFFu;
        int e = (int)(bits >> 23) - 127;
        if (e >= 24) return EvenInteger;
        if (e < 0) return bits == 0 ? EvenInteger : NotInteger;
        if ((bits & (0x7FFFFFu >> e)) != 0) return NotInteger;
        return ((bits >> (23 - e)) & 1u) == 1u ? OddInteger : EvenInteger;
    }

    /// <summary>2^n as a float for n in [-126, 127].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float PowerOfTwo(int n) => Interop.IntAsFloat((uint)(n + 127) << 23);

    /// <summary>a with its significand cut to the top 12 bits, so a product of two such halves is exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HighHalf(float a) => Interop.IntAsFloat(Interop.FloatAsInt(a) & 0xFFFFF000u);

    /// <summary>a + b as sum + err exactly (Knuth's two-sum); adds only, so nothing for ptxas to contract.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float TwoSum(float a, float b, out float err)
    {
        float s = a + b;
        float bb = s - a;
        err = (a - (s - bb)) + (b - bb);
        return s;
    }

    /// <summary>a * b as hi + lo from the four exact products of 12-bit halves; error below 2^-34 |ab|.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float TwoProduct(float a, float b, out float lo)
    {
        float a1 = HighHalf(a), a2 = a - a1;
        float b1 = HighHalf(b), b2 = b - b1;
        float p = a1 * b1;
        float mid = a1 * b2 + a2 * b1;
        float hi = p + mid;
        lo = ((p - hi) + mid) + a2 * b2;
        return hi;
    }
}
