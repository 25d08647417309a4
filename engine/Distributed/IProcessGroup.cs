namespace NativeGan.Distributed;

/// <summary>How <see cref="IProcessGroup.AllReduce(Span{float}, ReduceOp)"/> combines the ranks' values.</summary>
public enum ReduceOp
{
    Sum,
    /// <summary>The sum divided by the world size (what data-parallel training does to gradients).</summary>
    Average,
    Max,
    Min,
}

/// <summary>
/// The processes of one data-parallel job (torch.distributed's process group, Horovod's communicator). Every rank
/// must make the same collective calls in the same order with the same sizes. Host memory and CPU tensors travel
/// through MPI; tensors on a CUDA device travel through NCCL on the device's stream. With one process every
/// collective leaves the data as it is, so code written for the group runs unchanged without a launcher.
/// </summary>
public interface IProcessGroup : IDisposable
{
    /// <summary>This process's index in the job, 0 .. WorldSize-1.</summary>
    int Rank { get; }

    /// <summary>This process's index among the job's processes on this machine (which GPU it should use).</summary>
    int LocalRank { get; }

    /// <summary>The number of processes in the job.</summary>
    int WorldSize { get; }

    /// <summary>The transport: "single" (one process, nothing to exchange) or "mpi" (with NCCL for device tensors).</summary>
    string Backend { get; }

    /// <summary>Combines <paramref name="data"/> across the ranks, in place; every rank gets the result.</summary>
    void AllReduce(Span<float> data, ReduceOp op = ReduceOp.Sum);

    /// <summary>Combines a tensor across the ranks, in place. A CPU tensor goes through MPI, a CUDA tensor through NCCL
    /// (queued on the device stream, so it is ordered with the kernels that produced it).</summary>
    void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum);

    /// <summary>Starts combining a contiguous tensor across the ranks and returns at once (MPI_Iallreduce for a CPU
    /// tensor); the tensor holds the result after <see cref="IReduceWork.Wait"/>. Do not touch it before then.</summary>
    IReduceWork AllReduceAsync(Tensor tensor, ReduceOp op = ReduceOp.Sum);

    /// <summary>Overwrites <paramref name="data"/> on every rank with the values of rank <paramref name="root"/>.</summary>
    void Broadcast(Span<float> data, int root = 0);

    /// <summary>Overwrites the tensor on every rank with the values of rank <paramref name="root"/>.</summary>
    void Broadcast(Tensor tensor, int root = 0);

    /// <summary>Returns when every rank has called it.</summary>
    void Barrier();

    /// <summary>Every rank's <paramref name="value"/>, indexed by rank: for agreeing on small things such as the
    /// iteration of the checkpoint to resume from.</summary>
    long[] AllGather(long value);
}

/// <summary>A collective under way (torch.distributed's Work).</summary>
public interface IReduceWork
{
    /// <summary>Whether the result is there; asking also lets the transport make progress.</summary>
    bool IsCompleted { get; }

    /// <summary>Blocks until the result is in the tensor. Calling it again does nothing.</summary>
    void Wait();
}
