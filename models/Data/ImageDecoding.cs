using StbImageSharp;

namespace NativeGan.Models.Data;

/// <summary>
/// Reading 8-bit images with StbImageSharp (PNG, JPEG, BMP), shared by the datasets: the header is checked
/// first (size limit, readable format) and every failure is an <see cref="InvalidDataException"/> that names
/// the file.
/// </summary>
public static class ImageDecoding
{
    /// <summary>Default largest image, in pixels: 8192 x 8192 (256 MiB decoded as RGBA).</summary>
    public const long DefaultMaxPixels = 8192L * 8192;

    /// <summary>Reads the header (without decoding) and returns (width, height, channels in the file).</summary>
    public static (int Width, int Height, int Components) ReadHeader(string path)
    {
        try
        {
            using var fs = File.OpenRead(path);
            var info = ImageInfo.FromStream(fs);
            if (info == null)
            {
                // stb refuses headers of images over 1 GiB decoded; give PNG's dimensions from IHDR then.
                fs.Position = 0;
                Span<byte> head = stackalloc byte[24];
                if (fs.ReadAtLeast(head, 24, throwOnEndOfStream: false) == 24 &&
                    head[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }) &&
                    head[12..16].SequenceEqual("IHDR"u8))
                {
                    uint pw = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(head[16..]);
                    uint ph = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(head[20..]);
                    throw new InvalidDataException($"{path}: PNG of {pw} x {ph} pixels that StbImageSharp refuses to decode (too large or corrupt header).");
                }
                throw new InvalidDataException($"{path}: not a readable PNG/JPEG/BMP image (StbImageSharp does not recognise its header).");
            }
            var i = info.Value;
            return (i.Width, i.Height, (int)i.ColorComponents);
        }
        catch (Exception e) when (e is not InvalidDataException and not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: cannot read the image header: {e.Message}", e);
        }
    }

    /// <summary>Decodes a file to 8-bit pixels, HWC: <paramref name="channels"/> 1 gives stb's luma, 3 gives RGB
    /// (grayscale files are replicated, alpha is dropped; 16-bit PNGs are reduced to 8 bits by stb). Images over
    /// <paramref name="maxPixels"/> are refused from their header; <paramref name="limitName"/> names that
    /// setting in the message.</summary>
    public static (byte[] Data, int Width, int Height) Decode8Bit(string path, int channels, long maxPixels = DefaultMaxPixels, string limitName = "MaxPixels")
    {
        if (channels != 1 && channels != 3)
            throw new ArgumentException($"ImageDecoding.Decode8Bit: channels must be 1 (grayscale) or 3 (RGB), got {channels}.");
        var (w, h, comps) = ReadHeader(path);
        if (w <= 0 || h <= 0)
            throw new InvalidDataException($"{path}: invalid image dimensions {w} x {h}.");
        long pixels = (long)w * h;
        if (pixels > maxPixels)
            throw new InvalidDataException(
                $"{path}: image is {w} x {h} = {pixels} pixels ({pixels * Math.Max(comps, channels) / (1024.0 * 1024.0):F0} MiB decoded), " +
                $"over the limit of {maxPixels} pixels ({limitName}).");
        ImageResult img;
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            img = ImageResult.FromMemory(bytes, channels == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue);
        }
        catch (Exception e)
        {
            throw new InvalidDataException($"{path}: cannot decode the image ({w} x {h} by its header): {e.Message}", e);
        }
        if (img.Width != w || img.Height != h || img.Data == null || img.Data.Length < (long)w * h * channels)
            throw new InvalidDataException(
                $"{path}: decoded image is {img.Width} x {img.Height} with {img.Data?.Length ?? 0} bytes, but its header said {w} x {h} ({(long)w * h * channels} bytes expected).");
        return (img.Data, w, h);
    }
}
