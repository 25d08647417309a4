using System.Globalization;
using NativeGan.Models.Sr.Training;
using NativeGan.Models.Training;

namespace NativeGan.Cli.Progress;

/// <summary>
/// What <c>nativegan train</c> prints when a run ends: the iterations done and their speed, the last value of every
/// <c>log.csv</c> column (a loss that only some iterations compute, such as G's under WGAN's five critic steps, is
/// taken from the last iteration that had it), the files written, and for an SR run the weights to upscale with and
/// the exact <c>nativegan upscale</c> command.
/// </summary>
public static class RunSummaryLines
{
    /// <summary>The lines, in order.</summary>
    public static IReadOnlyList<string> For(TrainerBase trainer, TrainSummary summary, bool interrupted)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(summary);
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>();
        if (interrupted) lines.Add($"interrupted at iteration {summary.Iteration}: checkpoint written.");
        double secs = summary.Elapsed.TotalSeconds;
        long done = summary.Iteration - summary.StartIteration;
        lines.Add(string.Create(c, $"done: {summary.Iteration}/{trainer.TotalIterations} iterations ({done} in {secs:0.0} s, {(secs > 0 ? done / secs : 0):0.00} it/s)"));
        if (FinalValues(trainer.CsvPath, summary.Iteration) is { } finals) lines.Add(finals);
        lines.Add($"log: {trainer.CsvPath}");
        if (summary.Samples.Count > 0) lines.Add($"samples: {summary.Samples[^1]}");
        lines.Add($"loss plot: {trainer.LossPlotPath}");
        if (summary.LastCheckpoint != null) lines.Add($"checkpoint: {summary.LastCheckpoint}");
        foreach (var note in summary.Notes ?? Array.Empty<string>()) lines.Add(note);
        if (trainer is SrTrainer sr) lines.AddRange(UpscaleWith(sr));
        lines.Add($"resume with: nativegan train --resume {Quote(trainer.OutDir)}");
        return lines;
    }

    /// <summary>"final losses: d_loss 0.6931, g_loss 0.7012 (iter 995), ..." from the last value of every column of
    /// <c>log.csv</c> (losses, D's outputs, lr, validation metrics); the iteration is named where a column's last value
    /// is older than <paramref name="lastIteration"/>. Null when the log holds no value (or cannot be read).</summary>
    public static string? FinalValues(string csvPath, long lastIteration)
    {
        List<(string Name, List<double> Iterations, List<double> Values)> columns;
        try { columns = LossPlot.ReadCsv(csvPath); }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { return null; }
        var c = CultureInfo.InvariantCulture;
        var parts = new List<string>();
        foreach (var (name, iterations, values) in columns)
        {
            if (values.Count == 0) continue;
            long at = (long)iterations[^1];
            parts.Add(ProgressLine.Value(values[^1]) is var v && at == lastIteration ? $"{name} {v}" : string.Create(c, $"{name} {v} (iter {at})"));
        }
        return parts.Count == 0 ? null : $"final losses: {string.Join(", ", parts)}";
    }

    /// <summary>The released weights of an SR run and the commands that upscale with them: net_g_latest (the EMA weights
    /// when EMA is on), net_g_best when a validation ran, and the run folder (the better-validated of EMA and plain).</summary>
    public static IReadOnlyList<string> UpscaleWith(SrTrainer sr)
    {
        ArgumentNullException.ThrowIfNull(sr);
        var lines = new List<string>();
        string latest = Path.Combine(sr.ModelsDir, "net_g_latest.safetensors");
        if (!File.Exists(latest)) return lines;
        string input = UpscaleInput(sr.Config);
        string output = Path.Combine(sr.OutDir, "upscaled");
        string Command(string model) => $"nativegan upscale -m {Quote(model)} -i {Quote(input)} -o {Quote(output)}";
        lines.Add($"upscale with: {Command(latest)}");
        if (sr.Best != null && File.Exists(sr.BestWeightsPath))
            lines.Add($"or the best validated: {Command(sr.BestWeightsPath)}");
        return lines;
    }

    /// <summary>Images to try the model on: the validation LR folder, else the training LR folder, else the validation
    /// or training HR folder (upscaled beyond their size, but they are there).</summary>
    private static string UpscaleInput(SrConfig config)
    {
        string? folder = config.Val?.DatarootLq ?? config.Train.DatarootLq ?? config.Val?.DatarootGt ?? config.Train.DatarootGt;
        return folder != null && Directory.Exists(folder) ? Path.GetFullPath(folder) : "INPUT.png";
    }

    /// <summary>A path as a POSIX shell reads it: as is when it holds nothing special, else in single quotes.</summary>
    public static string Quote(string path) =>
        path.Length > 0 && path.All(ch => char.IsLetterOrDigit(ch) || "/._-+:=,@%".Contains(ch)) ? path : "'" + path.Replace("'", "'\\''") + "'";
}
