using System.Buffers;
using System.Numerics.Tensors;
using NativeGan.Kernels.Conv;

namespace NativeGan.Backends.Cpu;

/// <summary>
/// Convolution on the CPU as GEMM: per image and group, a bounded im2col panel (a block of output rows, at most
/// <see cref="ColBufferFloats"/> floats, in a reusable per-thread buffer) multiplied by the weight with the packed
/// SGEMM; 1x1 stride-1 convolutions need no panel at all. Big per-image GEMMs run one image at a time with the
/// SGEMM and the panel copies split over the cores; small ones run whole images in parallel instead.
/// </summary>
internal sealed partial class CpuBackend
{
    /// <summary>Size of the per-thread im2col panel: 2 MB, so it stays in L2/L3 next to the packed GEMM blocks.</summary>
    private const int ColBufferFloats = 512 * 1024;

    /// <summary>Per-image GEMMs smaller than this many multiply-adds run images in parallel (the SGEMM would not split them).</summary>
    private const long ImageParallelBelow = 4L * 1024 * 1024;

    [ThreadStatic] private static float[]? t_col;

    private static float[] ColBuffer(int length)
    {
        var b = t_col;
        if (b == null || b.Length < length) t_col = b = GC.AllocateUninitializedArray<float>(Math.Max(length, 1024));
        return b;
    }

    private static bool IsPointwise(in Conv2dGeometry g) =>
        g.KH == 1 && g.KW == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0;

    private static int RowsPerBlock(in Conv2dGeometry g) =>
        Math.Clamp(ColBufferFloats / Math.Max(1, g.KernelVolume * g.OutW), 1, Math.Max(1, g.OutH));

    private static bool ImageParallel(in Conv2dGeometry g) =>
        g.N >= 2 && CpuParallel.Workers > 1 && (long)g.CoutPerGroup * g.OutH * g.OutW * g.KernelVolume < ImageParallelBelow;

    public void Conv2dForward(in Conv2dGeometry geometry, Storage x, int xOffset, Storage w, int wOffset, Storage? bias, int biasOffset, Storage y, int yOffset)
    {
        var g = geometry;
        float[] xs = Data(x), ws = Data(w), ys = Data(y);
        float[]? bs = bias != null ? Data(bias) : null;
        if (g.N == 0 || g.Cout == 0 || g.OutH * g.OutW == 0) return;
        if (ImageParallel(g))
            CpuParallel.For(g.N, (n0, n1) => ForwardImages(g, xs, xOffset, ws, wOffset, bs, biasOffset, ys, yOffset, n0, n1, false), 1);
        else
            ForwardImages(g, xs, xOffset, ws, wOffset, bs, biasOffset, ys, yOffset, 0, g.N, true);
    }

    /// <summary>Winograd F(4x4, 3x3) where it applies and is faster (stride-1 3x3 with enough channels), else the direct path.</summary>
    public void Conv2dForwardInference(in Conv2dGeometry geometry, Storage x, int xOffset, Storage w, int wOffset, Storage? bias, int biasOffset, Storage y, int yOffset)
    {
        if (!CpuWinograd.Pays(geometry))
        {
            Conv2dForward(geometry, x, xOffset, w, wOffset, bias, biasOffset, y, yOffset);
            return;
        }
        CpuWinograd.Forward(geometry, Data(x), xOffset, Data(w), wOffset, bias != null ? Data(bias) : null, biasOffset, Data(y), yOffset);
    }

