using System.IO.Compression;
using System.Runtime.InteropServices;
using SkiaSharp;
using StbImageSharp;
using StbImageWriteSharp;
using ReadComponents = StbImageSharp.ColorComponents;
using WriteComponents = StbImageWriteSharp.ColorComponents;

namespace NativeGan.Models.Imaging;

/// <summary>How <see cref="ImageIO.Write"/> encodes.</summary>
public sealed record ImageWriteOptions
{
    /// <summary>JPEG quality 1..100 (95 by default; 4:4:4 chroma from 90 up, 4:2:0 below).</summary>
    public int JpegQuality { get; init; } = 95;
    /// <summary>Bits per sample for PNG: 8 or 16; null keeps the image's own <see cref="ImageData.BitDepth"/>. JPEG and BMP are always 8-bit.</summary>
    public int? BitDepth { get; init; }
    /// <summary>zlib effort for PNG.</summary>
    public CompressionLevel PngCompression { get; init; } = CompressionLevel.Optimal;
    /// <summary>zlib level 0..9 for PNG (OpenCV's IMWRITE_PNG_COMPRESSION); when set it replaces <see cref="PngCompression"/>.</summary>
    public int? PngZlibLevel { get; init; }
}

/// <summary>
/// Reads PNG (1..16-bit, gray, gray + alpha, RGB, RGBA, palette; tRNS becomes an alpha channel), JPEG and BMP into
/// planar floats in [0, 1], and writes PNG (8- or 16-bit), JPEG and BMP by the output's extension. The header is read
/// first and an image over the size limit is refused before decoding. Writes go to a temporary file then a rename.
/// </summary>
public static class ImageIO
{
    /// <summary>Default limit on pixels (width x height) of an image decoded or produced: 2^28 (16384 x 16384).</summary>
    public const long DefaultMaxPixels = 1L << 28;

    public static ImageHeader ReadHeader(string path) => ImageHeader.Read(path);

    /// <summary>
    /// Throws <see cref="ImageTooLargeException"/> when the image, or the image upscaled by <paramref name="scale"/>,
    /// would have more than <paramref name="maxPixels"/> pixels or more samples than a float array holds.
    /// </summary>
    public static void CheckSize(ImageHeader header, int scale = 1, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (scale < 1) throw new ArgumentException($"ImageIO.CheckSize: scale must be at least 1, got {scale}.");
        if (maxPixels < 1) throw new ArgumentException($"ImageIO.CheckSize: maxPixels must be positive, got {maxPixels}.");
        CheckOne(header, 1, maxPixels);
        if (scale > 1) CheckOne(header, scale, maxPixels);
    }

    private static void CheckOne(ImageHeader h, int scale, long maxPixels)
    {
        long w = (long)h.Width * scale, hh = (long)h.Height * scale;
        long pixels = w * hh;
        long samples = pixels * h.Channels;
        string what = scale == 1
            ? $"{h.Path}: {h.Width} x {h.Height} {ImageData.ModeName(h.Channels)} image"
            : $"{h.Path}: {h.Width} x {h.Height} {ImageData.ModeName(h.Channels)} image upscaled x{scale} would be {w} x {hh}, which";
        string size = $"{FormatPixels(pixels)}, {FormatBytes(samples * sizeof(float))} as float32";
        if (pixels > maxPixels)
            throw new ImageTooLargeException(
                $"{what} has {size}: over the limit of {FormatPixels(maxPixels)} ({maxPixels} pixels). " +
                "Refused before decoding; use a smaller image or raise the pixel limit.", h.Path, h.Width, h.Height, scale, maxPixels);
        if (samples > Array.MaxLength)
            throw new ImageTooLargeException(
                $"{what} has {size}: more than the {Array.MaxLength} samples one array can hold. Refused before decoding.",
                h.Path, h.Width, h.Height, scale, maxPixels);
    }

    private static string FormatPixels(long p) => p >= 1_000_000_000 ? $"{p / 1e9:0.##} gigapixels"
        : p >= 1_000_000 ? $"{p / 1e6:0.##} megapixels" : $"{p} pixels";

    private static string FormatBytes(long b) => b >= 1L << 30 ? $"{b / (double)(1L << 30):0.#} GiB"
        : b >= 1L << 20 ? $"{b / (double)(1L << 20):0.#} MiB" : $"{b / 1024.0:0.#} KiB";

    /// <summary>
    /// Reads an image. The header is checked against <paramref name="maxPixels"/> (for the image and, when
    /// <paramref name="scale"/> &gt; 1, for its upscaled size) before anything is decoded.
    /// </summary>
    public static ImageData Read(string path, long maxPixels = DefaultMaxPixels, int scale = 1)
    {
        var header = ImageHeader.Read(path);
        CheckSize(header, scale, maxPixels);
        return Decode(header);
    }

