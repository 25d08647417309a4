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
/// Batches of a dataset as an endless stream of epochs. Epoch k's order is a Fisher-Yates permutation drawn from
/// a generator seeded by (seed, k) alone, so the same seed gives the same batches and any (epoch, position) can be
/// recreated for resume with <see cref="Seek"/> without replaying earlier epochs. With <c>prefetch</c> &gt; 0 a
/// background thread assembles host batches ahead into a bounded queue; the upload to the device (tensor
/// creation) happens in <see cref="Next"/> on the consuming thread, since tensors and scopes are per thread.
/// </summary>
public sealed class DataLoader : IDisposable
{
    private readonly IDataset dataset;
    private readonly int[] sampleShape;
    private readonly int sampleSize;
    private readonly ConcurrentBag<float[]> imagePool = new();
    private readonly int decodeThreads;
    private int epoch;
    private int position;
    private Prefetcher? prefetcher;
    private bool disposed;

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
        if (batchSize <= 0) throw new ArgumentException($"DataLoader: batchSize must be positive, got {batchSize}.");
        if (prefetch < 0) throw new ArgumentException($"DataLoader: prefetch must be >= 0, got {prefetch}.");
        if (decodeThreads <= 0) throw new ArgumentException($"DataLoader: decodeThreads must be positive, got {decodeThreads}.");
        if (dataset.Count == 0) throw new ArgumentException("DataLoader: the dataset is empty.");
        if (dropLast && dataset.Count < batchSize)
            throw new ArgumentException($"DataLoader: dropLast with batchSize {batchSize} but the dataset holds only {dataset.Count} samples: every batch would be dropped.");
        BatchSize = batchSize;
        Device = device;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        Prefetch = prefetch;
        this.decodeThreads = decodeThreads;
        sampleShape = dataset.SampleShape.ToArray();
        sampleSize = sampleShape.Aggregate(1, (a, b) => checked(a * b));
    }

    public IDataset Dataset => dataset;
    public int BatchSize { get; }
    public Device? Device { get; }
    public bool Shuffle { get; }
    public ulong Seed { get; }
    public bool DropLast { get; }
    public int Prefetch { get; }

    /// <summary>Batches in one epoch.</summary>
    public int BatchesPerEpoch => DropLast ? dataset.Count / BatchSize : (dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>Epoch of the next batch <see cref="Next"/> returns.</summary>
    public int Epoch => epoch;

    /// <summary>Index within <see cref="Epoch"/> of the next batch <see cref="Next"/> returns.</summary>
    public int Position => position;

    /// <summary>Continues from batch <paramref name="position"/> of epoch <paramref name="epoch"/> (e.g. the
    /// <see cref="Epoch"/> / <see cref="Position"/> saved in a checkpoint). Discards any prefetched batches.</summary>
    public void Seek(int epoch, int position)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (epoch < 0) throw new ArgumentException($"DataLoader.Seek: epoch must be >= 0, got {epoch}.");
        if (position < 0 || position > BatchesPerEpoch)
            throw new ArgumentException($"DataLoader.Seek: position must be in [0, {BatchesPerEpoch}], got {position}.");
        StopPrefetcher();
        if (position == BatchesPerEpoch) { epoch++; position = 0; }
        this.epoch = epoch;
        this.position = position;
    }

    /// <summary>The order of the samples in epoch <paramref name="epoch"/>.</summary>
    public int[] EpochOrder(int epoch) => EpochOrder(dataset.Count, Seed, epoch, Shuffle);

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
    public HostBatch NextHost()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        HostBatch batch;
        if (Prefetch == 0)
        {
            batch = Assemble(epoch, position, null);
        }
        else
        {
            prefetcher ??= new Prefetcher(this, epoch, position);
            try { batch = prefetcher.Take(); }
            catch
            {
                // The thread stopped at the failing batch; the next call restarts from the same position.
                StopPrefetcher();
                throw;
            }
        }
        if (batch.Epoch != epoch || batch.Position != position)
            throw new InvalidOperationException($"DataLoader: internal error, expected batch {position} of epoch {epoch} but got batch {batch.Position} of epoch {batch.Epoch}.");
        Advance(ref epoch, ref position);
        return batch;
    }

    /// <summary>The remaining batches of the current epoch (all of them when called at position 0).</summary>
    public IEnumerable<Batch> EnumerateEpoch()
    {
        int e = epoch;
        while (epoch == e) yield return Next();
    }

    private void Advance(ref int e, ref int p)
    {
        if (++p >= BatchesPerEpoch) { p = 0; e++; }
    }

    private HostBatch Assemble(int e, int p, int[]? order)
    {
        order ??= EpochOrder(e);
        int start = p * BatchSize;
        int count = Math.Min(BatchSize, dataset.Count - start);
        var indices = order.AsSpan(start, count).ToArray();
        float[] images = count == BatchSize && imagePool.TryTake(out var pooled) ? pooled : new float[count * sampleSize];
        var labels = new float[count];
        if (decodeThreads > 1 && count > 1)
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = decodeThreads },
                i => labels[i] = dataset.ReadSample(indices[i], images.AsSpan(i * sampleSize, sampleSize)));
        }
        else
        {
            for (int i = 0; i < count; i++)
                labels[i] = dataset.ReadSample(indices[i], images.AsSpan(i * sampleSize, sampleSize));
        }
        var shape = new int[1 + sampleShape.Length];
        shape[0] = count;
        sampleShape.CopyTo(shape, 1);
        return new HostBatch(images, labels, shape, e, p, indices);
    }

    private void StopPrefetcher()
    {
        prefetcher?.Dispose();
        prefetcher = null;
    }

    /// <summary>Stops the prefetch thread (waiting for it to finish its current batch) and releases the queue.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        StopPrefetcher();
    }

    /// <summary>True while a prefetch thread is running (for tests and diagnostics).</summary>
    public bool PrefetchThreadAlive => prefetcher?.IsAlive ?? false;

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

    private sealed class Prefetcher : IDisposable
    {
        private readonly DataLoader owner;
        private readonly BlockingCollection<(HostBatch? Batch, Exception? Error)> queue;
        private readonly CancellationTokenSource cts = new();
        private readonly Thread thread;
        private int nextEpoch, nextPosition;

        public Prefetcher(DataLoader owner, int epoch, int position)
        {
            this.owner = owner;
            nextEpoch = epoch;
            nextPosition = position;
            queue = new BlockingCollection<(HostBatch?, Exception?)>(owner.Prefetch);
            thread = new Thread(Run) { IsBackground = true, Name = "NativeGan DataLoader prefetch" };
            thread.Start();
        }

        public bool IsAlive => thread.IsAlive;

        private void Run()
        {
            var token = cts.Token;
            int[]? order = null;
            int orderEpoch = -1;
            try
            {
                while (!token.IsCancellationRequested)
                {
                    if (orderEpoch != nextEpoch) { order = owner.EpochOrder(nextEpoch); orderEpoch = nextEpoch; }
                    HostBatch batch;
                    try { batch = owner.Assemble(nextEpoch, nextPosition, order); }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        queue.Add((null, e), token);   // the consumer rethrows it; stop producing
                        return;
                    }
                    queue.Add((batch, null), token);
                    owner.Advance(ref nextEpoch, ref nextPosition);
                }
            }
            catch (OperationCanceledException) { }
            catch (ObjectDisposedException) { }
        }

        public HostBatch Take()
        {
            var (batch, error) = queue.Take();
            if (error != null)
                throw new InvalidDataException($"DataLoader: reading a batch failed: {error.Message}", error);
            return batch!;
        }

        public void Dispose()
        {
            cts.Cancel();
            thread.Join();
            queue.Dispose();
            cts.Dispose();
        }
    }
}
