using System.Buffers.Binary;
using System.IO.Compression;

namespace NativeGan.Models.Data;

/// <summary>An idx file whose header, size or contents do not match what was expected.</summary>
public sealed class IdxFormatException : IOException
{
    public IdxFormatException(string path, string message, Exception? inner = null)
        : base($"{path}: {message}", inner)
    {
        FilePath = path;
    }

    public string FilePath { get; }
}

/// <summary>The pixels of an idx3 image file: <see cref="Count"/> images of <see cref="Rows"/> x
/// <see cref="Cols"/> unsigned bytes, row-major, image after image.</summary>
public sealed record IdxImages(int Count, int Rows, int Cols, byte[] Pixels);

/// <summary>
/// Reads MNIST-format idx files (http://yann.lecun.com/exdb/mnist/): a big-endian header (magic 0x00000803 then
/// count, rows, cols for images; magic 0x00000801 then count for labels) followed by unsigned bytes. A file is
/// read as gzip when it starts with the gzip magic bytes 1f 8b, whatever its extension.
/// </summary>
public static class IdxReader
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;

    /// <summary>Largest decompressed idx file accepted (2 GiB - 1: the bytes go in one array).</summary>
    public const long MaxBytes = int.MaxValue;

    public static IdxImages ReadImages(string path)
    {
        byte[] data = ReadAllBytes(path);
        const int header = 16;
        if (data.Length >= 4) CheckMagic(path, BinaryPrimitives.ReadInt32BigEndian(data), ImagesMagic, "image (idx3, u8 [n, rows, cols])");
        if (data.Length < header)
            throw new IdxFormatException(path,
                $"truncated idx image file: expected a {header}-byte header (magic 0x{ImagesMagic:X8}, count, rows, cols) but the file holds {data.Length} bytes.");
        int magic = BinaryPrimitives.ReadInt32BigEndian(data);
        CheckMagic(path, magic, ImagesMagic, "image (idx3, u8 [n, rows, cols])");
        int n = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
        int rows = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(8));
        int cols = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(12));
        if (n < 0 || rows <= 0 || cols <= 0)
            throw new IdxFormatException(path,
                $"invalid idx image header: expected a count >= 0 and rows, cols > 0 but got count {n}, rows {rows}, cols {cols}.");
        long expected = (long)n * rows * cols;
        CheckPayload(path, data.Length - header, expected, $"{n} images of {rows} x {cols}");
        var pixels = data.AsSpan(header).ToArray();
        return new IdxImages(n, rows, cols, pixels);
    }

    public static byte[] ReadLabels(string path)
    {
        byte[] data = ReadAllBytes(path);
        const int header = 8;
        if (data.Length >= 4) CheckMagic(path, BinaryPrimitives.ReadInt32BigEndian(data), LabelsMagic, "label (idx1, u8 [n])");
        if (data.Length < header)
            throw new IdxFormatException(path,
                $"truncated idx label file: expected an {header}-byte header (magic 0x{LabelsMagic:X8}, count) but the file holds {data.Length} bytes.");
        int magic = BinaryPrimitives.ReadInt32BigEndian(data);
        CheckMagic(path, magic, LabelsMagic, "label (idx1, u8 [n])");
        int n = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
        if (n < 0)
            throw new IdxFormatException(path, $"invalid idx label header: expected a count >= 0 but got {n}.");
        CheckPayload(path, data.Length - header, n, $"{n} labels");
        return data.AsSpan(header).ToArray();
    }

    /// <summary>True when the bytes start with the gzip magic 1f 8b.</summary>
    public static bool IsGzip(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b;

    /// <summary>The file's bytes, decompressed when it is gzip (detected by its magic bytes).</summary>
    public static byte[] ReadAllBytes(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"idx file not found: {path}", path);
        byte[] raw = File.ReadAllBytes(path);
        if (!IsGzip(raw)) return raw;
        try
        {
            using var gz = new GZipStream(new MemoryStream(raw, writable: false), CompressionMode.Decompress);
            using var ms = new MemoryStream();
            var buffer = new byte[1 << 16];
            int read;
            while ((read = gz.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (ms.Length + read > MaxBytes)
                    throw new IdxFormatException(path, $"gzip contents exceed {MaxBytes} bytes; an idx file must fit in one array.");
                ms.Write(buffer, 0, read);
            }
            return ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new IdxFormatException(path,
                $"the file starts with the gzip magic bytes 1f 8b but its gzip stream is corrupt or truncated ({raw.Length} bytes compressed): {e.Message}", e);
        }
        catch (EndOfStreamException e)
        {
            throw new IdxFormatException(path, $"truncated gzip stream ({raw.Length} bytes compressed): {e.Message}", e);
        }
    }

    private static void CheckMagic(string path, int magic, int expected, string what)
    {
        if (magic == expected) return;
        string hint = magic switch
        {
            ImagesMagic => " (that is an idx image file)",
            LabelsMagic => " (that is an idx label file)",
            _ when (magic & 0xFFFF) == 0x8b1f || (magic >>> 16) == 0x1f8b => " (looks like gzip data inside gzip)",
            _ when (magic >>> 16) == 0 => $" (an idx file of element type 0x{(magic >> 8) & 0xFF:X2} and {magic & 0xFF} dimensions; only unsigned bytes are supported)",
            _ => " (not an idx file)",
        };
        throw new IdxFormatException(path, $"wrong magic number: expected 0x{expected:X8} for an idx {what} file but got 0x{magic:X8}{hint}.");
    }

    private static void CheckPayload(string path, long actual, long expected, string what)
    {
        if (expected > MaxBytes)
            throw new IdxFormatException(path, $"header announces {what} = {expected} bytes, over the {MaxBytes}-byte limit.");
        if (actual < expected)
            throw new IdxFormatException(path,
                $"truncated idx file: header announces {what} ({expected} bytes of data) but only {actual} bytes follow the header.");
        if (actual > expected)
            throw new IdxFormatException(path,
                $"idx file too long: header announces {what} ({expected} bytes of data) but {actual} bytes follow the header ({actual - expected} extra).");
    }
}
