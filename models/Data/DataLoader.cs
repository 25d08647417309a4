using System.Collections.Concurrent;

namespace NativeGan.Models.Data;

/// <summary>A batch assembled on the host: images [Count, C, H, W] and labels [Count], plus where it comes from.</summary>
public sealed class HostBatch
{
    internal HostBatch(float[] images, float[] labels, int[] shape, int epoch, int position, int[] indices)
    {
        Images = images;
        Labels = labels;
        Shape = shape;
        Epoch = epoch;
        Position = position;
        Indices = indices;
    }

    public float[] Images { get; }
    public float[] Labels { get; }
    /// <summary>[B, C, H, W].</summary>
    public int[] Shape { get; }
    public int Count => Shape[0];
    public int Epoch { get; }
    /// <summary>Batch index within the epoch.</summary>
    public int Position { get; }
    /// <summary>The dataset indices of the samples, in batch order.</summary>
    public int[] Indices { get; }
}

/// <summary>A batch on a device: images [B, C, H, W] and labels [B]. Disposing it disposes both tensors
/// (they are also registered in the tensor scope open on the consuming thread, if any).</summary>
public sealed class Batch : IDisposable
{
    internal Batch(Tensor images, Tensor labels, int epoch, int position, int[] indices)
    {
        Images = images;
        Labels = labels;
        Epoch = epoch;
        Position = position;
        Indices = indices;
    }

    public Tensor Images { get; }
    public Tensor Labels { get; }
    public int Count => Images.Size(0);
    public int Epoch { get; }
    public int Position { get; }
    public int[] Indices { get; }

