using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace NativeGan.Models.Data;

/// <summary>
/// What every loader shares: an endless stream of epochs of batches, epoch k's sample order from one function of k
/// (so any batch can be recreated for resume without replaying), the (epoch, position) bookkeeping behind
/// <see cref="Seek"/>, and one background thread that assembles host batches ahead into a bounded queue. A loader
/// supplies only how the batch of given sample indices is assembled on the host (<paramref name="assemble"/> in the
/// constructor); uploading to a device stays with the loader, on the consuming thread, since tensors and scopes are
/// per thread.
/// </summary>
/// <typeparam name="THost">The loader's host batch.</typeparam>
public sealed class BatchStream<THost> : IDisposable where THost : class
{
    /// <summary>Assembles batch <paramref name="position"/> of epoch <paramref name="epoch"/> from the samples
    /// <paramref name="indices"/> (in batch order). Runs on the prefetch thread when prefetching.</summary>
    public delegate THost Assembler(int epoch, int position, int[] indices);

    private readonly string owner;
    private readonly Func<int, int[]> epochOrder;
    private readonly Assembler assemble;
    private int epoch;
    private int position;
    private Prefetcher? prefetcher;
    private bool disposed;

    /// <param name="owner">The loader's name, for errors ("DataLoader", "SrPairLoader").</param>
    /// <param name="count">Samples in one epoch's order.</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="dropLast">Drop the last, incomplete batch of each epoch.</param>
    /// <param name="prefetch">Batches assembled ahead by a background thread; 0 assembles on the calling thread.</param>
    /// <param name="epochOrder">The sample order of an epoch (<paramref name="count"/> indices), a pure function of the epoch.</param>
    /// <param name="assemble">Builds one host batch.</param>
    public BatchStream(string owner, int count, int batchSize, bool dropLast, int prefetch, Func<int, int[]> epochOrder, Assembler assemble)
    {
        this.owner = owner;
        if (batchSize <= 0) throw new ArgumentException($"{owner}: batchSize must be positive, got {batchSize}.");
        if (prefetch < 0) throw new ArgumentException($"{owner}: prefetch must be >= 0, got {prefetch}.");
        if (count == 0) throw new ArgumentException($"{owner}: the dataset is empty.");
        if (dropLast && count < batchSize)
            throw new ArgumentException($"{owner}: dropLast with batchSize {batchSize} but the dataset holds only {count} samples: every batch would be dropped " +
                "(lower batchSize or do not drop the last batch).");
        Count = count;
        BatchSize = batchSize;
        DropLast = dropLast;
        Prefetch = prefetch;
        this.epochOrder = epochOrder;
        this.assemble = assemble;
    }

    /// <summary>Samples in one epoch.</summary>
    public int Count { get; }
    public int BatchSize { get; }
    public bool DropLast { get; }
    public int Prefetch { get; }

    /// <summary>Batches in one epoch.</summary>
    public int BatchesPerEpoch => DropLast ? Count / BatchSize : (Count + BatchSize - 1) / BatchSize;

    /// <summary>Epoch of the batch <see cref="Next"/> returns next.</summary>
    public int Epoch => epoch;

    /// <summary>Index within <see cref="Epoch"/> of the batch <see cref="Next"/> returns next.</summary>
    public int Position => position;

    /// <summary>The order of the samples in epoch <paramref name="e"/>.</summary>
    public int[] EpochOrder(int e) => epochOrder(e);

