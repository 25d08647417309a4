using NativeGan.Kernels.Pool;

namespace NativeGan.Backends.Ilgpu;

internal sealed partial class IlgpuBackend
{
    public void AvgPool2d(Storage x, int xOffset, Storage y, int yOffset, int planes, in PoolWindow w)
    {
        Bind();
        long n = (long)planes * w.OH * w.OW;
        if (n > 0) k.Get(KernelCatalog.AvgPoolForward)(stream, k.For(n), V(x, xOffset), V(y, yOffset), planes, w);
    }

    public void AvgPool2dBackward(Storage g, int gOffset, Storage gx, int gxOffset, int planes, in PoolWindow w)
    {
        Bind();
        long n = (long)planes * w.H * w.W;
        if (n > 0) k.Get(KernelCatalog.AvgPoolBackward)(stream, k.For(n), V(g, gOffset), V(gx, gxOffset), planes, w);
    }

    public void MaxPool2d(Storage x, int xOffset, Storage y, int yOffset, Storage indices, int indicesOffset, int planes, in PoolWindow w)
    {
        Bind();
        long n = (long)planes * w.OH * w.OW;
        if (n > 0) k.Get(KernelCatalog.MaxPoolForward)(stream, k.For(n), V(x, xOffset), V(y, yOffset), V(indices, indicesOffset), planes, w);
    }

    public void MaxPool2dScatter(Storage g, int gOffset, Storage indices, int indicesOffset, Storage gx, int gxOffset, int planes, in PoolWindow w)
    {
        Bind();
        long n = (long)planes * w.H * w.W;
        if (n > 0) k.Get(KernelCatalog.MaxPoolScatter)(stream, k.For(n), V(g, gOffset), V(indices, indicesOffset), V(gx, gxOffset), planes, w);
    }

    public void MaxPool2dGather(Storage x, int xOffset, Storage indices, int indicesOffset, Storage y, int yOffset, int planes, in PoolWindow w)
    {
        Bind();
        long n = (long)planes * w.OH * w.OW;
        if (n > 0) k.Get(KernelCatalog.MaxPoolGather)(stream, k.For(n), V(x, xOffset), V(indices, indicesOffset), V(y, yOffset), planes, w);
    }

    public void AdaptiveAvgPool2d(Storage x, int xOffset, Storage y, int yOffset, int planes, int h, int w, int oh, int ow)
    {
        Bind();
        long n = (long)planes * oh * ow;
        if (n > 0) k.Get(KernelCatalog.AdaptiveAvgForward)(stream, k.For(n), V(x, xOffset), V(y, yOffset), planes, h, w, oh, ow);
    }

    public void AdaptiveAvgPool2dBackward(Storage g, int gOffset, Storage gx, int gxOffset, int planes, int h, int w, int oh, int ow)
    {
        Bind();
        long n = (long)planes * h * w;
        if (n > 0) k.Get(KernelCatalog.AdaptiveAvgBackward)(stream, k.For(n), V(g, gOffset), V(gx, gxOffset), planes, h, w, oh, ow);
    }
}
