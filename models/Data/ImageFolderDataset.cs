namespace NativeGan.Models.Data;

/// <summary>Options of <see cref="ImageFolderDataset"/>.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Largest image accepted, in pixels (width * height), checked from the header before decoding.
    /// The default, 64 Mi pixels, is an 8192 x 8192 image (256 MiB decoded as RGBA).</summary>
    public long MaxPixels { get; init; } = 8192L * 8192;

    public ResizeFilter Filter { get; init; } = ResizeFilter.Bilinear;

    /// <summary>Keep each processed sample in memory after its first read (C*H*W floats per image).</summary>
    public bool CacheInMemory { get; init; }
}

/// <summary>
/// The PNG / JPEG / BMP files under a folder (recursive, sorted by ordinal relative path), decoded with
/// StbImageSharp, converted to float CHW in [-1, 1] (x / 127.5 - 1), the shorter side resized to
/// <see cref="Size"/> (antialiased bilinear or bicubic) and the centre Size x Size cropped, as torchvision's
/// Resize(size) + CenterCrop(size) + ToTensor + Normalize(0.5, 0.5). Grayscale (1 channel, stb's luma) or
/// RGB (3 channels; alpha is dropped). The label of a file is the index of its top-level subfolder in
/// <see cref="Classes"/> (files directly in the root belong to class "", so a flat folder is all label 0).
/// </summary>
public sealed class ImageFolderDataset : IDataset
{
    public static readonly IReadOnlyList<string> Extensions = new[] { ".png", ".jpg", ".jpeg", ".bmp" };

    private readonly int[] labels;
    private readonly float[]?[]? cache;

    public ImageFolderDataset(string root, int size, int channels = 3, ImageFolderOptions? options = null)
    {
        if (size <= 0) throw new ArgumentException($"ImageFolderDataset: size must be positive, got {size}.");
        if (channels != 1 && channels != 3)
            throw new ArgumentException($"ImageFolderDataset: channels must be 1 (grayscale) or 3 (RGB), got {channels}.");
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"ImageFolderDataset: folder not found: {root}");
        Root = Path.GetFullPath(root);
        Size = size;
        Channels = channels;
        Options = options ?? new ImageFolderOptions();
        if (Options.MaxPixels <= 0) throw new ArgumentException($"ImageFolderDataset: MaxPixels must be positive, got {Options.MaxPixels}.");

        var files = Directory.EnumerateFiles(Root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System })
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Select(f => Path.GetRelativePath(Root, f))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();
        if (files.Length == 0)
            throw new InvalidDataException($"ImageFolderDataset: no {string.Join("/", Extensions)} files under {Root}.");
        Files = files.Select(f => Path.Combine(Root, f)).ToArray();
        static string ClassOf(string rel)
        {
            int i = rel.IndexOfAny(new[] { '/', '\\' });
            return i < 0 ? "" : rel[..i];
        }
        Classes = files.Select(ClassOf).Distinct().OrderBy(c => c, StringComparer.Ordinal).ToArray();
        var classIndex = Classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        labels = files.Select(f => classIndex[ClassOf(f)]).ToArray();
        if (Options.CacheInMemory) cache = new float[Files.Count][];
    }

    public string Root { get; }
    public int Size { get; }
    public int Channels { get; }
    public ImageFolderOptions Options { get; }
    public IReadOnlyList<string> Files { get; }
    public IReadOnlyList<string> Classes { get; }
    public int Count => Files.Count;
    public int[] SampleShape => new[] { Channels, Size, Size };

    public int Label(int index) => labels[index];

    public float ReadSample(int index, Span<float> destination)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"ImageFolderDataset: index {index} outside [0, {Count}).");
        int n = Channels * Size * Size;
        if (destination.Length < n)
            throw new ArgumentException($"ImageFolderDataset.ReadSample: destination holds {destination.Length} floats, expected {n}.");
        float[]? sample = cache != null ? Volatile.Read(ref cache[index]) : null;
        if (sample == null)
        {
            sample = Load(Files[index], Size, Channels, Options);
            if (cache != null) Volatile.Write(ref cache[index], sample);
        }
        sample.AsSpan(0, n).CopyTo(destination);
        return labels[index];
    }

    /// <summary>Decodes one file and returns its processed [channels, size, size] floats in [-1, 1].</summary>
    public static float[] Load(string path, int size, int channels, ImageFolderOptions? options = null)
    {
        options ??= new ImageFolderOptions();
        var (raw, w, h) = Decode(path, channels, options.MaxPixels);
        // HWC bytes -> CHW floats in [-1, 1]
        var chw = new float[channels * h * w];
        int plane = h * w;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < channels; c++)
                chw[c * plane + p] = raw[p * channels + c] / 127.5f - 1f;

        // torchvision Resize(int): the shorter side becomes `size`, the longer keeps the aspect ratio (truncated).
        int rh, rw;
        if (h <= w) { rh = size; rw = Math.Max(1, (int)((long)size * w / h)); }
        else { rw = size; rh = Math.Max(1, (int)((long)size * h / w)); }
        float[] resized = ImageResize.Resize(chw, channels, h, w, rh, rw, options.Filter);
        if (options.Filter == ResizeFilter.Bicubic)
            for (int i = 0; i < resized.Length; i++) resized[i] = Math.Clamp(resized[i], -1f, 1f);
        return rh == size && rw == size ? resized : ImageResize.CenterCrop(resized, channels, rh, rw, size, size);
    }

    /// <summary>Reads the header (without decoding) and returns (width, height, channels in the file).</summary>
    public static (int Width, int Height, int Components) ReadHeader(string path) => ImageDecoding.ReadHeader(path);

    private static (byte[] Data, int Width, int Height) Decode(string path, int channels, long maxPixels) =>
        ImageDecoding.Decode8Bit(path, channels, maxPixels, "ImageFolderOptions.MaxPixels");
}
