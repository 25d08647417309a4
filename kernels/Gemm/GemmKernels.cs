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

/// <summary>SGEMM kernels, side by side: <see cref="Naive"/> (the kernel-side reference) and <see cref="Tiled"/>.</summary>
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

    private static void StoreC(ArrayView<float> c, long co, int m, int n, int ldc, float alpha, float beta, int i, int j, float acc)
    {
        if (i < m && j < n)
        {
            long idx = co + (long)i * ldc + j;
            c[idx] = beta == 0f ? alpha * acc : alpha * acc + beta * c[idx];
        }
    }
}
