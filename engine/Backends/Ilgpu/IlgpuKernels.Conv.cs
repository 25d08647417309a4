using ILGPU;
using ILGPU.Runtime;
using NativeGan.Kernels.Conv;

namespace NativeGan.Backends.Ilgpu;

internal sealed partial class IlgpuKernels
{
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry, int>? convForward, convForwardTiled;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry, int>? convBackwardInput, convBackwardInputTiled;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry>? convBackwardWeight;

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry, int> ConvForward =>
        convForward ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry, int>(Conv2dKernels.Forward);

    /// <summary>Implicit-GEMM forward; launch with <see cref="Conv2dLaunch.ForwardTiled"/>.</summary>
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry, int> ConvForwardTiled =>
        convForwardTiled ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry, int>(Conv2dKernels.ForwardTiled);

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry, int> ConvBackwardInput =>
        convBackwardInput ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry, int>(Conv2dKernels.BackwardInput);

    /// <summary>Implicit-GEMM grad-input; launch with <see cref="Conv2dLaunch.BackwardInputTiled"/>.</summary>
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry, int> ConvBackwardInputTiled =>
        convBackwardInputTiled ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry, int>(Conv2dKernels.BackwardInputTiled);

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry> ConvBackwardWeight =>
        convBackwardWeight ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dGeometry>(Conv2dKernels.BackwardWeight);
}