    /// <summary>Decodes the file described by <paramref name="header"/> (no size check: see <see cref="Read"/>).</summary>
    public static ImageData Decode(ImageHeader header)
    {
        byte[] bytes = File.ReadAllBytes(header.Path);
        int c = header.Channels, w = header.Width, h = header.Height, plane = w * h;
        var planar = new float[(long)c * plane];
        try
        {
            if (header.BitDepth == 16)
            {
                DecodePng16(header, bytes, planar);
            }
            else
            {
                if (header.Format == ImageFileFormat.Jpeg) JpegStructure.Check(header.Path, bytes, w, h);
                using var ms = new MemoryStream(bytes, writable: false);
                var img = ImageResult.FromStream(ms, (ReadComponents)c);
                CheckDecoded(header, img.Width, img.Height);
                var data = img.Data;
                for (int ch = 0; ch < c; ch++)
                {
                    // k / 255f (a division, not a multiply by the reciprocal) so that k / 255f written is read back bit-exact.
                    var dst = planar.AsSpan(ch * plane, plane);
                    for (int p = 0, s = ch; p < plane; p++, s += c) dst[p] = data[s] / 255f;
                }
            }
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            // The bytes are already in memory, so an IOException here is the decoder seeking outside a corrupt
            // file's data ("move the position before the beginning of the stream"), not a disk error: name the file.
            throw new InvalidDataException($"{header}: cannot decode the image: {e.Message}", e);
        }
        return new ImageData(w, h, c, header.BitDepth, planar, header.Path);
    }

    private static unsafe void DecodePng16(ImageHeader header, byte[] bytes, float[] planar)
    {
        int c = header.Channels, plane = header.Width * header.Height;
        using var ms = new MemoryStream(bytes, writable: false);
        var context = new StbImage.stbi__context(ms);
        int x, y, comp;
        ushort* result = StbImage.stbi__load_and_postprocess_16bit(context, &x, &y, &comp, c);
        if (result == null)
            throw new InvalidDataException($"{header}: cannot decode the image: {StbImage.stbi__g_failure_reason ?? "unknown error"}.");
        try
        {
            CheckDecoded(header, x, y);
            for (int ch = 0; ch < c; ch++)
            {
                var dst = planar.AsSpan(ch * plane, plane);
                ushort* src = result + ch;
                for (int p = 0; p < plane; p++) dst[p] = src[(long)p * c] / 65535f;
            }
        }
        finally
        {
            // StbImageSharp allocates with Marshal.AllocHGlobal (its CRuntime.malloc) and frees with FreeHGlobal.
            Marshal.FreeHGlobal((IntPtr)result);
        }
    }

    private static void CheckDecoded(ImageHeader header, int width, int height)
    {
        if (width != header.Width || height != header.Height)
            throw new InvalidDataException(
                $"{header}: decoded {width} x {height} pixels, but the header says {header.Width} x {header.Height}.");
    }

