using System.Numerics;

namespace NativeGan.Models.Sr.Data;

/// <summary>
/// MATLAB's <c>imresize(img, scale, 'bicubic')</c> as BasicSR ports it (basicsr/utils/matlab_functions.py):
/// the Keys cubic (a = -0.5), widened by 1/scale when shrinking with antialiasing, output size
/// ceil(in * scale) per axis, symmetric (edge-repeating) padding at the borders, a pass over the height
/// then one over the width. Images are CHW floats (usually in [0, 1]); the result is not rounded or clamped.
/// This is the standard way SR benchmarks make bicubic LR images (DIV2K, Set5, ...).
/// </summary>
public static class MatlabResize
{
    /// <summary>The output size for a scale: (ceil(height * scale), ceil(width * scale)), as BasicSR/MATLAB.</summary>
    public static (int Height, int Width) OutputSize(int height, int width, double scale)
    {
        if (!(scale > 0) || double.IsInfinity(scale))
            throw new ArgumentException($"MatlabResize: scale must be a positive finite number, got {scale}.");
        double h = Math.Ceiling(height * scale), w = Math.Ceiling(width * scale);
        if (h < 1 || w < 1 || h > int.MaxValue || w > int.MaxValue)
            throw new ArgumentException($"MatlabResize: {height} x {width} scaled by {scale} gives {h} x {w}, outside [1, {int.MaxValue}].");
        return ((int)h, (int)w);
    }

    /// <summary>Resizes a CHW image by <paramref name="scale"/> (the same for both axes), as BasicSR's
    /// <c>imresize(img, scale, antialiasing)</c>.</summary>
    public static (float[] Data, int Height, int Width) Imresize(float[] chw, int channels, int height, int width,
        double scale, bool antialiasing = true)
    {
        ArgumentNullException.ThrowIfNull(chw);
        var plan = new MatlabResizePlan(height, width, scale, antialiasing);
        CheckSource(chw.Length, channels, height, width);
        var data = plan.Apply(chw, channels, 0, 0, height, width, 0, 0, plan.OutHeight, plan.OutWidth);
        return (data, plan.OutHeight, plan.OutWidth);
    }

    /// <summary>The window [top, top + outHeight) x [left, left + outWidth) of
    /// <c>Imresize(chw, channels, height, width, scale)</c>, computing only that window (the same numbers, bit
    /// for bit, as cropping the full result). Used to make LR training patches from large HR images.</summary>
    public static float[] ImresizeCrop(float[] chw, int channels, int height, int width, double scale,
        int top, int left, int outHeight, int outWidth, bool antialiasing = true)
    {
        ArgumentNullException.ThrowIfNull(chw);
        var plan = new MatlabResizePlan(height, width, scale, antialiasing);
        CheckSource(chw.Length, channels, height, width);
        return plan.Apply(chw, channels, 0, 0, height, width, top, left, outHeight, outWidth);
    }

    private static void CheckSource(int length, int channels, int height, int width)
    {
        if (channels <= 0)
            throw new ArgumentException($"MatlabResize: channels must be positive, got {channels}.");
        if ((long)channels * height * width != length)
            throw new ArgumentException(
                $"MatlabResize: expected {channels} x {height} x {width} = {(long)channels * height * width} floats (CHW), got {length}.");
    }
}

/// <summary>
/// The precomputed weights and (mirrored) source indices of <see cref="MatlabResize"/> for one input size
/// and scale, reusable across images of that size. <see cref="Apply"/> computes any window of the output
/// from a source region that covers <see cref="InputRegion"/> of that window.
/// </summary>
public sealed class MatlabResizePlan
{
    private readonly Axis rows, cols;

    public MatlabResizePlan(int height, int width, double scale, bool antialiasing = true)
    {
        if (height <= 0 || width <= 0)
            throw new ArgumentException($"MatlabResize: the image size must be positive, got {height} x {width}.");
        (OutHeight, OutWidth) = MatlabResize.OutputSize(height, width, scale);
        Height = height;
        Width = width;
        Scale = scale;
        Antialiasing = antialiasing;
        rows = Axis.Create(height, OutHeight, scale, antialiasing);
        cols = Axis.Create(width, OutWidth, scale, antialiasing);
    }

    public int Height { get; }
    public int Width { get; }
    public double Scale { get; }
    public bool Antialiasing { get; }
    public int OutHeight { get; }
    public int OutWidth { get; }

    /// <summary>Input taps per output pixel along the height / width.</summary>
    public int TapsHeight => rows.Taps;
    public int TapsWidth => cols.Taps;

