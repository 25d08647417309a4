using System.Text;

namespace NativeGan.Profiling;

/// <summary>
/// A table as aligned plain-text columns (two spaces apart, trailing blanks trimmed) or as Markdown, the two forms the
/// CLI prints and docs/PERFORMANCE.md keeps. The first row is the header.
/// </summary>
public static class TextTable
{
    /// <param name="rightAligned">Which columns hold numbers (right-aligned; "---:" in Markdown).</param>
    public static string ToText(IReadOnlyList<string[]> rows, Func<int, bool>? rightAligned = null)
    {
        rightAligned ??= _ => false;
        int columns = rows.Max(r => r.Length);
        var width = new int[columns];
        foreach (var row in rows) for (int i = 0; i < row.Length; i++) width[i] = Math.Max(width[i], row[i].Length);
        var sb = new StringBuilder();
        foreach (var row in rows)
            sb.Append(string.Join("  ", row.Select((cell, i) => rightAligned(i) ? cell.PadLeft(width[i]) : cell.PadRight(width[i]))).TrimEnd()).Append('\n');
        return sb.ToString();
    }

    public static string ToMarkdown(IReadOnlyList<string[]> rows, Func<int, bool>? rightAligned = null)
    {
        rightAligned ??= _ => false;
        var header = rows[0];
        var sb = new StringBuilder();
        sb.Append("| ").AppendJoin(" | ", header.Select(Escape)).Append(" |\n");
        sb.Append('|').AppendJoin("|", header.Select((_, i) => rightAligned(i) ? "---:" : "---")).Append("|\n");
        foreach (var row in rows.Skip(1)) sb.Append("| ").AppendJoin(" | ", row.Select(Escape)).Append(" |\n");
        return sb.ToString();
    }

    private static string Escape(string cell) => cell.Replace("|", "\\|");
}