    /// <summary>The format a path's extension asks for: .png, .jpg/.jpeg, .bmp.</summary>
    public static ImageFileFormat FormatFromExtension(string path)
    {
        string ext = System.IO.Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".png" => ImageFileFormat.Png,
            ".jpg" or ".jpeg" => ImageFileFormat.Jpeg,
            ".bmp" => ImageFileFormat.Bmp,
            _ => throw new ArgumentException(
                $"{path}: unknown image extension '{ext}'; expected .png, .jpg, .jpeg or .bmp."),
        };
    }

    /// <summary>
    /// Checks that an image of this size and these channels can be written to <paramref name="path"/> (extension known,
    /// JPEG has no alpha and at most 65535 pixels a side), so a caller can fail before hours of work.
    /// </summary>
    public static void CheckWritable(string path, int width, int height, int channels)
    {
        var format = FormatFromExtension(path);
        if (format == ImageFileFormat.Jpeg)
        {
            if (channels is 2 or 4)
                throw new ArgumentException(
                    $"{path}: JPEG cannot store the alpha channel of a {ImageData.ModeName(channels)} image; write a .png instead.");
            if (width > 65535 || height > 65535)
                throw new ArgumentException($"{path}: JPEG holds at most 65535 x 65535 pixels, the image is {width} x {height}; write a .png instead.");
        }
        if (format == ImageFileFormat.Bmp && ((long)width * height * 4 > int.MaxValue))
            throw new ArgumentException($"{path}: a {width} x {height} image is too large for BMP; write a .png instead.");
    }

    /// <summary>Writes <paramref name="image"/> in the format of <paramref name="path"/>'s extension (temporary file, then rename).</summary>
    public static void Write(string path, ImageData image, ImageWriteOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(image);
        options ??= new ImageWriteOptions();
        var format = FormatFromExtension(path);
        CheckWritable(path, image.Width, image.Height, image.Channels);
        if (options.JpegQuality is < 1 or > 100)
            throw new ArgumentException($"ImageIO.Write: JPEG quality must be 1..100, got {options.JpegQuality}.");
        int depth = options.BitDepth ?? image.BitDepth;
        if (depth is not 8 and not 16)
            throw new ArgumentException($"ImageIO.Write: bit depth must be 8 or 16, got {depth}.");
        if (options.PngZlibLevel is < 0 or > 9)
            throw new ArgumentException($"ImageIO.Write: PNG zlib level must be 0..9, got {options.PngZlibLevel}.");
        switch (format)
        {
            case ImageFileFormat.Png:
                if (options.PngZlibLevel is int zlibLevel)
                    WriteAtomic(path, s => PngEncoder.Write(s, image.Planar, image.Width, image.Height, image.Channels, depth, zlibLevel));
                else
                    WriteAtomic(path, s => PngEncoder.Write(s, image.Planar, image.Width, image.Height, image.Channels, depth, options.PngCompression));
                break;
            case ImageFileFormat.Jpeg:
                WriteAtomic(path, s => WriteJpeg(s, image, options.JpegQuality));
                break;
            case ImageFileFormat.Bmp:
                WriteAtomic(path, s => new ImageWriter().WriteBmp(Interleave8(image), image.Width, image.Height,
                    (WriteComponents)image.Channels, s));
                break;
        }
    }

    /// <summary>Interleaved 8-bit samples (HWC), clamped and rounded.</summary>
    public static byte[] Interleave8(ImageData image)
    {
        int c = image.Channels, plane = image.PlaneSize;
        var bytes = new byte[(long)plane * c];
        for (int ch = 0; ch < c; ch++)
        {
            var src = image.Planar.AsSpan(ch * plane, plane);
            for (int p = 0, d = ch; p < plane; p++, d += c) bytes[d] = Quantize8(src[p]);
        }
        return bytes;
    }

    internal static byte Quantize8(float v)
    {
        v = v > 0f ? (v < 1f ? v : 1f) : 0f; // NaN -> 0
        return (byte)MathF.Round(v * 255f);
    }

    /// <summary>
    /// JPEG through Skia's libjpeg-turbo: gray stays a one-component JPEG (stb_image_write would write gray as
    /// YCbCr), colour is 4:4:4 from quality 90 up.
    /// </summary>
    private static unsafe void WriteJpeg(Stream s, ImageData image, int quality)
    {
        int w = image.Width, h = image.Height, plane = image.PlaneSize;
        bool gray = image.Channels == 1;
        byte[] pixels;
        SKImageInfo info;
        if (gray)
        {
            pixels = Interleave8(image);
            info = new SKImageInfo(w, h, SKColorType.Gray8, SKAlphaType.Opaque);
        }
        else
        {
            pixels = new byte[(long)plane * 4];
            for (int ch = 0; ch < 3; ch++)
            {
                var src = image.Planar.AsSpan(ch * plane, plane);
                for (int p = 0, d = ch; p < plane; p++, d += 4) pixels[d] = Quantize8(src[p]);
            }
            for (int d = 3; d < pixels.Length; d += 4) pixels[d] = 255;
            info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
        }
        fixed (byte* p = pixels)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)p, info.RowBytes);
            var downsample = quality >= 90 ? SKJpegEncoderDownsample.Downsample444 : SKJpegEncoderDownsample.Downsample420;
            using var data = pixmap.Encode(new SKJpegEncoderOptions(quality, downsample, SKJpegEncoderAlphaOption.Ignore));
            if (data == null)
                throw new IOException($"JPEG encoding of a {w} x {h} {ImageData.ModeName(image.Channels)} image failed (Skia returned nothing).");
            data.SaveTo(s);
        }
    }

    /// <summary>Writes through <paramref name="write"/> to <c>path.tmp-XXXX</c>, flushes, then renames over <paramref name="path"/>.</summary>
    private static void WriteAtomic(string path, Action<Stream> write)
    {
        string full = System.IO.Path.GetFullPath(path);
        string tmp = full + ".tmp-" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { if (File.Exists(tmp)) File.Delete(tmp); } catch { /* best effort */ }
            throw;
        }
    }
}