    private static void ForwardImages(Conv2dGeometry g, float[] xs, int xOffset, float[] ws, int wOffset, float[]? bs, int biasOffset,
        float[] ys, int yOffset, int n0, int n1, bool splitCopies)
    {
        int cinG = g.CinPerGroup, coutG = g.CoutPerGroup, kvol = g.KernelVolume;
        int hw = g.H * g.W, outHW = g.OutH * g.OutW;
        bool pointwise = IsPointwise(g);
        int rows = RowsPerBlock(g);
        for (int n = n0; n < n1; n++)
        {
            for (int grp = 0; grp < g.Groups; grp++)
            {
                int xBase = xOffset + n * g.XBatchStride + grp * cinG * hw;
                int yBase = yOffset + n * g.YBatchStride + grp * coutG * outHW;
                int wBase = wOffset + grp * coutG * kvol;
                if (pointwise)
                {
                    CpuSgemm.Sgemm(false, false, coutG, outHW, cinG, 1f, ws, wBase, kvol, xs, xBase, hw, 0f, ys, yBase, outHW);
                    continue;
                }
                for (int oh0 = 0; oh0 < g.OutH; oh0 += rows)
                {
                    int r = Math.Min(rows, g.OutH - oh0), cols = r * g.OutW;
                    var col = ColBuffer(kvol * cols);
                    Im2Col(g, xs, xBase, col, oh0, r, splitCopies);
                    CpuSgemm.Sgemm(false, false, coutG, cols, kvol, 1f, ws, wBase, kvol, col, 0, cols, 0f, ys, yBase + oh0 * g.OutW, outHW);
                }
            }
            if (bs != null)
                for (int co = 0; co < g.Cout; co++)
                {
                    var dst = ys.AsSpan(yOffset + n * g.YBatchStride + co * outHW, outHW);
                    TensorPrimitives.Add(dst, bs[biasOffset + co], dst);
                }
        }
    }

    /// <summary>col[(ci, kh, kw), (oh - oh0, ow)] = x[ci, ih, iw] (0 in the padding) for output rows [oh0, oh0 + rows).</summary>
    private static void Im2Col(Conv2dGeometry g, float[] xs, int xBase, float[] col, int oh0, int rows, bool split)
    {
        int kvol = g.KernelVolume, cols = rows * g.OutW;
        if (split) CpuParallel.For(kvol, (r0, r1) => Im2ColRows(g, xs, xBase, col, oh0, rows, r0, r1), Math.Max(1, CpuParallel.MinParallelElements / Math.Max(1, cols)));
        else Im2ColRows(g, xs, xBase, col, oh0, rows, 0, kvol);
    }

    private static void Im2ColRows(Conv2dGeometry g, float[] xs, int xBase, float[] col, int oh0, int rows, int r0, int r1)
    {
        int khw = g.KH * g.KW, hw = g.H * g.W, outW = g.OutW, cols = rows * outW;
        for (int r = r0; r < r1; r++)
        {
            int ci = r / khw, kk = r - ci * khw, kh = kk / g.KW, kw = kk - kh * g.KW;
            int iw0 = kw * g.DilW - g.PadW;
            // Output columns whose input column lies inside the image: ow in [owLo, owHi).
            int owLo = iw0 >= 0 ? 0 : Math.Min(outW, (-iw0 + g.StrideW - 1) / g.StrideW);
            int owHi = g.W - 1 - iw0 < 0 ? 0 : Math.Min(outW, (g.W - 1 - iw0) / g.StrideW + 1);
            if (owHi < owLo) owHi = owLo;
            for (int i = 0; i < rows; i++)
            {
                var dst = col.AsSpan(r * cols + i * outW, outW);
                int ih = (oh0 + i) * g.StrideH - g.PadH + kh * g.DilH;
                if (ih < 0 || ih >= g.H) { dst.Clear(); continue; }
                int src = xBase + ci * hw + ih * g.W + iw0;
                dst[..owLo].Clear();
                dst[owHi..].Clear();
                if (g.StrideW == 1) xs.AsSpan(src + owLo, owHi - owLo).CopyTo(dst[owLo..owHi]);
                else for (int ow = owLo; ow < owHi; ow++) dst[ow] = xs[src + ow * g.StrideW];
            }
        }
    }

