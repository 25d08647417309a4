using System.Buffers.Binary;
using System.IO.Compression;

namespace NativeGan.Models.Imaging;

/// <summary>
/// A small PNG writer for 8- and 16-bit gray, gray + alpha, RGB and RGBA: IHDR, IDAT (zlib over rows filtered
/// with the per-row heuristic of libpng: the filter whose output has the smallest sum of absolute signed bytes),
/// IEND. Rows stream through the compressor into IDAT chunks of at most 256 KiB, so an image never exists twice
/// in memory as bytes.
/// </summary>
public static class PngEncoder
{
    private static readonly byte[] Signature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

    /// <summary>PNG colour type for 1..4 channels (gray, gray + alpha, RGB, RGBA).</summary>
    public static byte ColorType(int channels) => channels switch
    {
        1 => 0,
        2 => 4,
        3 => 2,
        4 => 6,
        _ => throw new ArgumentException($"PngEncoder: channels must be 1..4, got {channels}."),
    };

    /// <summary>
    /// Writes a PNG of planar samples in [0, 1] (clamped, rounded to the nearest of 2^bitDepth - 1 levels).
    /// </summary>
    public static void Write(Stream output, ReadOnlySpan<float> planar, int width, int height, int channels, int bitDepth,
        CompressionLevel level = CompressionLevel.Optimal)
        => Write(output, planar, width, height, channels, bitDepth, idat => new ZLibStream(idat, level, leaveOpen: true));

    /// <summary>As above with a numeric zlib level 0..9 (zlib's and OpenCV's IMWRITE_PNG_COMPRESSION scale).</summary>
    public static void Write(Stream output, ReadOnlySpan<float> planar, int width, int height, int channels, int bitDepth, int zlibLevel)
    {
        if (zlibLevel is < 0 or > 9)
            throw new ArgumentException($"PngEncoder: zlib level must be 0..9, got {zlibLevel}.");
        Write(output, planar, width, height, channels, bitDepth,
            idat => new ZLibStream(idat, new ZLibCompressionOptions { CompressionLevel = zlibLevel }, leaveOpen: true));
    }

    private static void Write(Stream output, ReadOnlySpan<float> planar, int width, int height, int channels, int bitDepth,
        Func<Stream, ZLibStream> compressor)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentException($"PngEncoder: width and height must be positive, got {width} x {height}.");
        if (bitDepth is not 8 and not 16)
            throw new ArgumentException($"PngEncoder: bit depth must be 8 or 16, got {bitDepth}.");
        byte colorType = ColorType(channels);
        if (planar.Length < (long)channels * width * height)
            throw new ArgumentException($"PngEncoder: {channels} x {height} x {width} planes need {(long)channels * width * height} floats, got {planar.Length}.");

        output.Write(Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr[4..], (uint)height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = colorType;
        ihdr[10] = 0; // deflate
        ihdr[11] = 0; // adaptive filtering
        ihdr[12] = 0; // no interlace
        WriteChunk(output, "IHDR"u8, ihdr);

        int bytesPerSample = bitDepth / 8;
        int bpp = channels * bytesPerSample;               // bytes per pixel: the filters' left neighbour distance
        long rowBytesLong = (long)width * bpp;
        if (rowBytesLong > int.MaxValue - 1)
            throw new ArgumentException($"PngEncoder: a row of {width} pixels x {bpp} bytes is too long.");
        int rowBytes = (int)rowBytesLong;
        var prev = new byte[rowBytes];
        var cur = new byte[rowBytes];
        var candidate = new byte[rowBytes];
        var best = new byte[rowBytes + 1];
        int plane = width * height;
        float maxValue = bitDepth == 8 ? 255f : 65535f;

        using (var idat = new IdatStream(output))
        using (var z = compressor(idat))
        {
            for (int y = 0; y < height; y++)
            {
                // Interleave one row and quantise it (big-endian for 16-bit).
                for (int c = 0; c < channels; c++)
                {
                    var src = planar.Slice(c * plane + y * width, width);
                    for (int x = 0; x < width; x++)
                    {
                        float v = src[x];
                        v = v > 0f ? (v < 1f ? v : 1f) : 0f; // NaN -> 0
                        int q = (int)MathF.Round(v * maxValue);
                        int o = x * bpp + c * bytesPerSample;
                        if (bytesPerSample == 1) cur[o] = (byte)q;
                        else { cur[o] = (byte)(q >> 8); cur[o + 1] = (byte)q; }
                    }
                }
                ChooseFilter(cur, prev, bpp, y == 0, candidate, best);
                z.Write(best);
                (prev, cur) = (cur, prev);
            }
        }
        WriteChunk(output, "IEND"u8, ReadOnlySpan<byte>.Empty);
    }

