using ILGPU;
using NativeGan.Kernels.Elementwise;

namespace NativeGan.Kernels.Embedding;

/// <summary>Row gather and its transpose. Indices arrive as floats holding whole numbers.</summary>
public static class EmbeddingKernels
{
    /// <summary>y[i, d] = weight[indices[i], d].</summary>
    public static void GatherRows(ArrayView<float> weight, ArrayView<float> indices, ArrayView<float> y, int count, int dim)
    {
        int n = count * dim;
        int stride = GridExtensions.GridStrideLoopStride;
        for (int t = Grid.GlobalIndex.X; t < n; t += stride)
        {
            int i = t / dim;
            int d = t - i * dim;
            y[t] = weight[(int)indices[i] * dim + d];
        }
    }

    /// <summary>
    /// y[row, d] = sum over i with indices[i] == row of g[i, d]. Each output element loops over the indices
    /// instead of using atomics, so the result is deterministic and identical on every backend.
    /// </summary>
    public static void ScatterAddRows(ArrayView<float> g, ArrayView<float> indices, ArrayView<float> y, int count, int rows, int dim)
    {
        int n = rows * dim;
        int stride = GridExtensions.GridStrideLoopStride;
        for (int t = Grid.GlobalIndex.X; t < n; t += stride)
        {
            int row = t / dim;
            int d = t - row * dim;
            float acc = 0f;
            for (int i = 0; i < count; i++)
                if ((int)indices[i] == row) acc += g[i * dim + d];
            y[t] = acc;
        }
    }
}
