namespace NativeGan.Models.Data;

public enum ResizeFilter
{
    /// <summary>Triangle filter widened by the scale factor when shrinking (PIL / torchvision antialiased bilinear).</summary>
    Bilinear,

    /// <summary>Keys cubic (a = -0.5) widened by the scale factor when shrinking (MATLAB imresize / PIL bicubic).</summary>
    Bicubic,
}

/// <summary>
/// Separable, antialiased resampling of CHW float planes, following PIL's ImagingResample: output pixel i
/// has centre (i + 0.5) * scale in input coordinates and averages the input pixels under the filter,
/// stretched by the scale factor when downsampling, with weights normalised to sum to one at the borders.
/// </summary>
public static class ImageResize
{
    public static float[] Resize(ReadOnlySpan<float> src, int channels, int inH, int inW, int outH, int outW, ResizeFilter filter)
    {
        if (channels <= 0 || inH <= 0 || inW <= 0 || outH <= 0 || outW <= 0)
            throw new ArgumentException($"ImageResize: sizes must be positive, got channels {channels}, {inH} x {inW} -> {outH} x {outW}.");
        if (src.Length < channels * inH * inW)
            throw new ArgumentException($"ImageResize: source holds {src.Length} floats, expected {channels * inH * inW}.");
        if (inH == outH && inW == outW) return src[..(channels * inH * inW)].ToArray();

        var (wx, bx, nx) = Weights(inW, outW, filter);
        var (wy, by, ny) = Weights(inH, outH, filter);
        var tmp = new float[channels * inH * outW];   // horizontal pass first
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < inH; y++)
            {
                int rowIn = (c * inH + y) * inW, rowOut = (c * inH + y) * outW;
                for (int x = 0; x < outW; x++)
                {
                    float s = 0;
                    int b = bx[x];
                    for (int k = 0; k < nx[x]; k++) s += wx[x][k] * src[rowIn + b + k];
                    tmp[rowOut + x] = s;
                }
            }
        var dst = new float[channels * outH * outW];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < outH; y++)
            {
                int b = by[y];
                int rowOut = (c * outH + y) * outW;
                for (int k = 0; k < ny[y]; k++)
                {
                    float w = wy[y][k];
                    int rowIn = (c * inH + b + k) * outW;
                    for (int x = 0; x < outW; x++) dst[rowOut + x] += w * tmp[rowIn + x];
                }
            }
        return dst;
    }

    private static (float[][] w, int[] start, int[] count) Weights(int inSize, int outSize, ResizeFilter filter)
    {
        double support0 = filter == ResizeFilter.Bilinear ? 1.0 : 2.0;
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = support0 * filterScale;
        var w = new float[outSize][];
        var start = new int[outSize];
        var count = new int[outSize];
        for (int i = 0; i < outSize; i++)
        {
            double center = (i + 0.5) * scale;
            int xmin = Math.Max((int)Math.Floor(center - support + 0.5), 0);
            int xmax = Math.Min((int)Math.Floor(center + support + 0.5), inSize);
            int n = Math.Max(xmax - xmin, 1);
            if (xmin >= inSize) xmin = inSize - 1;
            var k = new double[n];
            double total = 0;
            for (int j = 0; j < n; j++)
            {
                double v = Kernel((j + xmin - center + 0.5) / filterScale, filter);
                k[j] = v;
                total += v;
            }
            var wf = new float[n];
            for (int j = 0; j < n; j++) wf[j] = total != 0 ? (float)(k[j] / total) : (j == 0 ? 1f : 0f);
            w[i] = wf;
            start[i] = xmin;
            count[i] = n;
        }
        return (w, start, count);
    }

    private static double Kernel(double x, ResizeFilter filter)
    {
        x = Math.Abs(x);
        if (filter == ResizeFilter.Bilinear) return x < 1 ? 1 - x : 0;
        const double a = -0.5;
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }

    /// <summary>Crops the centre outH x outW of a CHW image (torchvision CenterCrop's rounding).</summary>
    public static float[] CenterCrop(ReadOnlySpan<float> src, int channels, int inH, int inW, int outH, int outW)
    {
        if (outH > inH || outW > inW)
            throw new ArgumentException($"CenterCrop: crop {outH} x {outW} is larger than the image {inH} x {inW}.");
        int top = (int)Math.Round((inH - outH) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((inW - outW) / 2.0, MidpointRounding.ToEven);
        var dst = new float[channels * outH * outW];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < outH; y++)
                src.Slice((c * inH + top + y) * inW + left, outW).CopyTo(dst.AsSpan((c * outH + y) * outW, outW));
        return dst;
    }
}
