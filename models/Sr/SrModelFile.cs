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
        string args = a.Kind == SrArchitecture.RRDBNetKind
            ? $"num_feat {a.NumFeat}, num_block {a.NumBlock}, num_grow_ch {a.NumGrowCh}"
            : $"num_feat {a.NumFeat}, num_block {a.NumBlock}";
        return $"{a.Kind} x{a.Scale} ({args}, {a.InChannels} -> {a.OutChannels} channels) from {System.IO.Path.GetFileName(Path)} " +
               $"({(Format == WeightsFormat.Pth ? ".pth" : "safetensors")}{(WrapperKey != null ? $", '{WrapperKey}'" : "")})";
    }

    public void Dispose() => Model.Dispose();
}

/// <summary>Loads BasicSR / ESRGAN / Real-ESRGAN / BSRGAN weights (.pth or .safetensors) and builds the network they fit.</summary>
public static class SrModelFile
{
    public static LoadedSrModel Load(string path, Device? device = null) => Load(path, device, null);

    /// <summary>Loads the state dict under <paramref name="paramKey"/> (<c>params_ema</c>, <c>params</c>; see
    /// <see cref="WeightsFile.Load(string, string)"/>: a .pth's key, a training checkpoint's prefix, or released weights
    /// whose <c>weights</c> metadata names it); null: the file's own choice.</summary>
    public static LoadedSrModel Load(string path, Device? device, string? paramKey)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: weights file not found (expected a .pth or .safetensors of an RRDBNet, MSRResNet or SRResNet).", path);
        WeightsFormat format;
        string? wrapperKey;
        IReadOnlyDictionary<string, SafetensorsEntry> state;
        if (paramKey == null) state = WeightsFile.Load(path, out format, out wrapperKey);
        else
        {
            format = WeightsFile.Detect(path);
            state = WeightsFile.Load(path, paramKey);
            wrapperKey = paramKey;
        }
        var (model, arch) = SrArchitecture.CreateFromStateDict(state, device, path);
        model.Eval();
        model.RequiresGrad(false);
        return new LoadedSrModel(model, arch, path, format, wrapperKey);
    }
}
