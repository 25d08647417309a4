using ILGPU;
using ILGPU.Runtime;
using NativeGan.Kernels.Reduction;

namespace NativeGan.Backends.Ilgpu;

internal sealed partial class IlgpuKernels
{
    /// <summary>One group (a power of two threads) per output, at most a few waves of groups.</summary>
    public KernelConfig ForGroupedReduction(int outputs)
    {
        int size = 1;
        while (size * 2 <= Math.Min(GroupReductionKernels.MaxGroupSize, accelerator.MaxNumThreadsPerGroup)) size *= 2;
        return new(Math.Clamp(outputs, 1, maxGroups), size);
    }

    /// <summary>Few outputs over a long axis: a thread per output would leave the GPU idle.</summary>
    public bool PreferGroupedReduction(int outputs, int r) => r >= 512 && outputs < maxGroups * 4;
}
