using System.Text.Json;

namespace NativeGan.Benchmarks.Harness;

/// <summary>
/// PyTorch reference times: a JSON object mapping case name to microseconds per call, e.g.
/// {"add_16M": 84.1, "gemm_4096": 2650.0, "device": "H100"}. Entries that are not numbers are ignored,
/// so the file may carry notes.
/// </summary>
internal static class Baselines
{
    public static IReadOnlyDictionary<string, double> Load(string? path)
    {
        var map = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        if (path == null) return map;
        if (!File.Exists(path)) throw new FileNotFoundException($"baseline file '{path}' does not exist.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(path),
                new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"baseline file '{path}' is not valid JSON: {e.Message}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"baseline file '{path}' must hold a JSON object (case name -> microseconds), found {doc.RootElement.ValueKind}.");
            foreach (var p in doc.RootElement.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.Number && p.Value.GetDouble() > 0)
                    map[p.Name] = p.Value.GetDouble();
        }
        return map;
    }
}
