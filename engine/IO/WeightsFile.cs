namespace NativeGan.IO;

/// <summary>The file formats <see cref="WeightsFile"/> reads.</summary>
public enum WeightsFormat
{
    /// <summary>safetensors: an 8-byte header length, then a JSON header starting with '{'.</summary>
    Safetensors,

    /// <summary>A PyTorch torch.save file: a zip archive (PyTorch 1.6+) or a legacy pickle.</summary>
    Pth,
}

/// <summary>Reads model weights from a .pth or .safetensors file, telling them apart by content, not extension.</summary>
public static class WeightsFile
{
    /// <summary>
    /// The tensors of a weights file as float32: a safetensors file's tensors, or a .pth file's state dict
    /// as <see cref="PthReader.ReadStateDict(string)"/> selects it (params_ema, params, ... or the top level).
    /// </summary>
    /// <exception cref="FormatException">
    /// The file is neither format, or is a broken one (<see cref="PthFormatException"/>, <see cref="SafetensorsFormatException"/>).
    /// </exception>
    public static IReadOnlyDictionary<string, SafetensorsEntry> Load(string path) => Load(path, out _, out _);

    /// <inheritdoc cref="Load(string)"/>
    /// <param name="format">The format found.</param>
    /// <param name="wrapperKey">For a .pth file, the key the state dict was under (null for the top level).</param>
    public static IReadOnlyDictionary<string, SafetensorsEntry> Load(string path, out WeightsFormat format, out string? wrapperKey)
    {
        format = Detect(path);
        wrapperKey = null;
        return format == WeightsFormat.Pth ? PthReader.ReadStateDict(path, out wrapperKey) : Safetensors.Read(path).Tensors;
    }

    /// <summary>
    /// The state dict stored under <paramref name="paramKey"/> (BasicSR's param_key_g, e.g. <c>params_ema</c>): in a
    /// .pth file the dict under that key; in a safetensors file the tensors named <c>paramKey.*</c> (a NativeGan
    /// training checkpoint), with the prefix removed, or else the plain tensors when the file's <c>weights</c>
    /// metadata names that key or is absent (released weights).
    /// </summary>
    /// <exception cref="FormatException">The file holds no state dict under that key; the message names the file, the key and what it holds.</exception>
    public static IReadOnlyDictionary<string, SafetensorsEntry> Load(string path, string paramKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(paramKey);
        if (Detect(path) == WeightsFormat.Pth) return PthReader.ReadStateDict(path, paramKey);
        var file = Safetensors.Read(path);
        string prefix = paramKey + ".";
        var prefixed = file.Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (prefixed.Count > 0)
        {
            var result = new OrderedDictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
            foreach (var (k, v) in prefixed) result.Add(k[prefix.Length..], v);
            return result;
        }
        bool wrapped = file.Tensors.Keys.Any(k => k.StartsWith("params.", StringComparison.Ordinal) || k.StartsWith("params_ema.", StringComparison.Ordinal));
        if (!wrapped && (!file.Metadata.TryGetValue("weights", out var weights) || weights == paramKey)) return file.Tensors;
        var groups = file.Tensors.Keys.Select(k => k.Contains('.') ? k[..k.IndexOf('.')] : k).Distinct().Take(12);
        throw new FormatException($"{path}: expected the state dict '{paramKey}' (param_key), but the file holds " +
            (wrapped ? $"the groups [{string.Join(", ", groups)}]" : $"weights '{file.Metadata["weights"]}'") + ".");
    }

    /// <summary>The format of a file from its first bytes.</summary>
    /// <exception cref="FormatException">The file starts like neither format.</exception>
    public static WeightsFormat Detect(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Span<byte> head = stackalloc byte[16];
        int got;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1))
            got = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..got];

        // Safetensors first: its 8-byte header length can begin 0x80 0x02..0x05 (a 640-byte header does), which is
        // also how a legacy pickle begins; a '{' at byte 8 never starts a zip or a legacy .pth.
        if (got >= 9 && head[8] == (byte)'{') return WeightsFormat.Safetensors;
        if (PthReader.LooksLikePth(head)) return WeightsFormat.Pth;
        // A file too short to tell goes to the safetensors reader, whose error says what is missing.
        if (got < 9) return WeightsFormat.Safetensors;
        throw new FormatException($"Cannot read weights file '{path}': expected a PyTorch .pth file (a zip archive " +
            "starting with 'PK', or a legacy pickle starting with 0x80) or a safetensors file (an 8-byte length, then '{'), " +
            $"but it starts with {PthReader.Hex(head)}");
    }
}
