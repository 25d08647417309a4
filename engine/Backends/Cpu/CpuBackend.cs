using System.Numerics.Tensors;
using NativeGan.Kernels.Elementwise;
using NativeGan.Kernels.Random;
using NativeGan.Kernels.Reduction;
using NativeGan.Memory;

namespace NativeGan.Backends.Cpu;

/// <summary>
/// The managed CPU backend: pooled float arrays, TensorPrimitives (SIMD) and a packed SGEMM. Work runs
/// synchronously on the calling thread, split across the cores for large tensors.
/// </summary>
internal sealed partial class CpuBackend : IBackend
{
    private readonly Device device;
    private readonly CachingAllocator<float[]> allocator;

    public CpuBackend(Device device)
    {
        this.device = device;
        allocator = new CachingAllocator<float[]>(capacity => GC.AllocateUninitializedArray<float>(capacity), _ => { },
            e => e is OutOfMemoryException, device.ToString());
    }

    /// <summary>
    /// Test hook: when set, every buffer is filled with this value before it is handed out, so an op that reads
    /// memory it did not write (past a view's elements, or before writing) changes its result with the value.
    /// Process-wide: set it only from a test in the non-parallel collection.
    /// </summary>
    internal static float? FillAllocationsWith { get; set; }

    public string Name => "cpu";
    public MemoryStats Stats => allocator.Stats;
    public void ResetPeak() => allocator.ResetPeak();
    public void EmptyCache() => allocator.EmptyCache();
    public void Synchronize() { }
    public void Dispose() => allocator.EmptyCache();

    public Storage Allocate(int length)
    {
        var (buffer, _) = allocator.Allocate(length);
        if (FillAllocationsWith is float fill) buffer.AsSpan().Fill(fill);
        return new CpuStorage(device, buffer);
    }

    public void Free(Storage storage) => allocator.Return(Data(storage), storage.Capacity);

    private static float[] Data(Storage s) => ((CpuStorage)s).Data;

    public void Upload(ReadOnlySpan<float> source, Storage destination, int offset) =>
        source.CopyTo(Data(destination).AsSpan(offset, source.Length));

    public void Download(Storage source, int offset, Span<float> destination) =>
        Data(source).AsSpan(offset, destination.Length).CopyTo(destination);

    public void Fill(Storage y, int offset, int n, float value) => Data(y).AsSpan(offset, n).Fill(value);

    public void Unary(UnaryOp op, Storage x, int xOffset, Storage y, int yOffset, int n, float a, float b)
    {
        float[] xs = Data(x), ys = Data(y);
        CpuParallel.For(n, (s, e) => CpuElementwise.Unary(op, xs.AsSpan(xOffset + s, e - s), ys.AsSpan(yOffset + s, e - s), a, b));
    }

