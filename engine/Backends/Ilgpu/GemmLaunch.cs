using ILGPU;
using ILGPU.Runtime;
using NativeGan.Kernels.Gemm;

namespace NativeGan.Backends.Ilgpu;

/// <summary>Launch shapes of the <see cref="GemmKernels"/>: the kernels stay free of launch policy.</summary>
internal static class GemmLaunch
{
    /// <summary>Most groups a Naive launch uses; the grid-stride loop covers the rest.</summary>
    public const int NaiveMaxGroups = 65535;
    public const int NaiveGroupSize = 256;

    /// <summary>Grid (ceil(N / 64), ceil(M / 64), batch) of 256-thread groups for <see cref="GemmKernels.Tiled"/>.</summary>
    public static KernelConfig Tiled(in GemmParams p, int batch)
    {
        Check(p, batch);
        if (batch > 65535)
            throw new ArgumentOutOfRangeException(nameof(batch), $"Gemm Tiled: batch goes in grid Z, at most 65535, got {batch}.");
        int gx = Math.Max(1, (p.N + GemmKernels.TiledN - 1) / GemmKernels.TiledN);
        int gy = Math.Max(1, (p.M + GemmKernels.TiledM - 1) / GemmKernels.TiledM);
        return new KernelConfig(new Index3D(gx, gy, Math.Max(1, batch)), new Index3D(GemmKernels.TiledThreads, 1, 1));
    }

    /// <summary>Grid (ceil(N / 128), ceil(M / 128), batch) of 256-thread groups for <see cref="GemmKernels.Tiled128"/>.</summary>
    public static KernelConfig Tiled128(in GemmParams p, int batch)
    {
        Check(p, batch);
        if (batch > 65535)
            throw new ArgumentOutOfRangeException(nameof(batch), $"Gemm Tiled128: batch goes in grid Z, at most 65535, got {batch}.");
        int gx = Math.Max(1, (p.N + GemmKernels.Tiled128N - 1) / GemmKernels.Tiled128N);
        int gy = Math.Max(1, (p.M + GemmKernels.Tiled128M - 1) / GemmKernels.Tiled128M);
        return new KernelConfig(new Index3D(gx, gy, Math.Max(1, batch)), new Index3D(GemmKernels.Tiled128Threads, 1, 1));
    }

    /// <summary>1D grid of 256-thread groups for <see cref="GemmKernels.Naive"/>, capped at <paramref name="maxGroups"/>.</summary>
    public static KernelConfig Naive(in GemmParams p, int batch, int maxGroups = NaiveMaxGroups)
    {
        Check(p, batch);
        if (maxGroups < 1)
            throw new ArgumentOutOfRangeException(nameof(maxGroups), $"Gemm Naive: maxGroups must be at least 1, got {maxGroups}.");
        long total = (long)p.M * p.N * batch;
        long groups = Math.Clamp((total + NaiveGroupSize - 1) / NaiveGroupSize, 1, maxGroups);
        return new KernelConfig(new Index3D((int)groups, 1, 1), new Index3D(NaiveGroupSize, 1, 1));
    }

    private static void Check(in GemmParams p, int batch)
    {
        if (p.M < 0 || p.N < 0 || p.K < 0 || batch < 0)
            throw new ArgumentOutOfRangeException(nameof(p), $"Gemm: sizes must be non-negative, got M={p.M}, N={p.N}, K={p.K}, batch={batch}.");
    }
}
