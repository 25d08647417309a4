using CommandLine;
using NativeGan.Models.ImageToImage;
using NativeGan.Models.Imaging;
using NativeGan.Models.Training;

namespace NativeGan.Cli.Verbs;

[Verb("translate", HelpText = "Translate an image with a trained Pix2Pix or CycleGAN generator (a training checkpoint or run folder).")]
public sealed class TranslateVerb : ICommand
{
    [Option("checkpoint", Required = true, HelpText = "A checkpoint (runs/NAME/checkpoints/iter_N.safetensors) or a run folder (its latest checkpoint).")]
    public string Checkpoint { get; set; } = "";

    [Option('i', "input", Required = true, HelpText = "The input image (PNG or JPEG).")]
    public string Input { get; set; } = "";

    [Option('o', "out", Required = true, HelpText = "The output image (PNG, or JPEG by extension; also --output; missing folders are created).")]
    public string Output { get; set; } = "";

    [Option("direction", Default = "AtoB", HelpText = "AtoB (pix2pix's G, CycleGAN's G_A) or BtoA (CycleGAN's G_B).")]
    public string Direction { get; set; } = "AtoB";

    [Option("device", HelpText = "cpu, cuda, cuda:N or ilgpu-cpu (default: CUDA when present, else CPU).")]
    public string? DeviceName { get; set; }

    public int Run(TextWriter stdout, TextWriter stderr)
    {
        if (Direction is not ("AtoB" or "BtoA"))
        {
            stderr.WriteLine($"error: --direction: expected AtoB or BtoA, got '{Direction}'.");
            return ExitCodes.BadArguments;
        }
        NativeGan.Device device;
        try { device = DeviceName == null ? NativeGan.Device.Default : NativeGan.Device.Parse(DeviceName); }
        catch (ArgumentException e)
        {
            stderr.WriteLine($"error: --device: {CliApp.Describe(e)}");
            return ExitCodes.BadArguments;
        }
        // Failures end in CliApp, which maps them to exit codes as for every verb.
        using var translator = I2iTranslator.Load(Checkpoint, Direction, device);
        var input = ImageIO.Read(Input);
        var output = translator.Translate(input);
        ImageIO.Write(OutputPath.ForFile(Output), output);
        stdout.WriteLine($"{Input} ({input.Width}x{input.Height}) -> {Output} with {translator.Config.Model} {(translator.Config.IsCycleGan ? (translator.BToA ? "G_B" : "G_A") : "G")} from {translator.Source}");
        return ExitCodes.Ok;
    }
}
