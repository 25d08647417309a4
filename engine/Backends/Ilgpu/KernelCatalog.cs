using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using NativeGan.Kernels.Conv;
using NativeGan.Kernels.Elementwise;
using NativeGan.Kernels.Embedding;
using NativeGan.Kernels.Gemm;
using NativeGan.Kernels.Optim;
using NativeGan.Kernels.Pool;
using NativeGan.Kernels.Random;
using NativeGan.Kernels.Reduction;
using NativeGan.Kernels.Resample;
using F = ILGPU.ArrayView<float>;

namespace NativeGan.Backends.Ilgpu;

/// <summary>
/// Every kernel the engine launches, each declared once with its family and launch group size. The backends load
/// kernels only through these entries (<see cref="IlgpuKernels.Get{TLauncher}"/>), and the PTX / ptxas tests,
/// <c>nativegan kernels</c> and <c>nativegan devices</c> iterate <see cref="All"/>: a kernel added here is checked
/// for every GPU architecture without further registration.
/// </summary>
public static class KernelCatalog
{
    // Elementwise
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, int, float>> Fill = new("elementwise", ElementwiseKernels.Fill);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, int, UnaryOp, float, float>> Unary = new("elementwise", ElementwiseKernels.Unary);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, int, BinaryOp>> BinaryDense = new("elementwise", ElementwiseKernels.BinaryDense);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, int, BinaryOp, StridedLayout>> BinaryStrided = new("elementwise", ElementwiseKernels.BinaryStrided);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, F, int, StridedLayout>> Where = new("elementwise", ElementwiseKernels.Where);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, int, StridedLayout>> StridedCopy = new("elementwise", ElementwiseKernels.StridedCopy);

    // Reduction
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, int, int, int, ReduceOp>> Reduce = new("reduction", ReductionKernels.ReduceMiddle);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, int, int, int, ReduceOp>> ReduceGrouped = new("reduction", GroupReductionKernels.ReduceMiddleGrouped, GroupReductionKernels.MaxGroupSize);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, int, int, int>> LogSoftmax = new("reduction", ReductionKernels.LogSoftmaxMiddle);

    // Random
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, int, ulong, ulong, float, float>> Uniform = new("random", RandomKernels.Uniform);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, int, ulong, ulong, float, float>> Normal = new("random", RandomKernels.Normal);

    // Embedding
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, int, int>> GatherRows = new("embedding", EmbeddingKernels.GatherRows);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, int, int, int>> ScatterAddRows = new("embedding", EmbeddingKernels.ScatterAddRows);

    // Convolution
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, F, Conv2dGeometry, int>> ConvForward = new("conv", Conv2dKernels.Forward);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, F, Conv2dGeometry, int>> ConvForwardTiled = new("conv", Conv2dKernels.ForwardTiled, Conv2dKernels.TiledThreads);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, F, Conv2dGeometry, int>> ConvBackwardInput = new("conv", Conv2dKernels.BackwardInput);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, F, Conv2dGeometry, int>> ConvBackwardInputTiled = new("conv", Conv2dKernels.BackwardInputTiled, Conv2dKernels.TiledThreads);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, Conv2dGeometry>> ConvBackwardWeight = new("conv", Conv2dKernels.BackwardWeight);

    // GEMM
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, GemmParams, int>> GemmNaive = new("gemm", GemmKernels.Naive, GemmLaunch.NaiveGroupSize);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, GemmParams>> GemmTiled = new("gemm", GemmKernels.Tiled, GemmKernels.TiledThreads);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, GemmParams>> GemmTiled128 = new("gemm", GemmKernels.Tiled128, GemmKernels.Tiled128Threads);

    // Optimizers
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, F, int, AdamArgs>> AdamStep = new("optim", OptimizerKernels.AdamStep);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, F, F, int, RmspropArgs>> RmspropStep = new("optim", OptimizerKernels.RmspropStep);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, int, SgdArgs>> SgdStep = new("optim", OptimizerKernels.SgdStep);

    // Pooling
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, int, PoolWindow>> AvgPoolForward = new("pool", PoolKernels.AvgForward);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, int, PoolWindow>> AvgPoolBackward = new("pool", PoolKernels.AvgBackward);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, int, PoolWindow>> MaxPoolForward = new("pool", PoolKernels.MaxForward);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, int, PoolWindow>> MaxPoolScatter = new("pool", PoolKernels.MaxScatter);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, F, int, PoolWindow>> MaxPoolGather = new("pool", PoolKernels.MaxGather);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, int, int, int, int, int>> AdaptiveAvgForward = new("pool", PoolKernels.AdaptiveAvgForward);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, int, int, int, int, int>> AdaptiveAvgBackward = new("pool", PoolKernels.AdaptiveAvgBackward);

    // Resampling
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, int, int, int, int, int, float, float, int>> BilinearForward = new("resample", ResampleKernels.BilinearForward);
    public static readonly KernelDef<Action<AcceleratorStream, KernelConfig, F, F, int, int, int, int, int, float, float, int>> BilinearBackward = new("resample", ResampleKernels.BilinearBackward);

    /// <summary>Every entry above, in declaration order (which is also each entry's cache slot).</summary>
    public static IReadOnlyList<KernelDef> All { get; } = typeof(KernelCatalog)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => typeof(KernelDef).IsAssignableFrom(f.FieldType))
        .Select(f => (KernelDef)f.GetValue(null)!)
        .OrderBy(d => d.Index)
        .ToArray();

    /// <summary>The entry named <c>Class.Method</c> (case-insensitive), or null.</summary>
    public static KernelDef? Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
}
