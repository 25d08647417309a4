using ILGPU;
using ILGPU.Runtime;

namespace NativeGan.Kernels.Gemm;

/// <summary>
/// Parameters of a (batched) row-major SGEMM: C = Alpha * op(A) * op(B) + Beta * C, op(A) is M x K, op(B) is
/// K x N. TransA != 0 means A is stored K x M (leading dimension Lda), TransB != 0 means B is stored N x K.
/// Batch b reads A at OffsetA + b * StrideA (likewise B and C). Beta == 0 overwrites C without reading it.
/// </summary>
public struct GemmParams
{
    public int M, N, K, Lda, Ldb, Ldc;
    public long StrideA, StrideB, StrideC;
    public long OffsetA, OffsetB, OffsetC;
    public int TransA, TransB;
    public float Alpha, Beta;
}

/// <summary>SGEMM kernels, side by side: <see cref="Naive"/> (the kernel-side reference), <see cref="Tiled"/> (64 x 64) and <see cref="Tiled128"/> (128 x 128).</summary>
public static class GemmKernels
{
    /// <summary>Output tile of one <see cref="Tiled"/> group: TiledM rows x TiledN columns, K stepped by TiledK.</summary>
    public const int TiledM = 64, TiledN = 64, TiledK = 16, TiledThreads = 256;

    // Shared tiles are stored k-major with a padded row (68 floats) so the transposed tile stores conflict less.
    private const int TileLd = 68;

    /// <summary>
    /// One thread per output element, grid-stride loop over batch * M * N (explicitly grouped, 1D; any launch
    /// shape works, see GemmLaunch.Naive).
    /// </summary>
    public static void Naive(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmParams p, int batch)
    {
        long mn = (long)p.M * p.N;
        long total = mn * batch;
        long stride = (long)Grid.DimX * Group.DimX;
        for (long idx = (long)Grid.IdxX * Group.DimX + Group.IdxX; idx < total; idx += stride)
        {
            long bi = idx / mn;
            long r = idx - bi * mn;
            int i = (int)(r / p.N);
            int j = (int)(r - (long)i * p.N);
            long ao = p.OffsetA + bi * p.StrideA;
            long bo = p.OffsetB + bi * p.StrideB;
            long co = p.OffsetC + bi * p.StrideC;
            float sum = 0f;
            for (int q = 0; q < p.K; q++)
            {
                float av = p.TransA != 0 ? a[ao + (long)q * p.Lda + i] : a[ao + (long)i * p.Lda + q];
                float bv = p.TransB != 0 ? b[bo + (long)j * p.Ldb + q] : b[bo + (long)q * p.Ldb + j];
                sum += av * bv;
            }
            long ci = co + (long)i * p.Ldc + j;
            c[ci] = p.Beta == 0f ? p.Alpha * sum : p.Alpha * sum + p.Beta * c[ci];
        }
    }

