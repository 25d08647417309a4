using System.Globalization;
using CommandLine;
using NativeGan.IO;
using NativeGan.Models.Data;
using NativeGan.Models.Training;

namespace NativeGan.Cli.Verbs;

[Verb("sample", HelpText = "Draw a grid of generated images from a training checkpoint (or a run folder's latest).")]
public sealed class SampleVerb : ICommand
{
    [Option("checkpoint", Required = true, HelpText = "A checkpoint .safetensors of `nativegan train`, or a run folder.")]
    public string Checkpoint { get; set; } = "";

    [Option('o', "out", Default = "grid.png", HelpText = "The PNG to write (missing folders are created).")]
    public string Out { get; set; } = "grid.png";

    [Option("count", Default = 64, HelpText = "Number of images (also --n).")]
    public int Count { get; set; }

    [Option("seed", Default = 0UL, HelpText = "Seed of the noise.")]
    public ulong Seed { get; set; }

    [Option("label", HelpText = "CGAN: draw every image of this class, a number or a Fashion-MNIST class name (T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot; any case, e.g. sneaker, tshirt, boot). Default: one class per row.")]
    public string? Label { get; set; }

    [Option("category", HelpText = "InfoGAN: the categorical code for every image (default: one per column).")]
    public int? Category { get; set; }

    [Option("codes", HelpText = "InfoGAN: the continuous codes, comma separated (default: a sweep of the first by row).")]
    public string? Codes { get; set; }

    [Option("device", HelpText = "cpu, cuda, cuda:N or ilgpu-cpu (default: the checkpoint's config).")]
    public string? DeviceName { get; set; }

    public int Run(TextWriter stdout, TextWriter stderr)
    {
        float[]? codes = null;
        if (Codes != null)
        {
            try
            {
                codes = Codes.Split(',').Select(s => float.Parse(s.Trim(), CultureInfo.InvariantCulture)).ToArray();
            }
            catch (FormatException)
            {
                stderr.WriteLine($"error: --codes expects comma-separated numbers such as 0.5,-1, got '{Codes}'.");
                return ExitCodes.BadArguments;
            }
        }
        int? label = null;
        if (Label != null)
        {
            string? problem = ResolveLabel(Label, out int resolved);
            if (problem != null)
            {
                stderr.WriteLine($"error: {problem}");
                return ExitCodes.BadArguments;
            }
            label = resolved;
        }
        var device = DeviceName == null ? null : Device.Parse(DeviceName);
        var request = new SampleRequest(Count, Seed, label, Category, codes);
        string path = GanSampler.Sample(Checkpoint, OutputPath.ForFile(Out), request, device);
        stdout.WriteLine($"wrote {path} ({Count} images)");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The class number --label names, or why it names none: the checkpoint must be a CGAN's, and a class name must be
    /// one of Fashion-MNIST's when the CGAN was trained on it. A number out of range is left to the sampler, which
    /// knows the class count.
    /// </summary>
    private string? ResolveLabel(string text, out int label)
    {
        label = -1;
        string file = Directory.Exists(Checkpoint) ? GanTrainer.LatestCheckpoint(Checkpoint) : Checkpoint;
        if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such checkpoint file or run folder.");
        var metadata = Safetensors.ReadHeader(file).Metadata;
        GanConfig? config = metadata.TryGetValue("format", out var format) && format == GanTrainer.CheckpointFormat
            && metadata.TryGetValue("config", out var yaml) ? GanConfig.Parse(yaml, file + " (stored config)") : null;
        string model = config?.Model ?? (metadata.TryGetValue("model", out var m) ? m : format ?? "unknown");
        if (config?.Model != "cgan")
            return $"--label: {file} is a {model} checkpoint, which draws no classes; --label needs a cgan checkpoint.";
        if (int.TryParse(text, System.Globalization.NumberStyles.Integer, CultureInfo.InvariantCulture, out label)) return null;
        if (config.Dataset.Kind != "fashion_mnist")
            return $"--label '{text}': class names are Fashion-MNIST's, and this cgan was trained on {config.Dataset.Kind}; give the class number.";
        if (FashionMnistClasses.TryParse(text, out label)) return null;
        string? guess = DidYouMean.Closest(FashionMnistClasses.Key(text), FashionMnistClasses.KnownSpellings);
        return $"--label '{text}' is not a Fashion-MNIST class{(guess != null ? $" (did you mean '{guess}'?)" : "")}; " +
               $"give 0..9 or one of: {string.Join(", ", FashionMnistClasses.Names)}.";
    }
}
