using System.Globalization;
using System.Text.RegularExpressions;

namespace NativeGan.Models.Sr;

/// <summary>
/// Reads an <see cref="SRVGGNetCompact"/>'s configuration from its state dict (only <c>body.N.weight</c> /
/// <c>body.N.bias</c> keys): the convolutions sit at the even indices 0, 2, ..., L, so num_conv = L / 2 - 1; num_feat
/// and the input channels come from body.0's weight [num_feat, in, 3, 3]; the output channels equal the input's (the
/// network adds the upsampled input) and the last convolution's out * r^2 output channels give the scale r. PReLU
/// weights (1-D, one per channel) at every odd index mean act_type prelu; no odd index at all means ReLU or
/// LeakyReLU(0.1), which have no weights, so the caller has to name which.
/// </summary>
internal static partial class SrvggDetection
{
    [GeneratedRegex(@"^body\.(\d+)\.(weight|bias)$")]
    private static partial Regex BodyKey();

    public static SrArchitecture Detect(Dictionary<string, int[]> s, string? actType)
    {
        var stray = s.Keys.Where(k => !BodyKey().IsMatch(k)).Take(3).ToList();
        if (stray.Count > 0)
            throw SrArchitecture.Unknown(s, $"body.0.weight looks like SRVGGNetCompact, whose keys are all body.N.weight / body.N.bias, but it also has {string.Join(", ", stray)}");
        int last = s.Keys.Select(k => int.Parse(BodyKey().Match(k).Groups[1].Value, CultureInfo.InvariantCulture)).Max();
        if (last % 2 != 0 || last < 2)
            throw SrArchitecture.Unknown(s, $"SRVGGNetCompact's last convolution sits at an even body index of 2 or more, but the highest index is {last}");
        int numConv = last / 2 - 1;
        var first = Conv(s, 0);
        int numFeat = first[0], inCh = first[1];
        for (int i = 2; i < last; i += 2)
        {
            var w = Conv(s, i);
            if (w[0] != numFeat || w[1] != numFeat)
                throw SrArchitecture.Unknown(s, $"SRVGGNetCompact's body.{i}.weight should be [{numFeat}, {numFeat}, 3, 3] (num_feat from body.0), got {SrShapes.Format(w)}");
        }
        var lastConv = Conv(s, last);
        if (lastConv[1] != numFeat)
            throw SrArchitecture.Unknown(s, $"SRVGGNetCompact's last convolution body.{last}.weight should read {numFeat} channels, got {SrShapes.Format(lastConv)}");
        int r = (int)Math.Round(Math.Sqrt(lastConv[0] / (double)inCh));
        if (r < 1 || r * r * inCh != lastConv[0])
            throw SrArchitecture.Unknown(s, $"SRVGGNetCompact's last convolution makes {lastConv[0]} channels, which is not {inCh} (the input channels) times a square scale^2");

        int prelus = 0;
        for (int i = 1; i < last; i += 2)
        {
            if (!s.TryGetValue($"body.{i}.weight", out var a)) continue;
            if (a.Length != 1 || a[0] != numFeat)
                throw SrArchitecture.Unknown(s, $"SRVGGNetCompact's activation body.{i}.weight should be a PReLU weight [{numFeat}] (one per channel), got {SrShapes.Format(a)}");
            prelus++;
        }
        string act;
        if (prelus == numConv + 1)
        {
            if (actType != null && !actType.Equals("prelu", StringComparison.OrdinalIgnoreCase))
                throw SrArchitecture.Unknown(s, $"act_type '{actType}' was asked for, but the weights hold PReLU weights at every activation");
            act = "prelu";
        }
        else if (prelus == 0)
        {
            act = actType?.ToLowerInvariant() switch
            {
                "relu" => "relu",
                "leakyrelu" => "leakyrelu",
                null => throw SrArchitecture.Unknown(s,
                    "an SRVGGNetCompact without PReLU weights uses ReLU or LeakyReLU(0.1), which have no weights, so the file cannot say which; " +
                    "files trained here record it as metadata 'act_type'"),
                _ => throw SrArchitecture.Unknown(s, $"act_type must be relu or leakyrelu for an SRVGGNetCompact without PReLU weights, got '{actType}'"),
            };
        }
        else
            throw SrArchitecture.Unknown(s, $"SRVGGNetCompact has {numConv + 1} activations, but only {prelus} of them have PReLU weights");
        return new SrArchitecture(SrArchitecture.SRVGGNetCompactKind, r, inCh, inCh, numFeat, numConv, 0, act);
    }

    private static int[] Conv(Dictionary<string, int[]> s, int index)
    {
        string key = $"body.{index}.weight";
        if (!s.TryGetValue(key, out var shape))
            throw SrArchitecture.Unknown(s, $"SRVGGNetCompact's convolution '{key}' is missing");
        if (shape.Length != 4 || shape[2] != 3 || shape[3] != 3)
            throw SrArchitecture.Unknown(s, $"'{key}' should be a 3x3 conv weight [out, in, 3, 3] but has shape {SrShapes.Format(shape)}");
        if (!s.TryGetValue($"body.{index}.bias", out var bias) || bias.Length != 1 || bias[0] != shape[0])
            throw SrArchitecture.Unknown(s, $"'body.{index}.bias' should be [{shape[0]}]");
        return shape;
    }
}
