using NativeGan.Models.Data;

namespace NativeGan.Models.Sr.Data;

/// <summary>
/// LQ/GT pairs from two folders (BasicSR's paired_paths_from_folder): for each GT file STEM.EXT the LQ file is
/// <c>filenameTemplate</c> with "{}" replaced by STEM, plus the same extension (e.g. "{}x4" pairs
/// 0001.png with DIV2K's 0001x4.png); if no such file exists, a single LQ file with that name and another
/// image extension is accepted. Files directly in each folder, sorted by ordinal name; every GT file needs an
/// LQ partner and every LQ file a GT partner.
/// </summary>
public sealed class PairedFolderSource : ISrPairSource
{
    private readonly SrImageFiles gt;
    private readonly SrImageFiles lq;
    private readonly int[] lqOf;

    public PairedFolderSource(string lqFolder, string gtFolder, int scale, string filenameTemplate = "{}", SrSourceOptions? options = null)
    {
        if (scale <= 0) throw new ArgumentException($"PairedFolderSource: scale must be positive, got {scale}.");
        ArgumentNullException.ThrowIfNull(filenameTemplate);
        if (!filenameTemplate.Contains("{}"))
            throw new ArgumentException($"PairedFolderSource: filenameTemplate must contain \"{{}}\" (the GT file name without extension), got \"{filenameTemplate}\".");
        options ??= new SrSourceOptions();
        gt = new SrImageFiles(gtFolder, "PairedFolderSource (GT)", options);
        lq = new SrImageFiles(lqFolder, "PairedFolderSource (LQ)", options);
        Scale = scale;
        FilenameTemplate = filenameTemplate;
        if (gt.Files.Count == 0)
            throw new InvalidDataException($"PairedFolderSource: no {string.Join("/", ImageFolderDataset.Extensions)} files in the GT folder {gt.Folder}.");

        var lqIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var lqByStem = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < lq.Files.Count; i++)
        {
            string name = Path.GetFileName(lq.Files[i]);
            lqIndex[name] = i;
            string stem = Path.GetFileNameWithoutExtension(name);
            if (!lqByStem.TryGetValue(stem, out var list)) lqByStem[stem] = list = new List<int>();
            list.Add(i);
        }
        lqOf = new int[gt.Files.Count];
        var used = new bool[lq.Files.Count];
        for (int i = 0; i < gt.Files.Count; i++)
        {
            string gtName = Path.GetFileName(gt.Files[i]);
            string stem = filenameTemplate.Replace("{}", Path.GetFileNameWithoutExtension(gtName));
            string expected = stem + Path.GetExtension(gtName);
            int j = lqIndex.TryGetValue(expected, out int exact) ? exact
                : lqByStem.TryGetValue(stem, out var other) && other.Count == 1 ? other[0]
                : -1;
            if (j >= 0)
            {
                lqOf[i] = j;
                used[j] = true;
                continue;
            }
            throw new InvalidDataException(
                $"PairedFolderSource: the GT file {gt.Files[i]} has no LQ partner: expected {expected} in the LQ folder {lq.Folder} " +
                $"(filename template \"{filenameTemplate}\", GT folder {gt.Folder}).");
        }
        int unused = Array.IndexOf(used, false);
        if (unused >= 0)
            throw new InvalidDataException(
                $"PairedFolderSource: the LQ file {lq.Files[unused]} has no GT partner in {gt.Folder} (filename template \"{filenameTemplate}\"); " +
                $"the LQ folder {lq.Folder} holds {lq.Files.Count} images, the GT folder {gt.Files.Count}.");
    }

    public int Count => gt.Files.Count;
    public int Scale { get; }
    public int Channels => 3;
    public string FilenameTemplate { get; }
    public string GtFolder => gt.Folder;
    public string LqFolder => lq.Folder;

    public string Name(int index) => gt.Files[CheckIndex(index)];

    /// <summary>The LQ file of pair <paramref name="index"/>.</summary>
    public string LqFile(int index) => lq.Files[lqOf[CheckIndex(index)]];

    public SrImagePair Read(int index)
    {
        var (g, l) = Decode(index);
        return SrPairCrops.Whole(g, l, Scale, Name(index), LqFile(index));
    }

    public SrImagePair ReadRandomPatch(int index, int gtPatchSize, ref SrRandom random)
    {
        var (g, l) = Decode(index);
        return SrPairCrops.RandomPatch(g, l, Scale, gtPatchSize, ref random, Name(index), LqFile(index));
    }

    private (DecodedImage Gt, DecodedImage Lq) Decode(int index) => (gt.Decode(CheckIndex(index)), lq.Decode(lqOf[index]));

    private int CheckIndex(int index) =>
        (uint)index < (uint)Count ? index : throw new ArgumentOutOfRangeException(nameof(index), $"PairedFolderSource: index {index} outside [0, {Count}).");
}
