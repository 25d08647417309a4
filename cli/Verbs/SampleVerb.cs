using System.Globalization;
using CommandLine;
using NativeGan.Models.Training;

namespace NativeGan.Cli.Verbs;

[Verb("sample", HelpText = "Draw a grid of generated images from a training checkpoint (or a run folder's latest).")]
public sealed class SampleVerb : ICommand
{
    [Option("checkpoint", Required = true, HelpText = "A checkpoint .safetensors of `nativegan train`, or a run folder.")]
    public string Checkpoint { get; set; } = "";

    [Option("out", Default = "grid.png", HelpText = "The PNG to write.")]
    public string Out { get; set; } = "grid.png";

    [Option("count", Default = 64, HelpText = "Number of images (also --n).")]
    public int Count { get; set; }

    [Option("seed", Default = 0UL, HelpText = "Seed of the noise.")]
    public ulong Seed { get; set; }

    [Option("label", HelpText = "CGAN: draw every image of this class (default: one class per row).")]
    public int? Label { get; set; }

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
        var device = DeviceName == null ? null : Device.Parse(DeviceName);
        var request = new SampleRequest(Count, Seed, Label, Category, codes);
        string path = GanSampler.Sample(Checkpoint, Out, request, device);
        stdout.WriteLine($"wrote {path} ({Count} images)");
        return ExitCodes.Ok;
    }
}
