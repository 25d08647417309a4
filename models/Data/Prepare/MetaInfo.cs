using System.Text;
using NativeGan.Models.Imaging;
using NativeGan.Models.Training;

namespace NativeGan.Models.Data.Prepare;

/// <summary>One image of a meta-info list: its path and the line written for it (relative to its root).</summary>
public sealed record MetaInfoEntry(string Path, string Relative);

/// <summary>
/// Real-ESRGAN's scripts/generate_meta_info.py: for each input folder in order, its images sorted by name, one line
/// per image with its path relative to that folder's root ('/' separators), as BasicSR's RealESRGANDataset and
/// meta-info datasets read them (root joined with the line).
/// </summary>
public static class MetaInfo
{
    /// <summary>The entries of every folder; <paramref name="inputs"/> and <paramref name="roots"/> pair up by position.</summary>
    public static IReadOnlyList<MetaInfoEntry> List(IReadOnlyList<string> inputs, IReadOnlyList<string> roots)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(roots);
        if (inputs.Count == 0) throw new PrepareException("meta-info needs at least one input folder.");
        if (inputs.Count != roots.Count)
            throw new PrepareException($"meta-info pairs each input folder with a root, but got {inputs.Count} input folders " +
                                       $"({string.Join(", ", inputs)}) and {roots.Count} roots ({string.Join(", ", roots)}).");
        var problems = new List<string>();
        var entries = new List<MetaInfoEntry>();
        for (int i = 0; i < inputs.Count; i++)
        {
            IReadOnlyList<string> files;
            try { files = PrepareFiles.ListImages(inputs[i]); }
            catch (PrepareException e) { problems.AddRange(e.Problems); continue; }
            if (files.Count == 0) { problems.Add($"{inputs[i]}: no PNG, JPEG or BMP images in this folder."); continue; }
            foreach (var f in files) entries.Add(new MetaInfoEntry(f, RelativePath(f, roots[i])));
        }
        PrepareFiles.ThrowIfAny(problems);
        return entries;
    }

    /// <summary>os.path.relpath(path, root) with '/' separators.</summary>
    public static string RelativePath(string path, string root) =>
        System.IO.Path.GetRelativePath(System.IO.Path.GetFullPath(root), System.IO.Path.GetFullPath(path)).Replace('\\', '/');

    /// <summary>Decodes the whole image; null when it reads, else one line naming the file and what is wrong.</summary>
    public static string? Check(string path)
    {
        try
        {
            ImageIO.Read(path);
            return null;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException
                                      or NotSupportedException or OutOfMemoryException)
        {
            return e.Message.Contains(path, StringComparison.Ordinal) ? e.Message : $"{path}: {e.Message}";
        }
    }

    /// <summary>Writes one line per entry (UTF-8, '\n') to <paramref name="file"/> atomically, making its folder.</summary>
    public static void Write(string file, IEnumerable<string> lines)
    {
        string? dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file));
        if (dir != null) Directory.CreateDirectory(dir);
        var text = new StringBuilder();
        foreach (var line in lines) text.Append(line).Append('\n');
        AtomicFile.WriteAllBytes(file, new UTF8Encoding(false).GetBytes(text.ToString()));
    }
}