    /// <summary>The transpose of Im2Col: x[ci, ih, iw] += col[(ci, kh, kw), (oh - oh0, ow)], for channels [c0, c1).</summary>
    private static void Col2ImChannels(Conv2dGeometry g, float[] col, float[] xs, int xBase, int oh0, int rows, int c0, int c1)
    {
        int khw = g.KH * g.KW, hw = g.H * g.W, outW = g.OutW, cols = rows * outW;
        for (int r = c0 * khw; r < c1 * khw; r++)
        {
            int ci = r / khw, kk = r - ci * khw, kh = kk / g.KW, kw = kk - kh * g.KW;
            int iw0 = kw * g.DilW - g.PadW;
            int owLo = iw0 >= 0 ? 0 : Math.Min(outW, (-iw0 + g.StrideW - 1) / g.StrideW);
            int owHi = g.W - 1 - iw0 < 0 ? 0 : Math.Min(outW, (g.W - 1 - iw0) / g.StrideW + 1);
            if (owHi <= owLo) continue;
            for (int i = 0; i < rows; i++)
            {
                int ih = (oh0 + i) * g.StrideH - g.PadH + kh * g.DilH;
                if (ih < 0 || ih >= g.H) continue;
                int dst = xBase + ci * hw + ih * g.W + iw0;
                int srcRow = r * cols + i * outW;
                if (g.StrideW == 1)
                {
                    var d = xs.AsSpan(dst + owLo, owHi - owLo);
                    TensorPrimitives.Add(d, col.AsSpan(srcRow + owLo, owHi - owLo), d);
                }
                else for (int ow = owLo; ow < owHi; ow++) xs[dst + ow * g.StrideW] += col[srcRow + ow];
            }
        }
    }

    public void Conv2dBackwardInput(in Conv2dGeometry geometry, Storage gy, int gyOffset, Storage w, int wOffset, Storage? bias, int biasOffset, Storage gx, int gxOffset)
    {
        var g = geometry;
        float[] gys = Data(gy), ws = Data(w), gxs = Data(gx);
        float[]? bs = bias != null ? Data(bias) : null;
        if (g.N == 0 || g.Cin == 0 || g.H * g.W == 0) return;
        if (ImageParallel(g))
            CpuParallel.For(g.N, (n0, n1) => BackwardInputImages(g, gys, gyOffset, ws, wOffset, bs, biasOffset, gxs, gxOffset, n0, n1, false), 1);
        else
            BackwardInputImages(g, gys, gyOffset, ws, wOffset, bs, biasOffset, gxs, gxOffset, 0, g.N, true);
    }

    private static void BackwardInputImages(Conv2dGeometry g, float[] gys, int gyOffset, float[] ws, int wOffset, float[]? bs, int biasOffset,
        float[] gxs, int gxOffset, int n0, int n1, bool split)
    {
        int cinG = g.CinPerGroup, coutG = g.CoutPerGroup, kvol = g.KernelVolume;
        int hw = g.H * g.W, outHW = g.OutH * g.OutW;
        bool pointwise = IsPointwise(g);
        int rows = RowsPerBlock(g);
        for (int n = n0; n < n1; n++)
        {
            for (int grp = 0; grp < g.Groups; grp++)
            {
                int gxBase = gxOffset + n * g.XBatchStride + grp * cinG * hw;
                int gyBase = gyOffset + n * g.YBatchStride + grp * coutG * outHW;
                int wBase = wOffset + grp * coutG * kvol;
                if (pointwise)
                {
                    CpuSgemm.Sgemm(true, false, cinG, hw, coutG, 1f, ws, wBase, kvol, gys, gyBase, outHW, 0f, gxs, gxBase, hw);
                    continue;
                }
                gxs.AsSpan(gxBase, cinG * hw).Clear();
                for (int oh0 = 0; oh0 < g.OutH; oh0 += rows)
                {
                    int r = Math.Min(rows, g.OutH - oh0), cols = r * g.OutW;
                    var col = ColBuffer(kvol * cols);
                    CpuSgemm.Sgemm(true, false, kvol, cols, coutG, 1f, ws, wBase, kvol, gys, gyBase + oh0 * g.OutW, outHW, 0f, col, 0, cols);
                    int blockStart = oh0;
                    if (split)
                        CpuParallel.For(cinG, (c0, c1) => Col2ImChannels(g, col, gxs, gxBase, blockStart, r, c0, c1),
                            Math.Max(1, CpuParallel.MinParallelElements / Math.Max(1, g.KH * g.KW * cols)));
                    else Col2ImChannels(g, col, gxs, gxBase, oh0, r, 0, cinG);
                }
            }
            if (bs != null)
                for (int ci = 0; ci < g.Cin; ci++)
                {
                    var dst = gxs.AsSpan(gxOffset + n * g.XBatchStride + ci * hw, hw);
                    TensorPrimitives.Add(dst, bs[biasOffset + ci], dst);
                }
        }
    }

