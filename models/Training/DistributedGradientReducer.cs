using NativeGan.Distributed;

namespace NativeGan.Models.Training;

/// <summary>
/// Averages the gradients of a set of parameters across the ranks of a process group before the optimizer steps, as
/// PyTorch's DistributedDataParallel does: parameters are packed in reverse order (the order backward produces their
/// gradients) into buckets of about <see cref="DefaultBucketBytes"/>, and each bucket travels as one all-reduce. Inside
/// <see cref="OverlapWithBackward"/>, a bucket starts reducing (MPI_Iallreduce on the CPU, NCCL on the device stream)
/// as soon as backward has accumulated all its gradients, while backward goes on with the layers below;
/// <see cref="ReduceGradients"/> then starts the rest and waits for all. Buckets start in the same order on every
/// rank, so ranks whose graphs use different parameters still pair their collectives.
/// <para>A parameter that no rank gave a gradient keeps none; one that some rank did gets the average over all ranks,
/// counting zeros for the others (what DDP's find_unused_parameters does), so the optimizers stay identical.</para>
/// <para>Call <see cref="BroadcastParameters"/> once before training so every rank starts from rank 0's weights.</para>
/// </summary>
public sealed class DistributedGradientReducer : IDisposable
{
    /// <summary>PyTorch DDP's bucket_cap_mb of 25.</summary>
    public const long DefaultBucketBytes = 25L * 1024 * 1024;

    private readonly IProcessGroup group;
    private readonly Bucket[] buckets;
    private readonly Dictionary<Tensor, (Bucket Bucket, int Slot)> slotOf = new(ReferenceEqualityComparer.Instance);
    private readonly List<IDisposable> hooks = new();
    private bool overlapping;
    private int nextToStart;
    private bool disposed;

