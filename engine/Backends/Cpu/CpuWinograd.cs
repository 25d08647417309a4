using NativeGan.Kernels.Conv;

namespace NativeGan.Backends.Cpu;

/// <summary>
/// Winograd F(4x4, 3x3) convolution for stride-1, dilation-1, ungrouped 3x3 convolutions (Lavin and Gray,
/// "Fast Algorithms for Convolutional Neural Networks", points 0, +-1, +-2, infinity): each 4x4 block of output
/// is A^T [(G g G^T) . (B^T d B)] A for the 6x6 input patch d, so 36 multiplications replace 144 per input channel.
/// The 36 element-wise products over all channels become 36 GEMMs [Cout x Cin] x [Cin x tiles] on the packed SGEMM.
/// </summary>
/// <remarks>
/// The output tiles of all images are numbered in one sequence and cut into blocks sized so that a block's
/// transformed input and GEMM output (36 x (Cin + Cout) x tiles floats) stay in a per-thread scratch buffer of
/// <see cref="ScratchFloats"/>; blocks run in parallel on the cores, each with its own buffer, so steady state
/// allocates nothing. The filter transform is redone per call: Cout x Cin small matrix products, cheap next to the
/// GEMMs. Remainder tiles at the right and bottom edges read zeros past the image and write only what exists.
/// Rounding differs from the direct convolution's: the transforms scale by up to 8 (output) and 5 (input), so the
/// error grows a little over the direct path's; the tests bound it at 1e-4 of the output's largest magnitude.
/// </remarks>
internal static unsafe class CpuWinograd
{
    public const int OutTile = 4, InTile = 6, Points = InTile * InTile;

    /// <summary>Floats of scratch per thread (1.5 MB): the block's transformed input and products stay in L2/L3.</summary>
    private const int ScratchFloats = 384 * 1024;

    private const int MinTilesPerBlock = 8, MaxTilesPerBlock = 512;

    [ThreadStatic] private static float[]? t_filter;
    [ThreadStatic] private static float[]? t_scratch;
    [ThreadStatic] private static int[]? t_tiles;

    /// <summary>Whether F(4x4, 3x3) computes this convolution: 3x3, stride 1, dilation 1, one group.</summary>
    public static bool Applies(in Conv2dGeometry g) =>
        g.KH == 3 && g.KW == 3 && g.StrideH == 1 && g.StrideW == 1 && g.DilH == 1 && g.DilW == 1 && g.Groups == 1;

    /// <summary>
    /// Whether it is faster than the im2col path on this backend: it needs enough channels for the 36 GEMMs to run
    /// near the SGEMM's peak and enough output for the transforms to amortise (measured; see docs/PERFORMANCE.md).
    /// </summary>
    public static bool Pays(in Conv2dGeometry g) =>
        Applies(g) && (t_forceWhereApplies || g.Cin >= 16 && g.Cout >= 16 && (long)g.N * g.OutH * g.OutW >= 256);

    /// <summary>Test hook: on this thread, inference takes Winograd wherever it applies, whether it pays or not.</summary>
    [ThreadStatic] internal static bool t_forceWhereApplies;

    /// <summary>Tiles per block: as many as fit the scratch, within [MinTilesPerBlock, MaxTilesPerBlock].</summary>
    internal static int TilesPerBlock(int cin, int cout) =>
        Math.Clamp(ScratchFloats / (Points * (cin + cout)), MinTilesPerBlock, MaxTilesPerBlock);

    /// <summary>y = conv2d(x, w) + bias for a geometry <see cref="Applies"/> accepts (x, y channel-contiguous per image).</summary>
    public static void Forward(in Conv2dGeometry geometry, float[] xs, int xOffset, float[] ws, int wOffset, float[]? bs, int biasOffset, float[] ys, int yOffset)
    {
        var g = geometry;
        if (!Applies(g))
            throw new ArgumentException($"Winograd F(4x4, 3x3) needs a 3x3 kernel, stride 1, dilation 1 and groups 1, got {g.KH}x{g.KW}, stride ({g.StrideH}, {g.StrideW}), dilation ({g.DilH}, {g.DilW}), groups {g.Groups}.");
        if (g.N == 0 || g.Cout == 0 || g.OutH * g.OutW == 0) return;
        if (g.Cin == 0)
        {
            for (int n = 0; n < g.N; n++)
                for (int co = 0; co < g.Cout; co++)
                    ys.AsSpan(yOffset + n * g.YBatchStride + co * g.OutH * g.OutW, g.OutH * g.OutW).Fill(bs != null ? bs[biasOffset + co] : 0f);
            return;
        }
        int filterFloats = Points * g.Cout * g.Cin;
        var u = t_filter;
        if (u == null || u.Length < filterFloats) t_filter = u = GC.AllocateUninitializedArray<float>(filterFloats);
        TransformFilters(ws, wOffset, g.Cout, g.Cin, u);

        int tilesH = (g.OutH + OutTile - 1) / OutTile, tilesW = (g.OutW + OutTile - 1) / OutTile;
        long totalLong = (long)g.N * tilesH * tilesW;
        if (totalLong > int.MaxValue) throw new ArgumentException($"Winograd: {totalLong} output tiles exceed the supported count.");
        int total = (int)totalLong;
        int perBlock = Math.Min(TilesPerBlock(g.Cin, g.Cout), total);
        int blocks = (total + perBlock - 1) / perBlock;
        var filters = u;
        CpuParallel.For(blocks, (b0, b1) =>
        {
            for (int b = b0; b < b1; b++)
            {
                int t0 = b * perBlock;
                RunBlock(g, xs, xOffset, filters, bs, biasOffset, ys, yOffset, tilesH, tilesW, t0, Math.Min(perBlock, total - t0));
            }
        }, 1);
    }

