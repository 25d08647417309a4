using ILGPU;
using ILGPU.Runtime;
using NativeGan.Kernels.Conv;

namespace NativeGan.Backends.Ilgpu;

internal sealed partial class IlgpuBackend
{
    public void Conv2dForward(in Conv2dGeometry g, Storage x, int xOffset, Storage w, int wOffset, Storage? bias, int biasOffset, Storage y, int yOffset)
    {
        Bind();
        long n = (long)g.N * g.Cout * g.OutH * g.OutW;
        if (n == 0) return;
        var b = bias != null ? V(bias, biasOffset) : V(w, wOffset);
        int hasBias = bias != null ? 1 : 0;
        if (Conv2dLaunch.UseForwardTiled(accelerator, g))
            k.Get(KernelCatalog.ConvForwardTiled)(stream, Conv2dLaunch.ForwardTiled(g), V(x, xOffset), V(w, wOffset), b, V(y, yOffset), g, hasBias);
        else
            k.Get(KernelCatalog.ConvForward)(stream, k.For(n), V(x, xOffset), V(w, wOffset), b, V(y, yOffset), g, hasBias);
    }

    public void Conv2dBackwardInput(in Conv2dGeometry g, Storage gy, int gyOffset, Storage w, int wOffset, Storage? bias, int biasOffset, Storage gx, int gxOffset)
    {
        Bind();
        long n = (long)g.N * g.Cin * g.H * g.W;
        if (n == 0) return;
        var b = bias != null ? V(bias, biasOffset) : V(w, wOffset);
        int hasBias = bias != null ? 1 : 0;
        if (Conv2dLaunch.UseBackwardInputTiled(accelerator, g))
            k.Get(KernelCatalog.ConvBackwardInputTiled)(stream, Conv2dLaunch.BackwardInputTiled(g), V(gy, gyOffset), V(w, wOffset), b, V(gx, gxOffset), g, hasBias);
        else
            k.Get(KernelCatalog.ConvBackwardInput)(stream, k.For(n), V(gy, gyOffset), V(w, wOffset), b, V(gx, gxOffset), g, hasBias);
    }

    public void Conv2dBackwardWeight(in Conv2dGeometry g, Storage x, int xOffset, Storage gy, int gyOffset, Storage gw, int gwOffset)
    {
        Bind();
        long n = (long)g.Cout * g.KernelVolume;
        if (n == 0) return;
        k.Get(KernelCatalog.ConvBackwardWeight)(stream, k.For(n), V(x, xOffset), V(gy, gyOffset), V(gw, gwOffset), g);
    }
}

/// <summary>
/// Kernel choice and launch shapes of the convolution kernels (the kernels stay free of launch policy). The tiled
/// implicit-GEMM kernels need 256-thread groups and pay off once a group's 64 x 64 tile is reasonably filled:
/// at least <see cref="MinTiledRows"/> output rows per group (Cout/G forward, Cin/G grad-input) and
/// <see cref="MinTiledColumns"/> pixel columns (N*OutH*OutW forward, N*H*W grad-input); else the direct kernels.
/// </summary>
internal static class Conv2dLaunch
{
    public const int MinTiledRows = 16, MinTiledColumns = 256;

    public static bool UseForwardTiled(Accelerator accelerator, in Conv2dGeometry g) =>
        CanTile(accelerator, g) && g.Cout / g.Groups >= MinTiledRows && (long)g.N * g.OutH * g.OutW >= MinTiledColumns;

    public static bool UseBackwardInputTiled(Accelerator accelerator, in Conv2dGeometry g) =>
        CanTile(accelerator, g) && g.Cin / g.Groups >= MinTiledRows && (long)g.N * g.H * g.W >= MinTiledColumns;

    /// <summary>Grid (ceil(N*OutH*OutW / 64), ceil((Cout/G) / 64), G) of 256-thread groups for <see cref="Conv2dKernels.ForwardTiled"/>.</summary>
    public static KernelConfig ForwardTiled(in Conv2dGeometry g) =>
        Tiled("ForwardTiled", (long)g.N * g.OutH * g.OutW, g.Cout / g.Groups, g.Groups);

    /// <summary>Grid (ceil(N*H*W / 64), ceil((Cin/G) / 64), G) of 256-thread groups for <see cref="Conv2dKernels.BackwardInputTiled"/>.</summary>
    public static KernelConfig BackwardInputTiled(in Conv2dGeometry g) =>
        Tiled("BackwardInputTiled", (long)g.N * g.H * g.W, g.Cin / g.Groups, g.Groups);

    private static bool CanTile(Accelerator accelerator, in Conv2dGeometry g) =>
        accelerator.MaxNumThreadsPerGroup >= Conv2dKernels.TiledThreads && g.Groups >= 1 && g.Groups <= 65535
        && (long)g.N * g.Cin * g.H * g.W < int.MaxValue && (long)g.N * g.Cout * g.OutH * g.OutW < int.MaxValue;

    private static KernelConfig Tiled(string kernel, long columns, int rowsPerGroup, int groups)
    {
        if (columns < 0 || rowsPerGroup < 0 || groups < 1 || groups > 65535)
            throw new ArgumentOutOfRangeException(nameof(groups), $"Conv2d {kernel}: need non-negative sizes and 1..65535 groups (grid Z), got columns={columns}, rows per group={rowsPerGroup}, groups={groups}.");
        int gx = (int)Math.Max(1, (columns + Conv2dKernels.TiledN - 1) / Conv2dKernels.TiledN);
        int gy = Math.Max(1, (rowsPerGroup + Conv2dKernels.TiledM - 1) / Conv2dKernels.TiledM);
        return new KernelConfig(new Index3D(gx, gy, groups), new Index3D(Conv2dKernels.TiledThreads, 1, 1));
    }
}
