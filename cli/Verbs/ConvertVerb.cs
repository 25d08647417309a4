using CommandLine;
using NativeGan.IO;
using NativeGan.Models.Sr;

namespace NativeGan.Cli.Verbs;

/// <summary>
/// `nativegan convert model.pth model.safetensors`: a PyTorch state dict (zip or legacy .pth, or a
/// safetensors file) written as float32 safetensors. The steps are load, <see cref="MapKeys"/>, write, so a
/// key mapping (old ESRGAN layouts, ...) slots in without touching the rest.
/// </summary>
[Verb("convert", HelpText = "Convert PyTorch .pth weights (the state dict under params_ema, params, ... or the top level) to float32 safetensors.")]
public sealed class ConvertVerb : ICommand
{
    [Value(0, MetaName = "input", HelpText = "The .pth (or .safetensors) file to read; the format is detected from its content. Or -i/--input.")]
    public string? InputValue { get; set; }

    [Value(1, MetaName = "output", HelpText = "The file to write: .safetensors, or .pth for PyTorch / BasicSR / Real-ESRGAN (the state dict under 'params_ema', or the input's own key). Written to a temporary name, then renamed; missing folders are created. Or -o/--out.")]
    public string? OutputValue { get; set; }

    [Option('i', "input", HelpText = "The file to read (instead of the first value).")]
    public string? InputOption { get; set; }

    [Option('o', "out", HelpText = "The file to write (instead of the second value).")]
    public string? OutputOption { get; set; }

    private string Input { get; set; } = "";
    private string Output { get; set; } = "";

    public int Run(TextWriter stdout, TextWriter stderr)
    {
        // Values fill what the options leave: `convert IN OUT`, `convert -i IN -o OUT` and `convert IN -o OUT` all work.
        var values = new Queue<string>(new[] { InputValue, OutputValue }.OfType<string>());
        Input = InputOption ?? (values.TryDequeue(out var i) ? i : "");
        Output = OutputOption ?? (values.TryDequeue(out var o) ? o : "");
        if (values.Count > 0)
        {
            stderr.WriteLine($"error: convert: '{values.Peek()}' is one file too many: `nativegan convert IN OUT` or `nativegan convert -i IN -o OUT`.");
            return ExitCodes.BadArguments;
        }
        if (Input.Length == 0 || Output.Length == 0)
        {
            stderr.WriteLine($"error: convert: the {(Input.Length == 0 ? "input and the output" : "output")} file must be given: `nativegan convert IN.pth OUT.safetensors`.");
            return ExitCodes.BadArguments;
        }
        var state = WeightsFile.Load(Input, out var format, out string? wrapper);
        var layout = SrKeyMap.DetectLayout(state.Keys);
        string? keptBecause = null;
        try
        {
            state = MapKeys(state);
        }
        catch (ArgumentException e)
        {
            // Not every state dict is a super-resolution network: a file that only looks like an old layout keeps its keys.
            keptBecause = e.Message;
            layout = SrKeyLayout.BasicSr;
        }

        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["converted_from"] = Path.GetFileName(Input) };
        if (wrapper != null) metadata["state_dict_key"] = wrapper;
        OutputPath.ForFile(Output);
        // Both writers go through a temporary file and a rename, so a failure never leaves half a file.
        if (Output.EndsWith(".pth", StringComparison.OrdinalIgnoreCase))
            PthWriter.Write(Output, [(wrapper ?? "params_ema", state.Select(kv => (kv.Key, kv.Value.Shape, kv.Value.Data)).ToList())]);
        else
            Safetensors.Write(Output, state.Select(kv => (kv.Key, kv.Value.Shape, kv.Value.Data)), metadata);

        string from = format == WeightsFormat.Pth
            ? wrapper == null ? "the top-level state dict" : $"the state dict under '{wrapper}'"
            : "a safetensors file";
        stdout.WriteLine($"wrote {Output}: {state.Count} tensors from {from} of {Input}");
        if (keptBecause != null)
            stdout.WriteLine($"note: keys kept as they are in the file ({keptBecause})");
        if (layout != SrKeyLayout.BasicSr)
            stdout.WriteLine($"note: keys in the {(layout == SrKeyLayout.OldEsrgan ? "old ESRGAN (model.N.sub)" : "BSRGAN (RRDB_trunk)")} layout were renamed to BasicSR's RRDBNet keys");
        var converted = state.Values.Where(e => e.DType is not ("F32" or "F16" or "BF16" or "F64")).ToList();
        if (converted.Count > 0)
            stdout.WriteLine($"note: {converted.Count} integer/bool tensor(s) stored as float32 " +
                $"({string.Join(", ", converted.Take(3).Select(e => e.Name))}{(converted.Count > 3 ? ", ..." : "")})");
        return ExitCodes.Ok;
    }

    /// <summary>Old ESRGAN and BSRGAN keys become BasicSR's (a leading "module." is dropped); other keys are kept.</summary>
    private static IReadOnlyDictionary<string, SafetensorsEntry> MapKeys(IReadOnlyDictionary<string, SafetensorsEntry> state) =>
        SrKeyMap.ToBasicSr(state);
}