    /// <summary>Input transform, 36 GEMMs and output transform for tiles [t0, t0 + count) in this thread's scratch.</summary>
    private static void RunBlock(in Conv2dGeometry g, float[] xs, int xOffset, float[] u, float[]? bs, int biasOffset,
        float[] ys, int yOffset, int tilesH, int tilesW, int t0, int count)
    {
        int cin = g.Cin, cout = g.Cout;
        int need = Points * (cin + cout) * count;
        var scratch = t_scratch;
        if (scratch == null || scratch.Length < need)
            t_scratch = scratch = GC.AllocateUninitializedArray<float>(Math.Max(need, Points * (cin + cout) * TilesPerBlock(cin, cout)), pinned: true);
        var tiles = t_tiles;
        if (tiles == null || tiles.Length < 3 * count) t_tiles = tiles = new int[3 * Math.Max(count, MaxTilesPerBlock)];

        int perImage = tilesH * tilesW;
        for (int i = 0; i < count; i++)
        {
            int t = t0 + i, n = t / perImage, r = t - n * perImage, th = r / tilesW, tw = r - th * tilesW;
            tiles[3 * i] = n;
            tiles[3 * i + 1] = th * OutTile;
            tiles[3 * i + 2] = tw * OutTile;
        }

        int productsOffset = Points * cin * count;
        fixed (float* px = xs, pscratch = scratch)
            WinogradTransforms.Input(g, px + xOffset, tiles, count, pscratch);
        for (int k = 0; k < Points; k++)
            CpuSgemm.Sgemm(false, false, cout, count, cin, 1f, u, k * cout * cin, cin,
                scratch, k * cin * count, count, 0f, scratch, productsOffset + k * cout * count, count);
        fixed (float* py = ys, pscratch = scratch)
        fixed (float* pb = bs)
            WinogradTransforms.Output(g, pscratch + productsOffset, pb == null ? null : pb + biasOffset, tiles, count, py + yOffset);
    }

    /// <summary>u[k, co, ci] = (G w[co, ci] G^T)[k] for the 36 points k, computed in double.</summary>
    internal static void TransformFilters(float[] ws, int wOffset, int cout, int cin, float[] u)
    {
        int plane = cout * cin;
        CpuParallel.For(plane, (p0, p1) =>
        {
            Span<double> t = stackalloc double[18];
            Span<double> row = stackalloc double[6];
            for (int p = p0; p < p1; p++)
            {
                int w0 = wOffset + p * 9;
                // t = G w: 6x3, one column of w at a time.
                for (int c = 0; c < 3; c++)
                    GColumn(ws[w0 + c], ws[w0 + 3 + c], ws[w0 + 6 + c], t, c, 3);
                // (G w) G^T: each row of t times G^T gives a row of six points.
                for (int r = 0; r < 6; r++)
                {
                    GColumn(t[r * 3], t[r * 3 + 1], t[r * 3 + 2], row, 0, 1);
                    for (int c = 0; c < 6; c++) u[(r * 6 + c) * plane + p] = (float)row[c];
                }
            }
        }, 256);
    }

    /// <summary>The six values G [g0, g1, g2]^T into dst[offset + i * stride].</summary>
    private static void GColumn(double g0, double g1, double g2, Span<double> dst, int offset, int stride)
    {
        dst[offset] = g0 / 4;
        dst[offset + stride] = -(g0 + g1 + g2) / 6;
        dst[offset + 2 * stride] = -(g0 - g1 + g2) / 6;
        dst[offset + 3 * stride] = g0 / 24 + g1 / 12 + g2 / 6;
        dst[offset + 4 * stride] = g0 / 24 - g1 / 12 + g2 / 6;
        dst[offset + 5 * stride] = g2;
    }
}
