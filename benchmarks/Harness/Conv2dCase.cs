using System.Globalization;

namespace NativeGan.Benchmarks.Harness;

/// <summary>
/// Conv2d 3x3, stride 1, padding 1, no bias, forward + backward (grad-input and grad-weight through
/// Autograd.Grad with a given output gradient): the training step of one RRDB dense-block convolution.
/// FLOPs = 3 x 2 N Cout Cin 9 H W (forward, grad-input and grad-weight are each one such product).
/// </summary>
internal sealed class Conv2dCase(int batch, int cin, int cout, int height, int width, bool forwardOnly = false) : KernelCase
{
    private const int K = 3, Pad = 1;
    /// <summary>Outputs (and input-gradient entries) checked per call; a whole tensor when it is no larger.</summary>
    private const int Samples = 256;
    private const int WeightSamples = 64;
    private Tensor? x, w, gout;

    public override string Name => forwardOnly ? $"conv_{cin}_{cout}_fwd" : $"conv_{cin}_{cout}";
    public override string Shape => $"{batch}x{cin}x{height}x{width} -> {cout}, 3x3 p1, {(forwardOnly ? "fwd" : "fwd+bwd")}";
    public override double Flops => (forwardOnly ? 1.0 : 3.0) * 2.0 * batch * cout * (double)cin * K * K * height * width;
    public override bool RecordsGraph => true;

    public override void Setup(Device device)
    {
        var g = new NativeGan.Generator(0xC0417);
        x = Tensor.Randn(new[] { batch, cin, height, width }, device, g).RequireGrad();
        // Kaiming-like scale keeps the outputs O(1) whatever Cin.
        w = Tensor.Randn(new[] { cout, cin, K, K }, device, g, 0f, 1f / MathF.Sqrt(cin * K * K)).RequireGrad();
        gout = Tensor.Randn(new[] { batch, cout, height, width }, device, g);
    }

    public override void Call()
    {
        using var scope = Tensor.Scope();
        if (forwardOnly)
        {
            using (Tensor.NoGrad()) Tensor.Conv2d(x!, w!, null, 1, Pad, 1, 1);
            return;
        }
        var y = Tensor.Conv2d(x!, w!, null, 1, Pad, 1, 1);
        Autograd.Grad(new[] { y }, new[] { x!, w! }, new[] { gout! });
    }

