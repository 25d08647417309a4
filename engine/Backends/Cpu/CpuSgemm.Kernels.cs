using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NativeGan.Backends.Cpu;

/// <summary>Packing of A and B panels and the register-blocked micro-kernels of <see cref="CpuSgemm"/>.</summary>
internal static unsafe partial class CpuSgemm
{
    // Packed B: micro-panel q (columns q*nr .. q*nr+nr-1) at dst + q*nr*kc, element (p, j) at p*nr + j; zero padded.
    private static void PackBNoTrans(float* b, nint ldb, int kc, int nc, int nr, float* dst)
    {
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int w = Math.Min(nr, nc - j0);
            float* d = dst + j0 * kc;
            if (w == nr)
            {
                if (nr == 32)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* s = b + p * ldb + j0;
                        Vector256.Store(Vector256.Load(s), d);
                        Vector256.Store(Vector256.Load(s + 8), d + 8);
                        Vector256.Store(Vector256.Load(s + 16), d + 16);
                        Vector256.Store(Vector256.Load(s + 24), d + 24);
                        d += 32;
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* s = b + p * ldb + j0;
                        for (int j = 0; j < nr; j += 8) Vector256.Store(Vector256.Load(s + j), d + j);
                        d += nr;
                    }
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    float* s = b + p * ldb + j0;
                    int j = 0;
                    for (; j < w; j++) d[j] = s[j];
                    for (; j < nr; j++) d[j] = 0f;
                    d += nr;
                }
            }
        }
    }

    private static void PackBTrans(float* b, nint ldb, int kc, int nc, int nr, float* dst)
    {
        // op(B)[p, j] = b[j * ldb + p]: read each stored row contiguously, write it down a panel column.
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int w = Math.Min(nr, nc - j0);
            float* d = dst + j0 * kc;
            int p0 = 0;
            if (w == nr && Avx.IsSupported)
            {
                // 8 x 8 register transposes: 8 stored rows x 8 k values -> 8 panel rows of 8 columns.
                for (; p0 + 8 <= kc; p0 += 8)
                    for (int jj = 0; jj < nr; jj += 8)
                        Transpose8x8(b + (j0 + jj) * ldb + p0, ldb, d + p0 * nr + jj, nr);
            }
            for (int j = 0; j < w; j++)
            {
                float* s = b + (j0 + j) * ldb;
                for (int p = p0; p < kc; p++) d[p * nr + j] = s[p];
            }
            for (int j = w; j < nr; j++)
                for (int p = 0; p < kc; p++) d[p * nr + j] = 0f;
        }
    }

    /// <summary>dst[q * ldd + i] = src[i * lds + q] for i, q in 0..7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint lds, float* dst, nint ldd)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + lds);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * lds), r3 = Avx.LoadVector256(src + 3 * lds);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * lds), r5 = Avx.LoadVector256(src + 5 * lds);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * lds), r7 = Avx.LoadVector256(src + 7 * lds);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(u3, u7, 0x31));
    }

    // Packed A (scaled by alpha): micro-panel q (rows q*mr ..) at dst + q*mr*kc, element (i, p) at p*mr + i; zero padded.
    private static void PackANoTrans(float* a, nint lda, int mc, int kc, int mr, float alpha, float* dst)
    {
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int h = Math.Min(mr, mc - i0);
            float* d = dst + i0 * kc;
            for (int i = 0; i < h; i++)
            {
                float* s = a + (i0 + i) * lda;
                for (int p = 0; p < kc; p++) d[p * mr + i] = alpha * s[p];
            }
            for (int i = h; i < mr; i++)
                for (int p = 0; p < kc; p++) d[p * mr + i] = 0f;
        }
    }

    private static void PackATrans(float* a, nint lda, int mc, int kc, int mr, float alpha, float* dst)
    {
        // op(A)[i, p] = a[p * lda + i]: each stored row segment is already a panel row.
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int h = Math.Min(mr, mc - i0);
            float* d = dst + i0 * kc;
            for (int p = 0; p < kc; p++)
            {
                float* s = a + p * lda + i0;
                int i = 0;
                for (; i < h; i++) d[i] = alpha * s[i];
                for (; i < mr; i++) d[i] = 0f;
                d += mr;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Micro-kernels: C tile (+)= packed A micro-panel x packed B micro-panel, accumulators in locals.
    // beta == 0 stores; otherwise C = beta * C + acc (beta == 1 when accumulating later k blocks).

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchLine(float* p)
    {
        if (Sse.IsSupported) Sse.Prefetch0(p);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* p, Vector256<float> acc, Vector256<float> beta)
        => Vector256.FusedMultiplyAdd(Vector256.Load(p), beta, acc).Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* p, Vector512<float> acc, Vector512<float> beta)
        => Vector512.FusedMultiplyAdd(Vector512.Load(p), beta, acc).Store(p);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16(int kc, float* a, float* b, nint bs, float* c, nint ldc, float beta)
    {
        // The C tile is needed only after the k loop: start fetching it now.
        for (int i = 0; i < 6; i++) { PrefetchLine(c + i * ldc); PrefetchLine(c + i * ldc + 15); }
        Vector256<float> c00 = default; Vector256<float> c01 = default;
        Vector256<float> c10 = default; Vector256<float> c11 = default;
        Vector256<float> c20 = default; Vector256<float> c21 = default;
        Vector256<float> c30 = default; Vector256<float> c31 = default;
        Vector256<float> c40 = default; Vector256<float> c41 = default;
        Vector256<float> c50 = default; Vector256<float> c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b + 0); Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> a0 = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(a0, b0, c00); c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            Vector256<float> a1 = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(a1, b0, c10); c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
            Vector256<float> a2 = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(a2, b0, c20); c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
            Vector256<float> a3 = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(a3, b0, c30); c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
            Vector256<float> a4 = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(a4, b0, c40); c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
            Vector256<float> a5 = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(a5, b0, c50); c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
            a += 6;
            b += bs;
        }
        if (beta == 0f)
        {
            c00.Store(c + 0 * ldc + 0); c01.Store(c + 0 * ldc + 8);
            c10.Store(c + 1 * ldc + 0); c11.Store(c + 1 * ldc + 8);
            c20.Store(c + 2 * ldc + 0); c21.Store(c + 2 * ldc + 8);
            c30.Store(c + 3 * ldc + 0); c31.Store(c + 3 * ldc + 8);
            c40.Store(c + 4 * ldc + 0); c41.Store(c + 4 * ldc + 8);
            c50.Store(c + 5 * ldc + 0); c51.Store(c + 5 * ldc + 8);
        }
        else
        {
            Vector256<float> bv = Vector256.Create(beta);
            Update(c + 0 * ldc + 0, c00, bv); Update(c + 0 * ldc + 8, c01, bv);
            Update(c + 1 * ldc + 0, c10, bv); Update(c + 1 * ldc + 8, c11, bv);
            Update(c + 2 * ldc + 0, c20, bv); Update(c + 2 * ldc + 8, c21, bv);
            Update(c + 3 * ldc + 0, c30, bv); Update(c + 3 * ldc + 8, c31, bv);
            Update(c + 4 * ldc + 0, c40, bv); Update(c + 4 * ldc + 8, c41, bv);
            Update(c + 5 * ldc + 0, c50, bv); Update(c + 5 * ldc + 8, c51, bv);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel8x32(int kc, float* a, float* b, nint bs, float* c, nint ldc, float beta)
    {
        // The C tile is needed only after the k loop: start fetching it now.
        for (int i = 0; i < 8; i++) { PrefetchLine(c + i * ldc); PrefetchLine(c + i * ldc + 31); }
        Vector512<float> c00 = default; Vector512<float> c01 = default;
        Vector512<float> c10 = default; Vector512<float> c11 = default;
        Vector512<float> c20 = default; Vector512<float> c21 = default;
        Vector512<float> c30 = default; Vector512<float> c31 = default;
        Vector512<float> c40 = default; Vector512<float> c41 = default;
        Vector512<float> c50 = default; Vector512<float> c51 = default;
        Vector512<float> c60 = default; Vector512<float> c61 = default;
        Vector512<float> c70 = default; Vector512<float> c71 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0); Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            Vector512<float> a4 = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            Vector512<float> a5 = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            Vector512<float> a6 = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(a6, b0, c60); c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
            Vector512<float> a7 = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(a7, b0, c70); c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
            a += 8;
            b += bs;
        }
        if (beta == 0f)
        {
            c00.Store(c + 0 * ldc + 0); c01.Store(c + 0 * ldc + 16);
            c10.Store(c + 1 * ldc + 0); c11.Store(c + 1 * ldc + 16);
            c20.Store(c + 2 * ldc + 0); c21.Store(c + 2 * ldc + 16);
            c30.Store(c + 3 * ldc + 0); c31.Store(c + 3 * ldc + 16);
            c40.Store(c + 4 * ldc + 0); c41.Store(c + 4 * ldc + 16);
            c50.Store(c + 5 * ldc + 0); c51.Store(c + 5 * ldc + 16);
            c60.Store(c + 6 * ldc + 0); c61.Store(c + 6 * ldc + 16);
            c70.Store(c + 7 * ldc + 0); c71.Store(c + 7 * ldc + 16);
        }
        else
        {
            Vector512<float> bv = Vector512.Create(beta);
            Update(c + 0 * ldc + 0, c00, bv); Update(c + 0 * ldc + 16, c01, bv);
            Update(c + 1 * ldc + 0, c10, bv); Update(c + 1 * ldc + 16, c11, bv);
            Update(c + 2 * ldc + 0, c20, bv); Update(c + 2 * ldc + 16, c21, bv);
            Update(c + 3 * ldc + 0, c30, bv); Update(c + 3 * ldc + 16, c31, bv);
            Update(c + 4 * ldc + 0, c40, bv); Update(c + 4 * ldc + 16, c41, bv);
            Update(c + 5 * ldc + 0, c50, bv); Update(c + 5 * ldc + 16, c51, bv);
            Update(c + 6 * ldc + 0, c60, bv); Update(c + 6 * ldc + 16, c61, bv);
            Update(c + 7 * ldc + 0, c70, bv); Update(c + 7 * ldc + 16, c71, bv);
        }
    }
}
