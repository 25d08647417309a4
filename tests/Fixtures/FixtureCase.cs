using System.Text.Json;
using NativeGan.IO;

namespace NativeGan.Tests.Fixtures;

/// <summary>
/// One PyTorch reference case from tests/fixtures/ops: its tensors (`in.NAME`, `out`, `gout`, `grad.NAME`)
/// plus the op name and arguments from the safetensors metadata. Fixtures are copied next to the test
/// assembly so tests never read the shared folder.
/// </summary>
public sealed class FixtureCase
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "fixtures", "ops");

    /// <summary>File name without extension, e.g. "relu_0".</summary>
    public required string Name { get; init; }

    /// <summary>The metadata's "op", e.g. "conv2d".</summary>
    public required string Op { get; init; }

    /// <summary>The metadata's "args" parsed from its JSON string; an empty object when absent.</summary>
    public required JsonElement Args { get; init; }

    public required SafetensorsFile File { get; init; }

    public bool Has(string key) => File.Tensors.ContainsKey(key);

    public float[] Data(string key) => Get(key).Data;

    public int[] Shape(string key) => Get(key).Shape;

    /// <summary>Loads a case by file name, e.g. "relu_0.safetensors".</summary>
    public static FixtureCase Load(string fileName)
    {
        string path = Path.Combine(Directory, fileName);
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"Fixture '{fileName}' is not in {Directory}; is it under tests/fixtures/ops?", path);
        var file = Safetensors.Read(path);
        if (!file.Metadata.TryGetValue("op", out var op))
            throw new InvalidDataException($"Fixture '{fileName}' has no \"op\" in its metadata.");
        string argsJson = file.Metadata.TryGetValue("args", out var a) ? a : "{}";
        using var args = JsonDocument.Parse(argsJson);
        return new FixtureCase
        {
            Name = Path.GetFileNameWithoutExtension(fileName),
            Op = op,
            Args = args.RootElement.Clone(), // Clone detaches the element from the disposed document.
            File = file,
        };
    }

    /// <summary>File names of every fixture (or of those whose metadata op is <paramref name="op"/>), sorted.</summary>
    public static IEnumerable<string> All(string? op = null)
    {
        var names = System.IO.Directory.EnumerateFiles(Directory, "*.safetensors")
            .Select(Path.GetFileName)
            .Select(n => n!)
            .Order(StringComparer.Ordinal);
        return op is null ? names : names.Where(n => Safetensors.Read(Path.Combine(Directory, n)).Metadata.GetValueOrDefault("op") == op);
    }

    public override string ToString() => Name;

    private SafetensorsEntry Get(string key) =>
        File.Tensors.TryGetValue(key, out var entry)
            ? entry
            : throw new KeyNotFoundException($"Fixture '{Name}' has no tensor '{key}'; it has {string.Join(", ", File.Tensors.Keys)}.");
}
