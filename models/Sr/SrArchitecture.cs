using System.Globalization;
using NativeGan.IO;
using NativeGan.NN;

namespace NativeGan.Models.Sr;

/// <summary>
/// A super-resolution network's configuration read from its weights: <see cref="Kind"/> is "RRDBNet" (ESRGAN /
/// Real-ESRGAN / BSRGAN), "MSRResNet" (BasicSR), "SRResNet" (SRGAN, Lornatang/SRGAN-PyTorch layout) or
/// "SRVGGNetCompact" (Real-ESRGAN's compact models). <see cref="NumGrowCh"/> is 0 for the kinds without dense blocks;
/// for SRVGGNetCompact <see cref="NumBlock"/> is num_conv and <see cref="ActType"/> its activation (null for the others).
/// </summary>
public sealed record SrArchitecture(string Kind, int Scale, int InChannels, int OutChannels, int NumFeat, int NumBlock, int NumGrowCh,
    string? ActType = null)
{
    public const string RRDBNetKind = "RRDBNet";
    public const string MSRResNetKind = "MSRResNet";
    public const string SRResNetKind = "SRResNet";
    public const string SRVGGNetCompactKind = "SRVGGNetCompact";

    /// <summary>The layouts <see cref="Detect(IReadOnlyDictionary{string, int[]})"/> knows, for error messages.</summary>
    public const string KnownLayouts =
        "RRDBNet (BasicSR/Real-ESRGAN keys conv_first, body.N.rdb1.conv1, conv_body, conv_up1, conv_up2, conv_hr, conv_last; " +
        "old ESRGAN model.0/model.1.sub.N.RDB1.conv1.0/... and BSRGAN RRDB_trunk/trunk_conv/upconv1/HRconv are renamed to these), " +
        "MSRResNet (conv_first, body.N.conv1, upconv1[, upconv2], conv_hr, conv_last), " +
        "SRResNet (SRGAN: conv1.0, trunk.N.rcb.0, conv2.0, upsampling.N.upsample_block.0, conv3) and " +
        "SRVGGNetCompact (Real-ESRGAN's realesr-general-x4v3 / realesr-animevideov3: body.0 conv, body.1 PReLU, ..., body.2K+2 the last conv, only body.N.weight/bias)";

    /// <summary>A new, randomly initialised network of this configuration.</summary>
    public Module Create(Device? device = null, Generator? generator = null) => Kind switch
    {
        RRDBNetKind => new RRDBNet(InChannels, OutChannels, Scale, NumFeat, NumBlock, NumGrowCh, device, generator),
        MSRResNetKind => new MSRResNet(InChannels, OutChannels, NumFeat, NumBlock, Scale, device, generator),
        SRResNetKind => new SRResNet(InChannels, OutChannels, NumFeat, NumBlock, Scale, device: device, generator: generator),
        SRVGGNetCompactKind => new SRVGGNetCompact(InChannels, OutChannels, NumFeat, NumBlock, Scale, ActType ?? "prelu", device, generator),
        _ => throw new InvalidOperationException($"SrArchitecture: unknown kind '{Kind}'; expected {RRDBNetKind}, {MSRResNetKind}, {SRResNetKind} or {SRVGGNetCompactKind}."),
    };

    /// <summary>Detects the architecture from a state dict's tensors (see <see cref="Detect(IReadOnlyDictionary{string, int[]}, string?)"/>).</summary>
    public static SrArchitecture Detect(IReadOnlyDictionary<string, SafetensorsEntry> state, string? actType = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Detect(state.ToDictionary(kv => kv.Key, kv => kv.Value.Shape), actType);
    }

    /// <summary>
    /// Infers the architecture from parameter shapes by key (any layout <see cref="SrKeyMap"/> knows).
    /// RRDBNet: num_feat and the input channels from conv_first [num_feat, c, 3, 3], where c = 3 or 1 means x4,
    /// 12 or 4 means x2 (pixel-unshuffle by 2) and 48 or 16 means x1 (by 4), any other c is taken as x4 with c
    /// input channels; num_block from the highest body index; num_grow_ch from body.0.rdb1.conv1's output channels;
    /// the output channels from conv_last. MSRResNet: x4 when upconv2 exists, else upconv1's output channels / num_feat
    /// (4 -> x2, 9 -> x3). SRResNet: 2^(number of upsampling blocks). SRVGGNetCompact: see
    /// <see cref="SrvggDetection"/>; <paramref name="actType"/> names its activation when the weights cannot (ReLU and
    /// LeakyReLU have no parameters; our own files say it in their metadata). Throws an ArgumentException listing the
    /// first keys and shapes and the known layouts when none fits.
    /// </summary>
    public static SrArchitecture Detect(IReadOnlyDictionary<string, int[]> shapes, string? actType = null)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        var s = SrKeyMap.ToBasicSr(shapes);
        if (s.TryGetValue("body.0.weight", out var body0) && body0.Length == 4) return SrvggDetection.Detect(s, actType);
        if (s.ContainsKey("conv_first.weight") && s.ContainsKey("body.0.rdb1.conv1.weight")) return DetectRrdbNet(s);
        if (s.ContainsKey("conv_first.weight") && s.ContainsKey("body.0.conv1.weight") && s.ContainsKey("upconv1.weight")) return DetectMsrResNet(s);
        if (s.ContainsKey("conv1.0.weight") && s.ContainsKey("conv3.weight") && s.ContainsKey("upsampling.0.upsample_block.0.weight")) return DetectSrResNet(s);
        throw Unknown(shapes, "no known set of keys found");
    }

    /// <summary>
    /// Maps the keys (<see cref="SrKeyMap.ToBasicSr{T}"/>), detects the architecture, creates the network on
    /// <paramref name="device"/> and loads the weights strictly. <paramref name="source"/> (a file name) goes into error messages.
    /// </summary>
    public static (Module Model, SrArchitecture Architecture) CreateFromStateDict(IReadOnlyDictionary<string, SafetensorsEntry> state,
        Device? device = null, string? source = null, string? actType = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        SrArchitecture arch;
        Dictionary<string, SafetensorsEntry> mapped;
        try
        {
            mapped = SrKeyMap.ToBasicSr(state);
            arch = Detect(mapped, actType);
        }
        catch (ArgumentException e) when (source != null)
        {
            throw new ArgumentException($"{source}: {e.Message}", e);
        }
        var model = arch.Create(device);
        try
        {
            model.LoadStateDict(new SafetensorsFile { Tensors = mapped, Metadata = new Dictionary<string, string>() });
        }
        catch (ArgumentException e)
        {
            model.Dispose();
            throw new ArgumentException($"{source ?? "state dict"}: detected {arch}, but the weights do not load: {e.Message}", e);
        }
        return (model, arch);
    }

    private static SrArchitecture DetectRrdbNet(Dictionary<string, int[]> s)
    {
        var first = Conv(s, "conv_first.weight");
        int numFeat = first[0], cin = first[1];
        (int scale, int inCh) = cin switch
        {
            1 or 3 => (4, cin),
            4 or 12 => (2, cin / 4),
            16 or 48 => (1, cin / 16),
            _ => (4, cin),
        };
        int numBlock = MaxIndex(s, "body.") + 1;
        int grow = Conv(s, "body.0.rdb1.conv1.weight")[0];
        foreach (var k in new[] { "conv_body.weight", "conv_up1.weight", "conv_hr.weight" })
            Conv(s, k);
        if (!s.ContainsKey("conv_up2.weight"))
            throw Unknown(s, "an RRDBNet without conv_up2 (a single x2 upsampling stage, as BSRGAN x2) is not BasicSR's RRDBNet, which always upsamples twice");
        int outCh = Conv(s, "conv_last.weight")[0];
        return new SrArchitecture(RRDBNetKind, scale, inCh, outCh, numFeat, numBlock, grow);
    }

    private static SrArchitecture DetectMsrResNet(Dictionary<string, int[]> s)
    {
        var first = Conv(s, "conv_first.weight");
        int numFeat = first[0];
        int up1 = Conv(s, "upconv1.weight")[0];
        int scale;
        if (s.ContainsKey("upconv2.weight")) scale = 4;
        else if (up1 == numFeat * 4) scale = 2;
        else if (up1 == numFeat * 9) scale = 3;
        else throw Unknown(s, $"MSRResNet's upconv1 has {up1} output channels, expected 4 or 9 times num_feat = {numFeat}");
        int outCh = Conv(s, "conv_last.weight")[0];
        return new SrArchitecture(MSRResNetKind, scale, first[1], outCh, numFeat, MaxIndex(s, "body.") + 1, 0);
    }

    private static SrArchitecture DetectSrResNet(Dictionary<string, int[]> s)
    {
        var first = Conv(s, "conv1.0.weight");
        int rounds = MaxIndex(s, "upsampling.") + 1;
        int outCh = Conv(s, "conv3.weight")[0];
        int numBlock = s.Keys.Any(k => k.StartsWith("trunk.", StringComparison.Ordinal)) ? MaxIndex(s, "trunk.") + 1 : 0;
        return new SrArchitecture(SRResNetKind, 1 << rounds, first[1], outCh, first[0], numBlock, 0);
    }

    private static int[] Conv(Dictionary<string, int[]> s, string key)
    {
        if (!s.TryGetValue(key, out var shape))
            throw Unknown(s, $"'{key}' is missing");
        if (shape.Length != 4)
            throw Unknown(s, $"'{key}' should be a conv weight [out, in, kH, kW] but has shape {SrShapes.Format(shape)}");
        return shape;
    }

    /// <summary>The highest N among keys "prefixN.*".</summary>
    private static int MaxIndex(Dictionary<string, int[]> s, string prefix)
    {
        int max = -1;
        foreach (var key in s.Keys)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            int end = key.IndexOf('.', prefix.Length);
            if (end > prefix.Length && int.TryParse(key.AsSpan(prefix.Length, end - prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int i))
                max = Math.Max(max, i);
        }
        return max;
    }

    internal static ArgumentException Unknown<T>(IReadOnlyDictionary<string, T> shapes, string why)
    {
        var first = shapes.Take(12).Select(kv => $"{kv.Key} {(kv.Value is int[] a ? SrShapes.Format(a) : kv.Value is SafetensorsEntry e ? SrShapes.Format(e.Shape) : "")}".TrimEnd());
        return new ArgumentException(
            $"SrArchitecture.Detect: unrecognised super-resolution weights ({why}). The state dict has {shapes.Count} tensors; the first are: " +
            $"{string.Join(", ", first)}{(shapes.Count > 12 ? ", ..." : "")}. Known layouts: {KnownLayouts}.");
    }
}
