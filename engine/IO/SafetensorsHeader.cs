using System.Text;
using System.Text.Json;

namespace NativeGan.IO;

/// <summary>
/// Parses and validates the JSON header of a safetensors file. Every way the header can be wrong becomes
/// a <see cref="SafetensorsFormatException"/>, never a JsonException, overflow or index error.
/// </summary>
internal sealed class SafetensorsHeader
{
    internal sealed record Entry(string Name, string DType, int[] Shape, long Count, long Begin, long End);

    public required IReadOnlyList<Entry> Entries { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <param name="dataLength">Bytes after the header, when the source knows its length.</param>
    public static SafetensorsHeader Parse(byte[] headerBytes, string source, long? dataLength)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(headerBytes);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or DecoderFallbackException)
        {
            throw Safetensors.Fail(source, $"expected the header to be JSON, but it does not parse ({ex.Message}); " +
                $"it starts with {Preview(headerBytes)}", ex);
        }

        using (doc)
        {
            try
            {
                return Walk(doc.RootElement, source, dataLength);
            }
            catch (InvalidOperationException ex)
            {
                // JsonDocument checks the structure but transcodes strings only when asked: a corrupt byte inside
                // a name or value surfaces here ("Cannot transcode invalid UTF-8 JSON text").
                throw Safetensors.Fail(source, $"expected the header's names and strings to be UTF-8 text, but one is not ({ex.Message}); " +
                    $"it starts with {Preview(headerBytes)}", ex);
            }
        }
    }

    private static SafetensorsHeader Walk(JsonElement root, string source, long? dataLength)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw Safetensors.Fail(source, $"expected the header to be a JSON object, but it is {Kind(root)}");

        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var prop in root.EnumerateObject())
        {
            if (!seen.Add(prop.Name))
                throw Safetensors.Fail(source, $"the header lists '{prop.Name}' twice");
            if (prop.Name == Safetensors.MetadataKey) ReadMetadata(prop.Value, source, metadata);
            else entries.Add(ReadEntry(prop.Name, prop.Value, source, dataLength));
        }
        CheckNoOverlap(entries, source);
        return new SafetensorsHeader { Entries = entries, Metadata = metadata };
    }

    private static void ReadMetadata(JsonElement value, string source, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Safetensors.Fail(source, $"expected \"{Safetensors.MetadataKey}\" to be an object of strings, but it is {Kind(value)}");
        foreach (var p in value.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
                throw Safetensors.Fail(source, $"expected metadata value '{p.Name}' to be a string, but it is {Kind(p.Value)}");
            metadata[p.Name] = p.Value.GetString()!;
        }
    }

    private static Entry ReadEntry(string name, JsonElement value, string source, long? dataLength)
    {
        string Where() => $"tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw Safetensors.Fail(source, $"{Where()}: expected an object with dtype, shape and data_offsets, but it is {Kind(value)}");
        foreach (var key in new[] { "dtype", "shape", "data_offsets" })
            if (!value.TryGetProperty(key, out _))
                throw Safetensors.Fail(source, $"{Where()}: expected \"dtype\", \"shape\" and \"data_offsets\", but \"{key}\" is missing");

        var dtypeElement = value.GetProperty("dtype");
        if (dtypeElement.ValueKind != JsonValueKind.String)
            throw Safetensors.Fail(source, $"{Where()}: expected dtype to be a string, but it is {Kind(dtypeElement)}");
        string dtype = dtypeElement.GetString()!;
        if (!SafetensorsDType.TryGetSize(dtype, out int elementSize))
            throw Safetensors.Fail(source, $"{Where()}: unknown dtype '{dtype}' (expected one of {string.Join(", ", SafetensorsDType.Known)})");

        long[] dims = ReadIntegers(value.GetProperty("shape"), source, $"{Where()}: shape");
        var shape = new int[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
                throw Safetensors.Fail(source, $"{Where()}: dimension {i} of shape [{string.Join(", ", dims)}] is negative");
            if (dims[i] > int.MaxValue)
                throw Safetensors.Fail(source, $"{Where()}: dimension {i} is {dims[i]}, larger than {int.MaxValue}");
            shape[i] = (int)dims[i];
        }

        long count, byteCount;
        try
        {
            count = 1;
            foreach (var d in dims) count = checked(count * d);
            byteCount = checked(count * elementSize);
        }
        catch (OverflowException ex)
        {
            throw Safetensors.Fail(source, $"{Where()}: shape [{string.Join(", ", dims)}] has more bytes than a 64-bit size can hold", ex);
        }
        if (count > Array.MaxLength)
            throw Safetensors.Fail(source, $"{Where()}: {count} elements do not fit in one float32 array (at most {Array.MaxLength})");

        long[] offsets = ReadIntegers(value.GetProperty("data_offsets"), source, $"{Where()}: data_offsets");
        if (offsets.Length != 2)
            throw Safetensors.Fail(source, $"{Where()}: expected data_offsets to be [begin, end], but it has {offsets.Length} values");
        long begin = offsets[0], end = offsets[1];
        if (begin < 0 || end < begin)
            throw Safetensors.Fail(source, $"{Where()}: expected 0 <= begin <= end, but data_offsets are [{begin}, {end}]");
        if (end - begin != byteCount)
            throw Safetensors.Fail(source, $"{Where()}: data_offsets [{begin}, {end}] span {end - begin} bytes, but dtype " +
                $"{dtype} with shape [{string.Join(", ", dims)}] needs {byteCount}");
        if (dataLength is long available && end > available)
            throw Safetensors.Fail(source, $"{Where()}: data_offsets end at byte {end} of the data section, but the data " +
                $"section has only {available} bytes (truncated file?)");
        return new Entry(name, dtype, shape, count, begin, end);
    }

    private static long[] ReadIntegers(JsonElement element, string source, string what)
    {
        if (element.ValueKind != JsonValueKind.Array)
            throw Safetensors.Fail(source, $"{what}: expected an array of integers, but it is {Kind(element)}");
        var values = new long[element.GetArrayLength()];
        int i = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out values[i]))
                throw Safetensors.Fail(source, $"{what}: expected an array of integers, but element {i} is {item.GetRawText()}");
            i++;
        }
        return values;
    }

    /// <summary>
    /// Two tensors sharing bytes would alias silently. Gaps are tolerated (the reference writer never makes
    /// them, but reading a file with padding is harmless). Zero-size tensors own no bytes and are skipped.
    /// </summary>
    private static void CheckNoOverlap(List<Entry> entries, string source)
    {
        Entry? previous = null;
        foreach (var e in entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin))
        {
            if (previous is not null && e.Begin < previous.End)
                throw Safetensors.Fail(source, $"tensors '{previous.Name}' [{previous.Begin}, {previous.End}] and " +
                    $"'{e.Name}' [{e.Begin}, {e.End}] overlap; expected disjoint data_offsets");
            previous = e;
        }
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => e.ValueKind.ToString(),
    };

    private static string Preview(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 40));
        var printable = new string(text.Select(c => char.IsControl(c) ? '.' : c).ToArray());
        return bytes.Length > 40 ? $"\"{printable}...\"" : $"\"{printable}\"";
    }
}