    /// <summary>Continues from batch <paramref name="toPosition"/> of epoch <paramref name="toEpoch"/> (the
    /// <see cref="Epoch"/> / <see cref="Position"/> saved in a checkpoint); the end of an epoch is the start of the
    /// next. Discards prefetched batches.</summary>
    public void Seek(int toEpoch, int toPosition)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (toEpoch < 0) throw new ArgumentException($"{owner}.Seek: epoch must be >= 0, got {toEpoch}.");
        if (toPosition < 0 || toPosition > BatchesPerEpoch)
            throw new ArgumentException($"{owner}.Seek: position must be in [0, {BatchesPerEpoch}], got {toPosition}.");
        StopPrefetcher();
        if (toPosition == BatchesPerEpoch) { toEpoch++; toPosition = 0; }
        epoch = toEpoch;
        position = toPosition;
    }

    /// <summary>The next batch, moving on to the next epoch after the last batch of one.</summary>
    public THost Next()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        THost batch;
        if (Prefetch == 0) batch = Assemble(epoch, position, null);
        else
        {
            prefetcher ??= new Prefetcher(this, epoch, position);
            int e, p;
            try { (batch, e, p) = prefetcher.Take(); }
            catch
            {
                // The thread stopped at the failing batch; the next call restarts from the same position.
                StopPrefetcher();
                throw;
            }
            if (e != epoch || p != position)
                throw new InvalidOperationException($"{owner}: internal error, expected batch {position} of epoch {epoch} but got batch {p} of epoch {e}.");
        }
        Advance(ref epoch, ref position);
        return batch;
    }

    /// <summary>Batch <paramref name="p"/> of epoch <paramref name="e"/>, independent of the stream's state.</summary>
    public THost Assemble(int e, int p) => Assemble(e, p, null);

    private THost Assemble(int e, int p, int[]? order)
    {
        if (e < 0 || p < 0 || p >= BatchesPerEpoch)
            throw new ArgumentException($"{owner}: batch {p} of epoch {e} does not exist ({BatchesPerEpoch} batches per epoch).");
        order ??= epochOrder(e);
        int start = p * BatchSize;
        int n = Math.Min(BatchSize, Count - start);
        return assemble(e, p, order.AsSpan(start, n).ToArray());
    }

    /// <summary>Runs <paramref name="sample"/> for 0..count-1 on up to <paramref name="threads"/> threads; the first
    /// failing sample's own exception (with its file name) comes out, not the parallel loop's wrapper.</summary>
    public static void ForEachSample(int count, int threads, Action<int> sample)
    {
        if (threads <= 1 || count <= 1)
        {
            for (int i = 0; i < count; i++) sample(i);
            return;
        }
        try { Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, sample); }
        catch (AggregateException agg) when (agg.InnerExceptions.Count >= 1)
        {
            ExceptionDispatchInfo.Capture(agg.InnerExceptions[0]).Throw();
            throw;
        }
    }

    private void Advance(ref int e, ref int p)
    {
        if (++p >= BatchesPerEpoch) { p = 0; e++; }
    }

    private void StopPrefetcher()
    {
        prefetcher?.Dispose();
        prefetcher = null;
    }

    /// <summary>True while the prefetch thread runs (for tests and diagnostics).</summary>
    public bool PrefetchThreadAlive => prefetcher?.IsAlive ?? false;

    /// <summary>Stops the prefetch thread (waiting for its current batch) and releases the queue.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        StopPrefetcher();
    }

    private sealed class Prefetcher : IDisposable
    {
        private readonly BatchStream<THost> stream;
        private readonly BlockingCollection<(THost? Batch, int Epoch, int Position, Exception? Error)> queue;
        private readonly CancellationTokenSource cts = new();
        private readonly Thread thread;
        private int nextEpoch, nextPosition;

        public Prefetcher(BatchStream<THost> stream, int epoch, int position)
        {
            this.stream = stream;
            nextEpoch = epoch;
            nextPosition = position;
            queue = new BlockingCollection<(THost?, int, int, Exception?)>(stream.Prefetch);
            thread = new Thread(Run) { IsBackground = true, Name = $"NativeGan {stream.owner} prefetch" };
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
                    if (orderEpoch != nextEpoch) { order = stream.epochOrder(nextEpoch); orderEpoch = nextEpoch; }
                    THost batch;
                    try { batch = stream.Assemble(nextEpoch, nextPosition, order); }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        queue.Add((null, nextEpoch, nextPosition, e), token);   // the consumer rethrows it; stop producing
                        return;
                    }
                    queue.Add((batch, nextEpoch, nextPosition, null), token);
                    stream.Advance(ref nextEpoch, ref nextPosition);
                }
            }
            catch (OperationCanceledException) { }
            catch (ObjectDisposedException) { }
        }

        public (THost Batch, int Epoch, int Position) Take()
        {
            var (batch, e, p, error) = queue.Take();
            if (error != null)
                throw new InvalidDataException($"{stream.owner}: reading a batch failed: {error.Message}", error);
            return (batch!, e, p);
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
