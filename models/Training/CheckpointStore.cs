using System.Globalization;
using System.Text;
using NativeGan.IO;

namespace NativeGan.Models.Training;

/// <summary>
/// The <c>checkpoints/</c> folder of a run: <c>iter_NNNNNN.safetensors</c> files written temp + rename, and a
/// <c>latest</c> pointer (the file name) replaced the same way after each, so a failure at any point leaves the
/// previous checkpoint and pointer valid. Shared by the GAN and SR trainers.
/// </summary>
public static class CheckpointStore
{
    public const string LatestFileName = "latest";
    public const string FolderName = "checkpoints";

    /// <summary>The file name of the checkpoint at an iteration.</summary>
    public static string FileName(long iteration) => $"iter_{iteration:D6}.safetensors";

    /// <summary>Writes the checkpoint of <paramref name="iteration"/> into <paramref name="checkpointsDir"/> and points
    /// <c>latest</c> at it; returns its path.</summary>
    public static string Save(string checkpointsDir, long iteration, IEnumerable<(string Name, int[] Shape, float[] Data)> tensors,
        IReadOnlyDictionary<string, string> metadata)
    {
        string name = FileName(iteration);
        string path = System.IO.Path.Combine(checkpointsDir, name);
        Safetensors.Write(path, tensors, metadata);
        WriteTextAtomically(System.IO.Path.Combine(checkpointsDir, LatestFileName), name + "\n");
        return path;
    }

    /// <summary>Writes a small text file by way of a temporary sibling and a rename.</summary>
    public static void WriteTextAtomically(string path, string text)
    {
        string tmp = $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                fs.Write(Encoding.UTF8.GetBytes(text));
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch { /* best effort */ }
            throw;
        }
    }

    /// <summary>Whether a folder already holds a run (a <c>checkpoints/latest</c> pointer).</summary>
    public static bool HoldsRun(string outDir) => File.Exists(System.IO.Path.Combine(outDir, FolderName, LatestFileName));

    /// <summary>The checkpoint <c>checkpoints/latest</c> of a run folder points at.</summary>
    public static string Latest(string outDir)
    {
        string dir = System.IO.Path.Combine(outDir, FolderName);
        string pointer = System.IO.Path.Combine(dir, LatestFileName);
        if (!Directory.Exists(outDir)) throw new DirectoryNotFoundException($"{outDir}: no such run folder.");
        if (!File.Exists(pointer)) throw new FileNotFoundException($"{outDir}: no checkpoint to resume from ({pointer} is missing).");
        string name = File.ReadAllText(pointer).Trim();
        if (name.Length == 0 || name.Contains('/') || name.Contains('\\'))
            throw new InvalidDataException($"{pointer}: expected a checkpoint file name, got '{name}'.");
        string path = System.IO.Path.Combine(dir, name);
        if (!File.Exists(path)) throw new FileNotFoundException($"{pointer} names {name}, which does not exist.");
        return path;
    }

    /// <summary>The <c>iter_NNNNNN.safetensors</c> files of a run folder, highest iteration first (other files such as
    /// <c>best.safetensors</c>, <c>latest</c> and temporaries are not checkpoints of the sequence).</summary>
    public static IReadOnlyList<(long Iteration, string Path)> Candidates(string outDir)
    {
        string dir = System.IO.Path.Combine(outDir, FolderName);
        if (!Directory.Exists(dir)) return Array.Empty<(long, string)>();
        var found = new List<(long, string)>();
        foreach (var path in Directory.EnumerateFiles(dir, "iter_*.safetensors"))
        {
            string name = System.IO.Path.GetFileName(path);
            string digits = name["iter_".Length..^".safetensors".Length];
            if (digits.Length > 0 && digits.All(char.IsAsciiDigit) && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long it))
                found.Add((it, path));
        }
        return found.OrderByDescending(f => f.Item1).ToList();
    }

    /// <summary>
    /// The newest checkpoint of a run folder that reads back completely (BasicSR's auto_resume): the
    /// <c>iter_*.safetensors</c> files from the highest iteration down; one whose header, size or data does not read
    /// back (truncated by a crash, a full disk) or whose metadata lacks <c>format</c>, <c>config</c> or the
    /// <c>iteration</c> its name says is skipped with a warning naming it. <c>latest</c> is only a hint: when it names
    /// another file, a warning says so. Returns null when the folder has no checkpoint file at all; throws
    /// <see cref="InvalidDataException"/> when it has some but none is complete.
    /// </summary>
    public static (string Path, SafetensorsFile File)? NewestComplete(string outDir, Action<string>? warn = null)
    {
        var candidates = Candidates(outDir);
        if (candidates.Count == 0) return null;
        var skipped = new List<string>();
        foreach (var (iteration, path) in candidates)
        {
            string? problem;
            SafetensorsFile? file = null;
            try
            {
                file = Safetensors.Read(path);
                problem = !file.Metadata.TryGetValue("iteration", out var it) ? "its metadata has no 'iteration'"
                    : it != iteration.ToString(CultureInfo.InvariantCulture) ? $"its metadata says iteration {it}, its name {iteration}"
                    : !file.Metadata.ContainsKey("format") || !file.Metadata.ContainsKey("config") ? "its metadata lacks 'format' or 'config'"
                    : null;
            }
            catch (Exception e) when (e is FormatException or InvalidDataException or IOException or UnauthorizedAccessException)
            {
                problem = e.Message;
            }
            if (problem != null)
            {
                skipped.Add(System.IO.Path.GetFileName(path));
                warn?.Invoke($"skipping incomplete checkpoint {path}: {problem}");
                continue;
            }
            string pointer = System.IO.Path.Combine(outDir, FolderName, LatestFileName);
            string hint = File.Exists(pointer) ? File.ReadAllText(pointer).Trim() : "";
            if (hint != System.IO.Path.GetFileName(path))
                warn?.Invoke($"{pointer} names '{hint}', but the newest complete checkpoint is {System.IO.Path.GetFileName(path)}; using it.");
            return (path, file!);
        }
        throw new InvalidDataException($"{System.IO.Path.Combine(outDir, FolderName)}: none of its {candidates.Count} checkpoints reads back completely " +
            $"({string.Join(", ", skipped)}); move them away to start afresh, or choose another --out.");
    }

    /// <summary>The <c>format</c> metadata of a checkpoint file (null when it has none).</summary>
    public static string? Format(SafetensorsFile file) => file.Metadata.TryGetValue("format", out var f) ? f : null;
}

