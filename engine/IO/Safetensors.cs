namespace NativeGan.IO;

/// <summary>One tensor of a safetensors file, widened to float32 whatever its stored dtype.</summary>
public sealed class SafetensorsEntry
{
    public required string Name { get; init; }

    /// <summary>The dtype as stored in the file ("F32", "F16", "BF16", ...); Data is float32 regardless.</summary>
    public required string DType { get; init; }

    /// <summary>Row-major shape; empty for a scalar.</summary>
    public required int[] Shape { get; init; }

    public required float[] Data { get; init; }
}

/// <summary>The tensors and metadata of one safetensors file.</summary>
public sealed class SafetensorsFile
{
    /// <summary>Tensors by name, enumerated in the order the header lists them.</summary>
    public required IReadOnlyDictionary<string, SafetensorsEntry> Tensors { get; init; }

    /// <summary>The header's "__metadata__" map; empty when the file has none.</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
}

/// <summary>
/// Reader and writer of the safetensors format: an 8-byte little-endian header length, a JSON header
/// mapping each name to {dtype, shape, data_offsets} plus an optional "__metadata__" string map, then the
/// raw little-endian data. Independent of Tensor so that checkpoints, fixtures and tools share it.
/// </summary>
public static partial class Safetensors
{
    /// <summary>Name of the reserved header entry that holds the string-to-string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>
    /// Largest header accepted. The reference implementation uses the same bound: anything bigger is a
    /// corrupt length field, and refusing it early avoids allocating gigabytes for garbage.
    /// </summary>
    public const long MaxHeaderBytes = 100_000_000;
}
