using ILGPU;
using ILGPU.Runtime;
using NativeGan.Kernels.Conv;

namespace NativeGan.Backends.Ilgpu;

internal sealed partial class IlgpuKernels
{
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry, int>? convForward;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry, int>? convBackwardInput;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry>? convBackwardWeight;

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry, int> ConvForward =>
        convForward ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry, int>(Conv2dKernels.Forward);

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry, int> ConvBackwardInput =>
        convBackwardInput ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry, int>(Conv2dKernels.BackwardInput);

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry> ConvBackwardWeight =>
        convBackwardWeight ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry>(Conv2dKernels.BackwardWeight);
}
