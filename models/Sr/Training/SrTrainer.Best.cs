using System.Globalization;
using NativeGan.Models.Training;

namespace NativeGan.Models.Sr.Training;

/// <summary>The best validation of a run so far (highest PSNR).</summary>
public sealed record SrBestValidation(long Iteration, double Psnr, double Ssim);

// The best checkpoint: whenever a validation's PSNR beats the best so far, the full checkpoint goes to
// checkpoints/best.safetensors and the released generator to models/net_g_best.safetensors.
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

    /// <summary><c>models/net_g_best.safetensors</c>: the released generator of the best validation.</summary>
    public string BestWeightsPath => Path.Combine(ModelsDir, BestWeightsFileName);

    /// <summary>The validation panel of loss.png: PSNR (left axis) and SSIM (right axis).</summary>
    protected override IReadOnlyList<string> ValidationColumns { get; } = new[] { "psnr", "ssim" };

    /// <summary>Keeps the checkpoint and the released generator of a validation whose PSNR beats the best so far.</summary>
    private void UpdateBest(SrValidationResult v)
    {
        if (!double.IsFinite(v.Psnr) || (best != null && !(v.Psnr > best.Psnr))) return;
        best = new SrBestValidation(v.Iteration, v.Psnr, v.Ssim);
        var meta = new Dictionary<string, string>();
        AddBestMetadata(meta);
        SaveCheckpointCopy(BestCheckpointPath, meta);
        WriteReleasedWeights(meta, BestWeightsPath);
        Report?.Invoke(string.Create(CultureInfo.InvariantCulture, $"best psnr so far ({v.Psnr:0.0000} dB at iter {v.Iteration}): {BestCheckpointPath}"));
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
    }

    /// <summary>The best of the checkpoint being loaded (none when it has no <c>best_psnr</c>).</summary>
    private void LoadBest(CheckpointReader r)
    {
        best = r.File.Metadata.TryGetValue("best_psnr", out var p)
            ? new SrBestValidation(r.MetaLong("best_iteration"), double.Parse(p, CultureInfo.InvariantCulture), double.Parse(r.Meta("best_ssim"), CultureInfo.InvariantCulture))
            : null;
    }
}
