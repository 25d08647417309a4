using ILGPU;
using NativeGan.Kernels.Elementwise;

namespace NativeGan.Kernels.Resample;

/// <summary>
/// Bilinear resampling over contiguous planes [P, H, W], exactly as PyTorch: the source coordinate of output o is
/// max(ratio * (o + 0.5) - 0.5, 0) with ratio = in / out, or ratio * o with ratio = (in - 1) / (out - 1) when
/// alignCorners is set; the upper neighbour is clamped to the last row or column. The backward gathers over the outputs that read each input pixel.
/// </summary>
public static class ResampleKernels
{
    /// <summary>The lower source index and the weight of the upper neighbour for output o.</summary>
    public static int Source(int o, float ratio, int alignCorners, out float lambda)
    {
        float src = alignCorners != 0 ? ratio * o : ratio * (o + 0.5f) - 0.5f;
        if (src < 0f) src = 0f;
        int i0 = (int)src;
        lambda = src - i0;
        return i0;
    }

    /// <summary>The weight output o gives input i along one axis (0 when o does not read i).</summary>
    public static float Weight(int o, int i, float ratio, int alignCorners, int size)
    {
        int i0 = Source(o, ratio, alignCorners, out float l1);
        int i1 = i0 < size - 1 ? i0 + 1 : i0;
        float wgt = 0f;
        if (i0 == i) wgt += 1f - l1;
        if (i1 == i) wgt += l1;
        return wgt;
    }

    public static void BilinearForward(ArrayView<float> x, ArrayView<float> y, int planes, int h, int w, int oh, int ow, float ratioH, float ratioW, int alignCorners)
    {
        int n = planes * oh * ow;
        int stride = GridExtensions.GridStrideLoopStride;
        for (int t = Grid.GlobalIndex.X; t < n; t += stride)
        {
            int ox = t % ow;
            int r = t / ow;
            int oy = r % oh;
            int p = r / oh;
            int y0 = Source(oy, ratioH, alignCorners, out float ly1);
            int x0 = Source(ox, ratioW, alignCorners, out float lx1);
            int dy = y0 < h - 1 ? w : 0;
            int dx = x0 < w - 1 ? 1 : 0;
            float ly0 = 1f - ly1, lx0 = 1f - lx1;
            int b = p * h * w + y0 * w + x0;
            y[t] = ly0 * (lx0 * x[b] + lx1 * x[b + dx]) + ly1 * (lx0 * x[b + dy] + lx1 * x[b + dy + dx]);
        }
    }

    /// <summary>gx[p, iy, ix] = sum over outputs (oy, ox) of g * wy(oy, iy) * wx(ox, ix): the adjoint of BilinearForward.</summary>
    public static void BilinearBackward(ArrayView<float> g, ArrayView<float> gx, int planes, int h, int w, int oh, int ow, float ratioH, float ratioW, int alignCorners)
    {
        int n = planes * h * w;
        int stride = GridExtensions.GridStrideLoopStride;
        for (int t = Grid.GlobalIndex.X; t < n; t += stride)
        {
            int ix = t % w;
            int r = t / w;
            int iy = r % h;
            int p = r / h;
            int oy0, oy1, ox0, ox1;
            Candidates(iy, ratioH, alignCorners, oh, out oy0, out oy1);
            Candidates(ix, ratioW, alignCorners, ow, out ox0, out ox1);
            int plane = p * oh * ow;
            float acc = 0f;
            for (int oy = oy0; oy <= oy1; oy++)
            {
                float wy = Weight(oy, iy, ratioH, alignCorners, h);
                if (wy == 0f) continue;
                float row = 0f;
                for (int ox = ox0; ox <= ox1; ox++)
                {
                    float wx = Weight(ox, ix, ratioW, alignCorners, w);
                    if (wx != 0f) row += wx * g[plane + oy * ow + ox];
                }
                acc += wy * row;
            }
            gx[t] = acc;
        }
    }

    /// <summary>A range of outputs that includes every output reading input i (the lower index lies in [i - 1, i]).</summary>
    public static void Candidates(int i, float ratio, int alignCorners, int outSize, out int first, out int last)
    {
        // The source coordinate lies in [i - 1, i + 1): ratio * (o + 0.5) - 0.5 => o in [(i - 0.5) / ratio - 0.5, (i + 1.5) / ratio - 0.5);
        // ratio * o (align_corners) => o in [(i - 1) / ratio, (i + 1) / ratio). Two outputs of slack either side.
        if (ratio <= 0f)
        {
            first = 0;
            last = outSize - 1;
            return;
        }
        float lo = alignCorners != 0 ? (i - 1) / ratio : (i - 0.5f) / ratio - 0.5f;
        float hi = alignCorners != 0 ? (i + 1) / ratio : (i + 1.5f) / ratio - 0.5f;
        if (lo < 0f) lo = 0f;
        if (hi > outSize) hi = outSize;
        first = (int)lo - 2;
        last = (int)hi + 2;
        if (first < 0) first = 0;
        if (last > outSize - 1) last = outSize - 1;
    }
}
