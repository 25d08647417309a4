using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NativeGan.Backends.Cpu;

/// <summary>
/// Single-precision GEMM for the CPU backend, row-major:
/// C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C.
/// op(A) = A (stored m x k, leading dimension lda) or A^T (A stored k x m); likewise op(B) with B stored
/// k x n or n x k. beta == 0 overwrites C without reading it.
/// </summary>
/// <remarks>
/// The fast path is the BLIS loop nest (jc: NC columns, pc: KC of k, ic: MC rows, jr: NR, ir: MR): B is packed
/// into kc x NR micro-panels (the one in use stays in L1), alpha * A into MR x kc micro-panels (an MC x kc block
/// kept in L2), and a register-blocked micro-kernel (8x32 with Vector512, 6x16 with Vector256 + FMA) keeps the
/// whole C tile in locals, prefetches it during the k loop and applies beta once per K block.
/// Big problems (m*n*k >= ParallelThreshold) run on dedicated worker threads plus the caller: split by rows,
/// the workers pack one shared B block cooperatively (a barrier per K block) and each packs its own A; split by
/// columns (n > m) they work independently. Packing buffers are [ThreadStatic] pinned arrays, so steady state
/// allocates nothing. With few rows of C (<= 48) a non-transposed B is read in place instead of packed, and
/// tiny problems (m*n*k <= 32K) take plain TensorPrimitives loops on the calling thread.
/// </remarks>
internal static unsafe partial class CpuSgemm
{
    internal enum KernelKind { Simple, Avx2x6x16, V512x8x32 }

    /// <summary>The kernel this machine runs.</summary>
    internal static readonly KernelKind Best =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? KernelKind.V512x8x32
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? KernelKind.Avx2x6x16
        : KernelKind.Simple;

    /// <summary>Below this many multiply-adds (m*n*k) the packed path does not pay for itself.</summary>
    internal const long SmallThreshold = 32 * 1024;

    /// <summary>From this many multiply-adds on, the work is split over the cores.</summary>
    internal const long ParallelThreshold = 4L * 1024 * 1024;

    /// <summary>Up to this many rows of C, a non-transposed B is read in place rather than packed.</summary>
    private const int DirectBMaxRows = 48;

    private const int MC = 192;    // rows of A per packed block (multiple of 6 and 8); 192 x 256 x 4 B = 192 KiB, L2
    private const int NC = 4096;   // columns of B per packed block (L3)

