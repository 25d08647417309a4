using NativeGan.IO;
using NativeGan.Models.Sr.Data;
using NativeGan.Models.Training;
using NativeGan.NN;

namespace NativeGan.Models.Sr.Training;

/// <summary>
/// Starting weights (BasicSR's path.pretrain_network_g / pretrain_network_d) and Real-ESRGAN's paired training data
/// (RealESRGANPairedDataset, high_order_degradation: false).
/// </summary>
public sealed partial class SrTrainer
{
    /// <summary>What the pretrained weights loaded were, for <see cref="StartReport"/> ("pretrained G: FILE, key params_ema, ...").</summary>
    private readonly List<string> loadedWeights = new();

    private static string LoadPretrained(Module g, SrConfig c) =>
        LoadInto(g, c, c.PretrainNetworkG!, c.ParamKeyG, c.StrictLoadG, "g",
            $"network_g ({c.NetworkG.Type}, num_feat {c.NetworkG.NumFeat}, num_block {c.NetworkG.NumBlock}, scale {c.Scale})");

    private static string LoadPretrainedD(Module d, SrConfig c) =>
        LoadInto(d, c, c.PretrainNetworkD!, c.ParamKeyD, c.StrictLoadD, "d", $"network_d ({c.NetworkD.Type}, num_feat {c.NetworkD.NumFeat})");

    /// <summary>
    /// Loads a pretrained state dict into <paramref name="net"/>. Without strict loading, keys whose shapes differ are
    /// skipped as BasicSR's load_network does (Real-ESRGAN's x2 stage one starts from the x4 model, whose conv_first
    /// reads 3 channels where x2's reads 12), as well as missing and unexpected keys. Returns what was loaded: the
    /// file, the state dict's key, and how many tensors were loaded and skipped.
    /// </summary>
    private static string LoadInto(Module net, SrConfig c, string path, string? paramKey, bool strict, string which, string describe)
    {
        IReadOnlyDictionary<string, SafetensorsEntry> state;
        string key;
        try
        {
            if (paramKey != null)
            {
                state = WeightsFile.Load(path, paramKey);
                key = paramKey;
            }
            else
            {
                state = WeightsFile.Load(path, out var format, out var wrapperKey);
                key = format == WeightsFormat.Pth
                    ? wrapperKey ?? "the top-level state dict"
                    : Safetensors.ReadHeader(path).Metadata.TryGetValue("weights", out var w) ? w : "the file's tensors";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidDataException)
        {
            throw new ConfigException($"{c.Source}: key 'pretrain_network_{which}'{(paramKey != null ? $" (param_key_{which} {paramKey})" : "")}: cannot read {path}: {e.Message}", e);
        }
        var mapped = which == "g" ? SrKeyMap.ToBasicSr(state) : state.ToDictionary(kv => kv.Key, kv => kv.Value);
        var arrays = mapped.ToDictionary(kv => kv.Key, kv => kv.Value.Data);
        int given = arrays.Count;
        if (!strict)
        {
            var own = net.StateDict();
            foreach (var (k, e) in mapped)
                if (own.TryGetValue(k, out var t) && !t.Shape.SequenceEqual(e.Shape)) arrays.Remove(k);
        }
        try
        {
            net.LoadStateDict(arrays, strict: strict);
        }
        catch (ArgumentException e)
        {
            throw new ConfigException($"{c.Source}: key 'pretrain_network_{which}': {path} does not fit {describe}" +
                $"{(strict ? $"; set strict_load_{which}: false to load the matching keys only" : "")}: {e.Message}", e);
        }
        var target = net.StateDict();
        int loaded = arrays.Keys.Count(target.ContainsKey);
        int skipped = given - loaded;
        return $"pretrained {which.ToUpperInvariant()}: {Path.GetFullPath(path)}, key {key} ({loaded} of {target.Count} tensors loaded" +
            $"{(skipped > 0 ? $"; {skipped} of the file's skipped (shape or name differs, strict_load_{which}: false)" : "")})";
    }

    /// <summary>RealESRGANPairedDataset: the pairs a meta_info lists (GT_PATH, LQ_PATH), or the two folders paired by name.</summary>
    private static ISrPairSource OpenRealEsrganPairs(SrConfig c)
    {
        var t = c.Train;
        if (t.DatarootLq == null)
            throw new ConfigException($"{c.Source}: key 'datasets.train.dataroot_lq' is missing: {c.Model} with high_order_degradation: false trains on given LR / GT pairs.");
        try
        {
            return t.MetaInfo != null
                ? new MetaInfoPairSource(t.DatarootLq, t.DatarootGt!, t.MetaInfo, c.Scale)
                : new PairedFolderSource(t.DatarootLq, t.DatarootGt!, c.Scale);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException)
        {
            throw new ConfigException($"{c.Source}: key 'datasets.train.{(t.MetaInfo != null ? "meta_info" : "dataroot_lq")}': {e.Message}", e);
        }
    }
}
