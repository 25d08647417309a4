namespace NativeGan.Models.Sr.Degradations;

/// <summary>
/// Real-ESRGAN's training-pair pool (_dequeue_and_enqueue): the first queue_size / batch calls fill the pool and
/// return their own batch; once full, the pool is shuffled, its first batch is returned and replaced by the new one.
/// queue_size must be a multiple of the batch size.
/// </summary>
public sealed class TrainingPairPool
{
    private readonly DegradationRandom rng;
    private float[][]? lqs, gts;
    private int[]? lqShape, gtShape;

    public TrainingPairPool(int queueSize, DegradationRandom random)
    {
        if (queueSize < 1) throw new ArgumentException($"training-pair pool: queue_size must be positive, got {queueSize}.");
        QueueSize = queueSize;
        rng = random ?? throw new ArgumentNullException(nameof(random));
    }

    public int QueueSize { get; }

    /// <summary>Pairs held now (queue_ptr).</summary>
    public int Count { get; private set; }

    public (Tensor Lq, Tensor Gt) Exchange(Tensor lq, Tensor gt)
    {
        int b = lq.Shape[0];
        if (gt.Shape[0] != b)
            throw new ArgumentException($"training-pair pool: LQ batch {b} and GT batch {gt.Shape[0]} differ.");
        if (QueueSize % b != 0)
            throw new ArgumentException($"training-pair pool: queue_size {QueueSize} is not a multiple of the batch size {b}; choose a queue_size divisible by {b}.");
        var lqItem = lq.Shape.Skip(1).ToArray();
        var gtItem = gt.Shape.Skip(1).ToArray();
        if (lqs is null)
        {
            lqs = new float[QueueSize][]; gts = new float[QueueSize][];
            lqShape = lqItem; gtShape = gtItem;
        }
        else if (!lqShape!.SequenceEqual(lqItem) || !gtShape!.SequenceEqual(gtItem))
            throw new ArgumentException($"training-pair pool: pairs of shape [{string.Join(", ", lqItem)}] / [{string.Join(", ", gtItem)}] do not match the pool's [{string.Join(", ", lqShape!)}] / [{string.Join(", ", gtShape!)}].");
        var lqData = lq.ToArray(); var gtData = gt.ToArray();
        int ln = lqData.Length / b, gn = gtData.Length / b;
        if (Count < QueueSize)
        {
            for (int i = 0; i < b; i++)
            {
                lqs[Count + i] = lqData.AsSpan(i * ln, ln).ToArray();
                gts![Count + i] = gtData.AsSpan(i * gn, gn).ToArray();
            }
            Count += b;
            return (lq, gt);
        }
        // Shuffle (Fisher-Yates), hand out the first b, put the new batch in their place.
        for (int i = QueueSize - 1; i > 0; i--)
        {
            int j = rng.RandInt(0, i);
            (lqs[i], lqs[j]) = (lqs[j], lqs[i]);
            (gts![i], gts[j]) = (gts[j], gts[i]);
        }
        var outL = new float[lqData.Length]; var outG = new float[gtData.Length];
        for (int i = 0; i < b; i++)
        {
            lqs[i].CopyTo(outL, i * ln); gts![i].CopyTo(outG, i * gn);
            lqs[i] = lqData.AsSpan(i * ln, ln).ToArray();
            gts[i] = gtData.AsSpan(i * gn, gn).ToArray();
        }
        var device = lq.Device;
        return (Tensor.FromArray(outL, lq.Shape.ToArray(), device), Tensor.FromArray(outG, gt.Shape.ToArray(), device));
    }
    /// <summary>The pool's contents for a checkpoint: the first <see cref="Count"/> pairs, concatenated, with the
    /// shape of one LQ and one GT item (null shapes and empty arrays while the pool is empty).</summary>
    public (int Count, float[] Lq, int[]? LqItemShape, float[] Gt, int[]? GtItemShape) ExportState()
    {
        if (lqs is null || Count == 0) return (0, Array.Empty<float>(), null, Array.Empty<float>(), null);
        int ln = lqs[0].Length, gn = gts![0].Length;
        var lq = new float[Count * ln];
        var gt = new float[Count * gn];
        for (int i = 0; i < Count; i++)
        {
            lqs[i].CopyTo(lq, i * ln);
            gts[i].CopyTo(gt, i * gn);
        }
        return (Count, lq, lqShape!.ToArray(), gt, gtShape!.ToArray());
    }

    /// <summary>Restores what <see cref="ExportState"/> returned (the shuffle draws come from the shared stream,
    /// whose position the caller restores).</summary>
    public void ImportState(int count, float[] lq, int[]? lqItemShape, float[] gt, int[]? gtItemShape)
    {
        if (count < 0 || count > QueueSize)
            throw new ArgumentException($"training-pair pool: a saved pool of {count} pairs does not fit queue_size {QueueSize}.");
        lqs = null; gts = null; lqShape = null; gtShape = null; Count = 0;
        if (count == 0) return;
        if (lqItemShape is null || gtItemShape is null)
            throw new ArgumentException("training-pair pool: a saved pool with pairs needs their shapes.");
        int ln = lqItemShape.Aggregate(1, (a, b) => a * b), gn = gtItemShape.Aggregate(1, (a, b) => a * b);
        if (lq.Length != count * ln || gt.Length != count * gn)
            throw new ArgumentException($"training-pair pool: a saved pool of {count} pairs holds {lq.Length} LQ / {gt.Length} GT values, expected {count * ln} / {count * gn}.");
        lqs = new float[QueueSize][]; gts = new float[QueueSize][];
        lqShape = lqItemShape.ToArray(); gtShape = gtItemShape.ToArray();
        for (int i = 0; i < count; i++)
        {
            lqs[i] = lq.AsSpan(i * ln, ln).ToArray();
            gts[i] = gt.AsSpan(i * gn, gn).ToArray();
        }
        Count = count;
    }
}
