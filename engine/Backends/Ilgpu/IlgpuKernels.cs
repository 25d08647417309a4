using ILGPU;
using ILGPU.Runtime;
using NativeGan.Kernels.Elementwise;
using NativeGan.Kernels.Embedding;
using NativeGan.Kernels.Random;
using NativeGan.Kernels.Reduction;

namespace NativeGan.Backends.Ilgpu;

/// <summary>
/// Every kernel the engine launches, loaded (compiled) once per accelerator and cached here, with the
/// launch configuration for grid-stride kernels. Nothing else in the engine loads kernels. Op families add
/// their kernels in partial files (IlgpuKernels.Family.cs), loading each lazily on first use:
/// `public Action&lt;...&gt; Foo => foo ??= Accelerator.LoadKernel&lt;...&gt;(FooKernels.Foo);`.
/// </summary>
internal sealed partial class IlgpuKernels
{
    private readonly Accelerator accelerator;
    private readonly int groupSize;

    public Accelerator Accelerator => accelerator;
    public int GroupSize => groupSize;
    private readonly int maxGroups;

    public IlgpuKernels(Accelerator accelerator)
    {
        this.accelerator = accelerator;
        groupSize = Math.Min(256, accelerator.MaxNumThreadsPerGroup);
        maxGroups = accelerator.AcceleratorType == AcceleratorType.CPU
            ? Math.Max(1, Environment.ProcessorCount)
            : Math.Max(1, accelerator.NumMultiprocessors) * 16;

        Fill = accelerator.LoadKernel<ArrayView<float>, int, float>(ElementwiseKernels.Fill);
        Unary = accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, int, UnaryOp, float, float>(ElementwiseKernels.Unary);
        BinaryDense = accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, BinaryOp>(ElementwiseKernels.BinaryDense);
        BinaryStrided = accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, BinaryOp, StridedLayout>(ElementwiseKernels.BinaryStrided);
        Where = accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, StridedLayout>(ElementwiseKernels.Where);
        StridedCopy = accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, int, StridedLayout>(ElementwiseKernels.StridedCopy);
        Reduce = accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, int, int, int, ReduceOp>(ReductionKernels.ReduceMiddle);
        LogSoftmax = accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, int, int, int>(ReductionKernels.LogSoftmaxMiddle);
        Uniform = accelerator.LoadKernel<ArrayView<float>, int, ulong, ulong, float, float>(RandomKernels.Uniform);
        Normal = accelerator.LoadKernel<ArrayView<float>, int, ulong, ulong, float, float>(RandomKernels.Normal);
        GatherRows = accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(EmbeddingKernels.GatherRows);
        ScatterAddRows = accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(EmbeddingKernels.ScatterAddRows);
    }

    /// <summary>A grid-stride launch covering n work items.</summary>
    public KernelConfig For(long n)
    {
        long groups = Math.Clamp((n + groupSize - 1) / groupSize, 1, maxGroups);
        return new KernelConfig((int)groups, groupSize);
    }

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, int, float> Fill { get; }
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, UnaryOp, float, float> Unary { get; }
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, BinaryOp> BinaryDense { get; }
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, BinaryOp, StridedLayout> BinaryStrided { get; }
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, StridedLayout> Where { get; }
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, StridedLayout> StridedCopy { get; }
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int, ReduceOp> Reduce { get; }
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int> LogSoftmax { get; }
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, int, ulong, ulong, float, float> Uniform { get; }
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, int, ulong, ulong, float, float> Normal { get; }
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> GatherRows { get; }
    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> ScatterAddRows { get; }
}
