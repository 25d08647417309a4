using ILGPU;
using ILGPU.Runtime;
using NativeGan.Kernels.Pool;

namespace NativeGan.Backends.Ilgpu;

internal sealed partial class IlgpuKernels
{
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, PoolWindow>? avgPoolForward, avgPoolBackward;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, PoolWindow>? maxPoolForward, maxPoolScatter, maxPoolGather;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int, int, int>? adaptiveAvgForward, adaptiveAvgBackward;

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, PoolWindow> AvgPoolForward =>
        avgPoolForward ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, int, PoolWindow>(PoolKernels.AvgForward);
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, PoolWindow> AvgPoolBackward =>
        avgPoolBackward ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, int, PoolWindow>(PoolKernels.AvgBackward);
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, PoolWindow> MaxPoolForward =>
        maxPoolForward ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, PoolWindow>(PoolKernels.MaxForward);
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, PoolWindow> MaxPoolScatter =>
        maxPoolScatter ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, PoolWindow>(PoolKernels.MaxScatter);
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, PoolWindow> MaxPoolGather =>
        maxPoolGather ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, PoolWindow>(PoolKernels.MaxGather);
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int, int, int> AdaptiveAvgForward =>
        adaptiveAvgForward ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, int, int, int, int, int>(PoolKernels.AdaptiveAvgForward);
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int, int, int> AdaptiveAvgBackward =>
        adaptiveAvgBackward ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, int, int, int, int, int>(PoolKernels.AdaptiveAvgBackward);
}
