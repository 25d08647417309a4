using ILGPU.Runtime.Cuda;
using NativeGan.Backends.Ilgpu;

namespace NativeGan.Distributed;

/// <summary>
/// One NCCL communicator over the ranks of an MPI job, for one CUDA device per process: rank 0 draws the unique id,
/// MPI broadcasts it, every rank joins with ncclCommInitRank (Horovod's scheme). Collectives are queued on the
/// device's stream, so they follow the kernels that wrote the tensor without a host synchronisation.
/// </summary>
internal sealed unsafe class NcclCommunicator : IDisposable
{
    private readonly NcclLibrary nccl;
    private readonly MpiProcessGroup group;
    private readonly IlgpuBackend backend;
    private nint comm;

    public NcclCommunicator(MpiProcessGroup group, Device device)
    {
        this.group = group;
        Device = device;
        nccl = NcclLibrary.TryLoad(out string? error)
            ?? throw new DistributedException($"rank {group.Rank} of {group.WorldSize}: a tensor on {device} must be reduced across processes, but {error}");
        backend = (IlgpuBackend)device.Backend;
        var id = new NcclUniqueId();
        if (group.Rank == 0) Check(nccl.GetUniqueId(&id), "ncclGetUniqueId");
        group.BroadcastBytes(new Span<byte>(id.Bytes, NcclLibrary.UniqueIdBytes), 0);
        // NCCL works in the CUDA context current on the calling thread: the device's own.
        backend.Accelerator.Bind();
        nint c = 0;
        Check(nccl.CommInitRank(&c, group.WorldSize, id, group.Rank), $"ncclCommInitRank (rank {group.Rank} of {group.WorldSize} on {device})");
        comm = c;
    }

    public Device Device { get; }

    public void AllReduce(Tensor tensor, ReduceOp op)
    {
        nint p = Pointer(tensor);
        backend.Accelerator.Bind();
        Check(nccl.AllReduce(p, p, (nuint)tensor.NumEl, NcclLibrary.Float32, nccl.Op(op), comm, Stream),
            $"ncclAllReduce of {tensor.NumEl} floats");
        if (op == ReduceOp.Average && nccl.Op(op) == NcclLibrary.OpSum)
            using (Tensor.NoGrad()) tensor.AffineInPlace(1f / group.WorldSize, 0f);
    }

    public void Broadcast(Tensor tensor, int root)
    {
        nint p = Pointer(tensor);
        backend.Accelerator.Bind();
        Check(nccl.Broadcast(p, p, (nuint)tensor.NumEl, NcclLibrary.Float32, root, comm, Stream),
            $"ncclBroadcast of {tensor.NumEl} floats from rank {root}");
    }

    private nint Stream => ((CudaStream)backend.Stream).StreamPtr;

    private static nint Pointer(Tensor tensor) =>
        ((IlgpuStorage)tensor.Storage).Buffer.NativePtr + (nint)tensor.Offset * sizeof(float);

    private void Check(int result, string what)
    {
        if (result == 0) return;
        throw new DistributedException($"rank {group.Rank} of {group.WorldSize}: {what} failed: {nccl.Describe(result)} (NCCL result {result}).");
    }

    public void Dispose()
    {
        if (comm == 0) return;
        nccl.CommDestroy(comm);
        comm = 0;
    }
}