    /// <summary>
    /// Compares the forward output and the input gradient at 256 sampled positions (all four spatial corners
    /// among them, so the padding is exercised) and the weight gradient at 64 entries (the corner taps among
    /// them) with double-precision sums; the whole tensor where it is no larger. Tolerance 2e-5 of the sum of
    /// |terms| for the forward and grad-input (Cin 9 or Cout 9 terms), 1e-4 for grad-weight (N H W terms):
    /// above float32 accumulation error, far below what a wrong tap, channel or border gives.
    /// </summary>
    public override Validation Validate()
    {
        float[] hy, hgx, hgw;
        using (var scope = Tensor.Scope())
        {
            var y = Tensor.Conv2d(x!, w!, null, 1, Pad, 1, 1);
            var grads = Autograd.Grad(new[] { y }, new[] { x!, w! }, new[] { gout! });
            hy = y.ToArray();
            hgx = grads[0]?.ToArray() ?? throw new InvalidOperationException("no gradient for the input");
            hgw = grads[1]?.ToArray() ?? throw new InvalidOperationException("no gradient for the weight");
        }
        float[] hx = x!.ToArray(), hw = w!.ToArray(), hg = gout!.ToArray();
        int n = batch, h = height, wd = width;
        int plane = h * wd;
        var rng = new System.Random(777);
        double maxErr = 0;
        int checkedCount = 0;

        // Forward: y[b, co, oh, ow] = sum_{ci, kh, kw} w[co, ci, kh, kw] x[b, ci, oh + kh - 1, ow + kw - 1].
        foreach (var (b, co, oh, ow) in Positions(n, cout, h, wd, Samples, rng))
        {
            double sum = 0, abs = 0;
            for (int ci = 0; ci < cin; ci++)
                for (int kh = 0; kh < K; kh++)
                {
                    int ih = oh + kh - Pad;
                    if (ih < 0 || ih >= h) continue;
                    for (int kw = 0; kw < K; kw++)
                    {
                        int iw = ow + kw - Pad;
                        if (iw < 0 || iw >= wd) continue;
                        double p = (double)hw[((co * cin + ci) * K + kh) * K + kw] * hx[(b * cin + ci) * plane + ih * wd + iw];
                        sum += p;
                        abs += Math.Abs(p);
                    }
                }
            var v = Check("y", hy[(b * cout + co) * plane + oh * wd + ow], sum, 2e-5 * abs + 1e-6, $"[{b},{co},{oh},{ow}]", ref maxErr);
            if (v != null) return v.Value;
            checkedCount++;
        }

        // Grad-input: gx[b, ci, ih, iw] = sum_{co, kh, kw} g[b, co, ih - kh + 1, iw - kw + 1] w[co, ci, kh, kw].
        foreach (var (b, ci, ih, iw) in Positions(n, cin, h, wd, Samples, rng))
        {
            double sum = 0, abs = 0;
            for (int co = 0; co < cout; co++)
                for (int kh = 0; kh < K; kh++)
                {
                    int oh = ih - kh + Pad;
                    if (oh < 0 || oh >= h) continue;
                    for (int kw = 0; kw < K; kw++)
                    {
                        int ow = iw - kw + Pad;
                        if (ow < 0 || ow >= wd) continue;
                        double p = (double)hg[(b * cout + co) * plane + oh * wd + ow] * hw[((co * cin + ci) * K + kh) * K + kw];
                        sum += p;
                        abs += Math.Abs(p);
                    }
                }
            var v = Check("grad x", hgx[(b * cin + ci) * plane + ih * wd + iw], sum, 2e-5 * abs + 1e-6, $"[{b},{ci},{ih},{iw}]", ref maxErr);
            if (v != null) return v.Value;
            checkedCount++;
        }

        // Grad-weight: gw[co, ci, kh, kw] = sum_{b, oh, ow} g[b, co, oh, ow] x[b, ci, oh + kh - 1, ow + kw - 1].
        foreach (var (co, ci, kh, kw) in Positions(cout, cin, K, K, WeightSamples, rng))
        {
            double sum = 0, abs = 0;
            for (int b = 0; b < n; b++)
                for (int oh = 0; oh < h; oh++)
                {
                    int ih = oh + kh - Pad;
                    if (ih < 0 || ih >= h) continue;
                    for (int ow = 0; ow < wd; ow++)
                    {
                        int iw = ow + kw - Pad;
                        if (iw < 0 || iw >= wd) continue;
                        double p = (double)hg[(b * cout + co) * plane + oh * wd + ow] * hx[(b * cin + ci) * plane + ih * wd + iw];
                        sum += p;
                        abs += Math.Abs(p);
                    }
                }
            var v = Check("grad w", hgw[((co * cin + ci) * K + kh) * K + kw], sum, 1e-4 * abs + 1e-6, $"[{co},{ci},{kh},{kw}]", ref maxErr);
            if (v != null) return v.Value;
            checkedCount++;
        }
        return new Validation(true, maxErr, $"{checkedCount} entries of y, grad x, grad w checked");
    }

    private static Validation? Check(string what, float got, double expected, double tol, string at, ref double maxErr)
    {
        double err = Math.Abs(got - expected);
        maxErr = Math.Max(maxErr, double.IsNaN(err) ? double.PositiveInfinity : err);
        if (err <= tol) return null;
        return new Validation(false, maxErr, string.Create(CultureInfo.InvariantCulture,
            $"{what}{at} = {got}, expected {expected:G9} (tolerance {tol:G3})"));
    }

    /// <summary>
    /// Every index of a [d0, d1, d2, d3] tensor when it has at most <paramref name="count"/> entries; otherwise
    /// the four corners of the last two dimensions (at random leading indices), the first and last entries,
    /// then random ones up to <paramref name="count"/>.
    /// </summary>
    private static IEnumerable<(int, int, int, int)> Positions(int d0, int d1, int d2, int d3, int count, System.Random rng)
    {
        if ((long)d0 * d1 * d2 * d3 <= count)
        {
            for (int a = 0; a < d0; a++)
                for (int b = 0; b < d1; b++)
                    for (int c = 0; c < d2; c++)
                        for (int d = 0; d < d3; d++)
                            yield return (a, b, c, d);
            yield break;
        }
        yield return (0, 0, 0, 0);
        yield return (d0 - 1, d1 - 1, d2 - 1, d3 - 1);
        foreach (var (c, d) in new[] { (0, 0), (0, d3 - 1), (d2 - 1, 0), (d2 - 1, d3 - 1) })
            yield return (rng.Next(d0), rng.Next(d1), c, d);
        for (int i = 6; i < count; i++)
            yield return (rng.Next(d0), rng.Next(d1), rng.Next(d2), rng.Next(d3));
    }

    public override void Dispose()
    {
        x?.Dispose();
        w?.Dispose();
        gout?.Dispose();
        x = w = gout = null;
    }
}