/// <summary>A training checkpoint being read back: metadata with clear errors, tensors by prefix.</summary>
public sealed class CheckpointReader
{
    public CheckpointReader(SafetensorsFile file, string path, string expectedFormat, string kind)
    {
        File = file;
        Path = path;
        Kind = kind;
        string format = Meta("format");
        if (format != expectedFormat)
            throw new InvalidDataException($"{path}: expected format {expectedFormat}, got {format}.");
    }

    /// <summary>Reads the latest checkpoint of a run folder.</summary>
    public static CheckpointReader OpenLatest(string outDir, string expectedFormat, string kind) => Open(CheckpointStore.Latest(outDir), expectedFormat, kind);

    /// <summary>Reads a given checkpoint file.</summary>
    public static CheckpointReader Open(string path, string expectedFormat, string kind) => new(Safetensors.Read(path), path, expectedFormat, kind);

    /// <summary>The newest complete checkpoint of a run folder (<see cref="CheckpointStore.NewestComplete"/>), or null when it has none.</summary>
    public static CheckpointReader? OpenNewestComplete(string outDir, string expectedFormat, string kind, Action<string>? warn = null) =>
        CheckpointStore.NewestComplete(outDir, warn) is { } found ? new CheckpointReader(found.File, found.Path, expectedFormat, kind) : null;

    public SafetensorsFile File { get; }
    public string Path { get; }
    public string Kind { get; }

    /// <summary>A metadata value; a missing one says this is not such a checkpoint.</summary>
    public string Meta(string key) => File.Metadata.TryGetValue(key, out var v) ? v
        : throw new InvalidDataException($"{Path}: not a {Kind} training checkpoint (metadata '{key}' is missing).");

    /// <summary>The metadata key of the iterations the run was asked to reach.</summary>
    public const string TotalIterationsKey = "total_iterations";

    /// <summary>The iterations the run was asked to reach, as its checkpoint stored them; null for a checkpoint written
    /// before they were stored (the stored config's value applies then).</summary>
    public long? StoredTotalIterations => File.Metadata.TryGetValue(TotalIterationsKey, out var v)
        ? long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n
            : throw new InvalidDataException($"{Path}: metadata '{TotalIterationsKey}' should be a non-negative whole number, got '{v}'.")
        : null;

    /// <summary><see cref="StoredTotalIterations"/> as an <see cref="int"/> (the configs that count iterations in one),
    /// with a clear error when it does not fit.</summary>
    public int? StoredTotalIterationsInt => StoredTotalIterations is long n
        ? n <= int.MaxValue ? (int)n : throw new InvalidDataException($"{Path}: metadata '{TotalIterationsKey}' is {n}, more than this model's config allows ({int.MaxValue}).")
        : null;

    public long MetaLong(string key) => long.Parse(Meta(key), CultureInfo.InvariantCulture);
    public ulong MetaULong(string key) => ulong.Parse(Meta(key), CultureInfo.InvariantCulture);
    public int MetaInt(string key) => int.Parse(Meta(key), CultureInfo.InvariantCulture);

    public bool Has(string prefix) => File.Tensors.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>The tensors under a key prefix, keyed without it.</summary>
    public Dictionary<string, float[]> Take(string prefix) => File.Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
        .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value.Data);
}
