using SkiaSharp;

namespace NativeGan.Models.Sr.Degradations;

/// <summary>One planar image [C, H, W] on the host.</summary>
public sealed record PlanarImage(int C, int H, int W, float[] Data)
{
    public static PlanarImage Zeros(int c, int h, int w) => new(c, h, w, new float[c * h * w]);
}

/// <summary>
/// The per-image operations of the degradation pipeline, on the host, following PyTorch / BasicSR formulas:
/// filter2D (reflect padding, cross-correlation), F.interpolate area / bilinear / bicubic (align_corners False),
/// Gaussian and Poisson noise (BasicSR's *_pt versions), real JPEG through Skia's libjpeg-turbo.
/// </summary>
public static partial class HostImageOps
{
    private static int Reflect(int i, int n)
    {
        if (n == 1) return 0;
        while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
        return i;
    }

    /// <summary>BasicSR filter2D: reflect pad by k/2, then a k x k cross-correlation per channel.</summary>
    public static PlanarImage Filter2D(PlanarImage img, double[] kernel, int k)
    {
        int h = img.H, w = img.W, p = k / 2;
        var o = PlanarImage.Zeros(img.C, h, w);
        var taps = new List<(int di, int dj, float v)>();
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                if (kernel[i * k + j] != 0) taps.Add((i - p, j - p, (float)kernel[i * k + j]));
        var rowIdx = new int[w + 2 * p];
        for (int x = -p; x < w + p; x++) rowIdx[x + p] = Reflect(x, w);
        for (int c = 0; c < img.C; c++)
        {
            var src = img.Data.AsSpan(c * h * w, h * w);
            var dst = o.Data.AsSpan(c * h * w, h * w);
            for (int y = 0; y < h; y++)
                foreach (var (di, dj, v) in taps)
                {
                    int sy = Reflect(y + di, h) * w;
                    int d0 = y * w;
                    for (int x = 0; x < w; x++) dst[d0 + x] += v * src[sy + rowIdx[x + dj + p]];
                }
        }
        return o;
    }

    /// <summary>Separable filter (kernel = outer(k1, k1)) with reflect padding; used by USM with its 51-tap Gaussian.</summary>
    public static PlanarImage SeparableFilter(PlanarImage img, double[] k1)
    {
        int k = k1.Length, p = k / 2, h = img.H, w = img.W;
        var tmp = new float[h * w];
        var o = PlanarImage.Zeros(img.C, h, w);
        for (int c = 0; c < img.C; c++)
        {
            var src = img.Data.AsSpan(c * h * w, h * w);
            Array.Clear(tmp);
            for (int y = 0; y < h; y++)
                for (int t = 0; t < k; t++)
                {
                    float v = (float)k1[t];
                    int sy = Reflect(y + t - p, h) * w;
                    for (int x = 0; x < w; x++) tmp[y * w + x] += v * src[sy + x];
                }
            var dst = o.Data.AsSpan(c * h * w, h * w);
            for (int x = 0; x < w; x++)
                for (int t = 0; t < k; t++)
                {
                    float v = (float)k1[t];
                    int sx = Reflect(x + t - p, w);
                    for (int y = 0; y < h; y++) dst[y * w + x] += v * tmp[y * w + sx];
                }
        }
        return o;
    }

    /// <summary>
    /// F.interpolate to (oh, ow). <paramref name="ratioH"/>/<paramref name="ratioW"/> are the source-per-output
    /// ratios PyTorch uses: in/out for a size, 1/scale_factor for a scale factor. "area" is adaptive average pooling.
    /// </summary>
    public static PlanarImage Resize(PlanarImage img, int oh, int ow, string mode, double ratioH, double ratioW)
    {
        return mode switch
        {
            "area" => Area(img, oh, ow),
            "bilinear" => Separable(img, oh, ow, ratioH, ratioW, LinearTaps),
            "bicubic" => Separable(img, oh, ow, ratioH, ratioW, CubicTaps),
            _ => throw new ArgumentException($"resize: unknown mode '{mode}'; expected area, bilinear or bicubic."),
        };
    }

    private static PlanarImage Area(PlanarImage img, int oh, int ow)
    {
        int h = img.H, w = img.W;
        var o = PlanarImage.Zeros(img.C, oh, ow);
        for (int c = 0; c < img.C; c++)
            for (int i = 0; i < oh; i++)
            {
                int y0 = (int)Math.Floor((double)i * h / oh), y1 = (int)Math.Ceiling((double)(i + 1) * h / oh);
                for (int j = 0; j < ow; j++)
                {
                    int x0 = (int)Math.Floor((double)j * w / ow), x1 = (int)Math.Ceiling((double)(j + 1) * w / ow);
                    double s = 0;
                    for (int y = y0; y < y1; y++)
                        for (int x = x0; x < x1; x++) s += img.Data[(c * h + y) * w + x];
                    o.Data[(c * oh + i) * ow + j] = (float)(s / ((y1 - y0) * (x1 - x0)));
                }
            }
        return o;
    }

    private delegate void Taps(int dst, int n, double ratio, Span<int> idx, Span<double> wts);