    public void Conv2dBackwardWeight(in Conv2dGeometry geometry, Storage x, int xOffset, Storage gy, int gyOffset, Storage gw, int gwOffset)
    {
        var g = geometry;
        float[] xs = Data(x), gys = Data(gy), gws = Data(gw);
        int size = g.Cout * g.KernelVolume;
        if (g.N == 0 || g.OutH * g.OutW == 0)
        {
            gws.AsSpan(gwOffset, size).Clear();
            return;
        }
        if (!ImageParallel(g))
        {
            BackwardWeightImages(g, xs, xOffset, gys, gyOffset, gws, gwOffset, 0, g.N, true);
            return;
        }
        // Each chunk of images accumulates its own partial sum (the first straight into gw); fixed chunking keeps it deterministic.
        int chunks = Math.Min(CpuParallel.Workers, g.N);
        int per = (g.N + chunks - 1) / chunks;
        var partial = ArrayPool<float>.Shared.Rent(Math.Max(1, (chunks - 1) * size));
        try
        {
            Parallel.For(0, chunks, c =>
            {
                int n0 = c * per, n1 = Math.Min(g.N, n0 + per);
                float[] dst = c == 0 ? gws : partial;
                int off = c == 0 ? gwOffset : (c - 1) * size;
                if (n0 >= n1) { dst.AsSpan(off, size).Clear(); return; }
                BackwardWeightImages(g, xs, xOffset, gys, gyOffset, dst, off, n0, n1, false);
            });
            var sum = gws.AsSpan(gwOffset, size);
            for (int c = 1; c < chunks; c++) TensorPrimitives.Add(sum, partial.AsSpan((c - 1) * size, size), sum);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partial);
        }
    }

    private static void BackwardWeightImages(Conv2dGeometry g, float[] xs, int xOffset, float[] gys, int gyOffset, float[] gws, int gwOffset,
        int n0, int n1, bool split)
    {
        int cinG = g.CinPerGroup, coutG = g.CoutPerGroup, kvol = g.KernelVolume;
        int hw = g.H * g.W, outHW = g.OutH * g.OutW;
        bool pointwise = IsPointwise(g);
        int rows = RowsPerBlock(g);
        for (int grp = 0; grp < g.Groups; grp++)
        {
            int gwBase = gwOffset + grp * coutG * kvol;
            float beta = 0f;
            for (int n = n0; n < n1; n++)
            {
                int xBase = xOffset + n * g.XBatchStride + grp * cinG * hw;
                int gyBase = gyOffset + n * g.YBatchStride + grp * coutG * outHW;
                if (pointwise)
                {
                    CpuSgemm.Sgemm(false, true, coutG, cinG, hw, 1f, gys, gyBase, outHW, xs, xBase, hw, beta, gws, gwBase, kvol);
                    beta = 1f;
                    continue;
                }
                for (int oh0 = 0; oh0 < g.OutH; oh0 += rows)
                {
                    int r = Math.Min(rows, g.OutH - oh0), cols = r * g.OutW;
                    var col = ColBuffer(kvol * cols);
                    Im2Col(g, xs, xBase, col, oh0, r, split);
                    CpuSgemm.Sgemm(false, true, coutG, kvol, cols, 1f, gys, gyBase + oh0 * g.OutW, outHW, col, 0, cols, beta, gws, gwBase, kvol);
                    beta = 1f;
                }
            }
        }
    }
}
