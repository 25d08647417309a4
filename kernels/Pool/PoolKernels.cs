using ILGPU;
using NativeGan.Kernels.Elementwise;

namespace NativeGan.Kernels.Pool;

/// <summary>
/// 2-D pooling over contiguous planes [P, H, W] (P = N * C). Backward kernels gather, for each input pixel, over
/// the output windows that contain it: no atomics, deterministic on every backend.
/// </summary>
public static class PoolKernels
{
    /// <summary>y[p, oy, ox] = average of the window (PyTorch's divisor rules).</summary>
    public static void AvgForward(ArrayView<float> x, ArrayView<float> y, int planes, PoolWindow w)
    {
        int n = planes * w.OH * w.OW;
        int stride = GridExtensions.GridStrideLoopStride;
        for (int t = Grid.GlobalIndex.X; t < n; t += stride)
        {
            int ox = t % w.OW;
            int r = t / w.OW;
            int oy = r % w.OH;
            int p = r / w.OH;
            int h0 = oy * w.SH - w.PH, w0 = ox * w.SW - w.PW;
            int h1 = h0 + w.KH, w1 = w0 + w.KW;
            if (h0 < 0) h0 = 0;
            if (w0 < 0) w0 = 0;
            if (h1 > w.H) h1 = w.H;
            if (w1 > w.W) w1 = w.W;
            int plane = p * w.H * w.W;
            float acc = 0f;
            for (int iy = h0; iy < h1; iy++)
                for (int ix = w0; ix < w1; ix++)
                    acc += x[plane + iy * w.W + ix];
            y[t] = acc / w.Divisor(oy, ox);
        }
    }

    /// <summary>gx[p, iy, ix] = sum over windows containing (iy, ix) of g / divisor.</summary>
    public static void AvgBackward(ArrayView<float> g, ArrayView<float> gx, int planes, PoolWindow w)
    {
        int n = planes * w.H * w.W;
        int stride = GridExtensions.GridStrideLoopStride;
        for (int t = Grid.GlobalIndex.X; t < n; t += stride)
        {
            int ix = t % w.W;
            int r = t / w.W;
            int iy = r % w.H;
            int p = r / w.H;
            int oy0 = PoolWindow.FirstWindow(iy, w.KH, w.SH, w.PH), oy1 = PoolWindow.LastWindow(iy, w.SH, w.PH);
            int ox0 = PoolWindow.FirstWindow(ix, w.KW, w.SW, w.PW), ox1 = PoolWindow.LastWindow(ix, w.SW, w.PW);
            if (oy1 > w.OH - 1) oy1 = w.OH - 1;
            if (ox1 > w.OW - 1) ox1 = w.OW - 1;
            int plane = p * w.OH * w.OW;
            float acc = 0f;
            for (int oy = oy0; oy <= oy1; oy++)
                for (int ox = ox0; ox <= ox1; ox++)
                    acc += g[plane + oy * w.OW + ox] / w.Divisor(oy, ox);
            gx[t] = acc;
        }
    }

    /// <summary>y = window maximum (NaN propagates), idx = its flat position iy * W + ix in the plane, as a float.</summary>
    public static void MaxForward(ArrayView<float> x, ArrayView<float> y, ArrayView<float> idx, int planes, PoolWindow w)
    {
        int n = planes * w.OH * w.OW;
        int stride = GridExtensions.GridStrideLoopStride;
        for (int t = Grid.GlobalIndex.X; t < n; t += stride)
        {
            int ox = t % w.OW;
            int r = t / w.OW;
            int oy = r % w.OH;
            int p = r / w.OH;
            int h0 = oy * w.SH - w.PH, w0 = ox * w.SW - w.PW;
            int h1 = h0 + w.KH, w1 = w0 + w.KW;
            if (h0 < 0) h0 = 0;
            if (w0 < 0) w0 = 0;
            if (h1 > w.H) h1 = w.H;
            if (w1 > w.W) w1 = w.W;
            int plane = p * w.H * w.W;
            float best = float.NegativeInfinity;
            int bestAt = h0 * w.W + w0;
            for (int iy = h0; iy < h1; iy++)
                for (int ix = w0; ix < w1; ix++)
                {
                    float v = x[plane + iy * w.W + ix];
                    if (v > best || float.IsNaN(v))
                    {
                        best = v;
                        bestAt = iy * w.W + ix;
                    }
                }
            y[t] = best;
            idx[t] = bestAt;
        }
    }

