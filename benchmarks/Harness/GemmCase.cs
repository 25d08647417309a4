using System.Globalization;

namespace NativeGan.Benchmarks.Harness;

/// <summary>C = A B for square float32 matrices through Tensor.Matmul; FLOPs = 2 m n k.</summary>
internal sealed class GemmCase(int size) : KernelCase
{
    private const int MaxChecked = 1024;
    private Tensor? a, b;

    public override string Name => $"gemm_{size}";
    public override string Shape => $"{size}x{size}x{size}";
    public override double Flops => 2.0 * size * size * (double)size;

    public override void Setup(Device device)
    {
        var g = new NativeGan.Generator(0x6E33);
        a = Tensor.Rand(new[] { size, size }, device, g, -1f, 1f);
        b = Tensor.Rand(new[] { size, size }, device, g, -1f, 1f);
    }

    public override void Call() => a!.Matmul(b!).Dispose();

    /// <summary>
    /// Checks every entry of small products and 1024 entries (corners included) of large ones against a
    /// double-precision dot product; tolerance 2e-5 of sum |a_ik b_kj|, far below what a wrong index or a
    /// missed tile gives and above float32 accumulation error.
    /// </summary>
    public override Validation Validate()
    {
        float[] c;
        using (var t = a!.Matmul(b!)) c = t.ToArray();
        float[] ha = a.ToArray(), hb = b!.ToArray();
        int n = size;
        var entries = new List<(int I, int J)>();
        if ((long)n * n <= MaxChecked * 64)
        {
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) entries.Add((i, j));
        }
        else
        {
            entries.AddRange(new[] { (0, 0), (0, n - 1), (n - 1, 0), (n - 1, n - 1) });
            var rng = new System.Random(12345);
            while (entries.Count < MaxChecked) entries.Add((rng.Next(n), rng.Next(n)));
        }
        double maxErr = 0;
        foreach (var (i, j) in entries)
        {
            double dot = 0, abs = 0;
            for (int k = 0; k < n; k++)
            {
                double p = (double)ha[i * n + k] * hb[k * n + j];
                dot += p;
                abs += Math.Abs(p);
            }
            double got = c[i * n + j], err = Math.Abs(got - dot), tol = 2e-5 * abs + 1e-6;
            maxErr = Math.Max(maxErr, double.IsNaN(err) ? double.PositiveInfinity : err);
            if (!(err <= tol))
                return new Validation(false, maxErr, string.Create(CultureInfo.InvariantCulture,
                    $"C[{i},{j}] = {got}, expected {dot:G9} (tolerance {tol:G3})"));
        }
        return new Validation(true, maxErr, $"{entries.Count} entries checked");
    }

    public override void Dispose()
    {
        a?.Dispose();
        b?.Dispose();
        a = b = null;
    }
}