    [ThreadStatic] private static float[]? t_packA;
    [ThreadStatic] private static float[]? t_packB;

    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
        float beta, float[] c, int cOffset, int ldc)
    {
        Validate(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
        if (m == 0 || n == 0) return;
        fixed (float* pa = a, pb = b, pc = c)
        {
            float* ca = pa + aOffset, cb = pb + bOffset, cc = pc + cOffset;
            if (k == 0 || alpha == 0f) { ScaleC(m, n, beta, cc, ldc); return; }
            if (Best == KernelKind.Simple || (long)m * n * k <= SmallThreshold)
                Simple(transA, transB, m, n, k, alpha, ca, lda, cb, ldb, beta, cc, ldc);
            else
                Packed(Best, true, transA, transB, m, n, k, alpha, ca, lda, cb, ldb, beta, cc, ldc);
        }
    }

    /// <summary>Test hook: run one specific path (the Vector512 kernel also runs, slowly, where Vector512 is emulated).</summary>
    internal static void SgemmWith(KernelKind kind, bool parallel, bool transA, bool transB, int m, int n, int k,
        float alpha, float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
        float beta, float[] c, int cOffset, int ldc)
    {
        Validate(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
        if (m == 0 || n == 0) return;
        fixed (float* pa = a, pb = b, pc = c)
        {
            float* ca = pa + aOffset, cb = pb + bOffset, cc = pc + cOffset;
            if (k == 0 || alpha == 0f) { ScaleC(m, n, beta, cc, ldc); return; }
            if (kind == KernelKind.Simple)
                Simple(transA, transB, m, n, k, alpha, ca, lda, cb, ldb, beta, cc, ldc);
            else
                Packed(kind, parallel, transA, transB, m, n, k, alpha, ca, lda, cb, ldb, beta, cc, ldc);
        }
    }

    /// <summary>Reference: triple loop with double accumulation. The test oracle, not for production.</summary>
    public static void SgemmNaive(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
        float beta, float[] c, int cOffset, int ldc)
    {
        Validate(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = transA ? a[aOffset + (long)p * lda + i] : a[aOffset + (long)i * lda + p];
                    double bv = transB ? b[bOffset + (long)j * ldb + p] : b[bOffset + (long)p * ldb + j];
                    sum += av * bv;
                }
                long ci = cOffset + (long)i * ldc + j;
                double r = alpha * sum;
                if (beta != 0f) r += (double)beta * c[ci];
                c[ci] = (float)r;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Validation

    private static void Validate(bool transA, bool transB, int m, int n, int k,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"Sgemm: sizes must be non-negative, got m={m}, n={n}, k={k}.");
        CheckOperand("A", transA ? k : m, transA ? m : k, a, aOffset, lda, nameof(lda));
        CheckOperand("B", transB ? n : k, transB ? k : n, b, bOffset, ldb, nameof(ldb));
        CheckOperand("C", m, n, c, cOffset, ldc, nameof(ldc));
    }

    private static void CheckOperand(string name, int rows, int cols, float[] x, int offset, int ld, string ldName)
    {
        if (offset < 0)
            throw new ArgumentOutOfRangeException(name, $"Sgemm: offset of {name} must be non-negative, got {offset}.");
        if (ld < Math.Max(1, cols))
            throw new ArgumentOutOfRangeException(ldName, $"Sgemm: {ldName} must be at least {Math.Max(1, cols)} (the stored row width of {name}, {rows} x {cols}), got {ld}.");
        if (rows == 0 || cols == 0) return;
        long need = offset + (long)(rows - 1) * ld + cols;
        if (need > x.Length)
            throw new ArgumentException($"Sgemm: {name} ({rows} x {cols}, leading dimension {ld}, offset {offset}) needs {need} elements, the array has {x.Length}.", name);
    }

    // ---------------------------------------------------------------------------------------------------
    // Trivial and small cases

    private static void ScaleC(int m, int n, float beta, float* c, nint ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + i * ldc, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f) TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <summary>Plain SIMD loops, no packing: for tiny problems and machines without SIMD.</summary>
    private static void Simple(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc)
    {
        if (!transB)
        {
            // C row i = beta * C row i + sum_p (alpha * A[i,p]) * B row p  (B rows contiguous)
            for (int i = 0; i < m; i++)
            {
                var crow = new Span<float>(c + i * ldc, n);
                if (beta == 0f) crow.Clear();
                else if (beta != 1f) TensorPrimitives.Multiply(crow, beta, crow);
                for (int p = 0; p < k; p++)
                {
                    float s = alpha * (transA ? a[p * lda + i] : a[i * lda + p]);
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(b + p * ldb, n), s, crow, crow);
                }
            }
            return;
        }
        // transB: B row j holds column j of op(B): C[i,j] = alpha * dot(op(A) row i, B row j) + beta * C[i,j]
        float[]? rented = null;
        Span<float> arow = k <= 1024 ? stackalloc float[k] : (rented = System.Buffers.ArrayPool<float>.Shared.Rent(k)).AsSpan(0, k);
        for (int i = 0; i < m; i++)
        {
            if (transA) for (int p = 0; p < k; p++) arow[p] = a[p * lda + i];
            else new ReadOnlySpan<float>(a + i * lda, k).CopyTo(arow);
            float* crow = c + i * ldc;
            for (int j = 0; j < n; j++)
            {
                float d = alpha * TensorPrimitives.Dot(arow, new ReadOnlySpan<float>(b + j * ldb, k));
                crow[j] = beta == 0f ? d : MathF.FusedMultiplyAdd(beta, crow[j], d);
            }
        }
        if (rented != null) System.Buffers.ArrayPool<float>.Shared.Return(rented);
    }

    // ---------------------------------------------------------------------------------------------------
    // Packed path

    private static void Shape(KernelKind kind, out int mr, out int nr, out int kcMax)
    {
        if (kind == KernelKind.V512x8x32) { mr = 8; nr = 32; kcMax = 192; }   // B micro-panel 192 x 32 x 4 B = 24 KiB (L1)
        else { mr = 6; nr = 16; kcMax = 256; }                                // B micro-panel 256 x 16 x 4 B = 16 KiB (L1)
    }

    private static void Packed(KernelKind kind, bool parallel, bool transA, bool transB, int m, int n, int k,
        float alpha, float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc)
    {
        Shape(kind, out int mr, out int nr, out _);
        int workers = parallel && (long)m * n * k >= ParallelThreshold ? Math.Min(Environment.ProcessorCount, 64) : 1;
        bool splitRows = m >= n;
        int units = splitRows ? (m + mr - 1) / mr : (n + nr - 1) / nr;
        workers = Math.Min(workers, units);
        if (workers <= 1 || !WorkerPool.TryEnter(workers, out var pool))
        {
            PackedSerial(kind, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        try
        {
            nint pa = (nint)a, pb = (nint)b, pc = (nint)c;
            if (splitRows)
            {
                // Workers share one packed B block (each packs a slice of its panels) and own a range of rows.
                Shape(kind, out _, out _, out int kcMax);
                int ncBuf = (Math.Min(n, NC) + nr - 1) / nr * nr;
                nint shared = (nint)Buffer(ref t_packB, Math.Min(k, kcMax) * ncBuf);
                pool.Run(workers, w =>
                {
                    int r0 = (int)((long)units * w / workers) * mr, r1 = Math.Min(m, (int)((long)units * (w + 1) / workers) * mr);
                    SharedB(kind, transA, transB, r0, r1, n, k, alpha, (float*)pa, lda, (float*)pb, ldb, beta, (float*)pc, ldc,
                        (float*)shared, w, workers, pool.Barrier);
                });
            }
            else
            {
                pool.Run(workers, w =>
                {
                    int c0 = (int)((long)units * w / workers) * nr, c1 = Math.Min(n, (int)((long)units * (w + 1) / workers) * nr);
                    if (c1 <= c0) return;
                    float* wa = (float*)pa, wb = (float*)pb, wc = (float*)pc;
                    PackedSerial(kind, transA, transB, m, c1 - c0, k, alpha,
                        wa, lda, transB ? wb + c0 * ldb : wb + c0, ldb, beta, wc + c0, ldc);
                });
            }
        }
        finally
        {
            WorkerPool.Exit(pool);
        }
    }

    private static float* Buffer(ref float[]? buf, int length)
    {
        if (buf == null || buf.Length < length)
            buf = GC.AllocateUninitializedArray<float>(length, pinned: true);
        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buf));
    }

    private static void PackB(bool transB, float* b, nint ldb, int pc, int jc, int kc, int nc, int nr, float* dst, int q0, int q1)
    {
        int j0 = q0 * nr, j1 = Math.Min(nc, q1 * nr);
        if (j1 <= j0) return;
        if (transB) PackBTrans(b + (jc + j0) * ldb + pc, ldb, kc, j1 - j0, nr, dst + j0 * kc);
        else PackBNoTrans(b + pc * ldb + jc + j0, ldb, kc, j1 - j0, nr, dst + j0 * kc);
    }

    private static void PackedSerial(KernelKind kind, bool transA, bool transB, int m, int n, int k,
        float alpha, float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc)
    {
        Shape(kind, out int mr, out int nr, out int kcMax);
        int ncBuf = (Math.Min(n, NC) + nr - 1) / nr * nr;
        float* packB = Buffer(ref t_packB, Math.Min(k, kcMax) * ncBuf);
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                if (!transB && m <= DirectBMaxRows)
                {
                    // Few rows of C: each B panel is used only a few times, so read B in place instead of packing
                    // it (only the partial last panel is packed, zero padded).
                    int full = nc / nr * nr;
                    if (full < nc) PackBNoTrans(b + pc * ldb + jc + full, ldb, kc, nc - full, nr, packB);
                    Rows(kind, transA, 0, m, jc, nc, pc, kc, alpha, a, lda, packB, pc == 0 ? beta : 1f, c, ldc, b + pc * ldb + jc, ldb);
                }
                else
                {
                    PackB(transB, b, ldb, pc, jc, kc, nc, nr, packB, 0, (nc + nr - 1) / nr);
                    Rows(kind, transA, 0, m, jc, nc, pc, kc, alpha, a, lda, packB, pc == 0 ? beta : 1f, c, ldc);
                }
            }
        }
    }

    /// <summary>One worker of the row-split parallel GEMM: rows [r0, r1), B packed cooperatively into <paramref name="packB"/>.</summary>
    private static void SharedB(KernelKind kind, bool transA, bool transB, int r0, int r1, int n, int k,
        float alpha, float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc,
        float* packB, int w, int workers, Barrier barrier)
    {
        Shape(kind, out _, out int nr, out int kcMax);
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            int panels = (nc + nr - 1) / nr;
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                PackB(transB, b, ldb, pc, jc, kc, nc, nr, packB, panels * w / workers, panels * (w + 1) / workers);
                barrier.SignalAndWait();   // B block complete
                Rows(kind, transA, r0, r1, jc, nc, pc, kc, alpha, a, lda, packB, pc == 0 ? beta : 1f, c, ldc);
                barrier.SignalAndWait();   // everyone done reading it before the next block is packed
            }
        }
    }

    /// <summary>C[r0..r1, jc..jc+nc] (+)= alpha * A[r0..r1, pc..pc+kc] * packed B block.</summary>
    /// <remarks>
    /// With <paramref name="directB"/> set (B not transposed, few rows of C), full micro-panels are read from B in
    /// place (row stride <paramref name="ldb"/>) and <paramref name="packB"/> holds only the partial last panel.
    /// </remarks>
    private static void Rows(KernelKind kind, bool transA, int r0, int r1, int jc, int nc, int pc, int kc,
        float alpha, float* a, nint lda, float* packB, float betaBlock, float* c, nint ldc, float* directB = null, nint ldb = 0)
    {
        Shape(kind, out int mr, out int nr, out _);
        float* packA = Buffer(ref t_packA, kc * MC);
        float* edge = stackalloc float[8 * 32];
        for (int ic = r0; ic < r1; ic += MC)
        {
            int mcs = Math.Min(MC, r1 - ic);
            if (transA) PackATrans(a + pc * lda + ic, lda, mcs, kc, mr, alpha, packA);
            else PackANoTrans(a + ic * lda + pc, lda, mcs, kc, mr, alpha, packA);
            for (int jr = 0; jr < nc; jr += nr)
            {
                int nrs = Math.Min(nr, nc - jr);
                float* bp = packB + jr * kc;
                nint bs = nr;
                if (directB != null)
                {
                    if (nrs == nr) { bp = directB + jr; bs = ldb; }
                    else bp = packB;
                }
                for (int ir = 0; ir < mcs; ir += mr)
                {
                    int mrs = Math.Min(mr, mcs - ir);
                    float* ap = packA + ir * kc;
                    float* ct = c + (ic + ir) * ldc + jc + jr;
                    if (mrs == mr && nrs == nr)
                    {
                        if (kind == KernelKind.V512x8x32) Kernel8x32(kc, ap, bp, bs, ct, ldc, betaBlock);
                        else Kernel6x16(kc, ap, bp, bs, ct, ldc, betaBlock);
                    }
                    else
                    {
                        if (kind == KernelKind.V512x8x32) Kernel8x32(kc, ap, bp, bs, edge, nr, 0f);
                        else Kernel6x16(kc, ap, bp, bs, edge, nr, 0f);
                        for (int i = 0; i < mrs; i++)
                        {
                            float* crow = ct + i * ldc;
                            float* erow = edge + i * nr;
                            if (betaBlock == 0f) for (int j = 0; j < nrs; j++) crow[j] = erow[j];
                            else for (int j = 0; j < nrs; j++) crow[j] = MathF.FusedMultiplyAdd(betaBlock, crow[j], erow[j]);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Dedicated GEMM worker threads (the caller is worker 0), so the cooperative path can use a barrier without
    /// depending on thread-pool availability. One GEMM at a time uses it; a concurrent caller waits for it.
    /// </summary>
    private sealed class WorkerPool
    {
        private static WorkerPool? s_pool;
        private static int s_busy;

        private readonly int _count;
        private readonly SemaphoreSlim[] _start;
        private readonly CountdownEvent _done;
        private Action<int>? _body;
        private Exception? _error;
        public Barrier Barrier { get; private set; } = new(1);

        private WorkerPool(int count)
        {
            _count = count;
            _start = new SemaphoreSlim[count - 1];
            _done = new CountdownEvent(count - 1);
            for (int i = 1; i < count; i++)
            {
                int w = i;
                _start[i - 1] = new SemaphoreSlim(0);
                new Thread(() => Loop(w)) { IsBackground = true, Name = $"NativeGan.Sgemm.{w}" }.Start();
            }
        }

        /// <summary>
        /// Takes the pool, waiting while another GEMM holds it. Waiting rather than running serially keeps a GEMM's
        /// result independent of what other threads do: the split changes the rounding of edge rows, and bitwise
        /// reproducible training (resume) depends on the same inputs giving the same bits.
        /// </summary>
        public static bool TryEnter(int workers, out WorkerPool pool)
        {
            var spin = new SpinWait();
            while (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) spin.SpinOnce(sleep1Threshold: 20);
            if (s_pool == null || s_pool._count < workers) s_pool = new WorkerPool(workers);   // grows once, then reused
            pool = s_pool;
            return true;
        }

        public static void Exit(WorkerPool pool) => Volatile.Write(ref s_busy, 0);

        /// <summary>Runs body(0 .. workers-1): 0 on the caller, the rest on the pool's threads.</summary>
        public void Run(int workers, Action<int> body)
        {
            if (Barrier.ParticipantCount != workers) Barrier = new Barrier(workers);
            _body = body;
            _error = null;
            _done.Reset(workers - 1);
            for (int i = 0; i < workers - 1; i++) _start[i].Release();
            try { body(0); }
            catch (Exception e) { _error ??= e; }
            _done.Wait();
            _body = null;
            if (_error != null) throw new AggregateException("Sgemm worker failed.", _error);
        }

        private void Loop(int w)
        {
            while (true)
            {
                _start[w - 1].Wait();
                try { _body!(w); }
                catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
                finally { _done.Signal(); }
            }
        }
    }

}
