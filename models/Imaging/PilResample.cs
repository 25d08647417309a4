namespace NativeGan.Models.Imaging;

/// <summary>
/// Pillow's <c>Image.resize(size, Image.LANCZOS)</c> (no box, no reducing_gap), reproduced sample for sample so that
/// images prepared here equal those Real-ESRGAN's Python scripts make (Pillow's libImaging/Resample.c):
/// <list type="bullet">
/// <item>coefficients: Lanczos-3 (sinc(x) sinc(x/3) on [-3, 3)), centre (i + 0.5) * scale, support 3 * max(scale, 1)
/// (widened when shrinking, so it antialiases), taps [(int)(centre - support + 0.5), (int)(centre + support + 0.5))
/// clipped to the image, argument (j + xmin - centre + 0.5) / max(scale, 1), weights divided by their sum;</item>
/// <item>horizontal pass first, then vertical; a pass whose size does not change is skipped;</item>
/// <item>8-bit images: weights as fixed point with 22 fractional bits (rounded away from zero), integer sums started at
/// 2^21, shifted and clipped to 0..255 after each pass (the intermediate image is 8-bit, as Pillow's);</item>
/// <item>16-bit images: double sums rounded half away from zero after each pass, the intermediate unclipped, the
/// result clipped to 0..65535 (Pillow's 32-bit integer path: it opens 16-bit gray PNGs as mode "I");</item>
/// <item>images with alpha are resized premultiplied: Pillow converts RGBA to RGBa (c * a / 255 rounded as its
/// MULDIV255) and back (255 * c / a truncated, clipped; a of 0 or 255 left as is); 16-bit alpha images do the same
/// at 65535 (Pillow has no 16-bit RGBA, so that case has no Pillow reference).</item>
/// </list>
/// Grayscale stays grayscale and the bit depth is kept. Pillow resizes palette and 1-bit images with NEAREST; the
/// decoder here has already expanded those to gray or RGB, so they get Lanczos.
/// </summary>
public static class PilResample
{
    private const int PrecisionBits = 32 - 8 - 2;
    private const double Support = 3.0;

    /// <summary>Lanczos-resizes <paramref name="image"/> to <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static ImageData Lanczos(ImageData image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (width <= 0 || height <= 0)
            throw new ArgumentException(
                $"{image.Source}: cannot resize the {image.Width} x {image.Height} image to {width} x {height}; both sides must be at least 1.");
        int inW = image.Width, inH = image.Height, channels = image.Channels;
        int max = image.BitDepth == 8 ? 255 : 65535;
        int inPlane = inW * inH, outPlane = width * height;
        var planes = new int[channels][];
        for (int c = 0; c < channels; c++)
        {
            var src = image.Planar.AsSpan(c * inPlane, inPlane);
            var q = new int[inPlane];
            for (int i = 0; i < inPlane; i++) q[i] = Quantize(src[i], max);
            planes[c] = q;
        }
        if (width == inW && height == inH) return ToImage(image, planes, width, height, max);

        int alpha = image.HasAlpha ? channels - 1 : -1;
        if (alpha >= 0)
            for (int c = 0; c < alpha; c++) Premultiply(planes[c], planes[alpha], max);

