using NativeGan.Kernels.Pool;

namespace NativeGan.Backends.Cpu;

/// <summary>
/// Pooling on the host, one plane per work item across the cores. The backward passes scatter within a plane,
/// which one thread owns, so the sums are deterministic without atomics.
/// </summary>
internal sealed partial class CpuBackend
{
    private static int PlaneChunk(long workPerPlane) => (int)Math.Max(1, CpuParallel.MinParallelElements / Math.Max(workPerPlane, 1));

    public void AvgPool2d(Storage x, int xOffset, Storage y, int yOffset, int planes, in PoolWindow w)
    {
        float[] xs = Data(x), ys = Data(y);
        var win = w;
        var divisors = Divisors(win);
        CpuParallel.For(planes, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                int xb = xOffset + p * win.H * win.W, yb = yOffset + p * win.OH * win.OW;
                for (int oy = 0; oy < win.OH; oy++)
                {
                    int h0 = Math.Max(oy * win.SH - win.PH, 0), h1 = Math.Min(oy * win.SH - win.PH + win.KH, win.H);
                    for (int ox = 0; ox < win.OW; ox++)
                    {
                        int w0 = Math.Max(ox * win.SW - win.PW, 0), w1 = Math.Min(ox * win.SW - win.PW + win.KW, win.W);
                        float acc = 0f;
                        for (int iy = h0; iy < h1; iy++)
                        {
                            int row = xb + iy * win.W;
                            for (int ix = w0; ix < w1; ix++) acc += xs[row + ix];
                        }
                        ys[yb + oy * win.OW + ox] = acc / divisors[oy * win.OW + ox];
                    }
                }
            }
        }, PlaneChunk((long)win.OH * win.OW * win.KH * win.KW));
    }

    public void AvgPool2dBackward(Storage g, int gOffset, Storage gx, int gxOffset, int planes, in PoolWindow w)
    {
        float[] gs = Data(g), gxs = Data(gx);
        var win = w;
        var divisors = Divisors(win);
        CpuParallel.For(planes, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                int xb = gxOffset + p * win.H * win.W, gb = gOffset + p * win.OH * win.OW;
                gxs.AsSpan(xb, win.H * win.W).Clear();
                for (int oy = 0; oy < win.OH; oy++)
                {
                    int h0 = Math.Max(oy * win.SH - win.PH, 0), h1 = Math.Min(oy * win.SH - win.PH + win.KH, win.H);
                    for (int ox = 0; ox < win.OW; ox++)
                    {
                        int w0 = Math.Max(ox * win.SW - win.PW, 0), w1 = Math.Min(ox * win.SW - win.PW + win.KW, win.W);
                        float v = gs[gb + oy * win.OW + ox] / divisors[oy * win.OW + ox];
                        for (int iy = h0; iy < h1; iy++)
                        {
                            int row = xb + iy * win.W;
                            for (int ix = w0; ix < w1; ix++) gxs[row + ix] += v;
                        }
                    }
                }
            }
        }, PlaneChunk((long)win.OH * win.OW * win.KH * win.KW));
    }

    private static float[] Divisors(in PoolWindow w)
    {
        var d = new float[w.OH * w.OW];
        for (int oy = 0; oy < w.OH; oy++)
            for (int ox = 0; ox < w.OW; ox++) d[oy * w.OW + ox] = w.Divisor(oy, ox);
        return d;
    }

    public void MaxPool2d(Storage x, int xOffset, Storage y, int yOffset, Storage indices, int indicesOffset, int planes, in PoolWindow w)
    {
        float[] xs = Data(x), ys = Data(y), idx = Data(indices);
        var win = w;
        CpuParallel.For(planes, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                int xb = xOffset + p * win.H * win.W, ob = p * win.OH * win.OW;
                for (int oy = 0; oy < win.OH; oy++)
                {
                    int h0 = Math.Max(oy * win.SH - win.PH, 0), h1 = Math.Min(oy * win.SH - win.PH + win.KH, win.H);
                    for (int ox = 0; ox < win.OW; ox++)
                    {
                        int w0 = Math.Max(ox * win.SW - win.PW, 0), w1 = Math.Min(ox * win.SW - win.PW + win.KW, win.W);
                        float best = float.NegativeInfinity;
                        int bestAt = h0 * win.W + w0;
                        for (int iy = h0; iy < h1; iy++)
                        {
                            int row = xb + iy * win.W;
                            for (int ix = w0; ix < w1; ix++)
                            {
                                float v = xs[row + ix];
                                if (v > best || float.IsNaN(v)) { best = v; bestAt = iy * win.W + ix; }
                            }
                        }
                        int o = ob + oy * win.OW + ox;
                        ys[yOffset + o] = best;
                        idx[indicesOffset + o] = bestAt;
                    }
                }
            }
        }, PlaneChunk((long)win.OH * win.OW * win.KH * win.KW));
    }

    public void MaxPool2dScatter(Storage g, int gOffset, Storage indices, int indicesOffset, Storage gx, int gxOffset, int planes, in PoolWindow w)
    {
        float[] gs = Data(g), idx = Data(indices), gxs = Data(gx);
        var win = w;
        int plane = win.OH * win.OW;
        CpuParallel.For(planes, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                int xb = gxOffset + p * win.H * win.W;
                gxs.AsSpan(xb, win.H * win.W).Clear();
                for (int o = 0; o < plane; o++)
                    gxs[xb + (int)idx[indicesOffset + p * plane + o]] += gs[gOffset + p * plane + o];
            }
        }, PlaneChunk((long)win.H * win.W));
    }

    public void MaxPool2dGather(Storage x, int xOffset, Storage indices, int indicesOffset, Storage y, int yOffset, int planes, in PoolWindow w)
    {
        float[] xs = Data(x), idx = Data(indices), ys = Data(y);
        var win = w;
        int plane = win.OH * win.OW;
        CpuParallel.For(planes, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                int xb = xOffset + p * win.H * win.W;
                for (int o = 0; o < plane; o++)
                    ys[yOffset + p * plane + o] = xs[xb + (int)idx[indicesOffset + p * plane + o]];
            }
        }, PlaneChunk(plane));
    }

    public void AdaptiveAvgPool2d(Storage x, int xOffset, Storage y, int yOffset, int planes, int h, int w, int oh, int ow)
    {
        float[] xs = Data(x), ys = Data(y);
        CpuParallel.For(planes, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                int xb = xOffset + p * h * w, yb = yOffset + p * oh * ow;
                for (int oy = 0; oy < oh; oy++)
                {
                    int h0 = oy * h / oh, h1 = ((oy + 1) * h + oh - 1) / oh;
                    for (int ox = 0; ox < ow; ox++)
                    {
                        int w0 = ox * w / ow, w1 = ((ox + 1) * w + ow - 1) / ow;
                        float acc = 0f;
                        for (int iy = h0; iy < h1; iy++)
                        {
                            int row = xb + iy * w;
                            for (int ix = w0; ix < w1; ix++) acc += xs[row + ix];
                        }
                        ys[yb + oy * ow + ox] = acc / ((h1 - h0) * (w1 - w0));
                    }
                }
            }
        }, PlaneChunk((long)h * w));
    }

    public void AdaptiveAvgPool2dBackward(Storage g, int gOffset, Storage gx, int gxOffset, int planes, int h, int w, int oh, int ow)
    {
        float[] gs = Data(g), gxs = Data(gx);
        CpuParallel.For(planes, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                int xb = gxOffset + p * h * w, gb = gOffset + p * oh * ow;
                gxs.AsSpan(xb, h * w).Clear();
                for (int oy = 0; oy < oh; oy++)
                {
                    int h0 = oy * h / oh, h1 = ((oy + 1) * h + oh - 1) / oh;
                    for (int ox = 0; ox < ow; ox++)
                    {
                        int w0 = ox * w / ow, w1 = ((ox + 1) * w + ow - 1) / ow;
                        float v = gs[gb + oy * ow + ox] / ((h1 - h0) * (w1 - w0));
                        for (int iy = h0; iy < h1; iy++)
                        {
                            int row = xb + iy * w;
                            for (int ix = w0; ix < w1; ix++) gxs[row + ix] += v;
                        }
                    }
                }
            }
        }, PlaneChunk((long)h * w));
    }
}
