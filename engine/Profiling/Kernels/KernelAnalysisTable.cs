using System.Globalization;

namespace NativeGan.Profiling.Kernels;

/// <summary>
/// Renders analyses as one table, plain text (aligned columns) or Markdown. The loop columns describe the innermost loop
/// ("none" when the kernel has no loop); memory cells list count and kind, e.g. "16 LDS.32" (global ST counts atomics and
/// reductions too, e.g. "1 RED.32"). A last "note" column carries
/// the error of any analysis that has one.
/// </summary>
public static class KernelAnalysisTable
{
    public static IReadOnlyList<string> Columns { get; } =
        ["kernel", "family", "arch", "regs", "spill B", "smem B", "occupancy", "loop instr", "FFMA %", "HMMA %", "LDS width", "global LD", "global ST"];

    private const string NoteColumn = "note";

    /// <summary>The cells of one row, in <see cref="Columns"/> order (plus the note when the analysis failed).</summary>
    public static string[] Cells(KernelAnalysis a)
    {
        var ci = CultureInfo.InvariantCulture;
        var r = a.Resources;
        var loop = a.LoopMix?.Innermost?.Mix;
        string loopInstr = a.LoopMix is null ? "-" : loop is null ? "none" : loop.Instructions.ToString(ci);
        return
        [
            a.Kernel, a.Family, a.Arch,
            r is null ? "-" : r.Registers.ToString(ci),
            r is null ? "-" : r.Spills ? $"{r.SpillStoreBytes.ToString(ci)}/{r.SpillLoadBytes.ToString(ci)}" : "0",
            r is null ? "-" : r.SharedMemoryBytes.ToString(ci),
            a.Occupancy is { } o ? Occupancy(o) : "-",
            loopInstr,
            loop is null ? "-" : Percent(loop.Share(InstructionClass.Ffma)),
            loop is null ? "-" : Percent(loop.Share(InstructionClass.TensorMma)),
            loop is null ? "-" : Accesses(loop, (MemorySpace.Shared, MemoryDirection.Load)),
            loop is null ? "-" : Accesses(loop, (MemorySpace.Global, MemoryDirection.Load), (MemorySpace.Generic, MemoryDirection.Load)),
            loop is null ? "-" : Accesses(loop, (MemorySpace.Global, MemoryDirection.Store), (MemorySpace.Generic, MemoryDirection.Store),
                (MemorySpace.Global, MemoryDirection.Atomic), (MemorySpace.Generic, MemoryDirection.Atomic)),
        ];
    }

    public static string ToText(IEnumerable<KernelAnalysis> analyses)
    {
        var rows = Rows(analyses, out var header);
        return TextTable.ToText([header, .. rows], i => i >= 3 && i != NoteIndex(header));
    }

    public static string ToMarkdown(IEnumerable<KernelAnalysis> analyses)
    {
        var rows = Rows(analyses, out var header);
        return TextTable.ToMarkdown([header, .. rows], i => i >= 3 && i != NoteIndex(header));
    }

    private static List<string[]> Rows(IEnumerable<KernelAnalysis> analyses, out string[] header)
    {
        var list = analyses.ToList();
        bool notes = list.Any(a => a.Error is not null);
        header = notes ? [.. Columns, NoteColumn] : [.. Columns];
        return list.Select(a => notes ? [.. Cells(a), a.Error is null ? "" : FirstLine(a.Error)] : Cells(a)).ToList();
    }

    private static int NoteIndex(string[] header) => header[^1] == NoteColumn ? header.Length - 1 : -1;

    private static string Occupancy(OccupancyResult o)
    {
        string limiter = o.Limiter switch
        {
            OccupancyLimiter.Warps => "warps",
            OccupancyLimiter.Blocks => "blocks",
            OccupancyLimiter.Registers => "registers",
            OccupancyLimiter.SharedMemory => "smem",
            _ => "cannot launch",
        };
        return $"{Percent(o.Occupancy)}% ({limiter})";
    }

    private static string Percent(double share)
    {
        double p = 100 * share;
        return p.ToString(p == Math.Floor(p) ? "F0" : "F1", CultureInfo.InvariantCulture);
    }

    private static string Accesses(InstructionMix mix, params (MemorySpace Space, MemoryDirection Direction)[] kinds)
    {
        var parts = kinds.SelectMany(k => mix.Accesses(k.Space, k.Direction))
            .Select(kv => $"{kv.Value.ToString(CultureInfo.InvariantCulture)} {kv.Key}").ToList();
        return parts.Count == 0 ? "0" : string.Join(", ", parts);
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
