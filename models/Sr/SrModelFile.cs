using NativeGan.IO;
using NativeGan.NN;

namespace NativeGan.Models.Sr;

/// <summary>A super-resolution network loaded from a weights file, ready for inference.</summary>
public sealed class LoadedSrModel : IDisposable
{
    internal LoadedSrModel(Module model, SrArchitecture architecture, string path, WeightsFormat format, string? wrapperKey)
    {
        Model = model;
        Architecture = architecture;
        Path = path;
        Format = format;
        WrapperKey = wrapperKey;
    }

    public Module Model { get; }
    public SrArchitecture Architecture { get; }
    public string Path { get; }
    public WeightsFormat Format { get; }

    /// <summary>The key the state dict sat under in a .pth (<c>params_ema</c>, <c>params</c>), or null at the top level.</summary>
    public string? WrapperKey { get; }

    public int Scale => Architecture.Scale;

    /// <summary>
    /// The side length every input must be a multiple of: RRDBNet x2 and x1 start with pixel_unshuffle 2 and 4
    /// (Real-ESRGAN pads to those multiples before the network, as the upscaler does).
    /// </summary>
    public int SizeMultiple => Architecture.Kind == SrArchitecture.RRDBNetKind
        ? Architecture.Scale switch { 2 => 2, 1 => 4, _ => 1 }
        : 1;

    public Tensor Forward(Tensor x) => Model.Forward(x);

    public string Describe()
    {
        var a = Architecture;
        string args = a.Kind switch
        {
            SrArchitecture.RRDBNetKind => $"num_feat {a.NumFeat}, num_block {a.NumBlock}, num_grow_ch {a.NumGrowCh}",
            SrArchitecture.SRVGGNetCompactKind => $"num_feat {a.NumFeat}, num_conv {a.NumBlock}, act_type {a.ActType}",
            _ => $"num_feat {a.NumFeat}, num_block {a.NumBlock}",
        };
        return $"{a.Kind} x{a.Scale} ({args}, {a.InChannels} -> {a.OutChannels} channels) from {System.IO.Path.GetFileName(Path)} " +
               $"({(Format == WeightsFormat.Pth ? ".pth" : "safetensors")}{(WrapperKey != null ? $", '{WrapperKey}'" : "")})";
    }

    public void Dispose() => Model.Dispose();
}

/// <summary>Loads BasicSR / ESRGAN / Real-ESRGAN / BSRGAN weights (.pth or .safetensors) and builds the network they fit.</summary>
public static class SrModelFile
{
    public static LoadedSrModel Load(string path, Device? device = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: weights file not found (expected a .pth or .safetensors of an RRDBNet, MSRResNet, SRResNet or SRVGGNetCompact).", path);
        var format = WeightsFile.Detect(path);
        string? wrapperKey = null, actType = null;
        IReadOnlyDictionary<string, SafetensorsEntry> state;
        if (format == WeightsFormat.Pth) state = PthReader.ReadStateDict(path, out wrapperKey);
        else
        {
            var file = Safetensors.Read(path);
            state = file.Tensors;
            actType = ActTypeOf(file.Metadata);
        }
        var (model, arch) = SrArchitecture.CreateFromStateDict(state, device, path, actType);
        model.Eval();
        model.RequiresGrad(false);
        return new LoadedSrModel(model, arch, path, format, wrapperKey);
    }

    /// <summary>
    /// The SRVGGNetCompact activation a safetensors file records in its metadata (<c>act_type</c>, written by the
    /// trainer), or null: ReLU and LeakyReLU have no weights, so only the metadata can tell them apart.
    /// </summary>
    public static string? ActTypeOf(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue(ActTypeMetadataKey, out var act) ? act : null;

    /// <summary>The safetensors metadata key that records an SRVGGNetCompact's activation.</summary>
    public const string ActTypeMetadataKey = "act_type";
}
