namespace NativeGan.Cli;

/// <summary>
/// Where a verb writes: the folders on the way are created first, so `-o results/today/grid.png` works on a fresh
/// checkout instead of failing after the work is done with a message about an internal temporary file.
/// </summary>
public static class OutputPath
{
    /// <summary>Creates the folder that will hold <paramref name="file"/>; returns the path unchanged.</summary>
    public static string ForFile(string file)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(file));
        if (dir != null) CreateFolder(dir, file);
        return file;
    }

    /// <summary>Creates <paramref name="folder"/> and its parents; returns it unchanged.</summary>
    public static string ForFolder(string folder)
    {
        CreateFolder(Path.GetFullPath(folder), folder);
        return folder;
    }

    private static void CreateFolder(string dir, string typed)
    {
        // A file where a folder must be is the user's path, not an internal one: say which.
        for (string? d = dir; d != null; d = Path.GetDirectoryName(d))
            if (File.Exists(d))
                throw new IOException($"cannot write {typed}: {d} is a file, not a folder.");
        Directory.CreateDirectory(dir);
    }
}