    public void Deconstruct(out Tensor images, out Tensor labels)
    {
        images = Images;
        labels = Labels;
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

/// <summary>
/// Batches of a dataset as an endless stream of epochs (<see cref="BatchStream{THost}"/>). Epoch k's order is a
/// Fisher-Yates permutation drawn from a generator seeded by (seed, k) alone, so the same seed gives the same batches
/// and any (epoch, position) can be recreated for resume with <see cref="Seek"/> without replaying earlier epochs. With
/// <c>prefetch</c> &gt; 0 a background thread assembles host batches ahead into a bounded queue; the upload to the
/// device (tensor creation) happens in <see cref="Next"/> on the consuming thread, since tensors and scopes are per thread.
/// </summary>
public sealed class DataLoader : IDisposable
{
    private readonly IDataset dataset;
    private readonly int[] sampleShape;
    private readonly int sampleSize;
    private readonly ConcurrentBag<float[]> imagePool = new();
    private readonly int decodeThreads;
    private readonly BatchStream<HostBatch> stream;

    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="device">Where <see cref="Next"/> puts the tensors (null: <see cref="Device.Default"/>).</param>
    /// <param name="shuffle">Permute each epoch (otherwise dataset order).</param>
    /// <param name="seed">Seed of the per-epoch permutations.</param>
    /// <param name="dropLast">Drop the last, incomplete batch of each epoch.</param>
    /// <param name="prefetch">Host batches prepared ahead by a background thread; 0 assembles them on the calling thread.</param>
    /// <param name="decodeThreads">Threads reading the samples of one batch (useful for image files).</param>
    public DataLoader(IDataset dataset, int batchSize, Device? device = null, bool shuffle = true, ulong seed = 0,
        bool dropLast = false, int prefetch = 2, int decodeThreads = 1)
    {
        this.dataset = dataset ?? throw new ArgumentNullException(nameof(dataset));
        if (decodeThreads <= 0) throw new ArgumentException($"DataLoader: decodeThreads must be positive, got {decodeThreads}.");
        Device = device;
        Shuffle = shuffle;
        Seed = seed;
        this.decodeThreads = decodeThreads;
        sampleShape = dataset.SampleShape.ToArray();
        sampleSize = sampleShape.Aggregate(1, (a, b) => checked(a * b));
        stream = new BatchStream<HostBatch>("DataLoader", dataset.Count, batchSize, dropLast, prefetch,
            e => EpochOrder(dataset.Count, seed, e, shuffle), Assemble);
    }

    public IDataset Dataset => dataset;
    public int BatchSize => stream.BatchSize;
    public Device? Device { get; }
    public bool Shuffle { get; }
    public ulong Seed { get; }
    public bool DropLast => stream.DropLast;
    public int Prefetch => stream.Prefetch;

    /// <summary>Batches in one epoch.</summary>
    public int BatchesPerEpoch => stream.BatchesPerEpoch;

    /// <summary>Epoch of the next batch <see cref="Next"/> returns.</summary>
    public int Epoch => stream.Epoch;

    /// <summary>Index within <see cref="Epoch"/> of the next batch <see cref="Next"/> returns.</summary>
    public int Position => stream.Position;

    /// <summary>Continues from batch <paramref name="position"/> of epoch <paramref name="epoch"/> (e.g. the
    /// <see cref="Epoch"/> / <see cref="Position"/> saved in a checkpoint). Discards any prefetched batches.</summary>
    public void Seek(int epoch, int position) => stream.Seek(epoch, position);

    /// <summary>The order of the samples in epoch <paramref name="epoch"/>.</summary>
    public int[] EpochOrder(int epoch) => stream.EpochOrder(epoch);

    /// <summary>The order of <paramref name="count"/> samples in epoch <paramref name="epoch"/> for a seed: a
    /// Fisher-Yates shuffle driven by SplitMix64 seeded from (seed, epoch), or the identity without shuffle.</summary>
    public static int[] EpochOrder(int count, ulong seed, int epoch, bool shuffle = true)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        if (!shuffle) return order;
        ulong state = Mix(seed ^ Mix(0x9E3779B97F4A7C15UL * (ulong)(uint)epoch + 0xD1B54A32D192ED03UL));
        for (int i = count - 1; i > 0; i--)
        {
            int j = (int)Bounded(ref state, (ulong)i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>The next batch on <see cref="Device"/>, moving on to the next epoch after the last batch of one.</summary>
    public Batch Next()
    {
        var host = NextHost();
        var images = Tensor.FromArray(host.Images, host.Shape, Device);
        Tensor labels;
        try { labels = Tensor.FromArray(host.Labels, new[] { host.Count }, Device); }
        catch { images.Dispose(); throw; }
        if (host.Images.Length == BatchSize * sampleSize) imagePool.Add(host.Images);
        return new Batch(images, labels, host.Epoch, host.Position, host.Indices);
    }

    /// <summary>The next batch as host arrays (what <see cref="Next"/> uploads). The arrays belong to the caller.</summary>
    public HostBatch NextHost() => stream.Next();

    /// <summary>The remaining batches of the current epoch (all of them when called at position 0).</summary>
    public IEnumerable<Batch> EnumerateEpoch()
    {
        int e = Epoch;
        while (Epoch == e) yield return Next();
    }

    private HostBatch Assemble(int e, int p, int[] indices)
    {
        int count = indices.Length;
        float[] images = count == BatchSize && imagePool.TryTake(out var pooled) ? pooled : new float[count * sampleSize];
        var labels = new float[count];
        BatchStream<HostBatch>.ForEachSample(count, decodeThreads,
            i => labels[i] = dataset.ReadSample(indices[i], images.AsSpan(i * sampleSize, sampleSize)));
        var shape = new int[1 + sampleShape.Length];
        shape[0] = count;
        sampleShape.CopyTo(shape, 1);
        return new HostBatch(images, labels, shape, e, p, indices);
    }

    /// <summary>Stops the prefetch thread (waiting for it to finish its current batch) and releases the queue.</summary>
    public void Dispose() => stream.Dispose();

    /// <summary>True while a prefetch thread is running (for tests and diagnostics).</summary>
    public bool PrefetchThreadAlive => stream.PrefetchThreadAlive;

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong NextU64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    /// <summary>Unbiased integer in [0, n) (Lemire's multiply-and-reject).</summary>
    private static ulong Bounded(ref ulong state, ulong n)
    {
        while (true)
        {
            ulong x = NextU64(ref state);
            UInt128 m = (UInt128)x * n;
            ulong low = (ulong)m;
            if (low >= n || low >= (0UL - n) % n) return (ulong)(m >> 64);
        }
    }
}
