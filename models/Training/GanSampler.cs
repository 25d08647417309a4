using NativeGan.IO;
using NativeGan.Models.Gans;

namespace NativeGan.Models.Training;

/// <summary>What to draw with <see cref="GanSampler"/>.</summary>
/// <param name="Count">Images in the grid.</param>
/// <param name="Seed">Seed of the noise.</param>
/// <param name="Label">CGAN: one class for every image; null gives classes 0, 1, ... by row.</param>
/// <param name="Category">InfoGAN: one category for every image; null gives categories by column.</param>
/// <param name="Codes">InfoGAN: the continuous codes for every image; null sweeps the first code from -1 to 1 by row.</param>
public sealed record SampleRequest(int Count = 64, ulong Seed = 0, int? Label = null, int? Category = null, float[]? Codes = null, int Rows = 8);

/// <summary>
/// Draws a sample grid from a training checkpoint: rebuilds the generator from the config stored in the checkpoint,
/// loads its weights (the "g." tensors) and runs it in eval mode. No data set is needed.
/// </summary>
public static class GanSampler
{
    /// <summary>Writes the grid to <paramref name="outPath"/>; <paramref name="checkpoint"/> is a checkpoint file or a run folder (its latest).</summary>
    public static string Sample(string checkpoint, string outPath, SampleRequest request, Device? device = null)
    {
        if (request.Count < 1) throw new ArgumentException($"sample: --n must be at least 1, got {request.Count}.");
        string path = Directory.Exists(checkpoint) ? GanTrainer.LatestCheckpoint(checkpoint) : checkpoint;
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such checkpoint file or run folder.");
        var file = Safetensors.Read(path);
        if (CheckpointStore.Format(file) == ProGanTrainer.CheckpointFormat) return ProGanSampler.Sample(file, path, outPath, request, device);
        if (!file.Metadata.TryGetValue("format", out var format) || format != GanTrainer.CheckpointFormat)
            throw new InvalidDataException($"{path}: expected a NativeGan GAN checkpoint ({GanTrainer.CheckpointFormat}), got {(format == null ? "no format metadata" : format)}.");
        if (!file.Metadata.TryGetValue("config", out var yaml))
            throw new InvalidDataException($"{path}: the checkpoint holds no config.");
        var config = GanConfig.Parse(yaml, path + " (stored config)");
        var target = device ?? config.ResolveDevice();

        using var step = GanTrainer.BuildStep(config, target, new Generator(config.Seed), new Generator(config.Seed));
        var weights = file.Tensors.Where(kv => kv.Key.StartsWith("g.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[2..], kv => kv.Value.Data);
        step.G.LoadStateDict(weights);
        step.G.Eval();

        using var noGrad = Tensor.NoGrad();
        using var scope = Tensor.Scope();
        var rng = new Generator(request.Seed);
        int n = request.Count, perRow = Math.Max(1, request.Rows);
        var images = step switch
        {
            DcganStep s => s.G.Forward(Tensor.Randn(new[] { n, s.LatentDim, 1, 1 }, target, rng)),
            CganStep s => s.Generator.Forward(Tensor.Randn(new[] { n, s.LatentDim }, target, rng), Labels(s.Generator.Classes, n, perRow, request.Label, target)),
            InfoGanStep s => InfoGan(s, n, perRow, request, rng, target),
            _ => step.G.Forward(Tensor.Randn(new[] { n, step.LatentDim }, target, rng)),
        };
        var labels = step switch
        {
            CganStep s => GanGridLabels.Cgan(GanGridLabels.ClassNames(config, null, s.Generator.Classes), n, perRow, request.Label),
            InfoGanStep s => GanGridLabels.InfoGan(s.Generator.Classes, n, perRow, request.Category, request.Codes != null),
            _ => null,
        };
        SampleGrid.SaveReadable(images, outPath, nrow: perRow, labels: labels);
        return outPath;
    }

    private static Tensor Labels(int classes, int n, int perRow, int? label, Device device)
    {
        if (label is int l && (l < 0 || l >= classes))
            throw new ArgumentException($"sample: --label must be in [0, {classes}), got {l}.");
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = label ?? i / perRow % classes;
        return Tensor.FromArray(values, new[] { n }, device);
    }

    private static Tensor InfoGan(InfoGanStep s, int n, int perRow, SampleRequest r, Generator rng, Device device)
    {
        int classes = s.Generator.Classes, codeDim = s.Generator.CodeDim;
        if (r.Category is int c && (c < 0 || c >= classes))
            throw new ArgumentException($"sample: --category must be in [0, {classes}), got {c}.");
        if (r.Codes != null && r.Codes.Length != codeDim)
            throw new ArgumentException($"sample: --codes needs {codeDim} values, got {r.Codes.Length}.");
        var oneHot = new float[n * classes];
        var code = new float[n * codeDim];
        int rows = (n + perRow - 1) / perRow;
        for (int i = 0; i < n; i++)
        {
            oneHot[i * classes + (r.Category ?? i % perRow % classes)] = 1f;
            if (r.Codes != null) Array.Copy(r.Codes, 0, code, i * codeDim, codeDim);
            else code[i * codeDim] = rows == 1 ? 0f : -1f + 2f * (i / perRow) / (rows - 1);
        }
        return s.Generator.Forward(Tensor.Randn(new[] { n, s.LatentDim }, device, rng),
            Tensor.FromArray(oneHot, new[] { n, classes }, device), Tensor.FromArray(code, new[] { n, codeDim }, device));
    }
}
