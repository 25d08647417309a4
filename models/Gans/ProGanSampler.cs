using System.Globalization;
using NativeGan.IO;
using NativeGan.Models.Training;

namespace NativeGan.Models.Gans;

/// <summary>
/// <c>nativegan sample</c> for a ProGAN checkpoint: rebuilds G from the stored config, loads its weights and draws
/// the grid at the checkpoint's stage (its current resolution) and fade-in weight alpha.
/// </summary>
public static class ProGanSampler
{
    /// <summary>Writes the grid of <paramref name="request"/>.Count images to <paramref name="outPath"/>.</summary>
    public static string Sample(SafetensorsFile file, string path, string outPath, SampleRequest request, Device? device = null)
    {
        if (request.Count < 1) throw new ArgumentException($"sample: --n must be at least 1, got {request.Count}.");
        if (request.Label != null || request.Category != null || request.Codes != null)
            throw new ArgumentException("sample: --label, --category and --codes do not apply to a ProGAN checkpoint.");
        var reader = new CheckpointReader(file, path, ProGanTrainer.CheckpointFormat, "ProGAN");
        var config = ProGanConfig.Parse(reader.Meta("config"), path + " (stored config)");
        int stage = reader.MetaInt("stage");
        if (stage < 0 || stage >= config.StageCount)
            throw new InvalidDataException($"{path}: stage {stage} is outside [0, {config.StageCount}) of its config's resolution {config.Resolution}.");
        float alpha = float.Parse(reader.Meta("alpha"), CultureInfo.InvariantCulture);
        var target = device ?? config.ResolveDevice();
        using var g = new ProGanGenerator(config.Resolution, config.Channels, config.LatentDim, config.FmapBase, config.FmapMax, target, new Generator(config.Seed));
        try { g.LoadStateDict(reader.Take("g.")); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: does not fit the ProGAN generator of its config: {e.Message}", e); }
        g.Eval();
        using var noGrad = Tensor.NoGrad();
        using var scope = Tensor.Scope();
        var images = g.Forward(Tensor.Randn(new[] { request.Count, g.LatentDim }, target, new Generator(request.Seed)), stage, alpha);
        SampleGrid.SaveReadable(images, outPath, nrow: Math.Max(1, request.Rows));
        return outPath;
    }
}
