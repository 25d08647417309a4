using System.Globalization;
using System.Text.RegularExpressions;

namespace NativeGan.Profiling.Kernels;

/// <summary>
/// The <c>ptxas -v</c> report, parsed: one <see cref="PtxasFunction"/> per function named in it (entries first seen through
/// "Compiling entry function"), the module's global memory, and every error and warning line (ptxas's "fatal" counts as an error).
/// A message that names a function in quotes (and says "function") is also attached to that function.
/// </summary>
public sealed partial record PtxasReport(
    IReadOnlyList<PtxasFunction> Functions,
    int? GlobalMemoryBytes,
    IReadOnlyList<string> Errors,
    IReadOnlyList<string> Warnings)
{
    public IEnumerable<PtxasFunction> Entries => Functions.Where(f => f.IsEntry);

    public bool HasErrors => Errors.Count > 0;

    public PtxasFunction? Find(string name) => Functions.FirstOrDefault(f => f.Name == name);

    [GeneratedRegex(@"Compiling entry function '([^']+)'(?: for '([^']+)')?")]
    private static partial Regex CompilingEntry();

    [GeneratedRegex(@"Function properties for (\S+)")]
    private static partial Regex FunctionProperties();

    [GeneratedRegex(@"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads")]
    private static partial Regex StackAndSpills();

    [GeneratedRegex(@"\bUsed (\d+) registers")]
    private static partial Regex UsedRegisters();

    [GeneratedRegex(@"(\d+) bytes smem")]
    private static partial Regex SharedBytes();

    [GeneratedRegex(@"(\d+) bytes cmem\[(\d+)\]")]
    private static partial Regex ConstantBytes();

    [GeneratedRegex(@"used (\d+) barriers")]
    private static partial Regex BarrierCount();

    [GeneratedRegex(@"^ptxas info\s*:\s*(\d+) bytes gmem")]
    private static partial Regex GlobalBytes();

    [GeneratedRegex(@"\b(error|fatal)\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex ErrorMark();

    [GeneratedRegex(@"\bwarning\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex WarningMark();

    [GeneratedRegex(@"'([^']+)'")]
    private static partial Regex Quoted();

    public static PtxasReport Parse(string ptxasOutput)
    {
        ArgumentNullException.ThrowIfNull(ptxasOutput);
        var builders = new List<Builder>();
        var byName = new Dictionary<string, Builder>(StringComparer.Ordinal);
        var errors = new List<string>();
        var warnings = new List<string>();
        int? gmem = null;
        Builder? currentEntry = null, currentProperties = null;

        Builder Get(string name)
        {
            if (!byName.TryGetValue(name, out var b)) { b = new Builder(name); byName[name] = b; builders.Add(b); }
            return b;
        }

        foreach (var raw in ptxasOutput.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            Match m;
            if ((m = CompilingEntry().Match(line)).Success)
            {
                currentEntry = Get(m.Groups[1].Value);
                currentEntry.IsEntry = true;
                if (m.Groups[2].Success) currentEntry.Arch = m.Groups[2].Value;
                currentProperties = null;
            }
            else if ((m = FunctionProperties().Match(line)).Success)
            {
                currentProperties = Get(m.Groups[1].Value);
            }
            else if ((m = StackAndSpills().Match(line)).Success && currentProperties is not null)
            {
                currentProperties.StackFrame = Int(m.Groups[1]);
                currentProperties.SpillStores = Int(m.Groups[2]);
                currentProperties.SpillLoads = Int(m.Groups[3]);
            }
            else if ((m = UsedRegisters().Match(line)).Success)
            {
                // "Used" describes the entry being compiled; a line before any entry (unusual) goes to the last named function.
                var target = currentEntry ?? currentProperties;
                if (target is null) continue;
                target.Registers = Int(m.Groups[1]);
                if ((m = SharedBytes().Match(line)).Success) target.Smem = Int(m.Groups[1]);
                if ((m = BarrierCount().Match(line)).Success) target.Barriers = Int(m.Groups[1]);
                foreach (Match c in ConstantBytes().Matches(line)) target.Cmem[Int(c.Groups[2])] = Int(c.Groups[1]);
            }
            else if ((m = GlobalBytes().Match(line)).Success)
            {
                gmem = (gmem ?? 0) + Int(m.Groups[1]);
            }
            else if (ErrorMark().IsMatch(line) || WarningMark().IsMatch(line))
            {
                string text = line.Trim();
                (ErrorMark().IsMatch(line) ? errors : warnings).Add(text);
                foreach (Match q in Quoted().Matches(line))
                    if (byName.TryGetValue(q.Groups[1].Value, out var named)) named.Messages.Add(text);
                    else if (line.Contains("function", StringComparison.OrdinalIgnoreCase))
                        Get(q.Groups[1].Value).Messages.Add(text);   // e.g. "Entry function 'K' uses too much shared data", printed before K's report
            }
        }
        return new PtxasReport(builders.Select(b => b.Build()).ToArray(), gmem, errors, warnings);
    }

    private static int Int(Group g) => int.Parse(g.Value, NumberStyles.None, CultureInfo.InvariantCulture);

    private sealed class Builder(string name)
    {
        public bool IsEntry;
        public string? Arch;
        public int Registers, SpillStores, SpillLoads, StackFrame, Smem;
        public int? Barriers;
        public readonly SortedDictionary<int, int> Cmem = new();
        public readonly List<string> Messages = new();

        public PtxasFunction Build() => new(name, IsEntry, Arch, Registers, SpillStores, SpillLoads, StackFrame, Smem, Barriers,
            new SortedDictionary<int, int>(Cmem), Messages.ToArray());
    }
}
