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
        k.ConvForward(stream, k.For(n), V(x, xOffset), V(w, wOffset), b, V(y, yOffset), g, bias != null ? 1 : 0);
    }

    public void Conv2dBackwardInput(in Conv2dGeometry g, Storage gy, int gyOffset, Storage w, int wOffset, Storage? bias, int biasOffset, Storage gx, int gxOffset)
    {
        Bind();
        long n = (long)g.N * g.Cin * g.H * g.W;
        if (n == 0) return;
        var b = bias != null ? V(bias, biasOffset) : V(w, wOffset);
        k.ConvBackwardInput(stream, k.For(n), V(gy, gyOffset), V(w, wOffset), b, V(gx, gxOffset), g, bias != null ? 1 : 0);
    }

    public void Conv2dBackwardWeight(in Conv2dGeometry g, Storage x, int xOffset, Storage gy, int gyOffset, Storage gw, int gwOffset)
    {
        Bind();
        long n = (long)g.Cout * g.KernelVolume;
        if (n == 0) return;
        k.ConvBackwardWeight(stream, k.For(n), V(x, xOffset), V(gy, gyOffset), V(gw, gwOffset), g);
    }
}