    /// <param name="group">The ranks to average over.</param>
    /// <param name="parameters">The parameters one optimizer steps, in the module's order.</param>
    /// <param name="bucketBytes">About how many bytes of gradients travel together.</param>
    public DistributedGradientReducer(IProcessGroup group, IEnumerable<Tensor> parameters, long bucketBytes = DefaultBucketBytes)
    {
        this.group = group ?? throw new ArgumentNullException(nameof(group));
        ArgumentNullException.ThrowIfNull(parameters);
        if (bucketBytes <= 0) throw new ArgumentException($"DistributedGradientReducer: bucketBytes must be positive, got {bucketBytes}.");
        var list = parameters.ToList();
        if (list.Count == 0) throw new ArgumentException("DistributedGradientReducer: got an empty parameter list.");
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var p in list)
        {
            if (p == null) throw new ArgumentException("DistributedGradientReducer: a parameter is null.");
            if (!p.IsLeaf) throw new ArgumentException($"DistributedGradientReducer: parameters must be leaf tensors; got the result of an op {Format(p)}.");
            if (!seen.Add(p)) throw new ArgumentException($"DistributedGradientReducer: a parameter {Format(p)} appears more than once.");
        }
        BucketBytes = bucketBytes;
        buckets = Plan(list, bucketBytes);
        foreach (var b in buckets)
            for (int i = 0; i < b.Params.Length; i++) slotOf[b.Params[i]] = (b, i);
        foreach (var p in list) hooks.Add(p.RegisterPostAccumulateGradHook(OnGradientReady));
    }

    public IProcessGroup Group => group;
    public long BucketBytes { get; }

    /// <summary>The parameters of each bucket, in the order the buckets are reduced.</summary>
    public IReadOnlyList<IReadOnlyList<Tensor>> Buckets => buckets.Select(b => (IReadOnlyList<Tensor>)b.Params).ToArray();

    /// <summary>How many buckets of the last reduced step had started before <see cref="ReduceGradients"/> was called
    /// (started during backward); tells whether the overlap happened.</summary>
    public int BucketsStartedDuringBackward { get; private set; }

    /// <summary>
    /// Within the returned scope, each bucket's all-reduce starts as soon as backward has accumulated its gradients.
    /// Wrap only the last backward before <see cref="ReduceGradients"/>: an earlier backward into the same gradients
    /// would be missed by the reduction, and is refused.
    /// </summary>
    public IDisposable OverlapWithBackward()
    {
        ThrowIfDisposed();
        if (overlapping) throw new InvalidOperationException("DistributedGradientReducer: OverlapWithBackward is already open.");
        overlapping = true;
        return new OverlapScope(this);
    }

    /// <summary>
    /// Makes every parameter's gradient the average over the ranks: waits for the buckets backward started, starts and
    /// waits for the others. Call it on every rank after the last backward and before the optimizer's step.
    /// </summary>
    public void ReduceGradients()
    {
        ThrowIfDisposed();
        overlapping = false;
        BucketsStartedDuringBackward = nextToStart;
        try
        {
            while (nextToStart < buckets.Length) Start(buckets[nextToStart++]);
            foreach (var b in buckets) Finish(b);
        }
        finally
        {
            nextToStart = 0;
            foreach (var b in buckets) b.Reset();
        }
    }

    /// <summary>Copies rank <paramref name="root"/>'s parameter values to every rank (DDP does it when it wraps a
    /// model), a bucket at a time.</summary>
    public void BroadcastParameters(int root = 0)
    {
        ThrowIfDisposed();
        if (group.WorldSize == 1) return;
        using var scope = Tensor.Scope();
        using var noGrad = Tensor.NoGrad();
        foreach (var b in buckets)
        {
            using var flat = Tensor.Zeros(new[] { b.Elements }, b.Device);
            for (int i = 0; i < b.Params.Length; i++) Slice(flat, b, i).CopyFrom(b.Params[i]);
            group.Broadcast(flat, root);
            for (int i = 0; i < b.Params.Length; i++) b.Params[i].CopyFrom(Slice(flat, b, i));
        }
    }

    private void OnGradientReady(Tensor parameter)
    {
        if (!overlapping) return;
        var (bucket, slot) = slotOf[parameter];
        if (bucket.Ready[slot])
            throw new InvalidOperationException($"DistributedGradientReducer: the gradient of {Format(parameter)} was accumulated twice inside OverlapWithBackward; run earlier backward passes outside it, or call ReduceGradients between them.");
        bucket.Ready[slot] = true;
        bucket.ReadyCount++;
        // Start in bucket order only, so that every rank issues the same collectives in the same order.
        while (nextToStart < buckets.Length && buckets[nextToStart].ReadyCount == buckets[nextToStart].Params.Length)
            Start(buckets[nextToStart++]);
        // MPI progresses non-blocking collectives only inside MPI calls: poke the ones in flight.
        for (int i = 0; i < nextToStart; i++) _ = buckets[i].Work?.IsCompleted;
    }

    private void Start(Bucket b)
    {
        using var noGrad = Tensor.NoGrad();
        b.Flat ??= Tensor.Zeros(new[] { b.Elements + b.Params.Length }, b.Device).DetachFromScope();
        var presence = new float[b.Params.Length];
        for (int i = 0; i < b.Params.Length; i++)
        {
            var grad = b.Params[i].Grad;
            using var slice = Slice(b.Flat, b, i);
            if (grad == null) slice.FillInPlace(0f);
            else
            {
                slice.CopyFrom(grad);
                presence[i] = 1f;
            }
        }
        using (var flags = b.Flat.Narrow(0, b.Elements, b.Params.Length)) flags.CopyFrom(presence);
        b.Work = group.AllReduceAsync(b.Flat, ReduceOp.Average);
    }

    private void Finish(Bucket b)
    {
        b.Work!.Wait();
        using var noGrad = Tensor.NoGrad();
        float[] presence;
        using (var flags = b.Flat!.Narrow(0, b.Elements, b.Params.Length)) presence = flags.ToArray();
        for (int i = 0; i < b.Params.Length; i++)
        {
            if (presence[i] == 0f) continue;   // no rank had a gradient: it stays absent everywhere
            var p = b.Params[i];
            if (p.Grad == null || p.Grad.IsDisposed) p.Grad = Tensor.ZerosLike(p).DetachFromScope();
            using var slice = Slice(b.Flat, b, i);
            p.Grad.CopyFrom(slice);
        }
    }

    private static Tensor Slice(Tensor flat, Bucket b, int i)
    {
        var p = b.Params[i];
        using var piece = flat.Narrow(0, b.Offsets[i], p.NumEl);
        return piece.Reshape(p.Shape.ToArray());
    }

    private static Bucket[] Plan(List<Tensor> parameters, long bucketBytes)
    {
        var result = new List<Bucket>();
        var open = new Dictionary<Device, List<Tensor>>();
        var openBytes = new Dictionary<Device, long>();
        for (int k = parameters.Count - 1; k >= 0; k--)
        {
            var p = parameters[k];
            if (!open.TryGetValue(p.Device, out var members)) { open[p.Device] = members = new List<Tensor>(); openBytes[p.Device] = 0; }
            members.Add(p);
            openBytes[p.Device] += (long)p.NumEl * sizeof(float);
            if (openBytes[p.Device] >= bucketBytes)
            {
                result.Add(new Bucket(members.ToArray()));
                open.Remove(p.Device);
            }
        }
        foreach (var members in open.Values) result.Add(new Bucket(members.ToArray()));
        return result.ToArray();
    }

    private static string Format(Tensor t) => t.Name != null ? $"'{t.Name}' [{string.Join(", ", t.Shape)}]" : $"[{string.Join(", ", t.Shape)}]";

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);

    /// <summary>Removes the gradient hooks and frees the bucket buffers.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var h in hooks) h.Dispose();
        foreach (var b in buckets)
        {
            try { b.Work?.Wait(); } catch (DistributedException) { }
            b.Flat?.Dispose();
        }
    }

    private sealed class Bucket
    {
        public Bucket(Tensor[] parameters)
        {
            Params = parameters;
            Device = parameters[0].Device;
            Offsets = new int[parameters.Length];
            int offset = 0;
            for (int i = 0; i < parameters.Length; i++)
            {
                Offsets[i] = offset;
                offset = checked(offset + parameters[i].NumEl);
            }
            Elements = offset;
            Ready = new bool[parameters.Length];
        }

        public Tensor[] Params { get; }
        public Device Device { get; }
        public int[] Offsets { get; }
        public int Elements { get; }
        public bool[] Ready { get; }
        public int ReadyCount { get; set; }
        /// <summary>The gradients, then one presence flag per parameter; reused every step.</summary>
        public Tensor? Flat { get; set; }
        public IReduceWork? Work { get; set; }

        public void Reset()
        {
            Array.Clear(Ready);
            ReadyCount = 0;
            Work = null;
        }
    }

    private sealed class OverlapScope(DistributedGradientReducer owner) : IDisposable
    {
        public void Dispose() => owner.overlapping = false;
    }
}
