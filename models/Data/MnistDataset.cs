namespace NativeGan.Models.Data;

/// <summary>
/// MNIST / Fashion-MNIST from idx files: images [1, rows, cols] as floats in [-1, 1] (x / 127.5 - 1, what
/// PyTorch-GAN's ToTensor + Normalize([0.5], [0.5]) give), labels as floats (the class index).
/// </summary>
public sealed class MnistDataset : IDataset
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the (gzipped) idx files.</summary>
    public const string DebianFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Installation hint for Fashion-MNIST.</summary>
    public const string DebianInstallHint = "sudo apt-get install dataset-fashion-mnist";

    private readonly byte[] pixels;
    private readonly byte[] labels;

    private MnistDataset(IdxImages images, byte[] labels, string imagesPath, string labelsPath)
    {
        pixels = images.Pixels;
        this.labels = labels;
        Count = images.Count;
        Rows = images.Rows;
        Cols = images.Cols;
        ImagesPath = imagesPath;
        LabelsPath = labelsPath;
    }

    public int Count { get; }
    public int Rows { get; }
    public int Cols { get; }
    public int[] SampleShape => new[] { 1, Rows, Cols };
    public string ImagesPath { get; }
    public string LabelsPath { get; }

    /// <summary>True when the Debian Fashion-MNIST files are installed.</summary>
    public static bool DebianFashionMnistAvailable =>
        TryFind(DebianFashionMnistDirectory, true, out _, out _) && TryFind(DebianFashionMnistDirectory, false, out _, out _);

    /// <summary>Loads <c>train-images-idx3-ubyte</c> / <c>train-labels-idx1-ubyte</c> (or <c>t10k-...</c> when
    /// <paramref name="train"/> is false) from <paramref name="directory"/>, raw or with a <c>.gz</c> suffix.</summary>
    public static MnistDataset Load(string directory, bool train = true)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException(
                $"MNIST directory not found: {directory}" +
                (Path.GetFullPath(directory).TrimEnd('/') == DebianFashionMnistDirectory ? $" (install it with `{DebianInstallHint}`)" : ""));
        if (!TryFind(directory, train, out var imagesPath, out var labelsPath))
        {
            string prefix = train ? "train" : "t10k";
            throw new FileNotFoundException(
                $"{directory}: expected {prefix}-images-idx3-ubyte and {prefix}-labels-idx1-ubyte (optionally .gz) but found " +
                (imagesPath == null && labelsPath == null ? "neither" : imagesPath == null ? "no images file" : "no labels file") + ".");
        }
        return FromFiles(imagesPath!, labelsPath!);
    }

    /// <summary>Loads an explicit pair of idx files.</summary>
    public static MnistDataset FromFiles(string imagesPath, string labelsPath)
    {
        var images = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath);
        if (labels.Length != images.Count)
            throw new IdxFormatException(labelsPath,
                $"count mismatch: {imagesPath} holds {images.Count} images but this label file holds {labels.Length} labels.");
        return new MnistDataset(images, labels, imagesPath, labelsPath);
    }

    private static bool TryFind(string directory, bool train, out string? imagesPath, out string? labelsPath)
    {
        string prefix = train ? "train" : "t10k";
        imagesPath = FindOne(directory, $"{prefix}-images-idx3-ubyte");
        labelsPath = FindOne(directory, $"{prefix}-labels-idx1-ubyte");
        return imagesPath != null && labelsPath != null;
    }

    private static string? FindOne(string directory, string stem)
    {
        // Raw first, then gzip; torchvision's download folders also use "train-images.idx3-ubyte".
        foreach (var name in new[] { stem, stem + ".gz", stem.Replace("-idx", ".idx"), stem.Replace("-idx", ".idx") + ".gz" })
        {
            var p = Path.Combine(directory, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>The raw class index (0..255) of sample <paramref name="index"/>.</summary>
    public int Label(int index) => labels[index];

    /// <summary>The raw bytes of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> RawImage(int index) => pixels.AsSpan(index * Rows * Cols, Rows * Cols);

    public float ReadSample(int index, Span<float> destination)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"MnistDataset: index {index} outside [0, {Count}).");
        int n = Rows * Cols;
        if (destination.Length < n)
            throw new ArgumentException($"MnistDataset.ReadSample: destination holds {destination.Length} floats, expected {n}.");
        var src = pixels.AsSpan(index * n, n);
        for (int i = 0; i < n; i++) destination[i] = src[i] / 127.5f - 1f;
        return labels[index];
    }

    /// <summary>All images as one array [Count, 1, Rows, Cols] in [-1, 1].</summary>
    public float[] ImagesAsFloat()
    {
        var result = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++) result[i] = pixels[i] / 127.5f - 1f;
        return result;
    }

    /// <summary>All labels as floats.</summary>
    public float[] LabelsAsFloat() => Array.ConvertAll(labels, b => (float)b);
}
