namespace NativeGan.Models.Sr;

/// <summary>One network of Real-ESRGAN's release: its model name, file name and where Real-ESRGAN downloads it.</summary>
public sealed record RealEsrganRelease(string Name, string Url, string Summary)
{
    public string FileName => Name + ".pth";
}

/// <summary>
/// Resolves a model name (<c>upscale -n NAME</c>, as Real-ESRGAN's inference script takes it) to a weights file:
/// <c>NAME.pth</c>, then <c>NAME.safetensors</c>, in each folder searched in order. Nothing is downloaded: when no file
/// is found the error names the files expected, the folders searched and, for Real-ESRGAN's own models, the release
/// file to fetch and where from.
/// </summary>
public static class RealEsrganModels
{
    /// <summary>The environment variable whose <c>models</c> folder is searched after the current directory's.</summary>
    public const string HomeVariable = "NATIVEGAN_HOME";

    /// <summary>The general model whose denoise strength (-dn) interpolates towards <see cref="GeneralWdnX4V3"/>.</summary>
    public const string GeneralX4V3 = "realesr-general-x4v3";
    public const string GeneralWdnX4V3 = "realesr-general-wdn-x4v3";

    private const string Releases = "https://github.com/xinntao/Real-ESRGAN/releases/download/";

    /// <summary>Real-ESRGAN's released networks, as its inference_realesrgan.py lists them.</summary>
    public static IReadOnlyList<RealEsrganRelease> Known { get; } = new[]
    {
        new RealEsrganRelease("RealESRGAN_x4plus", Releases + "v0.1.0/RealESRGAN_x4plus.pth", "RRDBNet x4, 23 blocks (general photos)"),
        new RealEsrganRelease("RealESRNet_x4plus", Releases + "v0.1.1/RealESRNet_x4plus.pth", "RRDBNet x4, 23 blocks, L1 only (no GAN)"),
        new RealEsrganRelease("RealESRGAN_x4plus_anime_6B", Releases + "v0.2.2.4/RealESRGAN_x4plus_anime_6B.pth", "RRDBNet x4, 6 blocks (anime images)"),
        new RealEsrganRelease("RealESRGAN_x2plus", Releases + "v0.2.1/RealESRGAN_x2plus.pth", "RRDBNet x2 (pixel unshuffle)"),
        new RealEsrganRelease("realesr-animevideov3", Releases + "v0.2.5.0/realesr-animevideov3.pth", "SRVGGNetCompact x4, 16 convs (anime video)"),
        new RealEsrganRelease(GeneralX4V3, Releases + "v0.2.5.0/realesr-general-x4v3.pth", "SRVGGNetCompact x4, 32 convs (general photos, -dn)"),
        new RealEsrganRelease(GeneralWdnX4V3, Releases + "v0.2.5.0/realesr-general-wdn-x4v3.pth", "SRVGGNetCompact x4, 32 convs (the 'without denoise' end of -dn)"),
    };

    /// <summary>The folders <see cref="Resolve"/> searches: <paramref name="modelDir"/> alone when given, else
    /// <c>./models</c> (relative to <paramref name="currentDirectory"/>) and then <c>$NATIVEGAN_HOME/models</c> when set.</summary>
    public static IReadOnlyList<string> SearchFolders(string? modelDir, string currentDirectory, string? home)
    {
        if (!string.IsNullOrEmpty(modelDir)) return new[] { modelDir };
        var folders = new List<string> { Path.Combine(currentDirectory, "models") };
        if (!string.IsNullOrEmpty(home)) folders.Add(Path.Combine(home, "models"));
        return folders;
    }

