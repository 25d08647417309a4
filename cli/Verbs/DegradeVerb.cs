using CommandLine;
using NativeGan.Models.Imaging;
using NativeGan.Models.Sr.Degradations;
using NativeGan.Models.Training;

namespace NativeGan.Cli.Verbs;

[Verb("degrade", HelpText = "Show Real-ESRGAN's degradations: a grid of GT crops of an image, each beside its degraded LR (upscaled nearest).")]
public sealed class DegradeVerb : ICommand
{
    [Option("config", Required = true, HelpText = "A Real-ESRGAN-style option YAML (datasets.train kernel keys, top-level resize/noise/JPEG keys), e.g. configs/realesrgan_degradations.yml.")]
    public string Config { get; set; } = "";

    [Option('i', "input", Required = true, HelpText = "The image to crop and degrade.")]
    public string Input { get; set; } = "";

    [Option("count", Default = 16, HelpText = "Number of samples (also --n).")]
    public int Count { get; set; }

    [Option('o', "out", Default = "grid.png", HelpText = "The PNG grid to write: pairs GT | LR, 4 pairs per row (missing folders are created).")]
    public string Out { get; set; } = "grid.png";

    [Option("seed", Default = 0UL, HelpText = "Seed of the crops and degradations.")]
    public ulong Seed { get; set; }

    [Option("device", Default = "cpu", HelpText = "cpu, cuda, cuda:N or ilgpu-cpu: where the degradations run.")]
    public string DeviceName { get; set; } = "cpu";

    public int Run(TextWriter stdout, TextWriter stderr)
    {
        if (Count < 1)
        {
            stderr.WriteLine($"error: --count (--n) must be at least 1, got {Count}.");
            return ExitCodes.BadArguments;
        }
        var device = Device.Parse(DeviceName);
        var options = DegradationConfig.Load(Config);
        var image = ImageIO.Read(Input);
        if (image.ColorChannels != 3)
        {
            stderr.WriteLine($"error: {Input}: expected an RGB image, got {image.Channels} channel(s).");
            return ExitCodes.BadArguments;
        }
        // A smaller image than gt_size is cropped at its largest size that is a multiple of the scale.
        int side = Math.Min(options.gt_size, Math.Min(image.Width, image.Height) / options.scale * options.scale);
        if (side < options.scale)
        {
            stderr.WriteLine($"error: {Input}: a {image.Width} x {image.Height} image is too small for scale {options.scale}.");
            return ExitCodes.BadArguments;
        }
        options = options with { gt_size = side };
        var deg = new RealEsrganDegradation(options, device, Seed);
        int plane = image.Width * image.Height, n = Count, s = side;
        var batch = new float[n * 3 * s * s];
        for (int i = 0; i < n; i++)
        {
            int top = deg.Random.RandInt(0, image.Height - s), left = deg.Random.RandInt(0, image.Width - s);
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < s; y++)
                    image.Planar.AsSpan(c * plane + (top + y) * image.Width + left, s).CopyTo(batch.AsSpan(((i * 3 + c) * s + y) * s, s));
        }
        using var scope = Tensor.Scope();
        var (lq, gt, _) = deg.Degrade(Tensor.FromArray(batch, new[] { n, 3, s, s }, device));
        var up = lq.Upsample(options.scale, "nearest");
        // Interleave GT and LR: [n, 2, 3, s, s] -> [2n, 3, s, s], mapped to [-1, 1] for the grid.
        var pairs = Tensor.Cat(new[] { gt.Unsqueeze(1), up.Unsqueeze(1) }, 1).Reshape(2 * n, 3, s, s).Affine(2f, -1f);
        SampleGrid.Save(pairs, OutputPath.ForFile(Out), nrow: 8);
        stdout.WriteLine($"wrote {Out} ({n} pairs GT | LR, GT {s} x {s}, LR {s / options.scale} x {s / options.scale} upscaled nearest)");
        return ExitCodes.Ok;
    }
}
