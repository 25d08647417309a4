using ILGPU;
using NativeGan.Kernels.Elementwise;

namespace NativeGan.Kernels.Random;

public static class RandomKernels
{
    /// <summary>y[i] = low + (high - low) * U(seed, offset + i).</summary>
    public static void Uniform(ArrayView<float> y, int n, ulong seed, ulong offset, float low, float high)
    {
        int stride = GridExtensions.GridStrideLoopStride;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
            y[i] = low + (high - low) * Philox.Uniform(seed, offset + (ulong)i);
    }

    /// <summary>y[i] = mean + std * N(seed, offset + i).</summary>
    public static void Normal(ArrayView<float> y, int n, ulong seed, ulong offset, float mean, float std)
    {
        int stride = GridExtensions.GridStrideLoopStride;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
            y[i] = mean + std * Philox.Normal(seed, offset + (ulong)i);
    }
}
