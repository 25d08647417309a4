using System.Buffers.Binary;

namespace NativeGan.Models.Imaging;

public enum ImageFileFormat
{
    Png,
    Jpeg,
    Bmp,
}

/// <summary>
/// What a file's header says, read without decoding any pixel: the size, the channels a decode will give
/// (a palette PNG with a tRNS chunk gives RGBA, gray or RGB with tRNS gain an alpha channel) and the bit depth.
/// </summary>
public sealed record ImageHeader(string Path, ImageFileFormat Format, int Width, int Height, int Channels, int BitDepth)
{
    public long Pixels => (long)Width * Height;

    /// <summary>Bytes the decoded image takes as planar float32.</summary>
    public long DecodedFloatBytes => Pixels * Channels * sizeof(float);

    public override string ToString() =>
        $"{Path}: {Format.ToString().ToUpperInvariant()} {Width} x {Height} {ImageData.ModeName(Channels)}, {BitDepth}-bit";

    /// <summary>Reads the header of a PNG, JPEG or BMP file (the format from its first bytes, not its name).</summary>
    public static ImageHeader Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Image not found: {path}", path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        Span<byte> magic = stackalloc byte[8];
        int got = fs.ReadAtLeast(magic, 8, throwOnEndOfStream: false);
        fs.Position = 0;
        if (got >= 8 && magic.SequenceEqual(PngSignature)) return ReadPng(path, fs);
        if (got >= 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF) return ReadJpeg(path, fs);
        if (got >= 2 && magic[0] == (byte)'B' && magic[1] == (byte)'M') return ReadBmp(path, fs);
        throw new InvalidDataException(
            $"{path}: not a PNG, JPEG or BMP image (first bytes {Convert.ToHexString(magic[..got])}).");
    }

    private static ReadOnlySpan<byte> PngSignature => new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

    /// <summary>IHDR, then the chunks up to the first IDAT, looking for tRNS (which must precede IDAT).</summary>
    private static ImageHeader ReadPng(string path, Stream s)
    {
        s.Position = 8;
        Span<byte> head = stackalloc byte[8];
        Span<byte> ihdr = stackalloc byte[13];
        if (s.ReadAtLeast(head, 8, false) < 8 || !head[4..8].SequenceEqual("IHDR"u8) ||
            BinaryPrimitives.ReadUInt32BigEndian(head) != 13 || s.ReadAtLeast(ihdr, 13, false) < 13)
            throw new InvalidDataException($"{path}: PNG without a valid IHDR chunk.");
        uint w = BinaryPrimitives.ReadUInt32BigEndian(ihdr);
        uint h = BinaryPrimitives.ReadUInt32BigEndian(ihdr[4..]);
        int depth = ihdr[8], colorType = ihdr[9], interlace = ihdr[12];
        if (w == 0 || h == 0 || w > int.MaxValue || h > int.MaxValue)
            throw new InvalidDataException($"{path}: PNG header gives an invalid size {w} x {h}.");
        int baseChannels = colorType switch
        {
            0 => 1,
            2 => 3,
            3 => 3, // palette: expanded to RGB (RGBA with tRNS)
            4 => 2,
            6 => 4,
            _ => throw new InvalidDataException($"{path}: PNG colour type {colorType} is not one of 0, 2, 3, 4, 6."),
        };
        bool validDepth = colorType switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            _ => depth is 8 or 16,
        };
        if (!validDepth)
            throw new InvalidDataException($"{path}: PNG bit depth {depth} is not allowed for colour type {colorType}.");
        if (interlace > 1)
            throw new InvalidDataException($"{path}: PNG interlace method {interlace} is unknown.");

        s.Position += 4; // IHDR CRC
        bool hasTrns = false;
        while (true)
        {
            if (s.ReadAtLeast(head, 8, false) < 8) break; // truncated: the decoder will say so
            uint length = BinaryPrimitives.ReadUInt32BigEndian(head);
            var type = head[4..8];
            if (type.SequenceEqual("IDAT"u8) || type.SequenceEqual("IEND"u8)) break;
            if (type.SequenceEqual("tRNS"u8)) { hasTrns = true; break; }
            if (length > int.MaxValue || s.CanSeek && s.Position + length + 4 > s.Length) break;
            s.Position += length + 4;
        }
        int channels = baseChannels;
        if (hasTrns && colorType is 0 or 2 or 3) channels++;
        return new ImageHeader(path, ImageFileFormat.Png, (int)w, (int)h, channels, depth == 16 ? 16 : 8);
    }

    /// <summary>Walks the JPEG markers to the first start-of-frame and reads its size and component count.</summary>
    private static ImageHeader ReadJpeg(string path, Stream s)
    {
        s.Position = 2;
        Span<byte> seg = stackalloc byte[8];
        while (true)
        {
            int b = s.ReadByte();
            if (b < 0) break;
            if (b != 0xFF) continue; // tolerate garbage between segments, as decoders do
            int marker;
            do marker = s.ReadByte(); while (marker == 0xFF);
            if (marker < 0) break;
            if (marker == 0xD8 || marker == 0x01 || marker is >= 0xD0 and <= 0xD7) continue; // no length
            if (marker == 0xD9 || marker == 0xDA) break; // end of image / start of scan before any frame
            if (s.ReadAtLeast(seg[..2], 2, false) < 2) break;
            int length = BinaryPrimitives.ReadUInt16BigEndian(seg);
            bool isFrame = marker is >= 0xC0 and <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (isFrame)
            {
                if (s.ReadAtLeast(seg[..6], 6, false) < 6) break;
                int precision = seg[0];
                int h = BinaryPrimitives.ReadUInt16BigEndian(seg[1..]);
                int w = BinaryPrimitives.ReadUInt16BigEndian(seg[3..]);
                int components = seg[5];
                if (w == 0 || h == 0)
                    throw new InvalidDataException($"{path}: JPEG frame header gives an invalid size {w} x {h}.");
                if (components is not 1 and not 3 and not 4)
                    throw new InvalidDataException($"{path}: JPEG with {components} components (expected 1, 3 or 4).");
                if (precision != 8)
                    throw new InvalidDataException($"{path}: {precision}-bit JPEG is not supported (only 8-bit baseline/progressive).");
                return new ImageHeader(path, ImageFileFormat.Jpeg, w, h, components == 1 ? 1 : 3, 8);
            }
            if (length < 2) break;
            s.Position += length - 2;
        }
        throw new InvalidDataException($"{path}: JPEG without a frame header (SOF marker) before its image data.");
    }

    /// <summary>BITMAPFILEHEADER + the info header's size and bit count (32-bit, or bitfields with an alpha mask, give RGBA).</summary>
    private static ImageHeader ReadBmp(string path, Stream s)
    {
        Span<byte> h = stackalloc byte[70];
        int got = s.ReadAtLeast(h, 70, false);
        if (got < 26) throw new InvalidDataException($"{path}: BMP header is truncated.");
        int infoSize = BinaryPrimitives.ReadInt32LittleEndian(h[14..]);
        int w, hgt, bpp;
        if (infoSize == 12)
        {
            w = BinaryPrimitives.ReadInt16LittleEndian(h[18..]);
            hgt = BinaryPrimitives.ReadInt16LittleEndian(h[20..]);
            bpp = BinaryPrimitives.ReadInt16LittleEndian(h[24..]);
        }
        else if (infoSize >= 40 && got >= 34)
        {
            w = BinaryPrimitives.ReadInt32LittleEndian(h[18..]);
            hgt = BinaryPrimitives.ReadInt32LittleEndian(h[22..]);
            bpp = BinaryPrimitives.ReadInt16LittleEndian(h[28..]);
        }
        else throw new InvalidDataException($"{path}: BMP info header of {infoSize} bytes is not supported.");
        if (hgt == int.MinValue || w <= 0 || hgt == 0)
            throw new InvalidDataException($"{path}: BMP header gives an invalid size {w} x {hgt}.");
        hgt = Math.Abs(hgt); // negative height: rows stored top-down
        int channels = 3;
        if (bpp == 32 && infoSize >= 40)
        {
            // stb_image reads 32-bit BI_RGB as RGBA (alpha 255 when all zero); with bitfields only when an alpha mask is given.
            int compression = got >= 34 ? BinaryPrimitives.ReadInt32LittleEndian(h[30..]) : 0;
            if (compression == 0) channels = 4;
            else if (compression == 3 && infoSize >= 56 && got >= 70)
                channels = BinaryPrimitives.ReadUInt32LittleEndian(h[66..]) != 0 ? 4 : 3;
            else if (compression == 3 && infoSize == 40) channels = 3;
            else channels = 4;
        }
        return new ImageHeader(path, ImageFileFormat.Bmp, w, hgt, channels, 8);
    }
}
