using ILGPU;
using ILGPU.Runtime;
using NativeGan.Kernels.Gemm;

namespace NativeGan.Backends.Ilgpu;

internal sealed partial class IlgpuKernels
{
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams, int>? gemmNaive;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams>? gemmTiled, gemmTiled128;

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams, int> GemmNaive =>
        gemmNaive ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams, int>(GemmKernels.Naive);

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams> GemmTiled =>
        gemmTiled ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams>(GemmKernels.Tiled);

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams> GemmTiled128 =>
        gemmTiled128 ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams>(GemmKernels.Tiled128);
}