    private static void LinearTaps(int dst, int n, double ratio, Span<int> idx, Span<double> wts)
    {
        double src = Math.Max((dst + 0.5) * ratio - 0.5, 0);
        int x0 = Math.Min((int)src, n - 1);
        int x1 = Math.Min(x0 + 1, n - 1);
        double l = src - x0;
        idx[0] = x0; idx[1] = x1; idx[2] = x0; idx[3] = x0;
        wts[0] = 1 - l; wts[1] = l; wts[2] = 0; wts[3] = 0;
    }

    private static double Cubic1(double x, double a) => ((a + 2) * x - (a + 3)) * x * x + 1;
    private static double Cubic2(double x, double a) => ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;

    private static void CubicTaps(int dst, int n, double ratio, Span<int> idx, Span<double> wts)
    {
        const double a = -0.75;
        double src = (dst + 0.5) * ratio - 0.5;
        int f = (int)Math.Floor(src);
        double t = src - f;
        wts[0] = Cubic2(t + 1, a); wts[1] = Cubic1(t, a); wts[2] = Cubic1(1 - t, a); wts[3] = Cubic2(2 - t, a);
        for (int q = 0; q < 4; q++) idx[q] = Math.Clamp(f - 1 + q, 0, n - 1);
    }

    private static PlanarImage Separable(PlanarImage img, int oh, int ow, double ratioH, double ratioW, Taps taps)
    {
        int h = img.H, w = img.W;
        var yi = new int[oh * 4]; var yw = new double[oh * 4];
        var xi = new int[ow * 4]; var xw = new double[ow * 4];
        for (int i = 0; i < oh; i++) taps(i, h, ratioH, yi.AsSpan(i * 4, 4), yw.AsSpan(i * 4, 4));
        for (int j = 0; j < ow; j++) taps(j, w, ratioW, xi.AsSpan(j * 4, 4), xw.AsSpan(j * 4, 4));
        var o = PlanarImage.Zeros(img.C, oh, ow);
        var rows = new double[4 * w];
        for (int c = 0; c < img.C; c++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    double s = 0;
                    for (int p = 0; p < 4; p++)
                    {
                        double wy = yw[i * 4 + p];
                        if (wy == 0) continue;
                        int rowBase = (c * h + yi[i * 4 + p]) * w;
                        double r = 0;
                        for (int q = 0; q < 4; q++) r += xw[j * 4 + q] * img.Data[rowBase + xi[j * 4 + q]];
                        s += wy * r;
                    }
                    o.Data[(c * oh + i) * ow + j] = (float)s;
                }
        return o;
    }

    /// <summary>BasicSR random_add_gaussian_noise_pt for one image: sigma/255 noise, gray (one plane for all channels) or colour; clipped to [0, 1].</summary>
    public static void AddGaussianNoise(PlanarImage img, double sigma, bool gray, DegradationRandom rng) =>
        AddClamped(img, GaussianNoise(img.C, img.H, img.W, sigma, gray, rng));

    /// <summary>
    /// The additive noise of <see cref="AddGaussianNoise"/> ([C, H, W], each value (float)(N(0, 1) sigma / 255);
    /// gray: one draw per pixel shared by the channels), drawn from <paramref name="rng"/> in the same order.
    /// </summary>
    public static float[] GaussianNoise(int c, int h, int w, double sigma, bool gray, DegradationRandom rng)
    {
        int plane = h * w;
        double s = sigma / 255.0;
        var noise = new float[c * plane];
        if (gray)
        {
            for (int p = 0; p < plane; p++)
            {
                float n = (float)(rng.Normal() * s);
                for (int ch = 0; ch < c; ch++) noise[ch * plane + p] = n;
            }
        }
        else
        {
            for (int i = 0; i < noise.Length; i++) noise[i] = (float)(rng.Normal() * s);
        }
        return noise;
    }

    /// <summary>
    /// BasicSR random_add_poisson_noise_pt for one image: quantise to 8 bits, vals = 2^ceil(log2(unique values)),
    /// noise = Poisson(img * vals) / vals - img (gray: on the BT.601 luma, shared by the channels), scaled; clipped.
    /// </summary>
    public static void AddPoissonNoise(PlanarImage img, double scale, bool gray, DegradationRandom rng) =>
        AddClamped(img, PoissonNoise(img, scale, gray, rng));

    /// <summary>
    /// The additive noise of <see cref="AddPoissonNoise"/> ([C, H, W], (float)(noise * scale)); it depends on the
    /// image (the Poisson rates and the number of draws are the pixel values), so it needs the image on the host.
    /// </summary>
    public static float[] PoissonNoise(PlanarImage img, double scale, bool gray, DegradationRandom rng)
    {
        int plane = img.H * img.W;
        var outp = new float[img.Data.Length];
        if (gray)
        {
            var y = new float[plane];
            for (int p = 0; p < plane; p++)
                y[p] = img.C == 3 ? 0.299f * img.Data[p] + 0.587f * img.Data[plane + p] + 0.114f * img.Data[2 * plane + p] : img.Data[p];
            var noise = PoissonSamples(y, rng);
            for (int p = 0; p < plane; p++)
                for (int c = 0; c < img.C; c++) outp[c * plane + p] = (float)(noise[p] * scale);
        }
        else
        {
            var noise = PoissonSamples(img.Data, rng);
            for (int i = 0; i < outp.Length; i++) outp[i] = (float)(noise[i] * scale);
        }
        return outp;
    }