    public void Binary(BinaryOp op, Storage a, Storage b, Storage y, int n, in StridedLayout layout)
    {
        float[] xa = Data(a), xb = Data(b), ys = Data(y);
        var l = layout;
        int inner = l.Rank == 0 ? 1 : l.Size(l.Rank - 1);
        int rows = inner == 0 ? 0 : n / inner;
        int sa = l.Rank == 0 ? 0 : InnerStride(l, 0), sb = l.Rank == 0 ? 0 : InnerStride(l, 1);
        CpuParallel.For(rows, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                l.Offsets(r * inner, out int ia, out int ib, out int iy);
                var dst = ys.AsSpan(iy, inner);
                if (sa == 1 && sb == 1) CpuElementwise.BinaryDense(op, xa.AsSpan(ia, inner), xb.AsSpan(ib, inner), dst);
                else if (sa == 1 && sb == 0) CpuElementwise.BinaryScalarRight(op, xa.AsSpan(ia, inner), xb[ib], dst);
                else if (sa == 0 && sb == 1) CpuElementwise.BinaryScalarLeft(op, xa[ia], xb.AsSpan(ib, inner), dst);
                else
                    for (int i = 0; i < inner; i++) dst[i] = BinaryMath.Apply(op, xa[ia + i * sa], xb[ib + i * sb]);
            }
        }, Math.Max(1, CpuParallel.MinParallelElements / Math.Max(inner, 1)));
    }

    private static int InnerStride(in StridedLayout l, int operand)
    {
        int d = l.Rank - 1;
        return operand switch
        {
            0 => d switch { 0 => l.A0, 1 => l.A1, 2 => l.A2, 3 => l.A3, 4 => l.A4, _ => l.A5 },
            1 => d switch { 0 => l.B0, 1 => l.B1, 2 => l.B2, 3 => l.B3, 4 => l.B4, _ => l.B5 },
            _ => d switch { 0 => l.C0, 1 => l.C1, 2 => l.C2, 3 => l.C3, 4 => l.C4, _ => l.C5 },
        };
    }

    public void Where(Storage cond, Storage x, Storage z, Storage y, int yOffset, int n, in StridedLayout layout)
    {
        float[] c = Data(cond), xs = Data(x), zs = Data(z), ys = Data(y);
        var l = layout;
        CpuParallel.For(n, (s, e) =>
        {
            for (int i = s; i < e; i++)
            {
                l.Offsets(i, out int ic, out int ix, out int iz);
                ys[yOffset + i] = c[ic] != 0f ? xs[ix] : zs[iz];
            }
        });
    }

    public void Copy(Storage source, Storage destination, int n, in StridedLayout layout)
    {
        float[] src = Data(source), dst = Data(destination);
        var l = layout;
        int inner = l.Rank == 0 ? 1 : l.Size(l.Rank - 1);
        int rows = inner == 0 ? 0 : n / inner;
        int ss = l.Rank == 0 ? 1 : InnerStride(l, 0), ds = l.Rank == 0 ? 1 : InnerStride(l, 2);
        CpuParallel.For(rows, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                l.Offsets(r * inner, out int isrc, out _, out int idst);
                if (ss == 1 && ds == 1) src.AsSpan(isrc, inner).CopyTo(dst.AsSpan(idst, inner));
                else
                    for (int i = 0; i < inner; i++) dst[idst + i * ds] = src[isrc + i * ss];
            }
        }, Math.Max(1, CpuParallel.MinParallelElements / Math.Max(inner, 1)));
    }

    public void Reduce(ReduceOp op, Storage x, int xOffset, Storage y, int yOffset, int outer, int r, int inner)
    {
        float[] xs = Data(x), ys = Data(y);
        if (inner == 1 && r >= 2 * SumBlock && op == ReduceOp.Sum)
        {
            for (int o = 0; o < outer; o++) ys[yOffset + o] = LongSum(xs, xOffset + o * r, r);
            return;
        }
        if (inner == 1)
        {
            CpuParallel.For(outer, (o0, o1) =>
            {
                for (int o = o0; o < o1; o++)
                {
                    var row = xs.AsSpan(xOffset + o * r, r);
                    ys[yOffset + o] = op switch
                    {
                        ReduceOp.Sum => TensorPrimitives.Sum(row),
                        ReduceOp.Max => TensorPrimitives.Max(row),
                        _ => TensorPrimitives.Min(row),
                    };
                }
            }, Math.Max(1, CpuParallel.MinParallelElements / Math.Max(r, 1)));
            return;
        }
        CpuParallel.For(outer, (o0, o1) =>
        {
            for (int o = o0; o < o1; o++)
            {
                var acc = ys.AsSpan(yOffset + o * inner, inner);
                int baseIndex = xOffset + o * r * inner;
                xs.AsSpan(baseIndex, inner).CopyTo(acc);
                for (int k = 1; k < r; k++)
                {
                    var row = xs.AsSpan(baseIndex + k * inner, inner);
                    switch (op)
                    {
                        case ReduceOp.Sum: TensorPrimitives.Add(acc, row, acc); break;
                        case ReduceOp.Max: TensorPrimitives.Max(acc, row, acc); break;
                        default: TensorPrimitives.Min(acc, row, acc); break;
                    }
                }
            }
        }, Math.Max(1, CpuParallel.MinParallelElements / Math.Max(r * inner, 1)));
    }

    private const int SumBlock = 4096;

    /// <summary>
    /// A long sum in SIMD blocks of 4096, blocks added in double: float accumulation over tens of millions of
    /// values drifts by 1e-5 relative, this stays near float rounding, and the blocks spread over the cores.
    /// </summary>
    private static float LongSum(float[] xs, int offset, int n)
    {
        int blocks = (n + SumBlock - 1) / SumBlock;
        var partial = new double[blocks];
        CpuParallel.For(blocks, (b0, b1) =>
        {
            for (int b = b0; b < b1; b++)
            {
                int start = b * SumBlock;
                partial[b] = TensorPrimitives.Sum(xs.AsSpan(offset + start, Math.Min(SumBlock, n - start)));
            }
        }, 64);
        double total = 0;
        foreach (double p in partial) total += p;
        return (float)total;
    }

    public void LogSoftmax(Storage x, int xOffset, Storage y, int yOffset, int outer, int r, int inner)
    {
        float[] xs = Data(x), ys = Data(y);
        CpuParallel.For(outer * inner, (t0, t1) =>
        {
            for (int t = t0; t < t1; t++)
            {
                int o = t / inner, i = t - o * inner;
                int b = o * r * inner + i;
                if (inner == 1)
                {
                    var row = xs.AsSpan(xOffset + b, r);
                    var dst = ys.AsSpan(yOffset + b, r);
                    float m = TensorPrimitives.Max(row);
                    TensorPrimitives.Subtract(row, m, dst);
                    float sum = 0f;
                    for (int k = 0; k < r; k++) sum += MathF.Exp(dst[k]);
                    TensorPrimitives.Subtract(dst, MathF.Log(sum), dst);
                    continue;
                }
                float max = xs[xOffset + b];
                for (int k = 1; k < r; k++) max = MathF.Max(max, xs[xOffset + b + k * inner]);
                float s = 0f;
                for (int k = 0; k < r; k++) s += MathF.Exp(xs[xOffset + b + k * inner] - max);
                float l = max + MathF.Log(s);
                for (int k = 0; k < r; k++) ys[yOffset + b + k * inner] = xs[xOffset + b + k * inner] - l;
            }
        }, Math.Max(1, CpuParallel.MinParallelElements / Math.Max(r, 1)));
    }

    public void Gemm(in GemmCall g)
    {
        float[] a = Data(g.A), b = Data(g.B), c = Data(g.C);
        for (int batch = 0; batch < g.Batch; batch++)
        {
            CpuSgemm.Sgemm(g.TransA, g.TransB, g.M, g.N, g.K, g.Alpha,
                a, checked((int)(g.OffsetA + batch * g.StrideA)), g.Lda,
                b, checked((int)(g.OffsetB + batch * g.StrideB)), g.Ldb,
                g.Beta, c, checked((int)(g.OffsetC + batch * g.StrideC)), g.Ldc);
        }
    }

    public void RandomUniform(Storage y, int offset, int n, ulong seed, ulong counter, float low, float high)
    {
        float[] ys = Data(y);
        CpuParallel.For(n, (s, e) =>
        {
            for (int i = s; i < e; i++) ys[offset + i] = low + (high - low) * Philox.Uniform(seed, counter + (ulong)i);
        }, 4096);
    }

    public void RandomNormal(Storage y, int offset, int n, ulong seed, ulong counter, float mean, float std)
    {
        float[] ys = Data(y);
        CpuParallel.For(n, (s, e) =>
        {
            for (int i = s; i < e; i++) ys[offset + i] = mean + std * Philox.Normal(seed, counter + (ulong)i);
        }, 4096);
    }

    public void GatherRows(Storage weight, int weightOffset, Storage indices, int indicesOffset, Storage y, int yOffset, int count, int dim)
    {
        float[] w = Data(weight), idx = Data(indices), ys = Data(y);
        for (int i = 0; i < count; i++)
            w.AsSpan(weightOffset + (int)idx[indicesOffset + i] * dim, dim).CopyTo(ys.AsSpan(yOffset + i * dim, dim));
    }

    public void ScatterAddRows(Storage g, int gOffset, Storage indices, int indicesOffset, Storage y, int yOffset, int count, int rows, int dim)
    {
        float[] gs = Data(g), idx = Data(indices), ys = Data(y);
        ys.AsSpan(yOffset, rows * dim).Clear();
        for (int i = 0; i < count; i++)
        {
            var dst = ys.AsSpan(yOffset + (int)idx[indicesOffset + i] * dim, dim);
            TensorPrimitives.Add(dst, gs.AsSpan(gOffset + i * dim, dim), dst);
        }
    }
}