    /// <summary>The input rectangle (in image coordinates) that the output window
    /// [top, top + outHeight) x [left, left + outWidth) reads.</summary>
    public (int Top, int Left, int Height, int Width) InputRegion(int top, int left, int outHeight, int outWidth)
    {
        CheckWindow(top, left, outHeight, outWidth);
        var (r0, r1) = rows.Range(top, outHeight);
        var (c0, c1) = cols.Range(left, outWidth);
        return (r0, c0, r1 - r0 + 1, c1 - c0 + 1);
    }

    /// <summary>
    /// Computes the output window [top, top + outHeight) x [left, left + outWidth) (CHW, channels planes) from
    /// <paramref name="source"/>, a CHW region of the input image whose pixel (0, 0) is image pixel
    /// (<paramref name="sourceTop"/>, <paramref name="sourceLeft"/>) and which covers
    /// <see cref="InputRegion"/> of the window.
    /// </summary>
    public float[] Apply(float[] source, int channels, int sourceTop, int sourceLeft, int sourceHeight, int sourceWidth,
        int top, int left, int outHeight, int outWidth)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (channels <= 0) throw new ArgumentException($"MatlabResize: channels must be positive, got {channels}.");
        var (rTop, rLeft, rH, rW) = InputRegion(top, left, outHeight, outWidth);
        if (sourceHeight <= 0 || sourceWidth <= 0 || (long)channels * sourceHeight * sourceWidth != source.Length)
            throw new ArgumentException(
                $"MatlabResize: the source region is {channels} x {sourceHeight} x {sourceWidth} but holds {source.Length} floats.");
        if (rTop < sourceTop || rLeft < sourceLeft || rTop + rH > sourceTop + sourceHeight || rLeft + rW > sourceLeft + sourceWidth)
            throw new ArgumentException(
                $"MatlabResize: the output window needs input rows [{rTop}, {rTop + rH}) and columns [{rLeft}, {rLeft + rW}), " +
                $"but the source region covers rows [{sourceTop}, {sourceTop + sourceHeight}) and columns [{sourceLeft}, {sourceLeft + sourceWidth}).");

        // Height pass: tmp[c, i, x] for the window's rows and only the columns the width pass reads.
        int planes = channels * outHeight;
        var tmp = new float[checked(planes * rW)];
        int colOffset = rLeft - sourceLeft;
        void Height(int ci) => HeightRow(source, ci / outHeight, ci % outHeight, outHeight, top, sourceTop, sourceHeight, sourceWidth, colOffset, rW, tmp);
        if ((long)planes * rW * rows.Taps >= ParallelThreshold && planes > 1) Parallel.For(0, planes, Height);
        else for (int ci = 0; ci < planes; ci++) Height(ci);

