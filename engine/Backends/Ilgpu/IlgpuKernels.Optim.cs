using ILGPU;
using ILGPU.Runtime;
using NativeGan.Kernels.Optim;

namespace NativeGan.Backends.Ilgpu;

internal sealed partial class IlgpuKernels
{
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, AdamArgs>? adamStep;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, RmspropArgs>? rmspropStep;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, SgdArgs>? sgdStep;

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, AdamArgs> AdamStep =>
        adamStep ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, AdamArgs>(OptimizerKernels.AdamStep);

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, RmspropArgs> RmspropStep =>
        rmspropStep ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, RmspropArgs>(OptimizerKernels.RmspropStep);

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, SgdArgs> SgdStep =>
        sgdStep ??= accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, SgdArgs>(OptimizerKernels.SgdStep);
}
