using System.Globalization;

namespace NativeGan.Benchmarks.Harness;

internal enum ElementwiseOp { Add, Relu, Affine, Sum }

/// <summary>Bandwidth-bound cases: y = a + b, relu(a), 1.5 a + 0.25 over n floats in [-1, 1); sum(a) over [0, 1).</summary>
internal sealed class ElementwiseCase(ElementwiseOp op, int n) : KernelCase
{
    private const float Scale = 1.5f, Shift = 0.25f;
    private Tensor? a, b;

    public override string Name => $"{op.ToString().ToLowerInvariant()}_{SizeLabel(n)}";
    public override string Shape => $"[{n}]";

    public override double Bytes => 4.0 * op switch
    {
        ElementwiseOp.Add => 3.0 * n,  // two reads, one write
        ElementwiseOp.Sum => n + 1.0,  // one read, a scalar written
        _ => 2.0 * n,                  // one read, one write
    };

    public override void Setup(Device device)
    {
        var g = new NativeGan.Generator(0xBE7C4);
        // Sum gets positive inputs so that its relative tolerance (1e-5) means something: at 64K a single
        // dropped element shows, at 64M a dropped block of ~1000.
        a = Tensor.Rand(new[] { n }, device, g, op == ElementwiseOp.Sum ? 0f : -1f, 1f);
        if (op == ElementwiseOp.Add) b = Tensor.Rand(new[] { n }, device, g, -1f, 1f);
    }

    private Tensor Run() => op switch
    {
        ElementwiseOp.Add => a!.Add(b!),
        ElementwiseOp.Relu => a!.Relu(),
        ElementwiseOp.Affine => a!.Affine(Scale, Shift),
        _ => a!.Sum(),
    };

    public override void Call() => Run().Dispose();

    public override Validation Validate()
    {
        float[] y;
        using (var t = Run()) y = t.ToArray();
        float[] x = a!.ToArray();
        float[]? x2 = b?.ToArray();
        if (op == ElementwiseOp.Sum)
        {
            double sum = 0, abs = 0;
            foreach (float v in x) { sum += v; abs += Math.Abs(v); }
            double err = Math.Abs(y[0] - sum), tol = 1e-5 * abs + 1e-6;
            return new Validation(err <= tol, err, string.Create(CultureInfo.InvariantCulture, $"sum {y[0]} vs {sum:G9} (tolerance {tol:G3})"));
        }
        if (y.Length != n) return new Validation(false, double.NaN, $"expected {n} elements, got {y.Length}");
        double maxErr = 0;
        int bad = -1;
        for (int i = 0; i < n; i++)
        {
            double r = ExpectedAt(x, x2, i);
            double err = Math.Abs(y[i] - r);
            if (double.IsNaN(err)) err = double.PositiveInfinity;
            maxErr = Math.Max(maxErr, err);
            // Add and relu are exact in float32; the affine may or may not be fused (one rounding or two).
            if (bad < 0 && err > 1.2e-7 * Math.Abs(r) + 1e-7) bad = i;
        }
        return bad < 0
            ? new Validation(true, maxErr, "")
            : new Validation(false, maxErr, string.Create(CultureInfo.InvariantCulture, $"element {bad}: got {y[bad]}, expected {ExpectedAt(x, x2, bad):G9}"));
    }

    private double ExpectedAt(float[] x, float[]? x2, int i) => op switch
    {
        ElementwiseOp.Add => (double)x[i] + x2![i],
        ElementwiseOp.Relu => Math.Max(x[i], 0f),
        _ => (double)Scale * x[i] + Shift,
    };

    public override void Dispose()
    {
        a?.Dispose();
        b?.Dispose();
        a = b = null;
    }
}
