using ILGPU;

namespace NativeGan.Kernels.Conv;

/// <summary>
/// Implicit-GEMM convolution kernels (shared-memory tiled, 64 x 64 output tile, K stepped by 16, 256 threads of
/// 4 x 4 outputs in scalar accumulators, the tiling of <c>GemmKernels.Tiled</c>). The im2col matrix is never
/// materialised: the B tile is gathered from the image with padding (and, for grad-input, stride) checks while
/// it is staged into shared memory. The direct kernels (<see cref="Forward"/>, <see cref="BackwardInput"/>) stay the reference and the
/// fallback. Launch: grid (ceil(columns / 64), ceil(rows per group / 64), groups) of 256-thread groups.
/// </summary>
public static partial class Conv2dKernels
{
    /// <summary>Output tile of one group: TiledM rows (channels) x TiledN columns (pixels), K stepped by TiledK.</summary>
    public const int TiledM = 64, TiledN = 64, TiledK = 16, TiledThreads = 256;

    // Shared tiles are k-major with a padded row, as in GemmKernels.Tiled.
    private const int TileLd = 68;
    // A k index past the reduction length, or a column past the last pixel, is given this offset so the bounds
    // check of the gathered pixel fails (the tile entry becomes 0).
    private const int Far = 1 << 24;

