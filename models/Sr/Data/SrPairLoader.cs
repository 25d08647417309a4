using NativeGan.Models.Data;

namespace NativeGan.Models.Sr.Data;

/// <summary>A batch of training patches on the host: LQ [B, C, p, p] and GT [B, C, p * scale, p * scale] in [0, 1].</summary>
public sealed class SrHostBatch
{
    internal SrHostBatch(float[] lq, int[] lqShape, float[] gt, int[] gtShape, int epoch, int position, int[] indices)
    {
        Lq = lq;
        LqShape = lqShape;
        Gt = gt;
        GtShape = gtShape;
        Epoch = epoch;
        Position = position;
        Indices = indices;
    }

    public float[] Lq { get; }
    public int[] LqShape { get; }
    public float[] Gt { get; }
    public int[] GtShape { get; }
    public int Count => LqShape[0];
    public int Epoch { get; }
    /// <summary>Batch index within the epoch.</summary>
    public int Position { get; }
    /// <summary>The source indices of the samples, in batch order.</summary>
    public int[] Indices { get; }
}

/// <summary>A batch of training patches on a device: <see cref="Lq"/> [B, C, p, p] and <see cref="Gt"/>
/// [B, C, p * scale, p * scale], RGB in [0, 1]. Disposing it disposes both tensors.</summary>
public sealed class SrBatch : IDisposable
{
    internal SrBatch(Tensor lq, Tensor gt, int epoch, int position, int[] indices)
    {
        Lq = lq;
        Gt = gt;
        Epoch = epoch;
        Position = position;
        Indices = indices;
    }

    public Tensor Lq { get; }
    public Tensor Gt { get; }
    public int Count => Lq.Size(0);
    public int Epoch { get; }
    /// <summary>Batch index within <see cref="Epoch"/>.</summary>
    public int Position { get; }
    public int[] Indices { get; }

    public void Deconstruct(out Tensor lq, out Tensor gt)
    {
        lq = Lq;
        gt = Gt;
    }

    public void Dispose()
    {
        Lq.Dispose();
        Gt.Dispose();
    }
}

/// <summary>
/// Training batches of an <see cref="ISrPairSource"/> as BasicSR's paired training pipeline makes them:
/// paired_random_crop (GT patch <see cref="GtPatchSize"/>, LQ patch GtPatchSize / scale), then augment
/// (hflip, vflip, rot90 as a transpose), an endless stream of epochs. Epoch k's order is
/// <see cref="DataLoader.EpochOrder(int, ulong, int, bool)"/>(count, seed, k); the crop and augmentation of
/// the sample in slot s of epoch k draw from <see cref="SrRandom.ForSample"/>(seed, k, s) alone, so the same
/// seed gives the same batches, bit for bit, whatever the thread count, and <see cref="Seek"/> resumes at
/// any (epoch, position) without replaying. A background thread assembles the next batches (reading the
/// samples of one batch on <c>decodeThreads</c> threads); <see cref="Next"/> uploads on the calling thread.
/// </summary>
public sealed class SrPairLoader : IDisposable
{
    private readonly ISrPairSource source;
    private readonly BatchStream<SrHostBatch> stream;

    /// <param name="source">The image pairs.</param>
    /// <param name="batchSize">Patches per batch.</param>
    /// <param name="gtPatchSize">GT patch side (BasicSR's gt_size); a multiple of <paramref name="scale"/>.</param>
    /// <param name="scale">Must equal the source's scale (a check that the config agrees with the data).</param>
    /// <param name="useHFlip">BasicSR's use_hflip.</param>
    /// <param name="useRot">BasicSR's use_rot (vertical flip and transpose).</param>
    /// <param name="seed">Seed of the epoch orders, crops and augmentations.</param>
    /// <param name="device">Where <see cref="Next"/> puts the tensors (null: <see cref="Device.Default"/>).</param>
    /// <param name="shuffle">Permute each epoch (otherwise source order).</param>
    /// <param name="dropLast">Drop the last, incomplete batch of each epoch (BasicSR's training loader does).</param>
    /// <param name="prefetch">Batches assembled ahead by a background thread; 0 assembles on the calling thread.</param>
    /// <param name="decodeThreads">Threads reading the samples of one batch.</param>
    public SrPairLoader(ISrPairSource source, int batchSize, int gtPatchSize, int scale, bool useHFlip, bool useRot, ulong seed,
        Device? device, bool shuffle = true, bool dropLast = true, int prefetch = 2, int decodeThreads = 2)
    {
        this.source = source ?? throw new ArgumentNullException(nameof(source));
        if (scale != source.Scale)
            throw new ArgumentException($"SrPairLoader: scale {scale} does not match the source's scale {source.Scale}.");
        if (gtPatchSize <= 0 || gtPatchSize % scale != 0)
            throw new ArgumentException($"SrPairLoader: gtPatchSize must be a positive multiple of the scale {scale}, got {gtPatchSize}.");
        if (decodeThreads <= 0) throw new ArgumentException($"SrPairLoader: decodeThreads must be positive, got {decodeThreads}.");
        if (source.Count == 0) throw new ArgumentException("SrPairLoader: the source is empty.");
        if (batchSize > 0 && dropLast && source.Count < batchSize)
            throw new ArgumentException(
                $"SrPairLoader: batchSize {batchSize} with dropLast, but the source holds only {source.Count} pairs: every batch would be dropped (lower batchSize or pass dropLast: false).");
        GtPatchSize = gtPatchSize;
        Scale = scale;
        UseHFlip = useHFlip;
        UseRot = useRot;
        Seed = seed;
        Device = device;
        Shuffle = shuffle;
        DecodeThreads = decodeThreads;
        stream = new BatchStream<SrHostBatch>("SrPairLoader", source.Count, batchSize, dropLast, prefetch,
            e => DataLoader.EpochOrder(source.Count, seed, e, shuffle), Assemble);
    }

