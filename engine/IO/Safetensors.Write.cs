using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NativeGan.IO;

public static partial class Safetensors
{
    /// <summary>
    /// Writes float32 tensors (and optional string metadata) as a safetensors file. The bytes go to a temp
    /// file beside <paramref name="path"/> that is renamed over it at the end, so a failure (full disk, bad
    /// argument, crash) never leaves a half-written checkpoint where a good one was.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty, reserved or repeated, or a shape does not match its data.</exception>
    public static void Write(string path, IEnumerable<(string Name, int[] Shape, float[] Data)> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = Validate(tensors);

        // The reference writer orders tensors by dtype alignment, then name; every tensor here is F32.
        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        byte[] header = BuildHeader(list, metadata);

        string fullPath = Path.GetFullPath(path);
        string tempPath = $"{fullPath}.tmp-{Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant()}";
        try
        {
            using (var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (var t in list) WriteFloats(stream, t.Data);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }
    }

    private static List<(string Name, int[] Shape, float[] Data)> Validate(
        IEnumerable<(string Name, int[] Shape, float[] Data)> tensors)
    {
        var list = new List<(string Name, int[] Shape, float[] Data)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (string.IsNullOrEmpty(t.Name))
                throw new ArgumentException("Every tensor needs a non-empty name.", nameof(tensors));
            if (t.Name == MetadataKey)
                throw new ArgumentException($"'{MetadataKey}' is reserved for metadata and cannot name a tensor.", nameof(tensors));
            if (!names.Add(t.Name))
                throw new ArgumentException($"Tensor '{t.Name}' is given twice.", nameof(tensors));
            if (t.Shape is null || t.Data is null)
                throw new ArgumentException($"Tensor '{t.Name}' has a null shape or data.", nameof(tensors));
            long count = 1;
            foreach (int d in t.Shape)
            {
                if (d < 0)
                    throw new ArgumentException($"Tensor '{t.Name}' has shape [{string.Join(", ", t.Shape)}] with a negative dimension.", nameof(tensors));
                count = checked(count * d);
            }
            if (count != t.Data.Length)
                throw new ArgumentException($"Tensor '{t.Name}': shape [{string.Join(", ", t.Shape)}] holds {count} elements, " +
                    $"but {t.Data.Length} values were given.", nameof(tensors));
            list.Add(t);
        }
        return list;
    }

    private static byte[] BuildHeader(List<(string Name, int[] Shape, float[] Data)> list,
        IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps names and metadata readable; the header is never embedded in HTML.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in list)
            {
                long bytes = 4L * t.Data.Length;
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", SafetensorsDType.F32);
                json.WriteStartArray("shape");
                foreach (int d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }

        // Pad with spaces so the data section starts 8-byte aligned, as the reference implementation does.
        int padded = (buffer.WrittenCount + 7) / 8 * 8;
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    /// <summary>float32 little-endian, as safetensors and PyTorch storages hold them.</summary>
    internal static void WriteFloats(Stream stream, float[] data)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
            return;
        }
        Span<byte> four = stackalloc byte[4];
        foreach (float v in data)
        {
            BinaryPrimitives.WriteSingleLittleEndian(four, v);
            stream.Write(four);
        }
    }

    internal static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { /* best effort: the original error matters more */ }
        catch (UnauthorizedAccessException) { }
    }
}
