namespace NativeGan.Backends.Ilgpu;

internal sealed partial class IlgpuBackend
{
    public void Bilinear(Storage x, int xOffset, Storage y, int yOffset, int planes, int h, int w, int oh, int ow, float ratioH, float ratioW, int alignCorners)
    {
        Bind();
        long n = (long)planes * oh * ow;
        if (n > 0) k.Get(KernelCatalog.BilinearForward)(stream, k.For(n), V(x, xOffset), V(y, yOffset), planes, h, w, oh, ow, ratioH, ratioW, alignCorners);
    }

    public void BilinearBackward(Storage g, int gOffset, Storage gx, int gxOffset, int planes, int h, int w, int oh, int ow, float ratioH, float ratioW, int alignCorners)
    {
        Bind();
        long n = (long)planes * h * w;
        if (n > 0) k.Get(KernelCatalog.BilinearBackward)(stream, k.For(n), V(g, gOffset), V(gx, gxOffset), planes, h, w, oh, ow, ratioH, ratioW, alignCorners);
    }
}
