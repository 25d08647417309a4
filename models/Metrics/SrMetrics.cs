namespace NativeGan.Models.Metrics;

/// <summary>
/// PSNR and SSIM as BasicSR computes them for super-resolution validation (basicsr/metrics/psnr_ssim.py,
/// calculate_psnr / calculate_ssim on [0, 255] images). Images arrive as CHW RGB floats in [0, 1] and are
/// scaled by 255 (in double); <c>cropBorder</c> pixels are removed from each edge; with <c>testYChannel</c>
/// a 3-channel image is reduced to the Y of BT.601 YCbCr (MATLAB's rgb2ycbcr, 16..235) with BasicSR's
/// float32 roundings, other channel counts keep their planes. SSIM uses the 11 x 11 Gaussian window with
/// sigma 1.5 over the positions where it fits ('valid'), C1 = (0.01 * 255)^2, C2 = (0.03 * 255)^2, and
/// averages the per-channel means. PSNR of identical images is +infinity, as BasicSR.
/// <para>BasicSR's validation first turns both images into uint8 with tensor2img (clamp to [0, 1], times 255,
/// round half to even); pass <c>quantize: true</c> to do the same and reproduce its logged numbers.</para>
/// </summary>
public static class SrMetrics
{
    public const int SsimWindow = 11;
    public const double SsimSigma = 1.5;

    /// <summary>PSNR in dB of two CHW images in [0, 1] (peak 255 after scaling).</summary>
    public static double Psnr(ReadOnlySpan<float> img, ReadOnlySpan<float> img2, int channels, int height, int width,
        int cropBorder = 0, bool testYChannel = false, bool quantize = false)
    {
        var a = Prepare("Psnr", img, channels, height, width, cropBorder, testYChannel, quantize, 1, out int h, out int w);
        var b = Prepare("Psnr", img2, channels, height, width, cropBorder, testYChannel, quantize, 1, out _, out _);
        double sum = 0;
        long n = 0;
        for (int c = 0; c < a.Length; c++)
        {
            var pa = a[c];
            var pb = b[c];
            for (int i = 0; i < pa.Length; i++)
            {
                double d = pa[i] - pb[i];
                sum += d * d;
            }
            n += (long)h * w;
        }
        double mse = sum / n;
        return mse == 0 ? double.PositiveInfinity : 10.0 * Math.Log10(255.0 * 255.0 / mse);
    }

    /// <summary>SSIM of two CHW images in [0, 1] (mean over channels of the mean SSIM map).</summary>
    public static double Ssim(ReadOnlySpan<float> img, ReadOnlySpan<float> img2, int channels, int height, int width,
        int cropBorder = 0, bool testYChannel = false, bool quantize = false)
    {
        var a = Prepare("Ssim", img, channels, height, width, cropBorder, testYChannel, quantize, SsimWindow, out int h, out int w);
        var b = Prepare("Ssim", img2, channels, height, width, cropBorder, testYChannel, quantize, SsimWindow, out _, out _);
        double total = 0;
        for (int c = 0; c < a.Length; c++) total += SsimPlane(a[c], b[c], h, w);
        return total / a.Length;
    }

    /// <summary><see cref="Psnr(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, bool, bool)"/> of
    /// two tensors [C, H, W] or [1, C, H, W] (copied to the host).</summary>
    public static double Psnr(Tensor img, Tensor img2, int cropBorder = 0, bool testYChannel = false, bool quantize = false)
    {
        var (c, h, w) = ImageShape("Psnr", img, img2);
        return Psnr(img.ToArray(), img2.ToArray(), c, h, w, cropBorder, testYChannel, quantize);
    }

    /// <summary><see cref="Ssim(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, int, bool, bool)"/> of
    /// two tensors [C, H, W] or [1, C, H, W] (copied to the host).</summary>
    public static double Ssim(Tensor img, Tensor img2, int cropBorder = 0, bool testYChannel = false, bool quantize = false)
    {
        var (c, h, w) = ImageShape("Ssim", img, img2);
        return Ssim(img.ToArray(), img2.ToArray(), c, h, w, cropBorder, testYChannel, quantize);
    }

    /// <summary>cv2.getGaussianKernel(size, sigma) for sigma &gt; 0: exp(-x^2 / (2 sigma^2)) at x = i - (size - 1) / 2,
    /// times 1 / sum.</summary>
    public static double[] GaussianKernel(int size, double sigma)
    {
        var k = new double[size];
        double scale2 = -0.5 / (sigma * sigma), sum = 0;
        for (int i = 0; i < size; i++)
        {
            double x = i - (size - 1) * 0.5;
            k[i] = Math.Exp(scale2 * x * x);
            sum += k[i];
        }
        double inv = 1.0 / sum;
        for (int i = 0; i < size; i++) k[i] *= inv;
        return k;
    }

    private static (int C, int H, int W) ImageShape(string op, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        static (int, int, int)? Chw(Tensor t) => t.Rank switch
        {
            3 => (t.Size(0), t.Size(1), t.Size(2)),
            4 when t.Size(0) == 1 => (t.Size(1), t.Size(2), t.Size(3)),
            _ => null,
        };
        var sa = Chw(a) ?? throw new ArgumentException($"SrMetrics.{op}: expected an image [C, H, W] or [1, C, H, W], got [{string.Join(", ", a.Shape)}].");
        var sb = Chw(b) ?? throw new ArgumentException($"SrMetrics.{op}: expected an image [C, H, W] or [1, C, H, W], got [{string.Join(", ", b.Shape)}].");
        if (sa != sb)
            throw new ArgumentException($"SrMetrics.{op}: image shapes differ: [{string.Join(", ", a.Shape)}] and [{string.Join(", ", b.Shape)}].");
        return sa;
    }

