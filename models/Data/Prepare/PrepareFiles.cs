using NativeGan.Models.Sr.Data;

namespace NativeGan.Models.Data.Prepare;

/// <summary>
/// Input problems found before any output is written (unreadable header, image too small, two inputs that would
/// write the same names, an output folder that already exists): one line per problem, each naming its file.
/// </summary>
public sealed class PrepareException : Exception
{
    public PrepareException(IReadOnlyList<string> problems)
        : base(problems.Count == 1 ? problems[0] : $"{problems[0]} (and {problems.Count - 1} more problems)")
    {
        Problems = problems;
    }

    public PrepareException(string problem) : this(new[] { problem }) { }

    public IReadOnlyList<string> Problems { get; }
}

/// <summary>What one input file gave: how many files it wrote, or why it failed (one line naming the file).</summary>
public sealed record PrepareFileResult(string Input, int Written, string? Error)
{
    public bool Ok => Error == null;
}

/// <summary>Folder listing and the parallel loop the three preparation steps share.</summary>
public static class PrepareFiles
{
    /// <summary>
    /// The PNG, JPEG and BMP files directly in <paramref name="folder"/> (not in subfolders; hidden files skipped, as
    /// Python's glob('*') skips them), sorted by ordinal name as Python's sorted(). Throws when the folder is missing.
    /// </summary>
    public static IReadOnlyList<string> ListImages(string folder)
    {
        if (File.Exists(folder)) throw new PrepareException($"{folder}: is a file; expected a folder of images.");
        if (!Directory.Exists(folder)) throw new PrepareException($"{folder}: no such folder.");
        return SrImageFiles.List(folder);
    }

    /// <summary>
    /// Runs <paramref name="work"/> (which returns the number of files written) on every input, at most
    /// <paramref name="threads"/> at once. A failing file is reported and the others go on. <paramref name="done"/>
    /// is called after each file, one call at a time, with the number completed so far.
    /// </summary>
    public static PrepareFileResult[] Run(IReadOnlyList<string> inputs, Func<string, int> work, int threads,
        Action<PrepareFileResult, int>? done = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(work);
        if (threads < 1) throw new ArgumentException($"PrepareFiles.Run: threads must be at least 1, got {threads}.");
        var results = new PrepareFileResult[inputs.Count];
        int completed = 0;
        var gate = new object();
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellation };
        Parallel.For(0, inputs.Count, options, i =>
        {
            string input = inputs[i];
            PrepareFileResult result;
            try
            {
                result = new PrepareFileResult(input, work(input), null);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException
                                          or NotSupportedException or OutOfMemoryException)
            {
                string message = e.Message.Contains(input, StringComparison.Ordinal) ? e.Message : $"{input}: {e.Message}";
                result = new PrepareFileResult(input, 0, message);
            }
            results[i] = result;
            lock (gate)
            {
                completed++;
                done?.Invoke(result, completed);
            }
        });
        return results;
    }

    /// <summary>Throws one <see cref="PrepareException"/> with every problem, if there are any.</summary>
    internal static void ThrowIfAny(List<string> problems)
    {
        if (problems.Count > 0) throw new PrepareException(problems);
    }

    /// <summary>Names of inputs that would write the same outputs: "a.png and a.jpg both write aT0.png ...".</summary>
    internal static void CheckUniqueStems(IEnumerable<(string Input, string Key, string Example)> outputs, List<string> problems)
    {
        foreach (var group in outputs.GroupBy(o => o.Key, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var files = group.Select(g => g.Input).ToList();
            problems.Add($"{string.Join(" and ", files)} would write the same files ({group.First().Example} ...); rename one of them.");
        }
    }
}
