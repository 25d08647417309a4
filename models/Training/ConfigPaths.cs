namespace NativeGan.Models.Training;

/// <summary>A relative path of a config file that was found neither from the current directory nor from the config
/// file's folder: the key, the value as written, and the two places tried.</summary>
public sealed record MissingConfigPath(string Key, string Value, string FromCurrentDirectory, string FromConfigFolder)
{
    /// <summary>"key 'K': 'V' was found neither at A (from the current directory) nor at B (from the config file's folder)".</summary>
    public string Describe() =>
        $"key '{Key}': '{Value}' was found neither at {FromCurrentDirectory} (from the current directory) nor at {FromConfigFolder} (from the config file's folder)";
}

/// <summary>
/// How the paths in a config file are read. A relative path resolves from the current directory, as BasicSR reads
/// its options (a run is usually started from the project's root); when nothing is there, from the folder of the
/// config file, so a config shipped beside its data (or <c>../tests/...</c> from <c>configs/</c>) runs from anywhere.
/// A path found in neither place keeps its value and is recorded, so that the trainer's start says both places tried
/// (a config is still readable when its data is not there yet: <c>--auto-resume</c> and the tests read shipped configs).
/// </summary>
public sealed class ConfigPaths
{
    private readonly string? configFolder;
    private readonly List<MissingConfigPath> missing = new();

    /// <param name="configFile">The config file the paths come from; null (YAML text parsed on its own): only the current directory.</param>
    public ConfigPaths(string? configFile)
    {
        if (configFile != null) configFolder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(configFile));
    }

    /// <summary>The relative paths found nowhere so far.</summary>
    public IReadOnlyList<MissingConfigPath> Missing => missing;

    /// <summary>
    /// The path to use for <paramref name="value"/> of <paramref name="key"/>: unchanged when it is absolute, null, or
    /// exists from the current directory; the config folder's file or folder when only that exists; else unchanged
    /// (and recorded in <see cref="Missing"/>).
    /// </summary>
    public string? Resolve(string key, string? value)
    {
        if (string.IsNullOrEmpty(value) || System.IO.Path.IsPathRooted(value)) return value;
        if (Exists(value)) return value;
        string fromCwd = System.IO.Path.GetFullPath(value);
        if (configFolder != null)
        {
            string fromConfig = System.IO.Path.GetFullPath(System.IO.Path.Combine(configFolder, value));
            if (Exists(fromConfig)) return fromConfig;
            missing.Add(new MissingConfigPath(key, value, fromCwd, fromConfig));
        }
        return value;
    }

    /// <summary>Throws a <see cref="ConfigException"/> naming both places tried for the first of
    /// <paramref name="missingPaths"/> whose key <paramref name="used"/> says the run reads.</summary>
    public static void ThrowIfMissing(string source, IReadOnlyList<MissingConfigPath> missingPaths, Func<string, bool> used)
    {
        foreach (var m in missingPaths)
            if (used(m.Key))
                throw new ConfigException($"{source}: {m.Describe()}.");
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);
}