    /// <summary>
    /// The weights file of <paramref name="name"/> (an extension .pth / .safetensors on the name is dropped, as
    /// Real-ESRGAN does) in the first of <paramref name="folders"/> that holds one.
    /// </summary>
    /// <exception cref="FileNotFoundException">No folder holds it; the message says what was looked for, where, and what to fetch.</exception>
    public static string Resolve(string name, IReadOnlyList<string> folders)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(folders);
        string stem = StripExtension(name);
        if (stem.Contains('/') || stem.Contains('\\'))
            throw new ArgumentException($"-n/--model-name takes a model name such as {GeneralX4V3}, not a path ('{name}'); pass a file or run folder with -m.");
        var candidates = new[] { stem + ".pth", stem + ".safetensors" };
        foreach (var folder in folders)
            foreach (var file in candidates)
            {
                string path = Path.Combine(folder, file);
                if (File.Exists(path)) return path;
            }
        var release = Known.FirstOrDefault(r => r.Name == stem);
        string fetch = release != null
            ? $"NativeGan downloads nothing: put Real-ESRGAN's release file {release.FileName} ({release.Url}) in one of those folders, or pass its path with -m."
            : $"'{stem}' is not one of Real-ESRGAN's models ({string.Join(", ", Known.Select(r => r.Name))}); put your {stem}.pth or {stem}.safetensors in one of those folders, or pass its path with -m.";
        throw new FileNotFoundException(
            $"model '{stem}': none of {string.Join(", ", candidates)} in {string.Join(", ", folders.Select(f => Path.GetFullPath(f)))} " +
            $"(searched in that order{(folders.Count == 1 ? ", --model-dir" : $"; --model-dir replaces them, ${HomeVariable}/models is searched when {HomeVariable} is set")}). {fetch}",
            Path.Combine(folders.Count > 0 ? folders[0] : ".", candidates[0]));
    }

    /// <summary>
    /// The realesr-general-wdn-x4v3 file beside a realesr-general-x4v3 file (same folder, .pth or .safetensors), as
    /// Real-ESRGAN finds it by replacing the name in the path.
    /// </summary>
    /// <exception cref="ArgumentException">The file is not a realesr-general-x4v3 file (-dn applies to that model only).</exception>
    /// <exception cref="FileNotFoundException">No wdn file beside it; the message names the files looked for and the release.</exception>
    public static string DenoisePartner(string generalPath) =>
        TryDenoisePartner(generalPath, out var missing) ?? throw missing!;

    /// <summary>The wdn file beside <paramref name="generalPath"/>, or null with the error that says what is missing.</summary>
    public static string? TryDenoisePartner(string generalPath, out Exception? missing)
    {
        missing = null;
        string file = Path.GetFileName(generalPath);
        if (!file.Contains(GeneralX4V3, StringComparison.Ordinal))
        {
            missing = new ArgumentException(
                $"-dn/--denoise-strength interpolates {GeneralX4V3} with {GeneralWdnX4V3}, as Real-ESRGAN does, so the model file's name must contain " +
                $"'{GeneralX4V3}'; got {generalPath}.");
            return null;
        }
        string dir = Path.GetDirectoryName(Path.GetFullPath(generalPath))!;
        string stem = StripExtension(file).Replace(GeneralX4V3, GeneralWdnX4V3, StringComparison.Ordinal);
        var candidates = new[] { Path.Combine(dir, stem + ".pth"), Path.Combine(dir, stem + ".safetensors") };
        foreach (var c in candidates)
            if (File.Exists(c)) return c;
        var wdn = Known.First(r => r.Name == GeneralWdnX4V3);
        missing = new FileNotFoundException(
            $"-dn/--denoise-strength needs {GeneralWdnX4V3} beside {generalPath}: neither {candidates[0]} nor {candidates[1]} exists. " +
            $"Put Real-ESRGAN's release file {wdn.FileName} ({wdn.Url}) there, or give -dn 1 to run {file} alone.", candidates[0]);
        return null;
    }

    /// <summary>Real-ESRGAN's -dn default for <c>-n realesr-general-x4v3</c>: its weights and the wdn model's, half and half.</summary>
    public const double DefaultDenoiseStrength = 0.5;

    private static string StripExtension(string name)
    {
        foreach (var ext in new[] { ".pth", ".safetensors" })
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) return name[..^ext.Length];
        return name;
    }
}