    public ISrPairSource Source => source;
    public int BatchSize => stream.BatchSize;
    public int GtPatchSize { get; }
    public int LqPatchSize => GtPatchSize / Scale;
    public int Scale { get; }
    public bool UseHFlip { get; }
    public bool UseRot { get; }
    public ulong Seed { get; }
    public Device? Device { get; }
    public bool Shuffle { get; }
    public bool DropLast => stream.DropLast;
    public int Prefetch => stream.Prefetch;
    public int DecodeThreads { get; }

    /// <summary>Batches in one epoch.</summary>
    public int BatchesPerEpoch => stream.BatchesPerEpoch;

    /// <summary>Epoch of the batch <see cref="Next"/> returns next.</summary>
    public int Epoch => stream.Epoch;

    /// <summary>Position within <see cref="Epoch"/> of the batch <see cref="Next"/> returns next.</summary>
    public int Position => stream.Position;

    /// <summary>Continues from batch <paramref name="position"/> of epoch <paramref name="epoch"/> (e.g. the next
    /// <see cref="Epoch"/> / <see cref="Position"/> saved in a checkpoint). Discards prefetched batches.</summary>
    public void Seek(int epoch, int position) => stream.Seek(epoch, position);

    /// <summary>The order of the source's pairs in epoch <paramref name="epoch"/>.</summary>
    public int[] EpochOrder(int epoch) => stream.EpochOrder(epoch);

    /// <summary>The next batch on <see cref="Device"/>, moving on to the next epoch after the last batch of one.</summary>
    public SrBatch Next()
    {
        var host = NextHost();
        var lq = Tensor.FromArray(host.Lq, host.LqShape, Device);
        Tensor gt;
        try { gt = Tensor.FromArray(host.Gt, host.GtShape, Device); }
        catch { lq.Dispose(); throw; }
        return new SrBatch(lq, gt, host.Epoch, host.Position, host.Indices);
    }

    /// <summary>The next batch as host arrays (what <see cref="Next"/> uploads).</summary>
    public SrHostBatch NextHost() => stream.Next();

    /// <summary>Batch <paramref name="p"/> of epoch <paramref name="e"/>, independent of the loader's state.</summary>
    public SrHostBatch Assemble(int e, int p) => stream.Assemble(e, p);

    private SrHostBatch Assemble(int e, int p, int[] indices)
    {
        int count = indices.Length;
        long start = (long)p * BatchSize;
        int c = source.Channels, lqP = LqPatchSize, gtP = GtPatchSize;
        int lqSize = c * lqP * lqP, gtSize = c * gtP * gtP;
        var lq = new float[count * lqSize];
        var gt = new float[count * gtSize];
        BatchStream<SrHostBatch>.ForEachSample(count, DecodeThreads, i =>
        {
            var random = SrRandom.ForSample(Seed, e, start + i);
            var pair = source.ReadRandomPatch(indices[i], gtP, ref random);
            pair = SrTransforms.Augment(pair, SrAugmentation.Draw(ref random, UseHFlip, UseRot));
            if (pair.Channels != c || pair.Lq.Length != lqSize || pair.Gt.Length != gtSize)
                throw new InvalidDataException(
                    $"{pair.Name}: the source gave a {pair.Channels} x {pair.LqHeight} x {pair.LqWidth} LQ / {pair.GtHeight} x {pair.GtWidth} GT patch, expected {c} x {lqP} x {lqP} / {gtP} x {gtP}.");
            pair.Lq.CopyTo(lq, i * lqSize);
            pair.Gt.CopyTo(gt, i * gtSize);
        });
        return new SrHostBatch(lq, new[] { count, c, lqP, lqP }, gt, new[] { count, c, gtP, gtP }, e, p, indices);
    }

    /// <summary>True while the prefetch thread runs (for tests and diagnostics).</summary>
    public bool PrefetchThreadAlive => stream.PrefetchThreadAlive;

    /// <summary>Stops the prefetch thread (waiting for its current batch) and releases the queue.</summary>
    public void Dispose() => stream.Dispose();
}