    /// <summary>
    /// Forward: per group grp, Y[co, p] = bias[co] + sum over k of W[co, k] * Xcol[k, p], p = (n, oh, ow) over
    /// N * OutH * OutW and k = (ci, kh, kw) over Cin/G * KH * KW. x is read with XBatchStride, y written with
    /// YBatchStride. hasBias = 0 ignores bias. Same contract as <see cref="Forward"/>.
    /// </summary>
    public static void ForwardTiled(ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> y, Conv2dGeometry g, int hasBias)
    {
        var tileA = SharedMemory.Allocate<float>(TiledK * TileLd);   // tileA[q * Ld + i] = W[row0 + i, k0 + q]
        var tileB = SharedMemory.Allocate<float>(TiledK * TileLd);   // tileB[q * Ld + j] = Xcol[k0 + q, p0 + j]
        // Per k of the current (and next) step: the x offset of the tap, and its row / column displacement.
        var tapOff = SharedMemory.Allocate<int>(2 * TiledK);
        var tapDh = SharedMemory.Allocate<int>(2 * TiledK);
        var tapDw = SharedMemory.Allocate<int>(2 * TiledK);

        int t = Group.IdxX;
        int tx = t & 15;
        int ty = t >> 4;
        int grp = Grid.IdxZ;
        int cinG = g.Cin / g.Groups, coutG = g.Cout / g.Groups;
        int khw = g.KH * g.KW;
        int kTotal = cinG * khw;
        int hw = g.H * g.W;
        int plane = g.OutH * g.OutW;
        int pTotal = g.N * plane;
        int batchStride = g.YBatchStride;
        int rowEnd = (grp + 1) * coutG;
        int row0 = grp * coutG + Grid.IdxY * TiledM;
        int p0 = Grid.IdxX * TiledN;

        // The B-tile column this thread stages is the same at every k step: decompose its pixel once.
        int lj = t & 63;
        int lqB = t >> 6;
        int pB = p0 + lj;
        int ih0 = Far, iw0 = 0, xPix = 0;
        if (pB < pTotal)
        {
            int n = pB / plane;
            int r = pB - n * plane;
            int oh = r / g.OutW;
            int ow = r - oh * g.OutW;
            ih0 = oh * g.StrideH - g.PadH;
            iw0 = ow * g.StrideW - g.PadW;
            xPix = n * g.XBatchStride + grp * cinG * hw + ih0 * g.W + iw0;
        }
        // The A-tile entries this thread stages: rows row0 + liA + 16 r, column lqA.
        int lqA = t & 15;
        int liA = t >> 4;

        // Tap table of the first step.
        if (t < TiledK) ForwardTap(t, t, kTotal, khw, hw, g, tapOff, tapDh, tapDw);
        Group.Barrier();

        float c00 = 0f; float c01 = 0f; float c02 = 0f; float c03 = 0f;
        float c10 = 0f; float c11 = 0f; float c12 = 0f; float c13 = 0f;
        float c20 = 0f; float c21 = 0f; float c22 = 0f; float c23 = 0f;
        float c30 = 0f; float c31 = 0f; float c32 = 0f; float c33 = 0f;

        int buf = 0;
        for (int k0 = 0; k0 < kTotal; k0 += TiledK)
        {
            int kA = k0 + lqA;
            for (int r = 0; r < 4; r++)
            {
                int i = liA + 16 * r;
                int co = row0 + i;
                float v = 0f;
                if (co < rowEnd && kA < kTotal) v = w[co * kTotal + kA];
                tileA[lqA * TileLd + i] = v;

                int q = lqB + 4 * r;
                int tb = buf * TiledK + q;
                int ih = ih0 + tapDh[tb];
                int iw = iw0 + tapDw[tb];
                float u = 0f;
                if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) u = x[xPix + tapOff[tb]];
                tileB[q * TileLd + lj] = u;
            }
            // The next step's taps go in the other half of the table; its readers wait for the barriers below.
            if (t < TiledK) ForwardTap((1 - buf) * TiledK + t, k0 + TiledK + t, kTotal, khw, hw, g, tapOff, tapDh, tapDw);
            Group.Barrier();

            for (int kk = 0; kk < TiledK; kk++)
            {
                int o = kk * TileLd;
                float a0 = tileA[o + ty], a1 = tileA[o + ty + 16], a2 = tileA[o + ty + 32], a3 = tileA[o + ty + 48];
                float b0 = tileB[o + tx], b1 = tileB[o + tx + 16], b2 = tileB[o + tx + 32], b3 = tileB[o + tx + 48];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            Group.Barrier();
            buf = 1 - buf;
        }

        int s0 = ColumnOffset(p0 + tx + 0, pTotal, plane, batchStride);
        int s1 = ColumnOffset(p0 + tx + 16, pTotal, plane, batchStride);
        int s2 = ColumnOffset(p0 + tx + 32, pTotal, plane, batchStride);
        int s3 = ColumnOffset(p0 + tx + 48, pTotal, plane, batchStride);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 0, s0, plane, c00);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 0, s1, plane, c01);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 0, s2, plane, c02);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 0, s3, plane, c03);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 16, s0, plane, c10);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 16, s1, plane, c11);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 16, s2, plane, c12);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 16, s3, plane, c13);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 32, s0, plane, c20);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 32, s1, plane, c21);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 32, s2, plane, c22);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 32, s3, plane, c23);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 48, s0, plane, c30);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 48, s1, plane, c31);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 48, s2, plane, c32);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 48, s3, plane, c33);
    }

    /// <summary>
    /// Grad-input (and conv_transpose2d forward): per group grp, GX[ci, q] = bias[ci] + sum over k = (co, kh, kw)
    /// of W[co, ci, kh, kw] * GY[co, oh, ow] with oh = (ih + PadH - kh * DilH) / StrideH (integral and in range,
    /// else the term is 0), likewise ow. gy is read with YBatchStride, gx written with XBatchStride. Same contract
    /// as <see cref="BackwardInput"/>.
    /// </summary>
    public static void BackwardInputTiled(ArrayView<float> gy, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> gx, Conv2dGeometry g, int hasBias)
    {
        var tileA = SharedMemory.Allocate<float>(TiledK * TileLd);   // tileA[q * Ld + i] = W[k0 + q -> (co, kh, kw), row0 + i]
        var tileB = SharedMemory.Allocate<float>(TiledK * TileLd);   // tileB[q * Ld + j] = GYcol[k0 + q, p0 + j]
        // Per k of the current (and next) step: gy channel offset, row / column displacement, weight offset (-1: k past the end).
        var tapOff = SharedMemory.Allocate<int>(2 * TiledK);
        var tapDh = SharedMemory.Allocate<int>(2 * TiledK);
        var tapDw = SharedMemory.Allocate<int>(2 * TiledK);
        var tapW = SharedMemory.Allocate<int>(2 * TiledK);
        var y = gx;

        int t = Group.IdxX;
        int tx = t & 15;
        int ty = t >> 4;
        int grp = Grid.IdxZ;
        int cinG = g.Cin / g.Groups, coutG = g.Cout / g.Groups;
        int khw = g.KH * g.KW;
        int kTotal = coutG * khw;
        int outHW = g.OutH * g.OutW;
        int plane = g.H * g.W;
        int pTotal = g.N * plane;
        int batchStride = g.XBatchStride;
        int rowEnd = (grp + 1) * cinG;
        int rowL0 = Grid.IdxY * TiledM;            // first input channel of the tile, within the group
        int row0 = grp * cinG + rowL0;
        int p0 = Grid.IdxX * TiledN;

        int lj = t & 63;
        int lqB = t >> 6;
        int pB = p0 + lj;
        int ih = -Far, iw = 0, gyPix = 0;
        if (pB < pTotal)
        {
            int n = pB / plane;
            int r = pB - n * plane;
            ih = r / g.W;
            iw = r - ih * g.W;
            gyPix = n * g.YBatchStride;
        }
        int lqA = t & 15;
        int liA = t >> 4;

        if (t < TiledK) InputTap(t, t, kTotal, khw, outHW, cinG, coutG, grp, g, tapOff, tapDh, tapDw, tapW);
        Group.Barrier();

        float c00 = 0f; float c01 = 0f; float c02 = 0f; float c03 = 0f;
        float c10 = 0f; float c11 = 0f; float c12 = 0f; float c13 = 0f;
        float c20 = 0f; float c21 = 0f; float c22 = 0f; float c23 = 0f;
        float c30 = 0f; float c31 = 0f; float c32 = 0f; float c33 = 0f;

        int buf = 0;
        for (int k0 = 0; k0 < kTotal; k0 += TiledK)
        {
            int wOff = tapW[buf * TiledK + lqA];
            for (int r = 0; r < 4; r++)
            {
                int i = liA + 16 * r;
                float v = 0f;
                if (wOff >= 0 && row0 + i < rowEnd) v = w[wOff + (rowL0 + i) * khw];
                tileA[lqA * TileLd + i] = v;

                int q = lqB + 4 * r;
                int tb = buf * TiledK + q;
                int th = ih + tapDh[tb];
                int tw = iw + tapDw[tb];
                float u = 0f;
                if (th >= 0 && tw >= 0)
                {
                    int oh = g.StrideH == 1 ? th : th / g.StrideH;
                    int ow = g.StrideW == 1 ? tw : tw / g.StrideW;
                    if (oh * g.StrideH == th && ow * g.StrideW == tw && oh < g.OutH && ow < g.OutW)
                        u = gy[gyPix + tapOff[tb] + oh * g.OutW + ow];
                }
                tileB[q * TileLd + lj] = u;
            }
            if (t < TiledK) InputTap((1 - buf) * TiledK + t, k0 + TiledK + t, kTotal, khw, outHW, cinG, coutG, grp, g, tapOff, tapDh, tapDw, tapW);
            Group.Barrier();

            for (int kk = 0; kk < TiledK; kk++)
            {
                int o = kk * TileLd;
                float a0 = tileA[o + ty], a1 = tileA[o + ty + 16], a2 = tileA[o + ty + 32], a3 = tileA[o + ty + 48];
                float b0 = tileB[o + tx], b1 = tileB[o + tx + 16], b2 = tileB[o + tx + 32], b3 = tileB[o + tx + 48];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            Group.Barrier();
            buf = 1 - buf;
        }

        int s0 = ColumnOffset(p0 + tx + 0, pTotal, plane, batchStride);
        int s1 = ColumnOffset(p0 + tx + 16, pTotal, plane, batchStride);
        int s2 = ColumnOffset(p0 + tx + 32, pTotal, plane, batchStride);
        int s3 = ColumnOffset(p0 + tx + 48, pTotal, plane, batchStride);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 0, s0, plane, c00);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 0, s1, plane, c01);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 0, s2, plane, c02);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 0, s3, plane, c03);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 16, s0, plane, c10);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 16, s1, plane, c11);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 16, s2, plane, c12);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 16, s3, plane, c13);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 32, s0, plane, c20);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 32, s1, plane, c21);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 32, s2, plane, c22);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 32, s3, plane, c23);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 48, s0, plane, c30);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 48, s1, plane, c31);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 48, s2, plane, c32);
        Store(y, bias, hasBias, rowEnd, row0 + ty + 48, s3, plane, c33);
    }

    /// <summary>Forward tap k = (ci, kh, kw): x offset ci*H*W + kh*DilH*W + kw*DilW and displacements; k past the end gets Far.</summary>
    private static void ForwardTap(int slot, int k, int kTotal, int khw, int hw, Conv2dGeometry g,
        ArrayView<int> tapOff, ArrayView<int> tapDh, ArrayView<int> tapDw)
    {
        if (k < kTotal)
        {
            int ci = k / khw;
            int rem = k - ci * khw;
            int kh = rem / g.KW;
            int kw = rem - kh * g.KW;
            int dh = kh * g.DilH, dw = kw * g.DilW;
            tapOff[slot] = ci * hw + dh * g.W + dw;
            tapDh[slot] = dh;
            tapDw[slot] = dw;
        }
        else
        {
            tapOff[slot] = 0;
            tapDh[slot] = Far;
            tapDw[slot] = 0;
        }
    }

    /// <summary>
    /// Grad-input tap k = (co, kh, kw) within group grp: gy channel offset co*OutH*OutW, displacements
    /// PadH - kh*DilH / PadW - kw*DilW, and the weight offset of W[co, 0, kh, kw]; k past the end gets -Far / -1.
    /// </summary>
    private static void InputTap(int slot, int k, int kTotal, int khw, int outHW, int cinG, int coutG, int grp, Conv2dGeometry g,
        ArrayView<int> tapOff, ArrayView<int> tapDh, ArrayView<int> tapDw, ArrayView<int> tapW)
    {
        if (k < kTotal)
        {
            int col = k / khw;
            int rem = k - col * khw;
            int kh = rem / g.KW;
            int kw = rem - kh * g.KW;
            int co = grp * coutG + col;
            tapOff[slot] = co * outHW;
            tapDh[slot] = g.PadH - kh * g.DilH;
            tapDw[slot] = g.PadW - kw * g.DilW;
            tapW[slot] = co * cinG * khw + rem;
        }
        else
        {
            tapOff[slot] = 0;
            tapDh[slot] = -Far;
            tapDw[slot] = 0;
            tapW[slot] = -1;
        }
    }

    /// <summary>Offset of pixel column p (n, pixel-in-plane) in the output, or -1 past the last column.</summary>
    private static int ColumnOffset(int p, int pTotal, int plane, int batchStride)
    {
        if (p >= pTotal) return -1;
        int n = p / plane;
        return n * batchStride + (p - n * plane);
    }

    private static void Store(ArrayView<float> y, ArrayView<float> bias, int hasBias, int rowEnd, int row, int column, int plane, float acc)
    {
        if (row < rowEnd && column >= 0)
            y[column + row * plane] = hasBias != 0 ? acc + bias[row] : acc;
    }
}
