using System.Globalization;
using CommandLine;
using NativeGan.Models.Data;
using NativeGan.Models.Training;

namespace NativeGan.Cli.Verbs;

[Verb("quickstart", HelpText = "Train a small DCGAN on Fashion-MNIST (or built-in shapes when it is not installed) and write samples and a loss plot.")]
public sealed class QuickstartVerb : ICommand
{
    // The defaults were chosen by timing short runs on a 2-core CPU and looking at their grids: a DCGAN narrower than
    // the PyTorch example's (ngf/ndf 64; here 32/16) runs about five times faster per iteration, and at lr 2e-4 even
    // 800 iterations gave only blurred torsos (PyTorch's twin of the network did the same). lr 1e-3 with small
    // batches of 32 shows trousers, sneakers, shirts and pullovers after 1000 iterations, about two minutes.
    public const int DefaultIterations = 1000;
    public const int DefaultBatchSize = 32;
    public const int GeneratorWidth = 32;
    public const int DiscriminatorWidth = 16;
    public const string LearningRate = "1e-3";

    [Option("iterations", HelpText = "Training iterations (default 1000).")]
    public int? Iterations { get; set; }

    [Option("iters", Hidden = true, HelpText = "Same as --iterations.")]
    public int? Iters { get; set; }

    [Option("out", HelpText = "Output folder (default runs/quickstart, or a fresh runs/quickstart-N).")]
    public string? Out { get; set; }

    [Option("device", HelpText = "cpu, cuda, cuda:N or ilgpu-cpu (default: CUDA if present, else cpu).")]
    public string? DeviceName { get; set; }

    [Option("batch-size", Default = DefaultBatchSize, HelpText = "Images per batch.")]
    public int BatchSize { get; set; }

    public int Run(TextWriter stdout, TextWriter stderr)
    {
        if (Iterations != null && Iters != null && Iterations != Iters)
        {
            stderr.WriteLine($"error: --iterations {Iterations} and --iters {Iters} disagree; give one of them.");
            return ExitCodes.BadArguments;
        }
        int iterations = Iterations ?? Iters ?? DefaultIterations;
        if (iterations < 1 || BatchSize < 1)
        {
            stderr.WriteLine($"error: --iterations and --batch-size must be at least 1, got {iterations} and {BatchSize}.");
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
        var config = GanConfig.Parse(Yaml(kind, BatchSize, iterations), "quickstart");
        string outDir = Out ?? FreshFolder(Path.Combine("runs", "quickstart"));
        if (File.Exists(Path.Combine(outDir, "checkpoints", GanTrainer.LatestFileName)))
        {
            stderr.WriteLine($"error: {outDir} already holds a run; choose another --out or continue it with `nativegan train --resume {outDir}`.");
            return ExitCodes.BadArguments;
        }
        return TrainVerb.RunToEnd(new GanTrainer(config, outDir, device, dataset), stdout);
    }

    /// <summary>The quickstart's run: a DCGAN with the widths and learning rate above, samples and a checkpoint at the end.</summary>
    public static string Yaml(string kind, int batchSize, int iterations) => string.Create(CultureInfo.InvariantCulture, $"""
        model: dcgan
        dataset:
          kind: {kind}
        batch_size: {batchSize}
        iterations: {iterations}
        seed: 0
        lr: {LearningRate}
        betas: [0.5, 0.999]
        ngf: {GeneratorWidth}
        ndf: {DiscriminatorWidth}
        sample_every: {Math.Max(1, iterations / 4)}
        checkpoint_every: {iterations}
        log_every: {Math.Max(1, iterations / 40)}
        """);

    /// <summary>The folder itself when no run is in it, else the first free folder-N.</summary>
    private static string FreshFolder(string folder)
    {
        string candidate = folder;
        for (int i = 2; File.Exists(Path.Combine(candidate, "checkpoints", GanTrainer.LatestFileName)); i++) candidate = $"{folder}-{i}";
        return candidate;
    }
}
