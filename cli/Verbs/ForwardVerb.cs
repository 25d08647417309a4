using CommandLine;
using NativeGan.IO;
using NativeGan.Models.Sr;

namespace NativeGan.Cli.Verbs;

[Verb("forward", HelpText = "Run a super-resolution network on the tensor 'input' of a safetensors file and write 'output' (float32, NCHW): checks a conversion against PyTorch.")]
public sealed class ForwardVerb : ICommand
{
    [Option("weights", Required = true, HelpText = "Network weights: .pth (BasicSR, ESRGAN, Real-ESRGAN, BSRGAN) or .safetensors.")]
    public string Weights { get; set; } = "";

    [Option('i', "input", Required = true, HelpText = "A safetensors file holding a tensor named 'input', [N, C, H, W] in [0, 1].")]
    public string Input { get; set; } = "";

    [Option('o', "out", Required = true, HelpText = "The safetensors file to write, with the tensor 'output' (also --output; missing folders are created).")]
    public string Output { get; set; } = "";

    [Option("device", HelpText = "cpu, cuda, cuda:N or ilgpu-cpu (default: CUDA when present, else CPU).")]
    public string? DeviceName { get; set; }

    public int Run(TextWriter stdout, TextWriter stderr)
    {
        var device = DeviceName == null ? Device.Default : Device.Parse(DeviceName);
        if (!File.Exists(Input))
        {
            stderr.WriteLine($"error: {Input}: input file not found (expected a safetensors file with a tensor named 'input').");
            return ExitCodes.BadArguments;
        }
        var file = Safetensors.Read(Input);
        if (!file.Tensors.TryGetValue("input", out var entry))
        {
            stderr.WriteLine($"error: {Input}: no tensor named 'input' (found: {string.Join(", ", file.Tensors.Keys.Take(10))}).");
            return ExitCodes.BadArguments;
        }
        using var net = SrModelFile.Load(Weights, device);
        var arch = net.Architecture;
        if (entry.Shape.Length != 4 || entry.Shape[1] != arch.InChannels)
        {
            stderr.WriteLine($"error: {Input}: 'input' must be [N, {arch.InChannels}, H, W] for {arch.Kind} x{arch.Scale}, got {ShapeText(entry.Shape)}.");
            return ExitCodes.BadArguments;
        }
        stdout.WriteLine($"{net.Describe()} on {device}");
        int[] outShape;
        float[] outData;
        using (Tensor.NoGrad())
        using (Tensor.Scope())
        {
            var x = Tensor.FromArray(entry.Data, entry.Shape, device);
            var y = net.Forward(x);
            outShape = y.Shape.ToArray();
            outData = y.ToArray();
        }
        Safetensors.Write(OutputPath.ForFile(Output), new[] { ("output", outShape, outData) },
            new Dictionary<string, string> { ["architecture"] = arch.ToString(), ["weights"] = Path.GetFileName(Weights) });
        stdout.WriteLine($"wrote {Output}: output {ShapeText(outShape)}");
        return ExitCodes.Ok;
    }

    private static string ShapeText(int[] shape) => "[" + string.Join(", ", shape) + "]";
}
