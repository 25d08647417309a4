using System.Globalization;
using System.Text.RegularExpressions;

namespace NativeGan.Models.Sr;

/// <summary>The state-dict layouts of ESRGAN-family checkpoints that <see cref="SrKeyMap"/> recognises.</summary>
public enum SrKeyLayout
{
    /// <summary>BasicSR / Real-ESRGAN keys (conv_first, body.N.rdb1.conv1, conv_body, conv_up1, ...), or any other keys: left as they are.</summary>
    BasicSr,

    /// <summary>The original ESRGAN release (xinntao/ESRGAN, old architecture): model.0, model.1.sub.N.RDBk.convM.0, model.3, ...</summary>
    OldEsrgan,

    /// <summary>BSRGAN and the later xinntao/ESRGAN code: conv_first, RRDB_trunk.N.RDBk.convM, trunk_conv, upconv1, upconv2, HRconv, conv_last.</summary>
    Bsrgan,
}

/// <summary>
/// Renames the keys of ESRGAN checkpoints in older layouts to BasicSR's RRDBNet keys, so one <see cref="RRDBNet"/>
/// loads them all. Old ESRGAN (x4): model.0 -> conv_first; model.1.sub.N.RDBk.convM.0 -> body.N.rdbk.convM;
/// model.1.sub.B (B = the number of blocks, the last sub index) -> conv_body; model.3 -> conv_up1; model.6 ->
/// conv_up2; model.8 -> conv_hr; model.10 -> conv_last. BSRGAN: RRDB_trunk.N.RDBk.convM -> body.N.rdbk.convM;
/// trunk_conv -> conv_body; upconv1/upconv2 -> conv_up1/conv_up2; HRconv -> conv_hr (conv_first and conv_last keep
/// their names). BasicSR keys pass unchanged. A leading "module." (DataParallel) is dropped in every layout.
/// </summary>
public static partial class SrKeyMap
{
    [GeneratedRegex(@"^model\.1\.sub\.(\d+)\.RDB([123])\.conv([1-5])\.0\.(weight|bias)$")]
    private static partial Regex OldRdb();

    [GeneratedRegex(@"^model\.1\.sub\.(\d+)\.(weight|bias)$")]
    private static partial Regex OldTrunkConv();

    [GeneratedRegex(@"^model\.(\d+)\.(weight|bias)$")]
    private static partial Regex OldTop();

    [GeneratedRegex(@"^RRDB_trunk\.(\d+)\.RDB([123])\.conv([1-5])\.(weight|bias)$")]
    private static partial Regex BsrganRdb();

    /// <summary>Which layout the keys are in (after dropping a "module." prefix).</summary>
    public static SrKeyLayout DetectLayout(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.Select(StripModule).ToList();
        if (list.Any(k => k.StartsWith("model.0.", StringComparison.Ordinal) || k.StartsWith("model.1.sub.", StringComparison.Ordinal)))
            return SrKeyLayout.OldEsrgan;
        if (list.Any(k => k.StartsWith("RRDB_trunk.", StringComparison.Ordinal) || k.StartsWith("trunk_conv.", StringComparison.Ordinal)))
            return SrKeyLayout.Bsrgan;
        return SrKeyLayout.BasicSr;
    }

    /// <summary>
    /// The state dict with BasicSR's RRDBNet keys (values are not copied). Throws an ArgumentException naming the key
    /// when an old-layout key has no BasicSR counterpart (e.g. an old ESRGAN x8 or x2 model, which has a different
    /// number of upsampling convolutions than BasicSR's RRDBNet).
    /// </summary>
    public static Dictionary<string, T> ToBasicSr<T>(IReadOnlyDictionary<string, T> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var layout = DetectLayout(state.Keys);
        var stripped = state.Select(kv => (Key: StripModule(kv.Key), kv.Value)).ToList();
        return layout switch
        {
            SrKeyLayout.OldEsrgan => MapOld(stripped),
            SrKeyLayout.Bsrgan => Build(stripped, MapBsrganKey),
            _ => Build(stripped, k => k),
        };
    }

    private static string StripModule(string key) => key.StartsWith("module.", StringComparison.Ordinal) ? key["module.".Length..] : key;

    private static Dictionary<string, T> Build<T>(List<(string Key, T Value)> entries, Func<string, string> map)
    {
        var result = new Dictionary<string, T>();
        foreach (var (key, value) in entries)
        {
            string mapped = map(key);
            if (!result.TryAdd(mapped, value))
                throw new ArgumentException($"SrKeyMap: two keys map to '{mapped}' (one of them '{key}').");
        }
        return result;
    }

    private static string MapBsrganKey(string key)
    {
        var m = BsrganRdb().Match(key);
        if (m.Success) return $"body.{m.Groups[1].Value}.rdb{m.Groups[2].Value}.conv{m.Groups[3].Value}.{m.Groups[4].Value}";
        int dot = key.IndexOf('.');
        if (dot < 0) return key;
        string head = key[..dot], tail = key[dot..];
        return head switch
        {
            "trunk_conv" => "conv_body" + tail,
            "upconv1" => "conv_up1" + tail,
            "upconv2" => "conv_up2" + tail,
            "HRconv" => "conv_hr" + tail,
            _ => key,
        };
    }

    private static Dictionary<string, T> MapOld<T>(List<(string Key, T Value)> entries)
    {
        // The trunk's closing conv is model.1.sub.B where B, the number of RRDBs, is one past the last RDB index.
        int blocks = 0;
        foreach (var (key, _) in entries)
        {
            var m = OldRdb().Match(key);
            if (m.Success) blocks = Math.Max(blocks, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 1);
        }
        // The convolutions after the trunk, in order: the upsampling convs, then HR conv and the last conv.
        var tail = entries.Select(e => OldTop().Match(e.Key)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Where(i => i >= 2).Distinct().Order().ToList();
        var tailNames = new Dictionary<int, string>();
        if (tail.Count > 0)
        {
            if (!tail.SequenceEqual(new[] { 3, 6, 8, 10 }))
                throw new ArgumentException($"SrKeyMap: an old-layout ESRGAN checkpoint with convolutions model.{string.Join(", model.", tail)} after the trunk; " +
                    "only the x4 layout (model.3, model.6 upsampling, model.8 HR conv, model.10 last conv) matches BasicSR's RRDBNet.");
            tailNames[3] = "conv_up1";
            tailNames[6] = "conv_up2";
            tailNames[8] = "conv_hr";
            tailNames[10] = "conv_last";
        }
        return Build(entries, key =>
        {
            var m = OldRdb().Match(key);
            if (m.Success) return $"body.{m.Groups[1].Value}.rdb{m.Groups[2].Value}.conv{m.Groups[3].Value}.{m.Groups[4].Value}";
            m = OldTrunkConv().Match(key);
            if (m.Success)
            {
                int index = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                if (index != blocks)
                    throw new ArgumentException($"SrKeyMap: old-layout ESRGAN key '{key}' is not the trunk conv: it should be model.1.sub.{blocks} (after {blocks} RRDBs).");
                return "conv_body." + m.Groups[2].Value;
            }
            m = OldTop().Match(key);
            if (m.Success)
            {
                int index = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                if (index == 0) return "conv_first." + m.Groups[2].Value;
                if (tailNames.TryGetValue(index, out var name)) return name + "." + m.Groups[2].Value;
            }
            throw new ArgumentException($"SrKeyMap: old-layout ESRGAN key '{key}' has no counterpart in BasicSR's RRDBNet.");
        });
    }
}
