using ILGPU;
using NativeGan.Kernels.Elementwise;

namespace NativeGan.Kernels.Reduction;

public enum ReduceOp { Sum, Max, Min }

/// <summary>
/// Reductions over the middle axis of a contiguous (outer, r, inner) view: y[o, i] = op over k of x[o, k, i].
/// Adjacent threads take adjacent i, so loads are coalesced whenever inner &gt; 1.
/// </summary>
public static class ReductionKernels
{
    public static void ReduceMiddle(ArrayView<float> x, ArrayView<float> y, int outer, int r, int inner, ReduceOp op)
    {
        int n = outer * inner;
        int stride = GridExtensions.GridStrideLoopStride;
        for (int t = Grid.GlobalIndex.X; t < n; t += stride)
        {
            int o = t / inner;
            int i = t - o * inner;
            int baseIndex = o * r * inner + i;
            float acc = op == ReduceOp.Sum ? 0f : x[baseIndex];
            for (int k = 0; k < r; k++)
            {
                float v = x[baseIndex + k * inner];
                if (op == ReduceOp.Sum) acc += v;
                else if (op == ReduceOp.Max) acc = v > acc || float.IsNaN(v) ? v : acc;
                else acc = v < acc || float.IsNaN(v) ? v : acc;
            }
            y[t] = acc;
        }
    }

    /// <summary>Numerically stable log-softmax over the middle axis of (outer, r, inner).</summary>
    public static void LogSoftmaxMiddle(ArrayView<float> x, ArrayView<float> y, int outer, int r, int inner)
    {
        int n = outer * inner;
        int stride = GridExtensions.GridStrideLoopStride;
        for (int t = Grid.GlobalIndex.X; t < n; t += stride)
        {
            int o = t / inner;
            int i = t - o * inner;
            int baseIndex = o * r * inner + i;
            float m = x[baseIndex];
            for (int k = 1; k < r; k++) m = MathF.Max(m, x[baseIndex + k * inner]);
            float s = 0f;
            for (int k = 0; k < r; k++) s += KernelMath.Exp(x[baseIndex + k * inner] - m);
            float lse = m + KernelMath.Log(s);
            for (int k = 0; k < r; k++) y[baseIndex + k * inner] = x[baseIndex + k * inner] - lse;
        }
    }
}

/// <summary>
/// Reductions with few outputs and a long reduced axis (a loss's mean over a whole batch): one thread group per
/// output, each thread striding over the axis, then a tree in shared memory. Groups of a power of two threads,
/// at most MaxGroupSize.
/// </summary>
public static class GroupReductionKernels
{
    public const int MaxGroupSize = 256;

    public static void ReduceMiddleGrouped(ArrayView<float> x, ArrayView<float> y, int outer, int r, int inner, ReduceOp op)
    {
        var shared = SharedMemory.Allocate<float>(MaxGroupSize);
        int tid = Group.IdxX;
        int size = Group.DimX;
        for (int t = Grid.IdxX; t < outer * inner; t += Grid.DimX)
        {
            int o = t / inner;
            int i = t - o * inner;
            int baseIndex = o * r * inner + i;
            float acc = op == ReduceOp.Sum ? 0f : x[baseIndex];
            for (int k = tid; k < r; k += size)
            {
                float v = x[baseIndex + k * inner];
                acc = Combine(op, acc, v);
            }
            shared[tid] = acc;
            Group.Barrier();
            for (int half = size / 2; half > 0; half >>= 1)
            {
                if (tid < half) shared[tid] = Combine(op, shared[tid], shared[tid + half]);
                Group.Barrier();
            }
            if (tid == 0) y[t] = shared[0];
            Group.Barrier();
        }
    }

    private static float Combine(ReduceOp op, float a, float b)
    {
        if (op == ReduceOp.Sum) return a + b;
        if (op == ReduceOp.Max) return b > a || float.IsNaN(b) ? b : a;
        return b < a || float.IsNaN(b) ? b : a;
    }
}