    /// <summary>
    /// Shared-memory tiled SGEMM: group (X = column tile, Y = row tile, Z = batch) of 256 threads computes a 64 x 64
    /// tile of C, stepping K by 16; thread (tx, ty) = (t % 16, t / 16) owns rows ty + 16 * i and columns tx + 16 * j
    /// (i, j in 0..3) in 16 scalar accumulators. Edges, both transpose flags and Beta == 0 are handled.
    /// Launch with GemmLaunch.Tiled.
    /// </summary>
    public static void Tiled(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmParams p)
    {
        var tileA = SharedMemory.Allocate<float>(TiledK * TileLd);   // tileA[q * TileLd + i] = op(A)[row0 + i, k0 + q]
        var tileB = SharedMemory.Allocate<float>(TiledK * TileLd);   // tileB[q * TileLd + j] = op(B)[k0 + q, col0 + j]
        int t = Group.IdxX;
        int tx = t & 15;
        int ty = t >> 4;
        int row0 = Grid.IdxY * TiledM;
        int col0 = Grid.IdxX * TiledN;
        long bz = Grid.IdxZ;
        long ao = p.OffsetA + bz * p.StrideA;
        long bo = p.OffsetB + bz * p.StrideB;
        long co = p.OffsetC + bz * p.StrideC;

        float c00 = 0f; float c01 = 0f; float c02 = 0f; float c03 = 0f;
        float c10 = 0f; float c11 = 0f; float c12 = 0f; float c13 = 0f;
        float c20 = 0f; float c21 = 0f; float c22 = 0f; float c23 = 0f;
        float c30 = 0f; float c31 = 0f; float c32 = 0f; float c33 = 0f;

        for (int k0 = 0; k0 < p.K; k0 += TiledK)
        {
            // 64 x 16 elements of op(A) and 16 x 64 of op(B), 4 each per thread, consecutive threads on
            // consecutive addresses of the stored layout.
            for (int r = 0; r < 4; r++)
            {
                int e = t + r * TiledThreads;
                int i, q;
                if (p.TransA == 0) { q = e & 15; i = e >> 4; }
                else { i = e & 63; q = e >> 6; }
                int gi = row0 + i;
                int gq = k0 + q;
                float v = 0f;
                if (gi < p.M && gq < p.K)
                    v = p.TransA == 0 ? a[ao + (long)gi * p.Lda + gq] : a[ao + (long)gq * p.Lda + gi];
                tileA[q * TileLd + i] = v;

                int j;
                if (p.TransB == 0) { j = e & 63; q = e >> 6; }
                else { q = e & 15; j = e >> 4; }
                int gj = col0 + j;
                gq = k0 + q;
                float w = 0f;
                if (gj < p.N && gq < p.K)
                    w = p.TransB == 0 ? b[bo + (long)gq * p.Ldb + gj] : b[bo + (long)gj * p.Ldb + gq];
                tileB[q * TileLd + j] = w;
            }
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
        }

        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 0, col0 + tx + 0, c00);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 0, col0 + tx + 16, c01);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 0, col0 + tx + 32, c02);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 0, col0 + tx + 48, c03);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 16, col0 + tx + 0, c10);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 16, col0 + tx + 16, c11);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 16, col0 + tx + 32, c12);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 16, col0 + tx + 48, c13);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 32, col0 + tx + 0, c20);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 32, col0 + tx + 16, c21);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 32, col0 + tx + 32, c22);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 32, col0 + tx + 48, c23);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 48, col0 + tx + 0, c30);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 48, col0 + tx + 16, c31);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 48, col0 + tx + 32, c32);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 48, col0 + tx + 48, c33);
    }

    /// <summary>Output tile of one <see cref="Tiled128"/> group: 128 x 128, K stepped by 8, 256 threads of 8 x 8.</summary>
    public const int Tiled128M = 128, Tiled128N = 128, Tiled128K = 8, Tiled128Threads = 256;

    private const int Tile128Ld = 132;

    /// <summary>
    /// Shared-memory tiled SGEMM with a 128 x 128 output tile per group of 256 threads: thread (tx, ty) =
    /// (t % 16, t / 16) owns rows ty + 16 * i and columns tx + 16 * j (i, j in 0..7) in 64 scalar accumulators
    /// (written out by hand: ILGPU does not unroll loops and local arrays live in slow local memory).
    /// Consecutive threads read consecutive shared-memory words, so the tile reads are conflict-free.
    /// Edges, both transpose flags and Beta == 0 are handled; batch = grid Z. Launch with GemmLaunch.Tiled128.
    /// </summary>
    public static void Tiled128(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmParams p)
    {
        var tileA = SharedMemory.Allocate<float>(Tiled128K * Tile128Ld);   // tileA[q * Ld + i] = op(A)[row0 + i, k0 + q]
        var tileB = SharedMemory.Allocate<float>(Tiled128K * Tile128Ld);   // tileB[q * Ld + j] = op(B)[k0 + q, col0 + j]
        int t = Group.IdxX;
        int tx = t & 15;
        int ty = t >> 4;
        int row0 = Grid.IdxY * Tiled128M;
        int col0 = Grid.IdxX * Tiled128N;
        long bz = Grid.IdxZ;
        long ao = p.OffsetA + bz * p.StrideA;
        long bo = p.OffsetB + bz * p.StrideB;
        long co = p.OffsetC + bz * p.StrideC;

        float c00 = 0f; float c01 = 0f; float c02 = 0f; float c03 = 0f; float c04 = 0f; float c05 = 0f; float c06 = 0f; float c07 = 0f;
        float c10 = 0f; float c11 = 0f; float c12 = 0f; float c13 = 0f; float c14 = 0f; float c15 = 0f; float c16 = 0f; float c17 = 0f;
        float c20 = 0f; float c21 = 0f; float c22 = 0f; float c23 = 0f; float c24 = 0f; float c25 = 0f; float c26 = 0f; float c27 = 0f;
        float c30 = 0f; float c31 = 0f; float c32 = 0f; float c33 = 0f; float c34 = 0f; float c35 = 0f; float c36 = 0f; float c37 = 0f;
        float c40 = 0f; float c41 = 0f; float c42 = 0f; float c43 = 0f; float c44 = 0f; float c45 = 0f; float c46 = 0f; float c47 = 0f;
        float c50 = 0f; float c51 = 0f; float c52 = 0f; float c53 = 0f; float c54 = 0f; float c55 = 0f; float c56 = 0f; float c57 = 0f;
        float c60 = 0f; float c61 = 0f; float c62 = 0f; float c63 = 0f; float c64 = 0f; float c65 = 0f; float c66 = 0f; float c67 = 0f;
        float c70 = 0f; float c71 = 0f; float c72 = 0f; float c73 = 0f; float c74 = 0f; float c75 = 0f; float c76 = 0f; float c77 = 0f;

        for (int k0 = 0; k0 < p.K; k0 += Tiled128K)
        {
            for (int r = 0; r < 4; r++)
            {
                int e = t + r * Tiled128Threads;
                int i, q;
                if (p.TransA == 0) { q = e & 7; i = e >> 3; }
                else { i = e & 127; q = e >> 7; }
                int gi = row0 + i;
                int gq = k0 + q;
                float v = 0f;
                if (gi < p.M && gq < p.K)
                    v = p.TransA == 0 ? a[ao + (long)gi * p.Lda + gq] : a[ao + (long)gq * p.Lda + gi];
                tileA[q * Tile128Ld + i] = v;

                int j;
                if (p.TransB == 0) { j = e & 127; q = e >> 7; }
                else { q = e & 7; j = e >> 3; }
                int gj = col0 + j;
                gq = k0 + q;
                float w = 0f;
                if (gj < p.N && gq < p.K)
                    w = p.TransB == 0 ? b[bo + (long)gq * p.Ldb + gj] : b[bo + (long)gj * p.Ldb + gq];
                tileB[q * Tile128Ld + j] = w;
            }
            Group.Barrier();

            for (int kk = 0; kk < Tiled128K; kk++)
            {
                int o = kk * Tile128Ld;
                float a0 = tileA[o + ty + 0];
                float a1 = tileA[o + ty + 16];
                float a2 = tileA[o + ty + 32];
                float a3 = tileA[o + ty + 48];
                float a4 = tileA[o + ty + 64];
                float a5 = tileA[o + ty + 80];
                float a6 = tileA[o + ty + 96];
                float a7 = tileA[o + ty + 112];
                float b0 = tileB[o + tx + 0];
                float b1 = tileB[o + tx + 16];
                float b2 = tileB[o + tx + 32];
                float b3 = tileB[o + tx + 48];
                float b4 = tileB[o + tx + 64];
                float b5 = tileB[o + tx + 80];
                float b6 = tileB[o + tx + 96];
                float b7 = tileB[o + tx + 112];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3; c04 += a0 * b4; c05 += a0 * b5; c06 += a0 * b6; c07 += a0 * b7;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3; c14 += a1 * b4; c15 += a1 * b5; c16 += a1 * b6; c17 += a1 * b7;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3; c24 += a2 * b4; c25 += a2 * b5; c26 += a2 * b6; c27 += a2 * b7;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3; c34 += a3 * b4; c35 += a3 * b5; c36 += a3 * b6; c37 += a3 * b7;
                c40 += a4 * b0; c41 += a4 * b1; c42 += a4 * b2; c43 += a4 * b3; c44 += a4 * b4; c45 += a4 * b5; c46 += a4 * b6; c47 += a4 * b7;
                c50 += a5 * b0; c51 += a5 * b1; c52 += a5 * b2; c53 += a5 * b3; c54 += a5 * b4; c55 += a5 * b5; c56 += a5 * b6; c57 += a5 * b7;
                c60 += a6 * b0; c61 += a6 * b1; c62 += a6 * b2; c63 += a6 * b3; c64 += a6 * b4; c65 += a6 * b5; c66 += a6 * b6; c67 += a6 * b7;
                c70 += a7 * b0; c71 += a7 * b1; c72 += a7 * b2; c73 += a7 * b3; c74 += a7 * b4; c75 += a7 * b5; c76 += a7 * b6; c77 += a7 * b7;
            }
            Group.Barrier();
        }

        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 0, col0 + tx + 0, c00);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 0, col0 + tx + 16, c01);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 0, col0 + tx + 32, c02);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 0, col0 + tx + 48, c03);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 0, col0 + tx + 64, c04);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 0, col0 + tx + 80, c05);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 0, col0 + tx + 96, c06);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 0, col0 + tx + 112, c07);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 16, col0 + tx + 0, c10);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 16, col0 + tx + 16, c11);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 16, col0 + tx + 32, c12);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 16, col0 + tx + 48, c13);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 16, col0 + tx + 64, c14);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 16, col0 + tx + 80, c15);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 16, col0 + tx + 96, c16);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 16, col0 + tx + 112, c17);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 32, col0 + tx + 0, c20);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 32, col0 + tx + 16, c21);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 32, col0 + tx + 32, c22);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 32, col0 + tx + 48, c23);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 32, col0 + tx + 64, c24);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 32, col0 + tx + 80, c25);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 32, col0 + tx + 96, c26);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 32, col0 + tx + 112, c27);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 48, col0 + tx + 0, c30);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 48, col0 + tx + 16, c31);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 48, col0 + tx + 32, c32);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 48, col0 + tx + 48, c33);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 48, col0 + tx + 64, c34);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 48, col0 + tx + 80, c35);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 48, col0 + tx + 96, c36);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 48, col0 + tx + 112, c37);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 64, col0 + tx + 0, c40);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 64, col0 + tx + 16, c41);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 64, col0 + tx + 32, c42);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 64, col0 + tx + 48, c43);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 64, col0 + tx + 64, c44);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 64, col0 + tx + 80, c45);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 64, col0 + tx + 96, c46);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 64, col0 + tx + 112, c47);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 80, col0 + tx + 0, c50);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 80, col0 + tx + 16, c51);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 80, col0 + tx + 32, c52);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 80, col0 + tx + 48, c53);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 80, col0 + tx + 64, c54);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 80, col0 + tx + 80, c55);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 80, col0 + tx + 96, c56);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 80, col0 + tx + 112, c57);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 96, col0 + tx + 0, c60);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 96, col0 + tx + 16, c61);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 96, col0 + tx + 32, c62);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 96, col0 + tx + 48, c63);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 96, col0 + tx + 64, c64);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 96, col0 + tx + 80, c65);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 96, col0 + tx + 96, c66);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 96, col0 + tx + 112, c67);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 112, col0 + tx + 0, c70);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 112, col0 + tx + 16, c71);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 112, col0 + tx + 32, c72);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 112, col0 + tx + 48, c73);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 112, col0 + tx + 64, c74);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 112, col0 + tx + 80, c75);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 112, col0 + tx + 96, c76);
        StoreC(c, co, p.M, p.N, p.Ldc, p.Alpha, p.Beta, row0 + ty + 112, col0 + tx + 112, c77);
    }

    private static void StoreC(ArrayView<float> c, long co, int m, int n, int ldc, float alpha, float beta, int i, int j, float acc)
    {
        if (i < m && j < n)
        {
            long idx = co + (long)i * ldc + j;
            c[idx] = beta == 0f ? alpha * acc : alpha * acc + beta * c[idx];
        }
    }
}
