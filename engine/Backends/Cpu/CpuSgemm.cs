namespace NativeGan.Backends.Cpu;

// Placeholder replaced by the packed SIMD SGEMM on merge.
internal static class CpuSgemm
{
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double acc = 0;
                for (int p = 0; p < k; p++)
                    acc += (double)a[aOffset + (transA ? p * lda + i : i * lda + p)] * b[bOffset + (transB ? j * ldb + p : p * ldb + j)];
                ref float dst = ref c[cOffset + i * ldc + j];
                dst = beta == 0f ? (float)(alpha * acc) : (float)(alpha * acc + beta * dst);
            }
    }
}
