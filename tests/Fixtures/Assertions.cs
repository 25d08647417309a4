using System.Globalization;
using Xunit;

namespace NativeGan.Tests.Fixtures;

/// <summary>Numeric comparisons against reference values, with failure messages that locate the problem.</summary>
public static class Assertions
{
    /// <summary>
    /// Passes when |expected - actual| &lt;= atol + rtol * |expected| for every element (NaN matches NaN,
    /// as in torch.allclose with equal_nan). On failure names <paramref name="what"/>, the worst element
    /// (the one furthest beyond its tolerance), and the largest absolute and relative errors.
    /// </summary>
    public static void AssertClose(float[] expected, float[] actual, double rtol, double atol, string what)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (expected.Length != actual.Length)
            Assert.Fail($"{what}: expected {expected.Length} values, got {actual.Length}.");

        int failures = 0, worst = -1;
        double worstExcess = double.NegativeInfinity, maxAbs = 0, maxRel = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            double abs = e == a ? 0 : Math.Abs(e - a); // e == a also covers matching infinities
            if (double.IsNaN(abs)) abs = double.PositiveInfinity; // NaN against a number always fails
            double rel = abs == 0 ? 0 : abs / Math.Abs(e);
            maxAbs = Math.Max(maxAbs, abs);
            maxRel = Math.Max(maxRel, rel);
            double excess = abs - (atol + rtol * Math.Abs(e));
            if (excess > 0) failures++;
            if (excess > worstExcess) { worstExcess = excess; worst = i; }
        }
        if (failures == 0) return;

        string F(double v) => v.ToString("G9", CultureInfo.InvariantCulture);
        Assert.Fail($"{what}: {failures} of {expected.Length} values differ beyond rtol={F(rtol)}, atol={F(atol)}; " +
            $"worst at index {worst}: expected {F(expected[worst])}, actual {F(actual[worst])}; " +
            $"max abs error {F(maxAbs)}, max rel error {F(maxRel)}.");
    }
}
