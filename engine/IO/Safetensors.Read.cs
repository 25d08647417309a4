using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace NativeGan.IO;

public static partial class Safetensors
{
    /// <summary>Reads every tensor of a safetensors file, widened to float32.</summary>
    /// <exception cref="SafetensorsFormatException">The file is not valid safetensors; the message says why.</exception>
    public static SafetensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read,
            bufferSize: 1 << 16, FileOptions.SequentialScan);
        return Read(stream, path);
    }

    /// <summary>The tensor names and metadata of a safetensors file, read from its header alone (no tensor data):
    /// enough to tell a training checkpoint from released weights before loading either.</summary>
    /// <exception cref="SafetensorsFormatException">The file is not valid safetensors; the message says why.</exception>
    public static (IReadOnlyList<string> TensorNames, IReadOnlyDictionary<string, string> Metadata) ReadHeader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var header = ReadHeader(stream, path);
        return (header.Entries.Select(e => e.Name).ToArray(), header.Metadata);
    }

    private static SafetensorsHeader ReadHeader(Stream stream, string sourceName)
    {
        long start = stream.CanSeek ? stream.Position : 0;
        long? available = stream.CanSeek ? stream.Length - start : null;

        Span<byte> lengthBytes = stackalloc byte[8];
        int got = ReadUpTo(stream, lengthBytes);
        if (got < 8)
            throw Fail(sourceName, $"expected at least 8 bytes (the header length), but the file has only {got}");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
            throw Fail(sourceName, $"the header length field says {headerLength} bytes, more than the " +
                $"{MaxHeaderBytes}-byte limit; the file is corrupt or not safetensors");
        if (available is long total && (long)headerLength > total - 8)
            throw Fail(sourceName, $"the header length field says {headerLength} bytes, but only {total - 8} " +
                "bytes follow it (truncated file?)");

        var headerBytes = new byte[headerLength];
        int headerGot = ReadUpTo(stream, headerBytes);
        if (headerGot < headerBytes.Length)
            throw Fail(sourceName, $"expected a {headerLength}-byte header, but the file ended after {headerGot} bytes of it");

        long? dataLength = available - 8 - (long)headerLength;
        return SafetensorsHeader.Parse(headerBytes, sourceName, dataLength);
    }

    /// <summary>
    /// Reads a safetensors file from the stream's current position. Seekable and forward-only streams both
    /// work; <paramref name="sourceName"/> only names the source in error messages.
    /// </summary>
    /// <exception cref="SafetensorsFormatException">The data is not valid safetensors; the message says why.</exception>
    public static SafetensorsFile Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        sourceName ??= "<stream>";
        var header = ReadHeader(stream, sourceName);
        // After the header: the data starts at the stream's position, where ReadHeader left it.
        var tensors = ReadData(stream, sourceName, header.Entries, stream.CanSeek ? stream.Position : null);

        var byName = new OrderedDictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
        foreach (var e in header.Entries) byName.Add(e.Name, tensors[e.Name]);
        return new SafetensorsFile { Tensors = byName, Metadata = header.Metadata };
    }

    /// <summary>Reads each tensor's bytes in file order, so a forward-only stream is read exactly once.</summary>
    private static Dictionary<string, SafetensorsEntry> ReadData(
        Stream stream, string sourceName, IReadOnlyList<SafetensorsHeader.Entry> entries, long? dataStart)
    {
        var result = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
        long cursor = 0; // position within the data section, used by forward-only streams
        foreach (var e in entries.OrderBy(e => e.Begin))
        {
            if (dataStart is long ds) stream.Position = ds + e.Begin;
            else { Skip(stream, sourceName, e.Begin - cursor, e); cursor = e.Begin; }

            var data = new float[e.Count];
            ReadElements(stream, sourceName, e, data);
            cursor += e.End - e.Begin;
            result.Add(e.Name, new SafetensorsEntry { Name = e.Name, DType = e.DType, Shape = e.Shape, Data = data });
        }
        return result;
    }

    private static void ReadElements(Stream stream, string sourceName, SafetensorsHeader.Entry e, float[] data)
    {
        if (e.DType == SafetensorsDType.F32 && BitConverter.IsLittleEndian)
        {
            // The common case reads straight into the result: no staging copy.
            var bytes = MemoryMarshal.AsBytes(data.AsSpan());
            int n = ReadUpTo(stream, bytes);
            if (n < bytes.Length) throw Truncated(sourceName, e, n);
            return;
        }

        // Other dtypes are widened chunk by chunk so a large F64 tensor never needs a second full-size buffer.
        SafetensorsDType.TryGetSize(e.DType, out int size);
        const int chunkElements = 1 << 16;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(chunkElements * size);
        try
        {
            long readTotal = 0;
            for (long i = 0; i < e.Count; i += chunkElements)
            {
                int count = (int)Math.Min(chunkElements, e.Count - i);
                var raw = buffer.AsSpan(0, count * size);
                int n = ReadUpTo(stream, raw);
                readTotal += n;
                if (n < raw.Length) throw Truncated(sourceName, e, readTotal);
                SafetensorsDType.ToFloat32(e.DType, raw, data.AsSpan((int)i, count));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Skip(Stream stream, string sourceName, long bytes, SafetensorsHeader.Entry next)
    {
        Span<byte> scratch = stackalloc byte[4096];
        while (bytes > 0)
        {
            int n = stream.Read(scratch[..(int)Math.Min(scratch.Length, bytes)]);
            if (n == 0) throw Truncated(sourceName, next, 0);
            bytes -= n;
        }
    }

    /// <summary>Fills as much of <paramref name="buffer"/> as the stream has; returns the byte count.</summary>
    private static int ReadUpTo(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static SafetensorsFormatException Truncated(string sourceName, SafetensorsHeader.Entry e, long got) =>
        Fail(sourceName, $"tensor '{e.Name}' needs {e.End - e.Begin} bytes at data offset {e.Begin}, but the file " +
            $"ended after {got} of them (truncated file?)");

    internal static SafetensorsFormatException Fail(string sourceName, string detail, Exception? inner = null) =>
        new(sourceName, detail, inner);
}
