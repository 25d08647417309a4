using NativeGan.Kernels.Optim;

namespace NativeGan.Backends.Ilgpu;

internal sealed partial class IlgpuBackend
{
    public void AdamStep(Storage p, int pOffset, Storage g, int gOffset, Storage m, int mOffset, Storage v, int vOffset, int n, in AdamArgs args)
    {
        Bind();
        if (n > 0) k.Get(KernelCatalog.AdamStep)(stream, k.For(n), V(p, pOffset), V(g, gOffset), V(m, mOffset), V(v, vOffset), n, args);
    }

    public void RmspropStep(Storage p, int pOffset, Storage g, int gOffset, Storage squareAvg, int squareAvgOffset,
        Storage momentumBuffer, int momentumOffset, Storage gradAvg, int gradAvgOffset, int n, in RmspropArgs args)
    {
        Bind();
        if (n > 0)
            k.Get(KernelCatalog.RmspropStep)(stream, k.For(n), V(p, pOffset), V(g, gOffset), V(squareAvg, squareAvgOffset),
                V(momentumBuffer, momentumOffset), V(gradAvg, gradAvgOffset), n, args);
    }

    public void SgdStep(Storage p, int pOffset, Storage g, int gOffset, Storage momentumBuffer, int momentumOffset, int n, in SgdArgs args)
    {
        Bind();
        if (n > 0) k.Get(KernelCatalog.SgdStep)(stream, k.For(n), V(p, pOffset), V(g, gOffset), V(momentumBuffer, momentumOffset), n, args);
    }
}
