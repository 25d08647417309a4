using ILGPU;

namespace NativeGan.Kernels.Elementwise;

/// <summary>Element-wise kernels. Every kernel is a grid-stride loop so a small grid covers any size.</summary>
public static class ElementwiseKernels
{
    public static void Fill(ArrayView<float> y, int n, float value)
    {
        int stride = GridExtensions.GridStrideLoopStride;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride) y[i] = value;
    }

    public static void Unary(ArrayView<float> x, ArrayView<float> y, int n, UnaryOp op, float a, float b)
    {
        int stride = GridExtensions.GridStrideLoopStride;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride) y[i] = UnaryMath.Apply(op, x[i], a, b);
    }

    /// <summary>y = op(a, b) over contiguous operands of the same length.</summary>
    public static void BinaryDense(ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, int n, BinaryOp op)
    {
        int stride = GridExtensions.GridStrideLoopStride;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride) y[i] = BinaryMath.Apply(op, a[i], b[i]);
    }

    /// <summary>y[C] = op(a[A], b[B]) with broadcasting and arbitrary strides described by the layout.</summary>
    public static void BinaryStrided(ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, int n, BinaryOp op, StridedLayout layout)
    {
        int stride = GridExtensions.GridStrideLoopStride;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            layout.Offsets(i, out int ia, out int ib, out int iy);
            y[iy] = BinaryMath.Apply(op, a[ia], b[ib]);
        }
    }

    /// <summary>y[C] = cond[A] != 0 ? x[B] : z[C-as-third] — the layout's C strides address z, y is contiguous.</summary>
    public static void Where(ArrayView<float> cond, ArrayView<float> x, ArrayView<float> z, ArrayView<float> y, int n, StridedLayout layout)
    {
        int stride = GridExtensions.GridStrideLoopStride;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            layout.Offsets(i, out int ic, out int ix, out int iz);
            y[i] = cond[ic] != 0f ? x[ix] : z[iz];
        }
    }

    /// <summary>Copies a strided source (strides A) into a strided destination (strides C).</summary>
    public static void StridedCopy(ArrayView<float> src, ArrayView<float> dst, int n, StridedLayout layout)
    {
        int stride = GridExtensions.GridStrideLoopStride;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            layout.Offsets(i, out int isrc, out _, out int idst);
            dst[idst] = src[isrc];
        }
    }
}

/// <summary>Grid-stride helpers for explicitly grouped kernels.</summary>
public static class GridExtensions
{
    public static int GridStrideLoopStride => Grid.DimX * Group.DimX;
}
