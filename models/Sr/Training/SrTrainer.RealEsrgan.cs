using System.Globalization;
using NativeGan.Models.Sr.Data;
using NativeGan.Models.Sr.Degradations;
using NativeGan.Models.Training;

namespace NativeGan.Models.Sr.Training;

/// <summary>
/// The Real-ESRGAN side of <see cref="SrTrainer"/> (realesrnet, realesrgan): GT batches from a
/// <see cref="RealEsrganGtSource"/> (crop_pad_size patches), the second-order degradation on the training device,
/// the training-pair pool, and the USM-sharpened targets of Real-ESRGAN's two models; their state goes into the
/// checkpoint so a resumed run continues bit for bit.
/// </summary>
public sealed partial class SrTrainer
{
    // The degradation's stream is seeded apart from G's initialisation and the loader's draws.
    private const ulong DegradationSeedSalt = 0x5245414C45535247UL;

    /// <summary>The degradation that makes the LR inputs (realesrnet / realesrgan; null otherwise).</summary>
    public RealEsrganDegradation? Degradation { get; private set; }

    /// <summary>Real-ESRGAN's training-pair pool (queue_size pairs; null for the other models).</summary>
    public TrainingPairPool? PairPool { get; private set; }

    /// <summary>The options a config's degradation runs with: its own, with scale and gt_size from the config.</summary>
    public static DegradationOptions ResolveDegradation(SrConfig c) =>
        (c.Degradation ?? new DegradationOptions()) with { scale = c.Scale, gt_size = c.Train.GtSize };

    private void BuildRealEsrgan()
    {
        var c = Config;
        var options = ResolveDegradation(c);
        if (options.queue_size % c.Train.BatchSize != 0)
            throw new ConfigException($"{c.Source}: key 'queue_size': {options.queue_size} is not a multiple of the batch size " +
                $"(datasets.train.batch_size_per_gpu {c.Train.BatchSize}); Real-ESRGAN's pool needs one, e.g. " +
                $"{Math.Max(c.Train.BatchSize, options.queue_size / c.Train.BatchSize * c.Train.BatchSize)} or {(options.queue_size / c.Train.BatchSize + 1) * c.Train.BatchSize}.");
        if (c.Train.CropPadSize < c.Train.GtSize)
            throw new ConfigException($"{c.Source}: key 'datasets.train.crop_pad_size': {c.Train.CropPadSize} is smaller than gt_size {c.Train.GtSize}.");
        try
        {
            Degradation = new RealEsrganDegradation(options, Device, c.Seed ^ DegradationSeedSalt)
            {
                // RealESRGANModel degrades from USM(gt); RealESRNetModel from the GT it sharpened itself (gt_usm) or the plain GT.
                SharpenBeforeDegrading = c.Model == "realesrgan",
            };
        }
        catch (ArgumentException e)
        {
            throw new ConfigException($"{c.Source}: the degradation options: {e.Message}", e);
        }
        PairPool = new TrainingPairPool(options.queue_size, Degradation.Random);
    }

    /// <summary>
    /// One Real-ESRGAN iteration: degrade the GT batch, pass it through the pool, pick the targets, step. With
    /// high_order_degradation false the loader's pairs are used as they are (no pool), as Real-ESRGAN's feed_data does.
    /// </summary>
    private SrStepResult StepRealEsrgan(Tensor lqBatch, Tensor gtBatch)
    {
        var deg = Degradation!;
        using var scope = Tensor.Scope();
        if (!Config.HighOrderDegradation)
        {
            // RealESRNetModel trains on the plain GT; RealESRGANModel takes gt_usm = usm(gt) where its flags say.
            if (Config.Model == "realesrnet") return Step.Step(lqBatch, gtBatch);
            var usm = deg.Sharpen(gtBatch);
            return Step.Step(lqBatch, Config.L1GtUsm ? usm : gtBatch, Config.PercepGtUsm ? usm : gtBatch, Config.GanGtUsm ? usm : gtBatch);
        }
        if (Config.Model == "realesrnet")
        {
            // RealESRNetModel.feed_data: gt = usm(gt) when gt_usm, degrade it, crop, pool; the L1 target is that GT.
            var source = Config.GtUsm ? deg.Sharpen(gtBatch) : gtBatch;
            var (lq, gt, _) = deg.Degrade(source);
            (lq, gt) = PairPool!.Exchange(lq, gt);
            return Step.Step(lq, gt);
        }
        else
        {
            // RealESRGANModel.feed_data: degrade from usm(gt), crop gt, pool, then gt_usm = usm(gt) after the pool.
            var (lq, gt, _) = deg.Degrade(gtBatch);
            (lq, gt) = PairPool!.Exchange(lq, gt);
            var gtUsm = deg.Sharpen(gt);
            return Step.Step(lq, Config.L1GtUsm ? gtUsm : gt, Config.PercepGtUsm ? gtUsm : gt, Config.GanGtUsm ? gtUsm : gt);
        }
    }

    private void CollectRealEsrgan(List<(string Name, int[] Shape, float[] Data)> tensors, Dictionary<string, string> meta)
    {
        if (Degradation == null) return;
        var c = CultureInfo.InvariantCulture;
        meta["degradation_position"] = Degradation.GetState().Position.ToString(c);
        var (count, lq, lqShape, gt, gtShape) = PairPool!.ExportState();
        meta["pool_count"] = count.ToString(c);
        if (count == 0) return;
        meta["pool_lq_shape"] = string.Join(",", lqShape!);
        meta["pool_gt_shape"] = string.Join(",", gtShape!);
        tensors.Add(("pool.lq", new[] { lq.Length }, lq));
        tensors.Add(("pool.gt", new[] { gt.Length }, gt));
    }

    private void LoadRealEsrgan(CheckpointReader r)
    {
        if (Degradation == null) return;
        Degradation.SetState(r.MetaULong("degradation_position"));
        int count = r.MetaInt("pool_count");
        if (count == 0)
        {
            PairPool!.ImportState(0, Array.Empty<float>(), null, Array.Empty<float>(), null);
            return;
        }
        int[] Shape(string key) => r.Meta(key).Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        try
        {
            var pool = r.Take("pool.");
            PairPool!.ImportState(count, pool["lq"], Shape("pool_lq_shape"), pool["gt"], Shape("pool_gt_shape"));
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or FormatException)
        {
            throw new InvalidDataException($"{r.Path}: the training-pair pool does not fit the config's queue_size and sizes: {e.Message}", e);
        }
    }
}
