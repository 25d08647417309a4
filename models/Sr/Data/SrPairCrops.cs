namespace NativeGan.Models.Sr.Data;

/// <summary>How a decoded LQ/GT pair becomes a training or validation pair, for every source of paired files.</summary>
internal static class SrPairCrops
{
    /// <summary>The whole pair, the GT cut to exactly scale x the LQ; a GT that is not scale x the LQ (up to the
    /// remainder of the division) is a scale mismatch naming both files.</summary>
    public static SrImagePair Whole(DecodedImage gt, DecodedImage lq, int scale, string gtName, string lqName)
    {
        int h = lq.Height * scale, w = lq.Width * scale;
        if (gt.Height < h || gt.Width < w || gt.Height >= h + scale || gt.Width >= w + scale)
            throw new InvalidDataException(
                $"{gtName}: scale mismatch: GT ({gt.Height}, {gt.Width}) does not match {scale}x the LQ ({lq.Height}, {lq.Width}) of {lqName}.");
        return new SrImagePair(SrImageFiles.ToChw(lq, 0, 0, lq.Height, lq.Width), lq.Height, lq.Width,
            SrImageFiles.ToChw(gt, 0, 0, h, w), h, w, 3, gtName);
    }

    /// <summary>A random aligned patch: gtPatchSize on the GT, gtPatchSize / scale at the same place on the LQ.</summary>
    public static SrImagePair RandomPatch(DecodedImage gt, DecodedImage lq, int scale, int gtPatchSize, ref SrRandom random, string gtName, string lqName)
    {
        int lqPatch = SrTransforms.CheckPatch(lq.Height, lq.Width, gt.Height, gt.Width, gtPatchSize, scale, $"{gtName} (LQ {lqName})");
        int top = random.NextInt(0, lq.Height - lqPatch);
        int left = random.NextInt(0, lq.Width - lqPatch);
        return new SrImagePair(SrImageFiles.ToChw(lq, top, left, lqPatch, lqPatch), lqPatch, lqPatch,
            SrImageFiles.ToChw(gt, top * scale, left * scale, gtPatchSize, gtPatchSize), gtPatchSize, gtPatchSize, 3, gtName);
    }
}
