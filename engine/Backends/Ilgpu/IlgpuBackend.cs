using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using NativeGan.Kernels.Elementwise;
using NativeGan.Kernels.Reduction;
using NativeGan.Memory;

namespace NativeGan.Backends.Ilgpu;

/// <summary>
/// The ILGPU backend: CUDA on an NVIDIA GPU, or ILGPU's CPU accelerator, which runs the same kernels to test
/// their logic where no GPU exists. Launches are queued on one stream; only Download waits.
/// </summary>
internal sealed partial class IlgpuBackend : IBackend
{
    private readonly Device device;
    private readonly Accelerator accelerator;
    private readonly AcceleratorStream stream;
    private readonly CachingAllocator<MemoryBuffer1D<float, Stride1D.Dense>> allocator;
    private readonly IlgpuKernels k;
    // ILGPU's CPU accelerator copies to and from the host at once instead of in stream order, while its kernels
    // run asynchronously: a copy there must wait for the queued kernels first.
    private readonly bool hostCopiesBypassStream;
    // A CUDA context is current per thread; tests and data loaders call in from several threads.
    [ThreadStatic] private static Accelerator? boundOnThisThread;

    public IlgpuBackend(Device device, Accelerator accelerator)
    {
        this.device = device;
        this.accelerator = accelerator;
        stream = accelerator.DefaultStream;
        hostCopiesBypassStream = accelerator.AcceleratorType == AcceleratorType.CPU;
        allocator = new CachingAllocator<MemoryBuffer1D<float, Stride1D.Dense>>(
            capacity => accelerator.Allocate1D<float>(capacity), buffer => buffer.Dispose(), IsOutOfMemory, $"{device} ({accelerator.Name})");
        string arch = device.ComputeCapability != null ? $", sm_{device.ComputeCapability.Replace(".", "")}" : "";
        k = new IlgpuKernels(accelerator, $"{device} ({accelerator.Name}{arch})");
    }

    /// <summary>CUDA reports a full device as CUDA_ERROR_OUT_OF_MEMORY; ILGPU's CPU accelerator allocates managed memory.</summary>
    private static bool IsOutOfMemory(Exception e) =>
        e is OutOfMemoryException or CudaException { Error: nameof(CudaError.CUDA_ERROR_OUT_OF_MEMORY) };

    public Accelerator Accelerator => accelerator;
    public AcceleratorStream Stream => stream;
    public IlgpuKernels Kernels => k;
    public string Name => accelerator.Name;
    public MemoryStats Stats => allocator.Stats;
    public void ResetPeak() => allocator.ResetPeak();
    public void EmptyCache() => allocator.EmptyCache();
    public void Synchronize()
    {
        Bind();
        stream.Synchronize();
    }

    public void Dispose()
    {
        stream.Synchronize();
        allocator.EmptyCache();
        accelerator.Dispose();
    }

    public Storage Allocate(int length)
    {
        Bind();
        var (buffer, _) = allocator.Allocate(length);
        return new IlgpuStorage(device, buffer);
    }

    public void Free(Storage storage)
    {
        var s = (IlgpuStorage)storage;
        allocator.Return(s.Buffer, s.Capacity);
    }

    private void Bind()
    {
        if (ReferenceEquals(boundOnThisThread, accelerator)) return;
        accelerator.Bind();
        boundOnThisThread = accelerator;
    }

    private static ArrayView<float> V(Storage s) => ((IlgpuStorage)s).View;
    private static ArrayView<float> V(Storage s, int offset) => ((IlgpuStorage)s).View.SubView(offset);

    public unsafe void Upload(ReadOnlySpan<float> source, Storage destination, int offset)
    {
        Bind();
        if (source.Length == 0) return;
        if (hostCopiesBypassStream) stream.Synchronize();
        var view = V(destination).SubView(offset, source.Length);
        // Pinned: the copy reads the managed array through a raw pointer, and the GC must not move it meanwhile.
        fixed (float* pinned = source)
        {
            view.CopyFromCPU(stream, ref *pinned, source.Length);
            // CUDA stages pageable memory before returning; the CPU accelerator may still be reading it.
            if (hostCopiesBypassStream) stream.Synchronize();
        }
    }