        // Width pass.
        var dst = new float[checked(planes * outWidth)];
        void Width(int ci) => WidthRow(tmp, ci, rW, rLeft, left, outWidth, dst);
        if ((long)planes * outWidth * cols.Taps >= ParallelThreshold && planes > 1) Parallel.For(0, planes, Width);
        else for (int ci = 0; ci < planes; ci++) Width(ci);
        return dst;
    }

    /// <summary>Multiply-adds per pass above which a pass is split over the cores.</summary>
    private const long ParallelThreshold = 1 << 21;

    private void HeightRow(float[] src, int c, int i, int outHeight, int top, int sourceTop, int sourceHeight, int sourceWidth,
        int colOffset, int rW, float[] tmp)
    {
        int taps = rows.Taps;
        int o = top + i;
        var acc = tmp.AsSpan((c * outHeight + i) * rW, rW);
        for (int k = 0; k < taps; k++)
        {
            float w = rows.Weight[o * taps + k];
            int r = rows.Index[o * taps + k] - sourceTop;
            var s = src.AsSpan((c * sourceHeight + r) * sourceWidth + colOffset, rW);
            if (k == 0) MulRow(s, w, acc);
            else MulAddRow(s, w, acc);
        }
    }

    private void WidthRow(float[] tmp, int ci, int rW, int rLeft, int left, int outWidth, float[] dst)
    {
        int taps = cols.Taps;
        var row = tmp.AsSpan(ci * rW, rW);
        var outRow = dst.AsSpan(ci * outWidth, outWidth);
        for (int j = 0; j < outWidth; j++)
        {
            int o = left + j;
            int b = o * taps;
            float s = 0;
            for (int k = 0; k < taps; k++) s += cols.Weight[b + k] * row[cols.Index[b + k] - rLeft];
            outRow[j] = s;
        }
    }

    // Element-wise w * s (+ acc) with a separate multiply and add in both the vector body and the scalar tail,
    // so a pixel's value does not depend on where it falls in the row (windows equal crops of the full result).
    private static void MulRow(ReadOnlySpan<float> s, float w, Span<float> acc)
    {
        int n = acc.Length, x = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var wv = new Vector<float>(w);
            for (; x <= n - Vector<float>.Count; x += Vector<float>.Count)
                (wv * new Vector<float>(s.Slice(x))).CopyTo(acc.Slice(x));
        }
        for (; x < n; x++) acc[x] = w * s[x];
    }

    private static void MulAddRow(ReadOnlySpan<float> s, float w, Span<float> acc)
    {
        int n = acc.Length, x = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var wv = new Vector<float>(w);
            for (; x <= n - Vector<float>.Count; x += Vector<float>.Count)
            {
                var prod = wv * new Vector<float>(s.Slice(x));
                (new Vector<float>(acc.Slice(x)) + prod).CopyTo(acc.Slice(x));
            }
        }
        for (; x < n; x++)
        {
            float prod = w * s[x];
            acc[x] += prod;
        }
    }

    private void CheckWindow(int top, int left, int outHeight, int outWidth)
    {
        if (outHeight <= 0 || outWidth <= 0 || top < 0 || left < 0 || top + outHeight > OutHeight || left + outWidth > OutWidth)
            throw new ArgumentException(
                $"MatlabResize: output window rows [{top}, {top + outHeight}) x columns [{left}, {left + outWidth}) is empty or outside the output {OutHeight} x {OutWidth}.");
    }

    /// <summary>One axis: for each output position, <see cref="Taps"/> source indices (0-based, already
    /// mirrored into [0, in)) and weights.</summary>
    private sealed class Axis
    {
        public required int Taps { get; init; }
        public required int[] Index { get; init; }
        public required float[] Weight { get; init; }

        /// <summary>Smallest and largest source index read by outputs [start, start + count).</summary>
        public (int Min, int Max) Range(int start, int count)
        {
            int min = int.MaxValue, max = int.MinValue;
            for (int i = start * Taps; i < (start + count) * Taps; i++)
            {
                min = Math.Min(min, Index[i]);
                max = Math.Max(max, Index[i]);
            }
            return (min, max);
        }

        /// <summary>BasicSR's calculate_weights_indices, in double: output x (1-based) sits at input
        /// u = x / scale + 0.5 (1 - 1 / scale); taps floor(u - width / 2) + [0, ceil(width) + 2); weights
        /// normalised per row; then the first column is dropped (with the last) when any row has a zero
        /// weight there, else the last two when any row has a zero in the last (the port's rule, kept as is).</summary>
        public static Axis Create(int inLength, int outLength, double scale, bool antialiasing)
        {
            bool widen = scale < 1 && antialiasing;
            double kernelWidth = widen ? 4 / scale : 4;
            int p = (int)Math.Ceiling(kernelWidth) + 2;
            var w = new double[outLength * p];
            var idx = new long[outLength * p];
            int zerosFirst = 0, zerosLast = 0;
            for (int i = 0; i < outLength; i++)
            {
                double x = i + 1;
                double u = x / scale + 0.5 * (1 - 1 / scale);
                double leftIdx = Math.Floor(u - kernelWidth / 2);
                double sum = 0;
                for (int j = 0; j < p; j++)
                {
                    double index = leftIdx + j;
                    double d = u - index;
                    double v = widen ? scale * Cubic(d * scale) : Cubic(d);
                    w[i * p + j] = v;
                    idx[i * p + j] = (long)index;
                    sum += v;
                }
                for (int j = 0; j < p; j++) w[i * p + j] /= sum;
                if (w[i * p] == 0) zerosFirst++;
                if (w[i * p + p - 1] == 0) zerosLast++;
            }
            int first = 0, taps = p;
            if (zerosFirst != 0) { first = 1; taps = p - 2; }
            else if (zerosLast != 0) { first = 0; taps = p - 2; }
            var index0 = new int[outLength * taps];
            var weight = new float[outLength * taps];
            for (int i = 0; i < outLength; i++)
                for (int k = 0; k < taps; k++)
                {
                    weight[i * taps + k] = (float)w[i * p + first + k];
                    index0[i * taps + k] = Mirror(idx[i * p + first + k] - 1, inLength);   // 1-based -> 0-based
                }
            return new Axis { Taps = taps, Index = index0, Weight = weight };
        }

        private static double Cubic(double x)
        {
            double a = Math.Abs(x), a2 = a * a, a3 = a2 * a;
            if (a <= 1) return 1.5 * a3 - 2.5 * a2 + 1;
            if (a <= 2) return -0.5 * a3 + 2.5 * a2 - 4 * a + 2;
            return 0;
        }

        /// <summary>Symmetric padding (the edge pixel repeats: ... 1 0 | 0 1 2 ... n-1 | n-1 n-2 ...), as
        /// BasicSR's sym_patch copies; repeated for pads longer than the image, where BasicSR fails.</summary>
        private static int Mirror(long q, int n)
        {
            long period = 2L * n;
            long r = ((q % period) + period) % period;
            return (int)(r < n ? r : period - 1 - r);
        }
    }
}
