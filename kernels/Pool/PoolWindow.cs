namespace NativeGan.Kernels.Pool;

/// <summary>
/// The geometry of a 2-D pooling window over planes of H x W, producing OH x OW (PyTorch's avg/max pool with
/// ceil_mode off). Passed to kernels by value.
/// </summary>
public struct PoolWindow
{
    public int H, W, OH, OW;
    public int KH, KW, SH, SW, PH, PW;
    /// <summary>1 when padded positions count in the average's divisor (count_include_pad), else 0.</summary>
    public int CountIncludePad;

    /// <summary>The average's divisor for output (oy, ox), exactly as PyTorch computes it.</summary>
    public int Divisor(int oy, int ox)
    {
        int h0 = oy * SH - PH, w0 = ox * SW - PW;
        int h1 = h0 + KH, w1 = w0 + KW;
        if (h1 > H + PH) h1 = H + PH;
        if (w1 > W + PW) w1 = W + PW;
        int poolSize = (h1 - h0) * (w1 - w0);
        if (CountIncludePad != 0) return poolSize;
        if (h0 < 0) h0 = 0;
        if (w0 < 0) w0 = 0;
        if (h1 > H) h1 = H;
        if (w1 > W) w1 = W;
        return (h1 - h0) * (w1 - w0);
    }

    /// <summary>First output row whose window contains input row iy (may be below 0: clamp).</summary>
    public static int FirstWindow(int i, int k, int s, int p)
    {
        // smallest o with o*s - p + k - 1 >= i  =>  o >= (i + p - k + 1) / s
        int num = i + p - k + 1;
        if (num <= 0) return 0;
        return (num + s - 1) / s;
    }

    /// <summary>Last output row whose window contains input row iy (clamp to OH - 1).</summary>
    public static int LastWindow(int i, int s, int p) => (i + p) / s;
}
