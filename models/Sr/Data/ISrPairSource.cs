using NativeGan.Models.Data;

namespace NativeGan.Models.Sr.Data;

/// <summary>
/// Indexable LQ/GT image pairs for super-resolution (BasicSR's PairedImageDataset). Images are RGB CHW floats
/// in [0, 1] (8-bit files / 255, as BasicSR's imfrombytes(float32=True)). Implementations must allow calls
/// from several threads at once (the <see cref="SrPairLoader"/> reads the samples of a batch in parallel on a
/// background thread).
/// </summary>
public interface ISrPairSource
{
    /// <summary>Number of pairs.</summary>
    int Count { get; }

    /// <summary>GT size / LQ size.</summary>
    int Scale { get; }

    /// <summary>Channels of every image (3: RGB).</summary>
    int Channels { get; }

    /// <summary>The GT file of pair <paramref name="index"/> (what error messages and validation logs name).</summary>
    string Name(int index);

    /// <summary>The whole pair, the GT cropped to LQ * scale (BasicSR's validation crop).</summary>
    SrImagePair Read(int index);

    /// <summary>A training patch: BasicSR's paired_random_crop of the pair (GT patch <paramref name="gtPatchSize"/>,
    /// LQ patch gtPatchSize / scale), drawing top then left from <paramref name="random"/>. Throws
    /// <see cref="InvalidDataException"/> naming the file when the sizes do not match the scale or the LQ is
    /// smaller than the patch.</summary>
    SrImagePair ReadRandomPatch(int index, int gtPatchSize, ref SrRandom random);
}

/// <summary>Options of the folder sources.</summary>
public sealed record SrSourceOptions
{
    /// <summary>Largest image accepted, in pixels, checked from the header before decoding.</summary>
    public long MaxPixels { get; init; } = ImageDecoding.DefaultMaxPixels;

    /// <summary>Keep each decoded image (8-bit RGB, 3 bytes a pixel) in memory after its first read.</summary>
    public bool CacheInMemory { get; init; }
}

/// <summary>Image files of a folder and 8-bit RGB decoding with an optional in-memory cache.</summary>
internal sealed class SrImageFiles
{
    private readonly DecodedImage?[]? cache;
    private readonly long maxPixels;

    public SrImageFiles(string folder, string who, SrSourceOptions options)
        : this(folder, Directory.Exists(folder) ? List(Path.GetFullPath(folder)) : throw new DirectoryNotFoundException($"{who}: folder not found: {folder}"), who, options) { }

    /// <summary>Given files (full paths) under <paramref name="folder"/>, in the given order (a meta_info list).</summary>
    public SrImageFiles(string folder, IReadOnlyList<string> files, string who, SrSourceOptions options)
    {
        Folder = Path.GetFullPath(folder);
        Files = files;
        maxPixels = options.MaxPixels;
        if (maxPixels <= 0) throw new ArgumentException($"{who}: MaxPixels must be positive, got {maxPixels}.");
        if (options.CacheInMemory) cache = new DecodedImage?[Files.Count];
    }

    public string Folder { get; }

    /// <summary>Full paths, sorted by ordinal file name.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The image files directly in a folder (not in subfolders, as BasicSR's scandir), by ordinal name.</summary>
    public static string[] List(string folder) =>
        Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System })
            .Where(f => ImageFolderDataset.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToArray();

    /// <summary>Decoded RGB bytes (HWC) of file <paramref name="index"/>.</summary>
    public DecodedImage Decode(int index)
    {
        if (cache != null && Volatile.Read(ref cache[index]) is { } hit) return hit;
        var (data, width, height) = ImageDecoding.Decode8Bit(Files[index], 3, maxPixels, "SrSourceOptions.MaxPixels");
        var image = new DecodedImage(data, width, height);
        if (cache != null) Volatile.Write(ref cache[index], image);
        return image;
    }

    /// <summary>The window [top, top + h) x [left, left + w) of an HWC RGB byte image as CHW floats / 255.</summary>
    public static float[] ToChw(DecodedImage image, int top, int left, int h, int w)
    {
        var rgb = image.Rgb;
        int width = image.Width;
        var dst = new float[3 * h * w];
        int plane = h * w;
        for (int y = 0; y < h; y++)
        {
            int src = ((top + y) * width + left) * 3;
            int d = y * w;
            for (int x = 0; x < w; x++, src += 3, d++)
            {
                dst[d] = rgb[src] / 255f;
                dst[plane + d] = rgb[src + 1] / 255f;
                dst[2 * plane + d] = rgb[src + 2] / 255f;
            }
        }
        return dst;
    }
}

/// <summary>An 8-bit RGB image, HWC.</summary>
internal sealed record DecodedImage(byte[] Rgb, int Width, int Height);
