using System.Globalization;
using System.Text.RegularExpressions;

namespace NativeGan.Profiling.Kernels;

/// <summary>
/// Reads the text of <c>cuobjdump -sass</c> (functions headed "Function : NAME", branch targets as addresses) or
/// <c>nvdisasm</c> (functions as <c>.text.NAME</c> sections, branch targets as labels) into functions and instructions.
/// Lines other than instructions (encodings, headers, directives) are skipped; a listing with no header is one unnamed function.
/// </summary>
public static partial class SassListing
{
    [GeneratedRegex(@"^\s*Function\s*:\s*(\S+)")]
    private static partial Regex CuobjdumpFunction();

    [GeneratedRegex(@"^\s*\.section\s+\.text\.([^,\s]+)")]
    private static partial Regex NvdisasmSection();

    [GeneratedRegex(@"^\s*([.$A-Za-z_][\w.$]*):\s*$")]
    private static partial Regex Label();

    [GeneratedRegex(@"^\s*/\*([0-9a-fA-F]+)\*/\s*(.*)$")]
    private static partial Regex InstructionLine();

    [GeneratedRegex(@"\s*/\*.*?\*/\s*$")]
    private static partial Regex TrailingComment();

    [GeneratedRegex(@"^(@!?U?P(?:T|\d+))\s+")]
    private static partial Regex GuardPredicate();

    [GeneratedRegex(@"`\(([^)]+)\)")]
    private static partial Regex LabelOperand();

    [GeneratedRegex(@"0x([0-9a-fA-F]+)")]
    private static partial Regex HexOperand();

    /// <summary>Every function in the listing, in the order printed.</summary>
    public static IReadOnlyList<SassFunction> Parse(string sassText)
    {
        ArgumentNullException.ThrowIfNull(sassText);
        var functions = new List<SassFunction>();
        string? name = null;
        var raw = new List<(int Offset, string? Pred, string Opcode, string Operands)>();
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        var pendingLabels = new List<string>();

        void Flush()
        {
            if (name is not null || raw.Count > 0) functions.Add(Build(name ?? "", raw, labels));
            raw = new(); labels = new(StringComparer.Ordinal); pendingLabels.Clear();
        }

        foreach (var line0 in sassText.Split('\n'))
        {
            string line = line0.TrimEnd('\r');
            Match m;
            if ((m = CuobjdumpFunction().Match(line)).Success || (m = NvdisasmSection().Match(line)).Success)
            {
                Flush();
                name = m.Groups[1].Value;
                continue;
            }
            if ((m = Label().Match(line)).Success) { pendingLabels.Add(m.Groups[1].Value); continue; }
            if (!(m = InstructionLine().Match(line)).Success) continue;

            string text = TrailingComment().Replace(m.Groups[2].Value, "").Trim().TrimEnd(';').Trim();
            if (text.Length == 0 || text.StartsWith("0x", StringComparison.Ordinal)) continue;   // an encoding-only line
            text = text.Trim('{', '}').Trim();                                                     // dual-issue braces (older SMs)
            int offset = int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            foreach (var l in pendingLabels) labels[l] = offset;
            pendingLabels.Clear();

            string? pred = null;
            var g = GuardPredicate().Match(text);
            if (g.Success) { pred = g.Groups[1].Value; text = text[g.Length..]; }
            int space = text.IndexOfAny([' ', '\t']);
            string opcode = space < 0 ? text : text[..space];
            string operands = space < 0 ? "" : text[(space + 1)..].Trim();
            raw.Add((offset, pred, opcode, operands));
        }
        Flush();
        return functions;
    }

    /// <summary>The function called <paramref name="name"/>, or the first one when <paramref name="name"/> is null.</summary>
    public static SassFunction? Function(string sassText, string? name = null)
    {
        var all = Parse(sassText);
        return name is null ? all.FirstOrDefault() : all.FirstOrDefault(f => f.Name == name);
    }

    private static SassFunction Build(string name, List<(int Offset, string? Pred, string Opcode, string Operands)> raw, Dictionary<string, int> labels)
    {
        var list = new List<SassInstruction>(raw.Count);
        foreach (var (offset, pred, opcode, operands) in raw)
        {
            int? target = null;
            if (opcode == "BRA" || opcode.StartsWith("BRA.", StringComparison.Ordinal))
            {
                var l = LabelOperand().Match(operands);
                if (l.Success) { if (labels.TryGetValue(l.Groups[1].Value, out int t)) target = t; }
                else
                {
                    var hex = HexOperand().Matches(operands);
                    if (hex.Count > 0) target = int.Parse(hex[^1].Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                }
            }
            list.Add(new SassInstruction(offset, pred, opcode, operands, target));
        }
        list.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        return new SassFunction(name, list);
    }
}
