using System.Collections.Concurrent;
using NativeGan.Models.Data;

namespace NativeGan.Models.Sr.Data;

/// <summary>
/// GT images from one folder with the LQ made on the fly, as the bicubic SR benchmarks make it: the GT is
/// mod-cropped to a multiple of the scale (bottom and right), then the LQ is
/// <see cref="MatlabResize.Imresize"/>(GT, 1 / scale) (MATLAB bicubic with antialiasing). For training
/// patches only the LQ window is computed (<see cref="MatlabResizePlan"/>), the same numbers as cropping the
/// LQ of the whole image.
/// </summary>
public sealed class HrFolderSource : ISrPairSource
{
    private readonly SrImageFiles gt;
    private readonly ConcurrentDictionary<(int H, int W), MatlabResizePlan> plans = new();

    public HrFolderSource(string gtFolder, int scale, SrSourceOptions? options = null)
    {
        if (scale <= 0) throw new ArgumentException($"HrFolderSource: scale must be positive, got {scale}.");
        gt = new SrImageFiles(gtFolder, "HrFolderSource", options ?? new SrSourceOptions());
        Scale = scale;
        if (gt.Files.Count == 0)
            throw new InvalidDataException($"HrFolderSource: no {string.Join("/", ImageFolderDataset.Extensions)} files in {gt.Folder}.");
    }

    public int Count => gt.Files.Count;
    public int Scale { get; }
    public int Channels => 3;
    public string Folder => gt.Folder;

    public string Name(int index) => gt.Files[CheckIndex(index)];

    public SrImagePair Read(int index)
    {
        var (img, h, w) = DecodeModCropped(index);
        var plan = Plan(h, w);
        var hr = SrImageFiles.ToChw(img, 0, 0, h, w);
        var lr = plan.Apply(hr, 3, 0, 0, h, w, 0, 0, plan.OutHeight, plan.OutWidth);
        return new SrImagePair(lr, plan.OutHeight, plan.OutWidth, hr, h, w, 3, Name(index));
    }

    public SrImagePair ReadRandomPatch(int index, int gtPatchSize, ref SrRandom random)
    {
        var (img, h, w) = DecodeModCropped(index);
        int lqPatch = SrTransforms.CheckPatch(h / Scale, w / Scale, h, w, gtPatchSize, Scale, Name(index));
        int top = random.NextInt(0, h / Scale - lqPatch);
        int left = random.NextInt(0, w / Scale - lqPatch);
        var plan = Plan(h, w);
        var (rTop, rLeft, rH, rW) = plan.InputRegion(top, left, lqPatch, lqPatch);
        var region = SrImageFiles.ToChw(img, rTop, rLeft, rH, rW);
        var lr = plan.Apply(region, 3, rTop, rLeft, rH, rW, top, left, lqPatch, lqPatch);
        var hr = SrImageFiles.ToChw(img, top * Scale, left * Scale, gtPatchSize, gtPatchSize);
        return new SrImagePair(lr, lqPatch, lqPatch, hr, gtPatchSize, gtPatchSize, 3, Name(index));
    }

    private (DecodedImage Image, int Height, int Width) DecodeModCropped(int index)
    {
        var img = gt.Decode(CheckIndex(index));
        int h = img.Height - img.Height % Scale, w = img.Width - img.Width % Scale;
        if (h == 0 || w == 0)
            throw new InvalidDataException($"{Name(index)}: the image is {img.Width} x {img.Height}, smaller than the scale {Scale}.");
        return (img, h, w);
    }

    private MatlabResizePlan Plan(int h, int w)
    {
        var plan = plans.GetOrAdd((h, w), k => new MatlabResizePlan(k.H, k.W, 1.0 / Scale));
        if (plan.OutHeight * Scale != h || plan.OutWidth * Scale != w)
            throw new InvalidOperationException($"HrFolderSource: imresize of {h} x {w} by 1/{Scale} gave {plan.OutHeight} x {plan.OutWidth}.");
        return plan;
    }

    private int CheckIndex(int index) =>
        (uint)index < (uint)Count ? index : throw new ArgumentOutOfRangeException(nameof(index), $"HrFolderSource: index {index} outside [0, {Count}).");
}
