using System.Globalization;
using NativeGan.Models.Training;

namespace NativeGan.Models.Sr.Training;

/// <summary>The best validation of a run so far (highest PSNR) and the weights that scored it (<c>params_ema</c>, <c>params</c>).</summary>
public sealed record SrBestValidation(long Iteration, double Psnr, double Ssim, string Weights);

// The best checkpoint: whenever a validation's PSNR beats the best so far, the full checkpoint goes to
// checkpoints/best.safetensors and the weights that scored it (the EMA's or G's own, when EMA is on the better of
// the two) to models/net_g_best.safetensors.
public sealed partial class SrTrainer
{
    public const string BestCheckpointFileName = "best.safetensors";
    public const string BestWeightsFileName = "net_g_best.safetensors";

    private SrBestValidation? best;

    /// <summary>The best validation so far (this run, or read back from the checkpoint it resumed from); null before any.</summary>
    public SrBestValidation? Best => best;

    /// <summary><c>checkpoints/best.safetensors</c>: the full checkpoint (resumable) of the best validation, metadata
    /// <c>best_psnr</c>, <c>best_ssim</c>, <c>best_iteration</c>. Not an <c>iter_*</c> file: resume scans ignore it.</summary>
    public string BestCheckpointPath => Path.Combine(CheckpointsDir, BestCheckpointFileName);

    /// <summary><c>models/net_g_best.safetensors</c>: the generator weights of the best validation, EMA or plain (metadata
    /// <c>weights</c> and <c>best_weights</c> say which).</summary>
    public string BestWeightsPath => Path.Combine(ModelsDir, BestWeightsFileName);

    /// <summary>The validation panel of loss.png: PSNR (left axis) and SSIM (right axis), each of the EMA (psnr, ssim)
    /// and of G's own weights (psnr_plain, ssim_plain) when EMA is on.</summary>
    protected override IReadOnlyList<string> ValidationColumns { get; } = new[] { "psnr", "psnr_plain", "ssim", "ssim_plain" };

    /// <summary>psnr and psnr_plain share the left (dB) axis.</summary>
    protected override int ValidationLeftAxisColumns => 2;

    /// <summary>Keeps the checkpoint and the better-validated weights of a validation whose PSNR (of the better of EMA
    /// and G when EMA is on) beats the best so far.</summary>
    private void UpdateBest(SrValidationResult v)
    {
        var (psnr, ssim) = v.Better;
        if (!double.IsFinite(psnr) || (best != null && !(psnr > best.Psnr))) return;
        best = new SrBestValidation(v.Iteration, psnr, ssim, v.BetterWeights);
        var meta = new Dictionary<string, string>();
        AddBestMetadata(meta);
        SaveCheckpointCopy(BestCheckpointPath, meta);
        WriteReleasedWeights(best.Weights, meta, BestWeightsPath);
        Report?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"best psnr so far ({psnr:0.0000} dB at iter {v.Iteration}, {SrWeights.Name(best.Weights)} weights): {BestWeightsPath}"));
    }

    /// <summary>Every checkpoint records the best so far, so that it survives a resume.</summary>
    protected override void AddCheckpointMetadata(Dictionary<string, string> metadata) => AddBestMetadata(metadata);

    private void AddBestMetadata(Dictionary<string, string> meta)
    {
        if (best is not { } b) return;
        var c = CultureInfo.InvariantCulture;
        meta["best_psnr"] = b.Psnr.ToString("R", c);
        meta["best_ssim"] = b.Ssim.ToString("R", c);
        meta["best_iteration"] = b.Iteration.ToString(c);
        meta["best_weights"] = b.Weights;
    }

    /// <summary>The best of the checkpoint being loaded (none when it has no <c>best_psnr</c>). A checkpoint from before
    /// both weights were validated has no <c>best_weights</c>: its best was then the released weights (EMA when on).</summary>
    private void LoadBest(CheckpointReader r)
    {
        if (!r.File.Metadata.TryGetValue("best_psnr", out var p)) { best = null; return; }
        string weights = r.File.Metadata.TryGetValue("best_weights", out var w) ? w : ReleasedWeights;
        if (weights != SrWeights.Ema && weights != SrWeights.Plain)
            throw new InvalidDataException($"{r.Path}: metadata 'best_weights' is '{weights}'; expected {SrWeights.Ema} or {SrWeights.Plain}.");
        best = new SrBestValidation(r.MetaLong("best_iteration"), double.Parse(p, CultureInfo.InvariantCulture),
            double.Parse(r.Meta("best_ssim"), CultureInfo.InvariantCulture), weights);
    }
}
