namespace NativeGan.Models.Sr.Degradations;

/// <summary>
/// The host ops' resampling and padding written as matrices, for the device pipeline (<see cref="DeviceImageOps"/>):
/// each is a separable linear map, so an image X [H, W] becomes A_h X A_w^T. Built in double from the same taps
/// the host loops use.
/// </summary>
public static partial class HostImageOps
{
    /// <summary>
    /// The [outN, n] row-major matrix of one axis of <see cref="Resize"/>: row i holds the weights of output i over
    /// the n inputs (area: 1 / count over PyTorch's adaptive-pooling window; bilinear / bicubic: the 2 / 4 taps at
    /// source ratio <paramref name="ratio"/>, clamped indices adding up as PyTorch's bounded reads do).
    /// </summary>
    public static double[] ResizeMatrix(int n, int outN, string mode, double ratio)
    {
        if (n < 1 || outN < 1)
            throw new ArgumentException($"resize matrix: sizes must be positive, got {n} -> {outN}.");
        var m = new double[outN * n];
        if (mode == "area")
        {
            for (int i = 0; i < outN; i++)
            {
                int a = (int)Math.Floor((double)i * n / outN), b = (int)Math.Ceiling((double)(i + 1) * n / outN);
                for (int x = a; x < b; x++) m[i * n + x] = 1.0 / (b - a);
            }
            return m;
        }
        Taps taps = mode switch
        {
            "bilinear" => LinearTaps,
            "bicubic" => CubicTaps,
            _ => throw new ArgumentException($"resize: unknown mode '{mode}'; expected area, bilinear or bicubic."),
        };
        Span<int> idx = stackalloc int[4];
        Span<double> wts = stackalloc double[4];
        for (int i = 0; i < outN; i++)
        {
            taps(i, n, ratio, idx, wts);
            for (int q = 0; q < 4; q++) m[i * n + idx[q]] += wts[q];
        }
        return m;
    }

    /// <summary>
    /// The [n + 2 pad, n] 0/1 matrix of reflect padding along one axis (as <see cref="Filter2D"/> reads it: reflected
    /// again at the far border when the pad is not smaller than n, where PyTorch's reflect pad refuses).
    /// </summary>
    public static double[] ReflectPadMatrix(int n, int pad)
    {
        var m = new double[(n + 2 * pad) * n];
        for (int i = 0; i < n + 2 * pad; i++) m[i * n + Reflect(i - pad, n)] = 1;
        return m;
    }
}
