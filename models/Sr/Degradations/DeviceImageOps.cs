namespace NativeGan.Models.Sr.Degradations;

/// <summary>
/// The operations of the degradation pipeline as engine tensor ops on a batch [B, C, H, W] on its device (the same
/// formulas as <see cref="HostImageOps"/>, which is their oracle): filter2D is a reflect pad and a grouped
/// convolution with one kernel per image (BasicSR's filter2D: a [1, B*C, H, W] view, groups = B*C); resizing is two
/// matrix products with host-built interpolation matrices (area, bilinear and bicubic are separable linear maps,
/// out = A_h X A_w^T); USM blurs with the 51-tap Gaussian as two 1-D convolutions; JPEG is real JPEG on the host.
/// No op records a graph (the pipeline runs under <see cref="Tensor.NoGrad"/>); each returns a new tensor and
/// disposes its temporaries.
/// </summary>
public static class DeviceImageOps
{
    private static void RequireBatch(Tensor x, string op)
    {
        if (x.Shape.Count != 4)
            throw new ArgumentException($"{op}: expected an image batch [B, C, H, W], got [{string.Join(", ", x.Shape)}].");
    }

    /// <summary>
    /// Reflect padding of the last two dims by <paramref name="pad"/>, as the host's filter2D reads it: PyTorch's
    /// ReflectionPad2d when the pad is smaller than both dims; otherwise (small second-stage images under the
    /// 21-tap kernels, where PyTorch's reflect pad refuses) 0/1 gather-matrix products that reflect again at the
    /// far border, as the host does. A product with one 1 per row is exact in float32.
    /// </summary>
    public static Tensor ReflectPad(Tensor x, int pad)
    {
        RequireBatch(x, "reflect pad");
        if (pad < 0) throw new ArgumentException($"reflect pad: pad must be >= 0, got {pad}.");
        int h = x.Shape[2], w = x.Shape[3];
        if (pad == 0) return x.Contiguous();
        if (pad < h && pad < w) return x.ReflectionPad2d(pad);
        using var scope = Tensor.Scope();
        var ph = Matrix(HostImageOps.ReflectPadMatrix(h, pad), h + 2 * pad, h, x.Device);
        var pw = Matrix(HostImageOps.ReflectPadMatrix(w, pad), w + 2 * pad, w, x.Device);
        return Separable(x, ph, pw).MoveToOuterScope();
    }

    /// <summary>
    /// BasicSR filter2D with one k x k kernel (row-major doubles) per image: reflect pad by k/2, cross-correlation.
    /// The zero border that all the batch's kernels share (Real-ESRGAN pads its 7..21 kernels to 21) is cut first:
    /// those taps add exact zeros, so the result is the same and the convolution smaller.
    /// </summary>
    public static Tensor Filter2D(Tensor x, IReadOnlyList<double[]> kernels, int k)
    {
        RequireBatch(x, "filter2D");
        int b = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        if (kernels.Count != b)
            throw new ArgumentException($"filter2D: expected one kernel per image ({b}), got {kernels.Count}.");
        if (k % 2 == 0 || kernels.Any(kr => kr.Length != k * k))
            throw new ArgumentException($"filter2D: kernels must be odd-sized {k} x {k} ({k * k} values), got sizes [{string.Join(", ", kernels.Select(kr => kr.Length))}].");
        int t = kernels.Min(kr => ZeroBorder(kr, k)), kk = k - 2 * t, p = kk / 2;
        var weights = new float[b * c * kk * kk];
        for (int i = 0; i < b; i++)
            for (int ch = 0; ch < c; ch++)
                for (int r = 0; r < kk; r++)
                    for (int q = 0; q < kk; q++)
                        weights[((i * c + ch) * kk + r) * kk + q] = (float)kernels[i][(r + t) * k + q + t];
        using var scope = Tensor.Scope();
        var padded = ReflectPad(x, p);
        var wt = Tensor.FromArray(weights, new[] { b * c, 1, kk, kk }, x.Device);
        var y = Tensor.Conv2d(padded.Reshape(1, b * c, h + 2 * p, w + 2 * p), wt, null, 1, 0, 1, b * c);
        return y.Reshape(b, c, h, w).MoveToOuterScope();
    }

    /// <summary>How many outer rings of a k x k kernel are all zero (at most k/2).</summary>
    private static int ZeroBorder(double[] kernel, int k)
    {
        int t = 0;
        while (t < k / 2)
        {
            int lo = t, hi = k - 1 - t;
            for (int j = lo; j <= hi; j++)
                if (kernel[lo * k + j] != 0 || kernel[hi * k + j] != 0 || kernel[j * k + lo] != 0 || kernel[j * k + hi] != 0)
                    return t;
            t++;
        }
        return t;
    }

