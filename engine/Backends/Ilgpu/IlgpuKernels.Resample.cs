using ILGPU;
using ILGPU.Runtime;
using NativeGan.Kernels.Resample;

namespace NativeGan.Backends.Ilgpu;

internal sealed partial class IlgpuKernels
{
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int, int, int, float, float, int>? bilinearForward, bilinearBackward;

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int, int, int, float, float, int> BilinearForward =>
        bilinearForward ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, int, int, int, int, int, float, float, int>(ResampleKernels.BilinearForward);
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int, int, int, float, float, int> BilinearBackward =>
        bilinearBackward ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, int, int, int, int, int, float, float, int>(ResampleKernels.BilinearBackward);
}
