namespace NativeGan.Distributed;

/// <summary>A job of one process: every collective leaves the data as it is (the sum, average, maximum and minimum
/// over one rank are its own values), so training code written for a group runs unchanged without a launcher.</summary>
public sealed class SingleProcessGroup : IProcessGroup
{
    public int Rank => 0;
    public int LocalRank => 0;
    public int WorldSize => 1;
    public string Backend => "single";

    public void AllReduce(Span<float> data, ReduceOp op = ReduceOp.Sum) { }

    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum) => ArgumentNullException.ThrowIfNull(tensor);

    public IReduceWork AllReduceAsync(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return CompletedWork.Instance;
    }

    public void Broadcast(Span<float> data, int root = 0) => CheckRoot(root);

    public void Broadcast(Tensor tensor, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CheckRoot(root);
    }

    public void Barrier() { }

    public long[] AllGather(long value) => new[] { value };

    public void Dispose() { }

    private static void CheckRoot(int root)
    {
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), root, "Broadcast: a one-process group has only rank 0.");
    }
}