    /// <summary>The planes BasicSR's metric sees, in [0, 255] doubles: scaled, optionally quantised, cropped,
    /// optionally reduced to Y.</summary>
    private static double[][] Prepare(string op, ReadOnlySpan<float> img, int channels, int height, int width, int cropBorder,
        bool testY, bool quantize, int minSize, out int h, out int w)
    {
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"SrMetrics.{op}: channels, height and width must be positive, got {channels} x {height} x {width}.");
        if (img.Length != (long)channels * height * width)
            throw new ArgumentException($"SrMetrics.{op}: expected {channels} x {height} x {width} = {(long)channels * height * width} floats (CHW), got {img.Length}.");
        if (cropBorder < 0) throw new ArgumentException($"SrMetrics.{op}: cropBorder must be >= 0, got {cropBorder}.");
        h = height - 2 * cropBorder;
        w = width - 2 * cropBorder;
        if (h < minSize || w < minSize)
            throw new ArgumentException(
                $"SrMetrics.{op}: a {height} x {width} image with cropBorder {cropBorder} leaves {Math.Max(h, 0)} x {Math.Max(w, 0)} pixels; at least {minSize} x {minSize} are needed.");

        int plane = height * width;
        int outC = testY && channels == 3 ? 1 : channels;
        var planes = new double[outC][];
        for (int c = 0; c < outC; c++) planes[c] = new double[h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int p = (y + cropBorder) * width + x + cropBorder, q = y * w + x;
                if (testY && channels == 3)
                {
                    // metric_util.to_y_channel + color_util.bgr2ycbcr(y_only): float32 [0, 1], float32 * 255,
                    // a float64 dot product, / 255 rounded to float32, * 255 in float32.
                    float r = ToY32(Value(img[p], quantize)), g = ToY32(Value(img[plane + p], quantize)), b = ToY32(Value(img[2 * plane + p], quantize));
                    double yy = b * 24.966 + g * 128.553 + r * 65.481 + 16.0;
                    float y01 = (float)(yy / 255.0);
                    planes[0][q] = y01 * 255f;
                }
                else
                {
                    for (int c = 0; c < channels; c++)
                    {
                        double v = Value(img[c * plane + p], quantize);
                        planes[c][q] = testY ? ((float)v / 255f) * 255f : v;   // to_y_channel's float32 round trip
                    }
                }
            }
        return planes;
    }

    /// <summary>A [0, 1] float as BasicSR's [0, 255] value: x * 255 in double, or tensor2img's uint8 level.</summary>
    private static double Value(float x, bool quantize) =>
        quantize ? MathF.Round(Math.Clamp(x, 0f, 1f) * 255f, MidpointRounding.ToEven) : x * 255.0;

    /// <summary>to_y_channel's first steps on one value: float32(v) / 255 in float32, then * 255 in float32.</summary>
    private static float ToY32(double v255) => ((float)v255 / 255f) * 255f;

    private static double SsimPlane(double[] a, double[] b, int h, int w)
    {
        const double c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255);
        var k = GaussianKernel(SsimWindow, SsimSigma);
        int n = h * w;
        var aa = new double[n];
        var bb = new double[n];
        var ab = new double[n];
        for (int i = 0; i < n; i++)
        {
            aa[i] = a[i] * a[i];
            bb[i] = b[i] * b[i];
            ab[i] = a[i] * b[i];
        }
        var mu1 = FilterValid(a, h, w, k);
        var mu2 = FilterValid(b, h, w, k);
        var s11 = FilterValid(aa, h, w, k);
        var s22 = FilterValid(bb, h, w, k);
        var s12 = FilterValid(ab, h, w, k);
        double sum = 0;
        for (int i = 0; i < mu1.Length; i++)
        {
            double m1 = mu1[i], m2 = mu2[i];
            double m1s = m1 * m1, m2s = m2 * m2, m12 = m1 * m2;
            double sigma1 = s11[i] - m1s, sigma2 = s22[i] - m2s, sigma12 = s12[i] - m12;
            sum += (2 * m12 + c1) * (2 * sigma12 + c2) / ((m1s + m2s + c1) * (sigma1 + sigma2 + c2));
        }
        return sum / mu1.Length;
    }

    /// <summary>Correlation with the separable window k ⊗ k over the positions where it fits: cv2.filter2D
    /// with the outer-product window, then [r:-r, r:-r].</summary>
    private static double[] FilterValid(double[] src, int h, int w, double[] k)
    {
        int n = k.Length, oh = h - n + 1, ow = w - n + 1;
        var rowsPass = new double[h * ow];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < ow; x++)
            {
                double s = 0;
                int b = y * w + x;
                for (int t = 0; t < n; t++) s += k[t] * src[b + t];
                rowsPass[y * ow + x] = s;
            }
        var dst = new double[oh * ow];
        for (int y = 0; y < oh; y++)
            for (int t = 0; t < n; t++)
            {
                double kt = k[t];
                int srcRow = (y + t) * ow, dstRow = y * ow;
                for (int x = 0; x < ow; x++) dst[dstRow + x] += kt * rowsPass[srcRow + x];
            }
        return dst;
    }
}
