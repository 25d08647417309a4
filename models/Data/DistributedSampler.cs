using NativeGan.Distributed;

namespace NativeGan.Models.Data;

/// <summary>
/// This rank's share of a dataset's samples for data-parallel training, with PyTorch's DistributedSampler rules:
/// every rank draws the same seeded permutation for an epoch (the one <see cref="DataLoader.EpochOrder(int, ulong, int, bool)"/>
/// gives a single process), pads it by repeating its head to a multiple of the world size, or with
/// <c>dropLast</c> cuts its tail to one, and takes every WorldSize-th index starting at its rank. The shards of
/// one epoch are disjoint apart from the padding, and together they are the one-process order's samples; so a global
/// batch of B split into WorldSize rank batches of B / WorldSize holds the same samples as the one-process batch.
/// </summary>
public sealed class DistributedSampler
{
    /// <param name="datasetCount">Samples in the dataset.</param>
    /// <param name="worldSize">Ranks sharing it (torch's num_replicas).</param>
    /// <param name="rank">This rank.</param>
    /// <param name="shuffle">Permute each epoch (otherwise dataset order).</param>
    /// <param name="seed">The permutations' seed: the same on every rank.</param>
    /// <param name="dropLast">Cut the tail that does not divide evenly instead of padding with repeated samples.</param>
    public DistributedSampler(int datasetCount, int worldSize, int rank, bool shuffle = true, ulong seed = 0, bool dropLast = false)
    {
        if (datasetCount <= 0) throw new ArgumentException($"DistributedSampler: the dataset must hold samples, got {datasetCount}.");
        if (worldSize <= 0) throw new ArgumentException($"DistributedSampler: the world size must be positive, got {worldSize}.");
        if (rank < 0 || rank >= worldSize)
            throw new ArgumentException($"DistributedSampler: rank {rank} is outside the world of {worldSize} (expected 0 .. {worldSize - 1}).");
        if (dropLast && datasetCount < worldSize)
            throw new ArgumentException($"DistributedSampler: dropLast with {worldSize} ranks but the dataset holds only {datasetCount} samples: every rank would get none.");
        DatasetCount = datasetCount;
        WorldSize = worldSize;
        Rank = rank;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        NumSamples = dropLast ? datasetCount / worldSize : (datasetCount + worldSize - 1) / worldSize;
    }

    /// <summary>The sampler of the group's rank.</summary>
    public DistributedSampler(int datasetCount, IProcessGroup group, bool shuffle = true, ulong seed = 0, bool dropLast = false)
        : this(datasetCount, (group ?? throw new ArgumentNullException(nameof(group))).WorldSize, group.Rank, shuffle, seed, dropLast) { }

    public int DatasetCount { get; }
    public int WorldSize { get; }
    public int Rank { get; }
    public bool Shuffle { get; }
    public ulong Seed { get; }
    public bool DropLast { get; }

    /// <summary>Samples each rank gets per epoch (torch's num_samples).</summary>
    public int NumSamples { get; }

    /// <summary>Samples all ranks get together per epoch, padding included (torch's total_size).</summary>
    public int TotalSize => NumSamples * WorldSize;

    /// <summary>The epoch <see cref="Indices()"/> shuffles for (torch's set_epoch); set it at the start of each epoch
    /// on every rank, or every epoch repeats the first one's order.</summary>
    public int Epoch { get; set; }

    /// <summary>This rank's dataset indices for <see cref="Epoch"/>, in the order to visit them.</summary>
    public int[] Indices() => Indices(Epoch);

    /// <summary>This rank's dataset indices for <paramref name="epoch"/>, in the order to visit them.</summary>
    public int[] Indices(int epoch) => IndicesOf(Rank, epoch);

    /// <summary>Rank <paramref name="rank"/>'s indices for <paramref name="epoch"/> (every rank can compute every shard).</summary>
    public int[] IndicesOf(int rank, int epoch)
    {
        if (rank < 0 || rank >= WorldSize) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"Expected a rank in 0 .. {WorldSize - 1}.");
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "Expected an epoch >= 0.");
        var order = DataLoader.EpochOrder(DatasetCount, Seed, epoch, Shuffle);
        var shard = new int[NumSamples];
        for (int i = 0; i < NumSamples; i++)
        {
            // Position in the padded (or cut) global order; padding repeats the order from its start.
            int position = rank + i * WorldSize;
            shard[i] = order[position % DatasetCount];
        }
        return shard;
    }
}