    /// <summary>The filter with the separable kernel outer(k1, k1), reflect padded: a vertical then a horizontal 1-D convolution.</summary>
    public static Tensor SeparableFilter(Tensor x, double[] k1)
    {
        RequireBatch(x, "separable filter");
        int b = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3], k = k1.Length, p = k / 2;
        var taps = k1.Select(v => (float)v).ToArray();
        using var scope = Tensor.Scope();
        var padded = ReflectPad(x.Reshape(b * c, 1, h, w), p);
        var vertical = Tensor.Conv2d(padded, Tensor.FromArray(taps, new[] { 1, 1, k, 1 }, x.Device));
        var y = Tensor.Conv2d(vertical, Tensor.FromArray(taps, new[] { 1, 1, 1, k }, x.Device));
        return y.Reshape(b, c, h, w).MoveToOuterScope();
    }

    /// <summary>
    /// F.interpolate of the batch to (oh, ow), as <see cref="HostImageOps.Resize"/> (same modes and source ratios),
    /// as A_h X A_w^T with one matrix pair for the batch.
    /// </summary>
    public static Tensor Resize(Tensor x, int oh, int ow, string mode, double ratioH, double ratioW)
    {
        RequireBatch(x, "resize");
        int h = x.Shape[2], w = x.Shape[3];
        using var scope = Tensor.Scope();
        var ah = Matrix(HostImageOps.ResizeMatrix(h, oh, mode, ratioH), oh, h, x.Device);
        var aw = Matrix(HostImageOps.ResizeMatrix(w, ow, mode, ratioW), ow, w, x.Device);
        return Separable(x, ah, aw).MoveToOuterScope();
    }

    /// <summary>ah [OH, H], aw [OW, W]: y[b, c] = ah x[b, c] aw^T.</summary>
    private static Tensor Separable(Tensor x, Tensor ah, Tensor aw)
    {
        int b = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3], oh = ah.Shape[0], ow = aw.Shape[0];
        using var scope = Tensor.Scope();
        var rows = x.Contiguous().Reshape(b * c, h, w).Matmul(aw.T()); // [B*C, H, OW]
        var y = ah.Matmul(rows);                                        // [B*C, OH, OW]
        return y.Reshape(b, c, oh, ow).MoveToOuterScope();
    }

    private static Tensor Matrix(double[] m, int rows, int cols, Device device) =>
        Tensor.FromArray(m.Select(v => (float)v).ToArray(), new[] { rows, cols }, device);

    /// <summary>clamp(x + noise, 0, 1) with host-drawn noise of the batch's shape.</summary>
    public static Tensor AddNoiseClamped(Tensor x, float[] noise)
    {
        using var scope = Tensor.Scope();
        var n = Tensor.FromArray(noise, x.Shape.ToArray(), x.Device);
        return x.Add(n).Clamp(0f, 1f).MoveToOuterScope();
    }

    /// <summary>
    /// clamp(round(x * 255), 0, 255) / 255, rounding half to even: after the clamp, adding and subtracting 2^23 in
    /// float32 leaves the nearest integer (ties to even); the division is a true division (x * (1/255) differs from
    /// v / 255 for half of the 256 levels).
    /// </summary>
    public static Tensor Quantize8(Tensor x)
    {
        const float Magic = 8388608f; // 2^23
        using var scope = Tensor.Scope();
        var levels = x.Mul(255f).Clamp(0f, 255f).Add(Magic).Sub(Magic);
        return levels.Div(Tensor.Full(new[] { 1 }, 255f, x.Device)).MoveToOuterScope();
    }

    /// <summary>Real JPEG of each image at its quality (<see cref="HostImageOps.Jpeg"/>, images in parallel on the host), back on the device.</summary>
    public static Tensor Jpeg(Tensor x, int[] qualities)
    {
        RequireBatch(x, "jpeg");
        int b = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3], n = c * h * w;
        if (qualities.Length != b)
            throw new ArgumentException($"jpeg: expected one quality per image ({b}), got {qualities.Length}.");
        var all = x.ToArray();
        var outp = new float[all.Length];
        Parallel.For(0, b, i =>
            HostImageOps.Jpeg(new PlanarImage(c, h, w, all.AsSpan(i * n, n).ToArray()), qualities[i]).Data.CopyTo(outp, i * n));
        return Tensor.FromArray(outp, new[] { b, c, h, w }, x.Device);
    }

    /// <summary>BasicSR USMSharp (radius 50 -> 51-tap Gaussian, weight 0.5, threshold 10), as <see cref="HostImageOps.UsmSharp"/>.</summary>
    public static Tensor UsmSharp(Tensor x, int radius = 50, double weight = 0.5, double threshold = 10)
    {
        RequireBatch(x, "usm sharp");
        if (radius % 2 == 0) radius += 1;
        var k1 = HostImageOps.CvGaussianKernel(radius);
        using var scope = Tensor.Scope();
        var blur = SeparableFilter(x, k1);
        var residual = x.Sub(blur);
        var mask = residual.Abs().Mul(255f).Gt((float)threshold);
        var soft = SeparableFilter(mask, k1);
        var sharp = x.Add(residual.Mul((float)weight)).Clamp(0f, 1f);
        return soft.Mul(sharp).Add(soft.RSub(1f).Mul(x)).MoveToOuterScope();
    }
}
