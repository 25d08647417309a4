using System.Globalization;
using NativeGan.IO;
using NativeGan.Models.Training;

namespace NativeGan.Models.Sr.Training;

/// <summary>Which of a run's two weights to load: the better-validated one (auto), the EMA's, or G's own (plain).</summary>
public enum SrWeightsChoice
{
    Auto,
    Ema,
    Plain,
}

/// <summary>The weights to load: a file, the state dict in it (<c>params_ema</c>, <c>params</c>; null: the file's own
/// choice, as <see cref="WeightsFile.Load(string)"/> makes it), and why, as a sentence for the user (null: nothing to say).</summary>
public sealed record SrWeightsSelection(string Path, string? ParamKey, string? Reason);

/// <summary>
/// Picks the weights <c>nativegan upscale -m</c> loads from a training run folder (its latest checkpoint), a training
/// checkpoint file, or a weights file. A checkpoint holds G (<c>params.*</c>) and, with EMA, its average
/// (<c>params_ema.*</c>), and records the last validation of both (<c>val_psnr</c> of the EMA, <c>val_psnr_plain</c> of
/// G); auto takes the one with the higher PSNR, the EMA on a tie or when no comparison was recorded (BasicSR's release).
/// </summary>
public static class SrRunWeights
{
    /// <summary>Checkpoint metadata: the last validation's PSNR of G's own weights, when EMA is on.</summary>
    public const string PlainPsnrKey = "val_psnr_plain";

    /// <summary>The values of <c>--weights</c>.</summary>
    public static readonly IReadOnlyList<string> ChoiceNames = new[] { "auto", "ema", "plain" };

    public static bool TryParseChoice(string? text, out SrWeightsChoice choice)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "auto": choice = SrWeightsChoice.Auto; return true;
            case "ema": choice = SrWeightsChoice.Ema; return true;
            case "plain": choice = SrWeightsChoice.Plain; return true;
            default: choice = SrWeightsChoice.Auto; return false;
        }
    }

    /// <summary>The weights to load from <paramref name="model"/>: a run folder, an SR training checkpoint or a weights file.</summary>
    /// <exception cref="FileNotFoundException">A folder that holds no run.</exception>
    /// <exception cref="ArgumentException">The EMA is asked for, but the run trained without one.</exception>
    public static SrWeightsSelection Select(string model, SrWeightsChoice choice)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        if (Directory.Exists(model))
        {
            if (RunCheckpoint(model) is { } checkpoint)
            {
                var (names, meta) = Safetensors.ReadHeader(checkpoint);
                return FromCheckpoint(checkpoint, names, meta, choice, model);
            }
            // A run whose checkpoints were deleted still has its released weights.
            string released = Path.Combine(model, SrTrainer.ModelsFolderName, "net_g_latest.safetensors");
            if (File.Exists(released)) return FromFile(released, choice, $"{model} has no checkpoint; its released weights {released}");
            throw new FileNotFoundException($"{model}: a folder, but not a training run (no {CheckpointStore.FolderName}/{CheckpointStore.LatestFileName}, " +
                $"no {CheckpointStore.FolderName}/iter_*.safetensors, no {SrTrainer.ModelsFolderName}/net_g_latest.safetensors); " +
                "give -m a weights file (.pth or .safetensors) or a run folder.", model);
        }
        if (File.Exists(model) && WeightsFile.Detect(model) == WeightsFormat.Safetensors)
        {
            var (names, meta) = Safetensors.ReadHeader(model);
            if (meta.TryGetValue("format", out var format) && format == SrTrainer.CheckpointFormat)
                return FromCheckpoint(model, names, meta, choice, null);
        }
        return FromFile(model, choice, null);
    }

    /// <summary>The checkpoint <c>checkpoints/latest</c> names, else the newest complete <c>iter_*</c> one, else null.</summary>
    private static string? RunCheckpoint(string run)
    {
        if (CheckpointStore.HoldsRun(run)) return CheckpointStore.Latest(run);
        return CheckpointStore.NewestComplete(run) is { } found ? found.Path : null;
    }

    /// <summary>Released weights or a .pth: auto lets the file choose (<c>params_ema</c> first), ema / plain ask for that key.</summary>
    private static SrWeightsSelection FromFile(string path, SrWeightsChoice choice, string? where) => choice switch
    {
        SrWeightsChoice.Ema => new(path, SrWeights.Ema, $"the EMA weights (params_ema) of {where ?? path}, as --weights ema asks"),
        SrWeightsChoice.Plain => new(path, SrWeights.Plain, $"the plain weights (params) of {where ?? path}, as --weights plain asks"),
        _ => new(path, null, where),
    };

    private static SrWeightsSelection FromCheckpoint(string path, IReadOnlyList<string> names, IReadOnlyDictionary<string, string> meta,
        SrWeightsChoice choice, string? run)
    {
        bool hasEma = names.Any(n => n.StartsWith(SrWeights.Ema + ".", StringComparison.Ordinal));
        string iteration = meta.TryGetValue("iteration", out var it) ? it : "?";
        string where = run != null ? $"{run} at iteration {iteration} ({Path.GetFileName(path)})" : $"{path} (iteration {iteration})";
        switch (choice)
        {
            case SrWeightsChoice.Ema:
                if (!hasEma)
                    throw new ArgumentException($"{where}: --weights ema, but this run trained without EMA (ema_decay 0) and holds only plain weights (params); " +
                        "use --weights plain or auto.");
                return new(path, SrWeights.Ema, $"the EMA weights (params_ema) of {where}, as --weights ema asks");
            case SrWeightsChoice.Plain:
                return new(path, SrWeights.Plain, $"the plain weights (params) of {where}, as --weights plain asks");
        }
        if (!hasEma) return new(path, SrWeights.Plain, $"the plain weights (params) of {where}: the run has no EMA");
        double? ema = Number(meta, "val_psnr"), plain = Number(meta, PlainPsnrKey);
        string at = meta.TryGetValue("val_iteration", out var vi) ? vi : "?";
        if (ema is not double e)
            return new(path, SrWeights.Ema, $"the EMA weights (params_ema) of {where}: no validation recorded, so BasicSR's choice (--weights plain for G's own)");
        if (plain is not double p)
            return new(path, SrWeights.Ema, string.Create(CultureInfo.InvariantCulture,
                $"the EMA weights (params_ema) of {where}: only the EMA was validated (psnr {e:0.0000} dB at iteration {at}; a checkpoint from before both were), " +
                $"so BasicSR's choice (--weights plain for G's own)"));
        var v = new SrValidationResult(0, e, double.NaN, 0, UsedEma: true, PlainPsnr: p);
        string other = v.BetterWeights == SrWeights.Ema ? "plain" : "ema";
        return new(path, v.BetterWeights, string.Create(CultureInfo.InvariantCulture,
            $"the {SrWeights.Name(v.BetterWeights)} weights ({v.BetterWeights}) of {where}: the better validated (EMA psnr {e:0.0000} dB, plain {p:0.0000} dB " +
            $"at iteration {at}); --weights {other} for the other"));
    }

    private static double? Number(IReadOnlyDictionary<string, string> meta, string key) =>
        meta.TryGetValue(key, out var v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : null;
}
