using NativeGan.Kernels.Optim;

namespace NativeGan.Backends;

/// <summary>Fused optimizer updates over contiguous float ranges of n elements (parameter, gradient, state).</summary>
internal partial interface IBackend
{
    void AdamStep(Storage p, int pOffset, Storage g, int gOffset, Storage m, int mOffset, Storage v, int vOffset, int n, in AdamArgs args);

    /// <summary>momentumBuffer is read only when args.Momentum &gt; 0, gradAvg only when args.Centered != 0.</summary>
    void RmspropStep(Storage p, int pOffset, Storage g, int gOffset, Storage squareAvg, int squareAvgOffset,
        Storage momentumBuffer, int momentumOffset, Storage gradAvg, int gradAvgOffset, int n, in RmspropArgs args);

    /// <summary>momentumBuffer is read only when args.Momentum != 0.</summary>
    void SgdStep(Storage p, int pOffset, Storage g, int gOffset, Storage momentumBuffer, int momentumOffset, int n, in SgdArgs args);
}
