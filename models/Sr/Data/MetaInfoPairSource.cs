namespace NativeGan.Models.Sr.Data;

/// <summary>
/// LQ/GT pairs listed in a meta_info file, as Real-ESRGAN's RealESRGANPairedDataset reads one (written by its
/// scripts/generate_meta_info_pairdata.py): one pair a line, <c>GT_PATH, LQ_PATH</c>, relative to dataroot_gt and
/// dataroot_lq. Pairs keep the file's order; blank lines are skipped; every listed file must exist.
/// </summary>
public sealed class MetaInfoPairSource : ISrPairSource
{
    private readonly SrImageFiles gt;
    private readonly SrImageFiles lq;

    public MetaInfoPairSource(string lqRoot, string gtRoot, string metaInfo, int scale, SrSourceOptions? options = null)
    {
        if (scale <= 0) throw new ArgumentException($"MetaInfoPairSource: scale must be positive, got {scale}.");
        if (!File.Exists(metaInfo)) throw new FileNotFoundException($"MetaInfoPairSource: meta_info file not found: {metaInfo}", metaInfo);
        options ??= new SrSourceOptions();
        var gtFiles = new List<string>();
        var lqFiles = new List<string>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(metaInfo))
        {
            lineNo++;
            string line = raw.Trim();
            if (line.Length == 0) continue;
            int comma = line.IndexOf(", ", StringComparison.Ordinal);
            if (comma <= 0 || comma + 2 >= line.Length)
                throw new InvalidDataException($"{metaInfo}: line {lineNo}: expected 'GT_PATH, LQ_PATH' (a pair separated by a comma and a space), got '{line}'.");
            string g = Path.Combine(gtRoot, line[..comma].Trim()), l = Path.Combine(lqRoot, line[(comma + 2)..].Trim());
            foreach (var (file, root, what) in new[] { (g, gtRoot, "dataroot_gt"), (l, lqRoot, "dataroot_lq") })
                if (!File.Exists(file))
                    throw new FileNotFoundException($"{metaInfo}: line {lineNo}: {file} does not exist (the path is relative to {what} {root}).", file);
            gtFiles.Add(Path.GetFullPath(g));
            lqFiles.Add(Path.GetFullPath(l));
        }
        if (gtFiles.Count == 0) throw new InvalidDataException($"{metaInfo}: no pairs listed (expected lines 'GT_PATH, LQ_PATH').");
        gt = new SrImageFiles(gtRoot, gtFiles, "MetaInfoPairSource (GT)", options);
        lq = new SrImageFiles(lqRoot, lqFiles, "MetaInfoPairSource (LQ)", options);
        Scale = scale;
        MetaInfo = metaInfo;
    }

    public int Count => gt.Files.Count;
    public int Scale { get; }
    public int Channels => 3;
    public string MetaInfo { get; }

    public string Name(int index) => gt.Files[CheckIndex(index)];

    /// <summary>The LQ file of pair <paramref name="index"/>.</summary>
    public string LqFile(int index) => lq.Files[CheckIndex(index)];

    public SrImagePair Read(int index)
    {
        var (g, l) = (gt.Decode(CheckIndex(index)), lq.Decode(index));
        return SrPairCrops.Whole(g, l, Scale, Name(index), LqFile(index));
    }

    public SrImagePair ReadRandomPatch(int index, int gtPatchSize, ref SrRandom random)
    {
        var (g, l) = (gt.Decode(CheckIndex(index)), lq.Decode(index));
        return SrPairCrops.RandomPatch(g, l, Scale, gtPatchSize, ref random, Name(index), LqFile(index));
    }

    private int CheckIndex(int index) =>
        (uint)index < (uint)Count ? index : throw new ArgumentOutOfRangeException(nameof(index), $"MetaInfoPairSource: index {index} outside [0, {Count}).");
}