    /// <summary>gx[p, i] = sum of g over the windows (containing i) whose argmax is i: the adjoint of MaxGather.</summary>
    public static void MaxScatter(ArrayView<float> g, ArrayView<float> idx, ArrayView<float> gx, int planes, PoolWindow w)
    {
        int n = planes * w.H * w.W;
        int stride = GridExtensions.GridStrideLoopStride;
        for (int t = Grid.GlobalIndex.X; t < n; t += stride)
        {
            int ix = t % w.W;
            int r = t / w.W;
            int iy = r % w.H;
            int p = r / w.H;
            int oy0 = PoolWindow.FirstWindow(iy, w.KH, w.SH, w.PH), oy1 = PoolWindow.LastWindow(iy, w.SH, w.PH);
            int ox0 = PoolWindow.FirstWindow(ix, w.KW, w.SW, w.PW), ox1 = PoolWindow.LastWindow(ix, w.SW, w.PW);
            if (oy1 > w.OH - 1) oy1 = w.OH - 1;
            if (ox1 > w.OW - 1) ox1 = w.OW - 1;
            int plane = p * w.OH * w.OW;
            float self = iy * w.W + ix;
            float acc = 0f;
            for (int oy = oy0; oy <= oy1; oy++)
                for (int ox = ox0; ox <= ox1; ox++)
                {
                    int o = plane + oy * w.OW + ox;
                    if (idx[o] == self) acc += g[o];
                }
            gx[t] = acc;
        }
    }

    /// <summary>y[p, o] = x[p, idx[p, o]]: reads each window's recorded argmax.</summary>
    public static void MaxGather(ArrayView<float> x, ArrayView<float> idx, ArrayView<float> y, int planes, PoolWindow w)
    {
        int n = planes * w.OH * w.OW;
        int stride = GridExtensions.GridStrideLoopStride;
        for (int t = Grid.GlobalIndex.X; t < n; t += stride)
        {
            int p = t / (w.OH * w.OW);
            y[t] = x[p * w.H * w.W + (int)idx[t]];
        }
    }

    /// <summary>Adaptive average pooling: output row i averages rows floor(i*H/OH) .. ceil((i+1)*H/OH) - 1.</summary>
    public static void AdaptiveAvgForward(ArrayView<float> x, ArrayView<float> y, int planes, int h, int wd, int oh, int ow)
    {
        int n = planes * oh * ow;
        int stride = GridExtensions.GridStrideLoopStride;
        for (int t = Grid.GlobalIndex.X; t < n; t += stride)
        {
            int ox = t % ow;
            int r = t / ow;
            int oy = r % oh;
            int p = r / oh;
            int h0 = oy * h / oh, h1 = ((oy + 1) * h + oh - 1) / oh;
            int w0 = ox * wd / ow, w1 = ((ox + 1) * wd + ow - 1) / ow;
            int plane = p * h * wd;
            float acc = 0f;
            for (int iy = h0; iy < h1; iy++)
                for (int ix = w0; ix < w1; ix++)
                    acc += x[plane + iy * wd + ix];
            y[t] = acc / ((h1 - h0) * (w1 - w0));
        }
    }

    /// <summary>The adjoint of AdaptiveAvgForward, as a gather over the output cells whose window holds the pixel.</summary>
    public static void AdaptiveAvgBackward(ArrayView<float> g, ArrayView<float> gx, int planes, int h, int wd, int oh, int ow)
    {
        int n = planes * h * wd;
        int stride = GridExtensions.GridStrideLoopStride;
        for (int t = Grid.GlobalIndex.X; t < n; t += stride)
        {
            int ix = t % wd;
            int r = t / wd;
            int iy = r % h;
            int p = r / h;
            int oy0 = iy * oh / h - 1, oy1 = ((iy + 1) * oh + h - 1) / h;
            int ox0 = ix * ow / wd - 1, ox1 = ((ix + 1) * ow + wd - 1) / wd;
            if (oy0 < 0) oy0 = 0;
            if (ox0 < 0) ox0 = 0;
            if (oy1 > oh - 1) oy1 = oh - 1;
            if (ox1 > ow - 1) ox1 = ow - 1;
            int plane = p * oh * ow;
            float acc = 0f;
            for (int oy = oy0; oy <= oy1; oy++)
            {
                int h0 = oy * h / oh, h1 = ((oy + 1) * h + oh - 1) / oh;
                if (iy < h0 || iy >= h1) continue;
                for (int ox = ox0; ox <= ox1; ox++)
                {
                    int w0 = ox * wd / ow, w1 = ((ox + 1) * wd + ow - 1) / ow;
                    if (ix < w0 || ix >= w1) continue;
                    acc += g[plane + oy * ow + ox] / ((h1 - h0) * (w1 - w0));
                }
            }
            gx[t] = acc;
        }
    }
}