    public unsafe void Download(Storage source, int offset, Span<float> destination)
    {
        Bind();
        if (destination.Length == 0) return;
        if (hostCopiesBypassStream) stream.Synchronize();
        var view = V(source).SubView(offset, destination.Length);
        fixed (float* pinned = destination)
        {
            view.CopyToCPU(stream, ref *pinned, destination.Length);
            stream.Synchronize();
        }
    }

    public void Fill(Storage y, int offset, int n, float value)
    {
        Bind();
        if (n > 0) k.Get(KernelCatalog.Fill)(stream, k.For(n), V(y, offset), n, value);
    }

    public void Unary(UnaryOp op, Storage x, int xOffset, Storage y, int yOffset, int n, float a, float b)
    {
        Bind();
        if (n > 0) k.Get(KernelCatalog.Unary)(stream, k.For(n), V(x, xOffset), V(y, yOffset), n, op, a, b);
    }

    public void Binary(BinaryOp op, Storage a, Storage b, Storage y, int n, in StridedLayout layout)
    {
        Bind();
        if (n == 0) return;
        if (layout.Rank == 1 && layout.A0 == 1 && layout.B0 == 1 && layout.C0 == 1)
            k.Get(KernelCatalog.BinaryDense)(stream, k.For(n), V(a, layout.OffsetA), V(b, layout.OffsetB), V(y, layout.OffsetC), n, op);
        else
            k.Get(KernelCatalog.BinaryStrided)(stream, k.For(n), V(a), V(b), V(y), n, op, layout);
    }

    public void Where(Storage cond, Storage x, Storage z, Storage y, int yOffset, int n, in StridedLayout layout)
    {
        Bind();
        if (n > 0) k.Get(KernelCatalog.Where)(stream, k.For(n), V(cond), V(x), V(z), V(y, yOffset), n, layout);
    }

    public void Copy(Storage source, Storage destination, int n, in StridedLayout layout)
    {
        Bind();
        if (n > 0) k.Get(KernelCatalog.StridedCopy)(stream, k.For(n), V(source), V(destination), n, layout);
    }

    public void Reduce(ReduceOp op, Storage x, int xOffset, Storage y, int yOffset, int outer, int r, int inner)
    {
        Bind();
        if (outer * inner == 0) return;
        if (k.PreferGroupedReduction(outer * inner, r))
            k.Get(KernelCatalog.ReduceGrouped)(stream, k.ForGroupedReduction(outer * inner), V(x, xOffset), V(y, yOffset), outer, r, inner, op);
        else
            k.Get(KernelCatalog.Reduce)(stream, k.For((long)outer * inner), V(x, xOffset), V(y, yOffset), outer, r, inner, op);
    }

    public void LogSoftmax(Storage x, int xOffset, Storage y, int yOffset, int outer, int r, int inner)
    {
        Bind();
        if (outer * inner > 0) k.Get(KernelCatalog.LogSoftmax)(stream, k.For((long)outer * inner), V(x, xOffset), V(y, yOffset), outer, r, inner);
    }

    public void Gemm(in GemmCall call)
    {
        Bind();
        IlgpuGemm.Launch(this, call);
    }

    public void RandomUniform(Storage y, int offset, int n, ulong seed, ulong counter, float low, float high)
    {
        Bind();
        if (n > 0) k.Get(KernelCatalog.Uniform)(stream, k.For(n), V(y, offset), n, seed, counter, low, high);
    }

    public void RandomNormal(Storage y, int offset, int n, ulong seed, ulong counter, float mean, float std)
    {
        Bind();
        if (n > 0) k.Get(KernelCatalog.Normal)(stream, k.For(n), V(y, offset), n, seed, counter, mean, std);
    }

    public void GatherRows(Storage weight, int weightOffset, Storage indices, int indicesOffset, Storage y, int yOffset, int count, int dim)
    {
        Bind();
        if (count * dim > 0) k.Get(KernelCatalog.GatherRows)(stream, k.For((long)count * dim), V(weight, weightOffset), V(indices, indicesOffset), V(y, yOffset), count, dim);
    }

    public void ScatterAddRows(Storage g, int gOffset, Storage indices, int indicesOffset, Storage y, int yOffset, int count, int rows, int dim)
    {
        Bind();
        if (rows * dim > 0) k.Get(KernelCatalog.ScatterAddRows)(stream, k.For((long)rows * dim), V(g, gOffset), V(indices, indicesOffset), V(y, yOffset), count, rows, dim);
    }
}