        bool horizontal = width != inW, vertical = height != inH;
        var (boundsV, kkV, ksizeV) = Coefficients(inH, height);
        var (boundsH, kkH, ksizeH) = horizontal ? Coefficients(inW, width) : (Array.Empty<int>(), Array.Empty<double>(), 0);
        int yFirst = boundsV[0], yLast = boundsV[2 * height - 2] + boundsV[2 * height - 1];
        var output = new int[channels][];
        for (int c = 0; c < channels; c++)
        {
            int[] plane = planes[c];
            int rows = inH, cols = inW, rowOffset = 0;
            if (horizontal)
            {
                // Only the rows the vertical pass reads, as Pillow: the vertical bounds shift by the first of them.
                rows = yLast - yFirst;
                cols = width;
                plane = max == 255
                    ? Horizontal8(plane, inW, yFirst, rows, width, boundsH, Fixed(kkH), ksizeH)
                    : Horizontal16(plane, inW, yFirst, rows, width, boundsH, kkH, ksizeH);
                rowOffset = yFirst;
            }
            if (vertical)
                plane = max == 255
                    ? Vertical8(plane, cols, rowOffset, height, boundsV, Fixed(kkV), ksizeV)
                    : Vertical16(plane, cols, rowOffset, height, boundsV, kkV, ksizeV);
            output[c] = plane;
        }
        if (max == 65535)
            foreach (var p in output)
                for (int i = 0; i < p.Length; i++) p[i] = Math.Clamp(p[i], 0, 65535);
        if (alpha >= 0)
            for (int c = 0; c < alpha; c++) Unpremultiply(output[c], output[alpha], max);
        return ToImage(image, output, width, height, max);
    }

    private static int Quantize(float v, int max)
    {
        v = v > 0f ? (v < 1f ? v : 1f) : 0f; // NaN -> 0
        return (int)MathF.Round(v * max);
    }

    private static ImageData ToImage(ImageData like, int[][] planes, int width, int height, int max)
    {
        int plane = width * height;
        var planar = new float[(long)like.Channels * plane];
        float scale = max;
        for (int c = 0; c < planes.Length; c++)
        {
            var dst = planar.AsSpan(c * plane, plane);
            var src = planes[c];
            // k / 255f (a division) is what ImageIO reads, so a write gives back exactly these samples.
            for (int i = 0; i < plane; i++) dst[i] = src[i] / scale;
        }
        return new ImageData(width, height, like.Channels, like.BitDepth, planar, like.Source);
    }

    /// <summary>Pillow's lanczos_filter: sinc(x) * sinc(x / 3) on [-3, 3).</summary>
    public static double LanczosFilter(double x) => -3.0 <= x && x < 3.0 ? Sinc(x) * Sinc(x / 3) : 0.0;

    private static double Sinc(double x)
    {
        if (x == 0.0) return 1.0;
        x *= Math.PI;
        return Math.Sin(x) / x;
    }

    /// <summary>
    /// Pillow's precompute_coeffs for a full-image box: per output index the first tap and the tap count
    /// (bounds[2i], bounds[2i + 1]) and ksize normalised weights (unused ones zero).
    /// </summary>
    public static (int[] Bounds, double[] Weights, int Ksize) Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = scale < 1.0 ? 1.0 : scale;
        double support = Support * filterScale;
        int ksize = (int)Math.Ceiling(support) * 2 + 1;
        var bounds = new int[outSize * 2];
        var kk = new double[(long)outSize * ksize];
        double ss = 1.0 / filterScale;
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale;
            double ww = 0.0;
            int xmin = (int)(center - support + 0.5);
            if (xmin < 0) xmin = 0;
            int xmax = (int)(center + support + 0.5);
            if (xmax > inSize) xmax = inSize;
            xmax -= xmin;
            int k = xx * ksize;
            for (int x = 0; x < xmax; x++)
            {
                double w = LanczosFilter((x + xmin - center + 0.5) * ss);
                kk[k + x] = w;
                ww += w;
            }
            if (ww != 0.0)
                for (int x = 0; x < xmax; x++) kk[k + x] /= ww;
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return (bounds, kk, ksize);
    }

    /// <summary>Pillow's normalize_coeffs_8bpc: weights in fixed point with 22 fractional bits, rounded away from zero.</summary>
    internal static int[] Fixed(double[] kk)
    {
        var k = new int[kk.Length];
        const double one = 1 << PrecisionBits;
        for (int i = 0; i < kk.Length; i++)
            k[i] = kk[i] < 0 ? (int)(-0.5 + kk[i] * one) : (int)(0.5 + kk[i] * one);
        return k;
    }

    private static int Clip8(int v)
    {
        v >>= PrecisionBits; // arithmetic shift: floor, as Pillow's clip8 lookup index
        return v < 0 ? 0 : v > 255 ? 255 : v;
    }

    private static int RoundUp(double f) => (int)(f >= 0.0 ? f + 0.5 : f - 0.5);

    private static int[] Horizontal8(int[] src, int inW, int rowOffset, int rows, int outW, int[] bounds, int[] k, int ksize)
    {
        var dst = new int[rows * outW];
        for (int y = 0; y < rows; y++)
        {
            int rowIn = (y + rowOffset) * inW, rowOut = y * outW;
            for (int xx = 0; xx < outW; xx++)
            {
                int xmin = bounds[xx * 2], xmax = bounds[xx * 2 + 1], kb = xx * ksize;
                int ss = 1 << (PrecisionBits - 1);
                for (int x = 0; x < xmax; x++) ss += src[rowIn + xmin + x] * k[kb + x];
                dst[rowOut + xx] = Clip8(ss);
            }
        }
        return dst;
    }

    private static int[] Vertical8(int[] src, int width, int rowOffset, int outH, int[] bounds, int[] k, int ksize)
    {
        var dst = new int[outH * width];
        for (int yy = 0; yy < outH; yy++)
        {
            int ymin = bounds[yy * 2] - rowOffset, ymax = bounds[yy * 2 + 1], kb = yy * ksize, rowOut = yy * width;
            for (int xx = 0; xx < width; xx++)
            {
                int ss = 1 << (PrecisionBits - 1);
                for (int y = 0; y < ymax; y++) ss += src[(ymin + y) * width + xx] * k[kb + y];
                dst[rowOut + xx] = Clip8(ss);
            }
        }
        return dst;
    }

    private static int[] Horizontal16(int[] src, int inW, int rowOffset, int rows, int outW, int[] bounds, double[] k, int ksize)
    {
        var dst = new int[rows * outW];
        for (int y = 0; y < rows; y++)
        {
            int rowIn = (y + rowOffset) * inW, rowOut = y * outW;
            for (int xx = 0; xx < outW; xx++)
            {
                int xmin = bounds[xx * 2], xmax = bounds[xx * 2 + 1], kb = xx * ksize;
                double ss = 0.0;
                for (int x = 0; x < xmax; x++) ss += src[rowIn + xmin + x] * k[kb + x];
                dst[rowOut + xx] = RoundUp(ss);
            }
        }
        return dst;
    }

    private static int[] Vertical16(int[] src, int width, int rowOffset, int outH, int[] bounds, double[] k, int ksize)
    {
        var dst = new int[outH * width];
        for (int yy = 0; yy < outH; yy++)
        {
            int ymin = bounds[yy * 2] - rowOffset, ymax = bounds[yy * 2 + 1], kb = yy * ksize, rowOut = yy * width;
            for (int xx = 0; xx < width; xx++)
            {
                double ss = 0.0;
                for (int y = 0; y < ymax; y++) ss += src[(ymin + y) * width + xx] * k[kb + y];
                dst[rowOut + xx] = RoundUp(ss);
            }
        }
        return dst;
    }

    /// <summary>Pillow's RGBA to RGBa: c * a / 255 with MULDIV255's rounding (the same scheme at 65535 for 16-bit).</summary>
    private static void Premultiply(int[] color, int[] alpha, int max)
    {
        for (int i = 0; i < color.Length; i++)
        {
            if (max == 255)
            {
                int tmp = color[i] * alpha[i] + 128;
                color[i] = ((tmp >> 8) + tmp) >> 8;
            }
            else
            {
                color[i] = (int)(((long)color[i] * alpha[i] + 32767) / 65535);
            }
        }
    }

    /// <summary>Pillow's RGBa to RGBA: a of 0 or max leaves c; otherwise max * c / a truncated and clipped.</summary>
    private static void Unpremultiply(int[] color, int[] alpha, int max)
    {
        for (int i = 0; i < color.Length; i++)
        {
            int a = alpha[i];
            if (a == max || a == 0) continue;
            long v = (long)max * color[i] / a;
            color[i] = v > max ? max : (int)v;
        }
    }
}
