using NativeGan.IO;
using NativeGan.Models.Sr.Training;
using NativeGan.NN;

namespace NativeGan.Models.Sr;

/// <summary>A super-resolution network loaded from a weights file, ready for inference.</summary>
public sealed class LoadedSrModel : IDisposable
{
    internal LoadedSrModel(Module model, SrArchitecture architecture, string path, WeightsFormat format, string? wrapperKey, string? description = null)
    {
        Description = description;
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

    /// <summary>Where the weights came from when that is more than <see cref="Path"/> (an interpolation of two files), or null.</summary>
    public string? Description { get; }

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
        if (Description != null) return $"{a.Kind} x{a.Scale} ({args}, {a.InChannels} -> {a.OutChannels} channels) from {Description}";
        return $"{a.Kind} x{a.Scale} ({args}, {a.InChannels} -> {a.OutChannels} channels) from {System.IO.Path.GetFileName(Path)} " +
               $"({(Format == WeightsFormat.Pth ? ".pth" : "safetensors")}{(WrapperKey != null ? $", '{WrapperKey}'" : "")})";
    }

    public void Dispose() => Model.Dispose();
}

/// <summary>
/// Loads BasicSR / ESRGAN / Real-ESRGAN / BSRGAN weights (.pth or .safetensors), a NativeGan SR run folder or training
/// checkpoint (<see cref="SrRunWeights"/>: the better-validated weights), or two files interpolated (<see cref="LoadInterpolated"/>), and builds the
/// network they fit.
/// </summary>
public static class SrModelFile
{
    /// <summary>The safetensors metadata key that records an SRVGGNetCompact's activation.</summary>
    public const string ActTypeMetadataKey = "act_type";

    public static LoadedSrModel Load(string path, Device? device = null) => Load(path, device, null);

    /// <summary>Loads the state dict under <paramref name="paramKey"/> (<c>params_ema</c>, <c>params</c>; see
    /// <see cref="WeightsFile.Load(string, string)"/>: a .pth's key, a training checkpoint's prefix, or released weights
    /// whose <c>weights</c> metadata names it); null: the file's own choice, and for a run folder or training checkpoint
    /// the better-validated weights (<see cref="SrRunWeights.Select"/>).</summary>
    public static LoadedSrModel Load(string path, Device? device, string? paramKey)
    {
        var (state, format, wrapperKey, actType, source) = ReadState(path, paramKey);
        return Build(state, source, format, wrapperKey, actType, device);
    }

    /// <summary>
    /// Deep network interpolation (Real-ESRGAN's <c>dni</c>, how its -dn denoise strength works): every weight is
    /// <paramref name="weightA"/> * a + (1 - <paramref name="weightA"/>) * b. Both files must hold the same keys with the
    /// same shapes; the error names both files and the first key that differs.
    /// </summary>
    public static LoadedSrModel LoadInterpolated(string pathA, string pathB, float weightA, Device? device = null)
    {
        if (!(weightA >= 0f && weightA <= 1f))
            throw new ArgumentOutOfRangeException(nameof(weightA), $"SrModelFile.LoadInterpolated: the weight of {pathA} must be in [0, 1], got {weightA}.");
        var a = ReadState(pathA);
        var b = ReadState(pathB);
        var sa = SrKeyMap.ToBasicSr(a.State);
        var sb = SrKeyMap.ToBasicSr(b.State);
        var onlyA = sa.Keys.Except(sb.Keys).Take(3).ToList();
        var onlyB = sb.Keys.Except(sa.Keys).Take(3).ToList();
        if (onlyA.Count > 0 || onlyB.Count > 0)
            throw new ArgumentException($"{pathA} and {pathB} cannot be interpolated: they are different networks " +
                $"(keys only in the first: [{string.Join(", ", onlyA)}], only in the second: [{string.Join(", ", onlyB)}]).");
        var mixed = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
        foreach (var (k, ea) in sa)
        {
            var eb = sb[k];
            if (!ea.Shape.SequenceEqual(eb.Shape))
                throw new ArgumentException($"{pathA} and {pathB} cannot be interpolated: '{k}' is {SrShapes.Format(ea.Shape)} in the first and {SrShapes.Format(eb.Shape)} in the second.");
            var data = new float[ea.Data.Length];
            float wb = 1f - weightA;
            for (int i = 0; i < data.Length; i++) data[i] = weightA * ea.Data[i] + wb * eb.Data[i];
            mixed[k] = new SafetensorsEntry { Name = k, DType = "F32", Shape = ea.Shape, Data = data };
        }
        string source = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{weightA:0.###} x {System.IO.Path.GetFileName(pathA)} + {1f - weightA:0.###} x {System.IO.Path.GetFileName(pathB)}");
        return Build(mixed, pathA, a.Format, a.WrapperKey, a.ActType ?? b.ActType, device, source);
    }

    private static LoadedSrModel Build(IReadOnlyDictionary<string, SafetensorsEntry> state, string path, WeightsFormat format, string? wrapperKey,
        string? actType, Device? device, string? description = null)
    {
        var (model, arch) = SrArchitecture.CreateFromStateDict(state, device, path, actType);
        model.Eval();
        model.RequiresGrad(false);
        return new LoadedSrModel(model, arch, path, format, wrapperKey, description);
    }

    /// <summary>The state dict of a weights file, run folder or training checkpoint, and what the file says of it.</summary>
    private static (IReadOnlyDictionary<string, SafetensorsEntry> State, WeightsFormat Format, string? WrapperKey, string? ActType, string Source)
        ReadState(string path, string? paramKey = null)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"{path}: weights file not found (expected a .pth or .safetensors of an RRDBNet, MSRResNet, SRResNet or " +
                "SRVGGNetCompact, or a NativeGan SR run folder or training checkpoint).", path);
        if (paramKey == null && IsRun(path))
        {
            var selection = SrRunWeights.Select(path, SrWeightsChoice.Auto);
            return ReadState(selection.Path, selection.ParamKey);
        }
        var format = WeightsFile.Detect(path);
        if (paramKey != null)
        {
            string? act = format == WeightsFormat.Safetensors ? ActTypeOf(Safetensors.ReadHeader(path).Metadata) : null;
            return (WeightsFile.Load(path, paramKey), format, paramKey, act, path);
        }
        if (format == WeightsFormat.Pth)
            return (PthReader.ReadStateDict(path, out string? wrapperKey), format, wrapperKey, null, path);
        var file = Safetensors.Read(path);
        return (file.Tensors, format, null, ActTypeOf(file.Metadata), path);
    }

    /// <summary>A training run folder, or an SR training checkpoint (whose generator is under params_ema. / params.).</summary>
    private static bool IsRun(string path) =>
        Directory.Exists(path) || (WeightsFile.Detect(path) == WeightsFormat.Safetensors
            && Safetensors.ReadHeader(path).Metadata.GetValueOrDefault("format") == SrTrainer.CheckpointFormat);

    /// <summary>
    /// The SRVGGNetCompact activation a safetensors file records in its metadata (<c>act_type</c>, written by the
    /// trainer), or null: ReLU and LeakyReLU have no weights, so only the metadata can tell them apart.
    /// </summary>
    public static string? ActTypeOf(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue(ActTypeMetadataKey, out var act) ? act : null;
}
