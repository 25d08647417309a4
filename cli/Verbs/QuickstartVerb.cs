using System.Globalization;
using CommandLine;
using NativeGan.Models.Data;
using NativeGan.Models.Training;

namespace NativeGan.Cli.Verbs;

[Verb("quickstart", HelpText = "Train a small DCGAN on Fashion-MNIST (or built-in shapes when it is not installed) and write samples and a loss plot.")]
public sealed class QuickstartVerb : ICommand
{
    [Option("iters", Default = 300, HelpText = "Training iterations.")]
    public int Iterations { get; set; }

    [Option("out", HelpText = "Output folder (default runs/quickstart, or a fresh runs/quickstart-N).")]
    public string? Out { get; set; }

    [Option("device", HelpText = "cpu, cuda, cuda:N or ilgpu-cpu (default: CUDA if present, else cpu).")]
    public string? DeviceName { get; set; }

    [Option("batch-size", Default = 32, HelpText = "Images per batch.")]
    public int BatchSize { get; set; }

    public int Run(TextWriter stdout, TextWriter stderr)
    {
        if (Iterations < 1 || BatchSize < 1)
        {
            stderr.WriteLine($"error: --iters and --batch-size must be at least 1, got {Iterations} and {BatchSize}.");
            return ExitCodes.BadArguments;
        }
        var device = DeviceName == null ? Device.Default : Device.Parse(DeviceName);
        IDataset? dataset = null;
        string kind;
        if (MnistDataset.DebianFashionMnistAvailable)
        {
            kind = "fashion_mnist";
            stdout.WriteLine($"data: Fashion-MNIST from {MnistDataset.DebianFashionMnistDirectory}");
        }
        else
        {
            kind = "fashion_mnist"; // same 28x28 grayscale shape; the images come from the built-in set below
            dataset = new ProceduralShapesDataset();
            stdout.WriteLine("data: Fashion-MNIST is not installed, so the built-in procedural shapes (discs, squares, rings) are used;");
            stdout.WriteLine("      for the real data: apt-get install dataset-fashion-mnist");
        }
        int every = Math.Max(1, Iterations / 3);
        string yaml = string.Create(CultureInfo.InvariantCulture, $"""
            model: dcgan
            dataset:
              kind: {kind}
            batch_size: {BatchSize}
            iterations: {Iterations}
            seed: 0
            sample_every: {every}
            checkpoint_every: {Iterations}
            log_every: {Math.Max(1, Iterations / 20)}
            """);
        var config = GanConfig.Parse(yaml, "quickstart");
        string outDir = Out ?? FreshFolder(Path.Combine("runs", "quickstart"));
        if (File.Exists(Path.Combine(outDir, "checkpoints", GanTrainer.LatestFileName)))
        {
            stderr.WriteLine($"error: {outDir} already holds a run; choose another --out or continue it with `nativegan train --resume {outDir}`.");
            return ExitCodes.BadArguments;
        }
        return TrainVerb.RunToEnd(new GanTrainer(config, outDir, device, dataset), stdout);
    }

    /// <summary>The folder itself when no run is in it, else the first free folder-N.</summary>
    private static string FreshFolder(string folder)
    {
        string candidate = folder;
        for (int i = 2; File.Exists(Path.Combine(candidate, "checkpoints", GanTrainer.LatestFileName)); i++) candidate = $"{folder}-{i}";
        return candidate;
    }
}
