namespace NativeGan.Models.Sr.Data;

/// <summary>
/// Whole LQ/GT image pairs for validation (BasicSR's PairedImageDataset in the 'val' phase: no crop or
/// augmentation, the GT cropped to LQ * scale), in source order, for PSNR / SSIM with
/// <see cref="NativeGan.Models.Metrics.SrMetrics"/>. Pairs are kept in memory after their first read unless
/// <c>cache</c> is false.
/// </summary>
public sealed class SrValidationSet
{
    private readonly ISrPairSource source;
    private readonly SrImagePair?[]? cache;

    public SrValidationSet(ISrPairSource source, bool cache = true)
    {
        this.source = source ?? throw new ArgumentNullException(nameof(source));
        if (source.Count == 0) throw new ArgumentException("SrValidationSet: the source is empty.");
        if (cache) this.cache = new SrImagePair?[source.Count];
    }

    public ISrPairSource Source => source;
    public int Count => source.Count;
    public int Scale => source.Scale;

    /// <summary>The GT file of pair <paramref name="index"/>.</summary>
    public string Name(int index) => source.Name(index);

    /// <summary>Pair <paramref name="index"/>: LQ and GT as CHW floats in [0, 1].</summary>
    public SrImagePair Get(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"SrValidationSet: index {index} outside [0, {Count}).");
        if (cache == null) return source.Read(index);
        return cache[index] ??= source.Read(index);
    }

    /// <summary>Pair <paramref name="index"/> as tensors [1, C, h, w] and [1, C, h * scale, w * scale] on
    /// <paramref name="device"/> (null: <see cref="Device.Default"/>); the caller disposes them.</summary>
    public (Tensor Lq, Tensor Gt) GetTensors(int index, Device? device = null)
    {
        var p = Get(index);
        var lq = Tensor.FromArray(p.Lq, new[] { 1, p.Channels, p.LqHeight, p.LqWidth }, device);
        try { return (lq, Tensor.FromArray(p.Gt, new[] { 1, p.Channels, p.GtHeight, p.GtWidth }, device)); }
        catch { lq.Dispose(); throw; }
    }

    /// <summary>All pairs in order.</summary>
    public IEnumerable<SrImagePair> Pairs()
    {
        for (int i = 0; i < Count; i++) yield return Get(i);
    }
}
