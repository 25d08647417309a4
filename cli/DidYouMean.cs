namespace NativeGan.Cli;

/// <summary>The closest known word to a mistyped one, by edit distance (transpositions count as one edit).</summary>
public static class DidYouMean
{
    /// <summary>
    /// The candidate nearest to <paramref name="typed"/> when it is near enough to be a typo (at most 1 edit for
    /// words of up to 4 letters, 2 up to 8, 3 beyond) or when the typed word starts it; null otherwise.
    /// </summary>
    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        string t = typed.ToLowerInvariant();
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var c in candidates.Distinct())
        {
            int d = Distance(t, c.ToLowerInvariant());
            if (d < bestDistance || (d == bestDistance && best != null && string.CompareOrdinal(c, best) < 0))
            {
                best = c;
                bestDistance = d;
            }
        }
        if (best == null) return null;
        int allowed = t.Length <= 4 ? 1 : t.Length <= 8 ? 2 : 3;
        if (bestDistance <= allowed) return best;
        string core = t.TrimStart('-');
        if (core.Length >= 2)
            return candidates.Where(c => c.TrimStart('-').StartsWith(core, StringComparison.OrdinalIgnoreCase))
                .OrderBy(c => c.Length).ThenBy(c => c, StringComparer.Ordinal).FirstOrDefault();
        return null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