    private static void AddClamped(PlanarImage img, float[] noise)
    {
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = Math.Clamp(img.Data[i] + noise[i], 0f, 1f);
    }

    private static double[] PoissonSamples(float[] x, DegradationRandom rng)
    {
        var q = new double[x.Length];
        var seen = new bool[256];
        int unique = 0;
        for (int i = 0; i < x.Length; i++)
        {
            int v = (int)Math.Clamp(Math.Round(x[i] * 255.0, MidpointRounding.ToEven), 0, 255);
            if (!seen[v]) { seen[v] = true; unique++; }
            q[i] = v / 255.0;
        }
        double vals = Math.Pow(2, Math.Ceiling(Math.Log2(unique)));
        // Each pixel draws from its own counter range (2^32 values) of a sub-stream: the number of uniforms a
        // Poisson draw takes depends on its rate, so with one shared stream a single pixel whose rate differs (a
        // float rounding on another device) would change every later pixel and every later draw of the image.
        var sub = new DegradationRandom(rng.NextULong());
        var noise = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            sub.Position = (ulong)i << 32;
            noise[i] = sub.Poisson(q[i] * vals) / vals - q[i];
        }
        return noise;
    }

    /// <summary>
    /// Real JPEG: the image (clamped, rounded to 8 bits) is encoded by Skia's libjpeg-turbo at integer
    /// <paramref name="quality"/> (libjpeg's quality scaling of the standard tables, 4:2:0 chroma like DiffJPEG)
    /// and decoded back.
    /// </summary>
    public static unsafe PlanarImage Jpeg(PlanarImage img, int quality)
    {
        int w = img.W, h = img.H, plane = w * h;
        var px = new byte[plane * 4];
        for (int p = 0; p < plane; p++)
        {
            for (int c = 0; c < 3; c++)
            {
                float v = img.Data[(img.C == 3 ? c : 0) * plane + p];
                px[p * 4 + c] = (byte)Math.Clamp(Math.Round(v * 255f, MidpointRounding.ToEven), 0, 255);
            }
            px[p * 4 + 3] = 255;
        }
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
        byte[] encoded;
        fixed (byte* ptr = px)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)ptr, info.RowBytes);
            using var data = pixmap.Encode(new SKJpegEncoderOptions(quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore))
                ?? throw new InvalidOperationException($"JPEG encoding of a {w} x {h} image at quality {quality} failed (Skia returned nothing).");
            encoded = data.ToArray();
        }
        using var bmp = SKBitmap.Decode(encoded, info)
            ?? throw new InvalidOperationException($"JPEG decoding of a {w} x {h} image failed (Skia returned nothing).");
        var o = PlanarImage.Zeros(img.C, h, w);
        var bytes = bmp.GetPixelSpan();
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < img.C; c++) o.Data[c * plane + p] = bytes[p * 4 + c] / 255f;
        return o;
    }

    /// <summary>OpenCV's getGaussianKernel(ksize, sigma &lt;= 0): sigma = 0.3 ((ksize - 1) / 2 - 1) + 0.8.</summary>
    public static double[] CvGaussianKernel(int ksize, double sigma = 0)
    {
        if (sigma <= 0) sigma = 0.3 * ((ksize - 1) * 0.5 - 1) + 0.8;
        var k = new double[ksize];
        double sum = 0, c = (ksize - 1) / 2.0;
        for (int i = 0; i < ksize; i++) sum += k[i] = Math.Exp(-(i - c) * (i - c) / (2 * sigma * sigma));
        for (int i = 0; i < ksize; i++) k[i] /= sum;
        return k;
    }

    /// <summary>BasicSR USMSharp (radius 50 -> 51-tap Gaussian, weight 0.5, threshold 10).</summary>
    public static PlanarImage UsmSharp(PlanarImage img, int radius = 50, double weight = 0.5, double threshold = 10)
    {
        if (radius % 2 == 0) radius += 1;
        var k1 = CvGaussianKernel(radius);
        var blur = SeparableFilter(img, k1);
        var mask = PlanarImage.Zeros(img.C, img.H, img.W);
        var residual = new float[img.Data.Length];
        for (int i = 0; i < residual.Length; i++)
        {
            residual[i] = img.Data[i] - blur.Data[i];
            mask.Data[i] = Math.Abs(residual[i]) * 255 > threshold ? 1f : 0f;
        }
        var soft = SeparableFilter(mask, k1);
        var o = PlanarImage.Zeros(img.C, img.H, img.W);
        for (int i = 0; i < residual.Length; i++)
        {
            float sharp = Math.Clamp(img.Data[i] + (float)weight * residual[i], 0f, 1f);
            o.Data[i] = soft.Data[i] * sharp + (1 - soft.Data[i]) * img.Data[i];
        }
        return o;
    }
}
