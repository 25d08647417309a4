using NativeGan.Kernels.Resample;

namespace NativeGan.Backends.Cpu;

/// <summary>Bilinear resampling on the host: per-axis source indices and weights computed once, planes across the cores.</summary>
internal sealed partial class CpuBackend
{
    private static (int[] I0, int[] Step, float[] L1) AxisTaps(int size, int outSize, float ratio, int alignCorners, int step)
    {
        var i0 = new int[outSize];
        var d = new int[outSize];
        var l1 = new float[outSize];
        for (int o = 0; o < outSize; o++)
        {
            i0[o] = ResampleKernels.Source(o, ratio, alignCorners, out l1[o]);
            d[o] = i0[o] < size - 1 ? step : 0;
        }
        return (i0, d, l1);
    }

    public void Bilinear(Storage x, int xOffset, Storage y, int yOffset, int planes, int h, int w, int oh, int ow, float ratioH, float ratioW, int alignCorners)
    {
        float[] xs = Data(x), ys = Data(y);
        var (y0, dy, ly) = AxisTaps(h, oh, ratioH, alignCorners, w);
        var (x0, dx, lx) = AxisTaps(w, ow, ratioW, alignCorners, 1);
        CpuParallel.For(planes, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                int xb = xOffset + p * h * w, yb = yOffset + p * oh * ow;
                for (int oy = 0; oy < oh; oy++)
                {
                    int r0 = xb + y0[oy] * w, r1 = r0 + dy[oy];
                    float ly1 = ly[oy], ly0 = 1f - ly1;
                    int outRow = yb + oy * ow;
                    for (int ox = 0; ox < ow; ox++)
                    {
                        int c0 = x0[ox], c1 = c0 + dx[ox];
                        float lx1 = lx[ox], lx0 = 1f - lx1;
                        ys[outRow + ox] = ly0 * (lx0 * xs[r0 + c0] + lx1 * xs[r0 + c1]) + ly1 * (lx0 * xs[r1 + c0] + lx1 * xs[r1 + c1]);
                    }
                }
            }
        }, PlaneChunk((long)oh * ow * 4));
    }

    public void BilinearBackward(Storage g, int gOffset, Storage gx, int gxOffset, int planes, int h, int w, int oh, int ow, float ratioH, float ratioW, int alignCorners)
    {
        float[] gs = Data(g), gxs = Data(gx);
        var (y0, dy, ly) = AxisTaps(h, oh, ratioH, alignCorners, w);
        var (x0, dx, lx) = AxisTaps(w, ow, ratioW, alignCorners, 1);
        CpuParallel.For(planes, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                int xb = gxOffset + p * h * w, gb = gOffset + p * oh * ow;
                gxs.AsSpan(xb, h * w).Clear();
                for (int oy = 0; oy < oh; oy++)
                {
                    int r0 = xb + y0[oy] * w, r1 = r0 + dy[oy];
                    float ly1 = ly[oy], ly0 = 1f - ly1;
                    int gRow = gb + oy * ow;
                    for (int ox = 0; ox < ow; ox++)
                    {
                        int c0 = x0[ox], c1 = c0 + dx[ox];
                        float lx1 = lx[ox], lx0 = 1f - lx1;
                        float v = gs[gRow + ox];
                        gxs[r0 + c0] += ly0 * lx0 * v;
                        gxs[r0 + c1] += ly0 * lx1 * v;
                        gxs[r1 + c0] += ly1 * lx0 * v;
                        gxs[r1 + c1] += ly1 * lx1 * v;
                    }
                }
            }
        }, PlaneChunk((long)oh * ow * 4));
    }
}