    /// <summary>Filters <paramref name="cur"/> with each of the five PNG filters and keeps the one with the smallest sum of |signed byte|.</summary>
    private static void ChooseFilter(byte[] cur, byte[] prev, int bpp, bool firstRow, byte[] candidate, byte[] best)
    {
        long bestScore = long.MaxValue;
        // On the first row (no row above) "up" is "none" and "paeth" is "sub": try only none, sub and average.
        for (int filter = 0; filter <= 4; filter++)
        {
            if (firstRow && (filter == 2 || filter == 4)) continue;
            long score = Filter(filter, cur, firstRow ? null : prev, bpp, candidate);
            if (score < bestScore)
            {
                bestScore = score;
                best[0] = (byte)filter;
                Buffer.BlockCopy(candidate, 0, best, 1, cur.Length);
            }
        }
    }

    private static int Abs8(int filtered)
    {
        int f = filtered & 0xFF;
        return f < 128 ? f : 256 - f;
    }

    /// <summary>Applies one filter into <paramref name="dst"/> and returns the sum of |signed byte| of the result.</summary>
    private static long Filter(int filter, byte[] cur, byte[]? prev, int bpp, byte[] dst)
    {
        int n = cur.Length;
        long score = 0;
        switch (filter)
        {
            case 0:
                for (int i = 0; i < n; i++) { int f = cur[i]; dst[i] = (byte)f; score += Abs8(f); }
                break;
            case 1:
                for (int i = 0; i < bpp && i < n; i++) { int f = cur[i]; dst[i] = (byte)f; score += Abs8(f); }
                for (int i = bpp; i < n; i++) { int f = cur[i] - cur[i - bpp]; dst[i] = (byte)f; score += Abs8(f); }
                break;
            case 2:
                for (int i = 0; i < n; i++) { int f = cur[i] - prev![i]; dst[i] = (byte)f; score += Abs8(f); }
                break;
            case 3:
                for (int i = 0; i < n; i++)
                {
                    int a = i >= bpp ? cur[i - bpp] : 0, b = prev != null ? prev[i] : 0;
                    int f = cur[i] - ((a + b) >> 1);
                    dst[i] = (byte)f;
                    score += Abs8(f);
                }
                break;
            default:
                for (int i = 0; i < n; i++)
                {
                    int a = i >= bpp ? cur[i - bpp] : 0, b = prev![i], c = i >= bpp ? prev[i - bpp] : 0;
                    int f = cur[i] - Paeth(a, b, c);
                    dst[i] = (byte)f;
                    score += Abs8(f);
                }
                break;
        }
        return score;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }

    internal static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(head, (uint)data.Length);
        type.CopyTo(head[4..]);
        output.Write(head);
        output.Write(data);
        uint crc = Crc32.Update(Crc32.Update(Crc32.Initial, type), data) ^ 0xFFFFFFFFu;
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        output.Write(tail);
    }

    /// <summary>A write-only stream that cuts what it receives into IDAT chunks.</summary>
    private sealed class IdatStream : Stream
    {
        private const int ChunkSize = 256 * 1024;
        private readonly Stream output;
        private readonly byte[] buffer = new byte[ChunkSize];
        private int count;

        public IdatStream(Stream output) => this.output = output;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] data, int offset, int length) => Write(data.AsSpan(offset, length));

        public override void Write(ReadOnlySpan<byte> data)
        {
            while (data.Length > 0)
            {
                int n = Math.Min(data.Length, ChunkSize - count);
                data[..n].CopyTo(buffer.AsSpan(count));
                count += n;
                data = data[n..];
                if (count == ChunkSize) Emit();
            }
        }

        private void Emit()
        {
            if (count == 0) return;
            WriteChunk(output, "IDAT"u8, buffer.AsSpan(0, count));
            count = 0;
        }

        public override void Flush() { }

        protected override void Dispose(bool disposing)
        {
            if (disposing) Emit();
            base.Dispose(disposing);
        }

        public override int Read(byte[] b, int o, int c) => throw new NotSupportedException();
        public override long Seek(long o, SeekOrigin s) => throw new NotSupportedException();
        public override void SetLength(long v) => throw new NotSupportedException();
    }
}

/// <summary>The CRC-32 of PNG chunks and zlib's crc32 (polynomial 0xEDB88320, reflected), table driven.</summary>
internal static class Crc32
{
    public const uint Initial = 0xFFFFFFFFu;
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }

    /// <summary>Continues a running CRC (start from <see cref="Initial"/>, finish with ^ 0xFFFFFFFF).</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    public static uint Compute(ReadOnlySpan<byte> data) => Update(Initial, data) ^ 0xFFFFFFFFu;
}
