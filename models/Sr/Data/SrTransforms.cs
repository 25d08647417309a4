namespace NativeGan.Models.Sr.Data;

/// <summary>Which of BasicSR's augmentations a sample got: horizontal flip, vertical flip, transpose
/// (rot90 is implemented as a transpose of H and W, as BasicSR's augment).</summary>
public readonly record struct SrAugmentation(bool HFlip, bool VFlip, bool Rot90)
{
    public static readonly SrAugmentation None = default;

    /// <summary>Draws the flags as BasicSR's augment: hflip = useHFlip and random() &lt; 0.5, then vflip and
    /// rot90 each = useRot and random() &lt; 0.5; a disabled flag draws nothing.</summary>
    public static SrAugmentation Draw(ref SrRandom random, bool useHFlip, bool useRot)
    {
        bool h = useHFlip && random.NextDouble() < 0.5;
        bool v = useRot && random.NextDouble() < 0.5;
        bool r = useRot && random.NextDouble() < 0.5;
        return new SrAugmentation(h, v, r);
    }
}

/// <summary>The geometric transforms of BasicSR's training pipeline (basicsr/data/transforms.py) on CHW floats.</summary>
public static class SrTransforms
{
    /// <summary>Crops the bottom and right so that both sides are multiples of <paramref name="scale"/> (mod_crop).</summary>
    public static (float[] Data, int Height, int Width) ModCrop(float[] chw, int channels, int height, int width, int scale)
    {
        if (scale <= 0) throw new ArgumentException($"SrTransforms.ModCrop: scale must be positive, got {scale}.");
        int h = height - height % scale, w = width - width % scale;
        if (h == height && w == width) return (chw, height, width);
        return (Crop(chw, channels, height, width, 0, 0, h, w), h, w);
    }

    /// <summary>The window [top, top + outHeight) x [left, left + outWidth) of a CHW image.</summary>
    public static float[] Crop(float[] chw, int channels, int height, int width, int top, int left, int outHeight, int outWidth)
    {
        ArgumentNullException.ThrowIfNull(chw);
        if (chw.Length != (long)channels * height * width)
            throw new ArgumentException($"SrTransforms.Crop: expected {channels} x {height} x {width} floats, got {chw.Length}.");
        if (top < 0 || left < 0 || outHeight < 0 || outWidth < 0 || top + outHeight > height || left + outWidth > width)
            throw new ArgumentException(
                $"SrTransforms.Crop: window rows [{top}, {top + outHeight}) x columns [{left}, {left + outWidth}) is outside the {height} x {width} image.");
        var dst = new float[channels * outHeight * outWidth];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < outHeight; y++)
                chw.AsSpan((c * height + top + y) * width + left, outWidth).CopyTo(dst.AsSpan((c * outHeight + y) * outWidth, outWidth));
        return dst;
    }

    /// <summary>Checks a pair for <see cref="PairedRandomCrop"/> and returns the LQ patch size; the messages
    /// are BasicSR's (scale mismatch, LQ smaller than the patch) plus the file.</summary>
    public static int CheckPatch(int lqHeight, int lqWidth, int gtHeight, int gtWidth, int gtPatchSize, int scale, string name)
    {
        if (scale <= 0) throw new ArgumentException($"SrTransforms: scale must be positive, got {scale}.");
        if (gtPatchSize <= 0 || gtPatchSize % scale != 0)
            throw new ArgumentException($"SrTransforms: gtPatchSize must be a positive multiple of scale {scale}, got {gtPatchSize}.");
        int lqPatch = gtPatchSize / scale;
        if (gtHeight != lqHeight * scale || gtWidth != lqWidth * scale)
            throw new InvalidDataException(
                $"{name}: scale mismatch: GT ({gtHeight}, {gtWidth}) is not {scale}x the LQ ({lqHeight}, {lqWidth}).");
        if (lqHeight < lqPatch || lqWidth < lqPatch)
            throw new InvalidDataException(
                $"{name}: LQ ({lqHeight}, {lqWidth}) is smaller than the LQ patch ({lqPatch}, {lqPatch}) of GT patch {gtPatchSize} at scale {scale}; remove the file or lower the patch size.");
        return lqPatch;
    }

    /// <summary>BasicSR's paired_random_crop: an LQ window of gtPatchSize / scale at top = randint(0, h - p),
    /// left = randint(0, w - p) (drawn in that order), and the GT window at (top * scale, left * scale).</summary>
    public static SrImagePair PairedRandomCrop(SrImagePair pair, int gtPatchSize, int scale, ref SrRandom random)
    {
        ArgumentNullException.ThrowIfNull(pair);
        int lqPatch = CheckPatch(pair.LqHeight, pair.LqWidth, pair.GtHeight, pair.GtWidth, gtPatchSize, scale, pair.Name);
        int top = random.NextInt(0, pair.LqHeight - lqPatch);
        int left = random.NextInt(0, pair.LqWidth - lqPatch);
        var lq = Crop(pair.Lq, pair.Channels, pair.LqHeight, pair.LqWidth, top, left, lqPatch, lqPatch);
        var gt = Crop(pair.Gt, pair.Channels, pair.GtHeight, pair.GtWidth, top * scale, left * scale, gtPatchSize, gtPatchSize);
        return pair with { Lq = lq, LqHeight = lqPatch, LqWidth = lqPatch, Gt = gt, GtHeight = gtPatchSize, GtWidth = gtPatchSize };
    }

    /// <summary>Applies hflip, then vflip, then transpose (BasicSR's order) to a CHW image; a transpose swaps
    /// the returned height and width.</summary>
    public static (float[] Data, int Height, int Width) Augment(float[] chw, int channels, int height, int width, SrAugmentation aug)
    {
        ArgumentNullException.ThrowIfNull(chw);
        if (chw.Length != (long)channels * height * width)
            throw new ArgumentException($"SrTransforms.Augment: expected {channels} x {height} x {width} floats, got {chw.Length}.");
        if (aug == SrAugmentation.None) return (chw, height, width);
        int oh = aug.Rot90 ? width : height, ow = aug.Rot90 ? height : width;
        var dst = new float[chw.Length];
        for (int c = 0; c < channels; c++)
        {
            int plane = c * height * width;
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    int sy = aug.VFlip ? height - 1 - y : y, sx = aug.HFlip ? width - 1 - x : x;
                    // after the flips, pixel (y, x) holds source (sy, sx); the transpose moves it to (x, y)
                    int d = aug.Rot90 ? plane + x * ow + y : plane + y * ow + x;
                    dst[d] = chw[plane + sy * width + sx];
                }
        }
        return (dst, oh, ow);
    }

    /// <summary>The same augmentation on both images of a pair.</summary>
    public static SrImagePair Augment(SrImagePair pair, SrAugmentation aug)
    {
        ArgumentNullException.ThrowIfNull(pair);
        if (aug == SrAugmentation.None) return pair;
        var (lq, lh, lw) = Augment(pair.Lq, pair.Channels, pair.LqHeight, pair.LqWidth, aug);
        var (gt, gh, gw) = Augment(pair.Gt, pair.Channels, pair.GtHeight, pair.GtWidth, aug);
        return pair with { Lq = lq, LqHeight = lh, LqWidth = lw, Gt = gt, GtHeight = gh, GtWidth = gw };
    }
}
