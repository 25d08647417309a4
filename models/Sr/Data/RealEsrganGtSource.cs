using NativeGan.Models.Data;

namespace NativeGan.Models.Sr.Data;

/// <summary>
/// The ground truths of Real-ESRGAN's RealESRGANDataset: the images of <c>dataroot_gt</c> named by a BasicSR
/// <c>meta_info</c> file (one path per line, relative to the root; the first word of a line) or, without one,
/// every image directly in the folder; the list repeated <c>dataset_enlarge_ratio</c> times. A training patch is the
/// dataset's crop_pad: an image smaller than <c>crop_pad_size</c> is padded at the bottom and right by reflection
/// (OpenCV's BORDER_REFLECT_101), a larger one is cropped at a random window of that size. The LR is made later by
/// the degradations, so this source's "LQ" is the GT itself (scale 1, the same array): <see cref="SrPairLoader"/>
/// gives it the batching, epochs, flips and bitwise <c>Seek</c> of every SR source.
/// </summary>
public sealed class RealEsrganGtSource : ISrPairSource
{
    private readonly string[] files;
    private readonly long maxPixels;

    /// <param name="root">dataroot_gt.</param>
    /// <param name="metaInfo">meta_info file, or null for every image in <paramref name="root"/>.</param>
    /// <param name="cropPadSize">RealESRGANDataset's crop_pad_size (400).</param>
    /// <param name="enlargeRatio">dataset_enlarge_ratio.</param>
    public RealEsrganGtSource(string root, string? metaInfo, int cropPadSize = 400, int enlargeRatio = 1, long maxPixels = ImageDecoding.DefaultMaxPixels)
    {
        if (cropPadSize < 1) throw new ArgumentException($"RealEsrganGtSource: crop_pad_size must be positive, got {cropPadSize}.");
        if (enlargeRatio < 1) throw new ArgumentException($"RealEsrganGtSource: dataset_enlarge_ratio must be >= 1, got {enlargeRatio}.");
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"RealEsrganGtSource: dataroot_gt folder not found: {root}");
        Root = Path.GetFullPath(root);
        files = metaInfo == null ? SrImageFiles.List(Root) : ReadMetaInfo(Root, metaInfo);
        if (files.Length == 0)
            throw new InvalidDataException($"RealEsrganGtSource: no {string.Join("/", ImageFolderDataset.Extensions)} files in {Root}.");
        CropPadSize = cropPadSize;
        EnlargeRatio = enlargeRatio;
        this.maxPixels = maxPixels;
    }

    public string Root { get; }
    public int CropPadSize { get; }
    public int EnlargeRatio { get; }
    public int Files => files.Length;
    public int Count => files.Length * EnlargeRatio;
    public int Scale => 1;
    public int Channels => 3;

    public string Name(int index) => files[CheckIndex(index) % files.Length];

    /// <summary>BasicSR's meta_info: a path per line relative to the root (anything after the first space, e.g. an
    /// image size, is ignored; blank lines are skipped); every file must exist.</summary>
    public static string[] ReadMetaInfo(string root, string metaInfo)
    {
        if (!File.Exists(metaInfo)) throw new FileNotFoundException($"meta_info file not found: {metaInfo}", metaInfo);
        var list = new List<string>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(metaInfo))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            string rel = line.Split(' ', 2)[0];
            string full = Path.GetFullPath(Path.Combine(root, rel));
            if (!File.Exists(full))
                throw new FileNotFoundException($"{metaInfo}, line {lineNo}: '{rel}' is not a file under dataroot_gt {root}.", full);
            list.Add(full);
        }
        return list.ToArray();
    }

    public SrImagePair Read(int index)
    {
        var img = Decode(index);
        var chw = SrImageFiles.ToChw(img, 0, 0, img.Height, img.Width);
        return new SrImagePair(chw, img.Height, img.Width, chw, img.Height, img.Width, 3, Name(index));
    }

    /// <summary>The crop_pad of the image (<paramref name="gtPatchSize"/> must be <see cref="CropPadSize"/>).</summary>
    public SrImagePair ReadRandomPatch(int index, int gtPatchSize, ref SrRandom random)
    {
        if (gtPatchSize != CropPadSize)
            throw new ArgumentException($"RealEsrganGtSource: patches are crop_pad_size {CropPadSize}, asked for {gtPatchSize}.");
        var img = Decode(index);
        int h = img.Height, w = img.Width, s = CropPadSize;
        float[] chw;
        if (h < s || w < s)
        {
            // Pad first (bottom / right, reflect-101), then crop if the other side is larger, as RealESRGANDataset.
            int ph = Math.Max(h, s), pw = Math.Max(w, s);
            var full = SrImageFiles.ToChw(img, 0, 0, h, w);
            var padded = new float[3 * ph * pw];
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < ph; y++)
                {
                    int sy = Reflect101(y, h);
                    for (int x = 0; x < pw; x++)
                        padded[(c * ph + y) * pw + x] = full[(c * h + sy) * w + Reflect101(x, w)];
                }
            int top = ph > s ? random.NextInt(0, ph - s) : 0, left = pw > s ? random.NextInt(0, pw - s) : 0;
            chw = SrTransforms.Crop(padded, 3, ph, pw, top, left, s, s);
        }
        else
        {
            int top = random.NextInt(0, h - s), left = random.NextInt(0, w - s);
            chw = SrImageFiles.ToChw(img, top, left, s, s);
        }
        return new SrImagePair(chw, s, s, chw, s, s, 3, Name(index));
    }

    /// <summary>OpenCV's BORDER_REFLECT_101 index (gfedcb|abcdefgh|gfedcba), repeated for pads wider than the image.</summary>
    private static int Reflect101(int i, int n)
    {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - i;
    }

    private DecodedImage Decode(int index)
    {
        string path = Name(index);
        var (data, width, height) = ImageDecoding.Decode8Bit(path, 3, maxPixels, "MaxPixels");
        return new DecodedImage(data, width, height);
    }

    private int CheckIndex(int index) =>
        (uint)index < (uint)Count ? index : throw new ArgumentOutOfRangeException(nameof(index), $"RealEsrganGtSource: index {index} outside [0, {Count}).");
}
