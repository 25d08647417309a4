namespace NativeGan.NN;

/// <summary>torch.nn.PixelShuffle: [*, C r^2, H, W] -> [*, C, H r, W r].</summary>
public sealed class PixelShuffle : Module
{
    public PixelShuffle(int upscaleFactor)
    {
        if (upscaleFactor < 1) throw new ArgumentException($"PixelShuffle: upscale_factor must be positive, got {upscaleFactor}.");
        UpscaleFactor = upscaleFactor;
    }

    public int UpscaleFactor { get; }

    public override Tensor Forward(Tensor x) => x.PixelShuffle(UpscaleFactor);

    protected override string ExtraRepr() => $"upscale_factor={UpscaleFactor}";
}

/// <summary>torch.nn.PixelUnshuffle: [*, C, H r, W r] -> [*, C r^2, H, W].</summary>
public sealed class PixelUnshuffle : Module
{
    public PixelUnshuffle(int downscaleFactor)
    {
        if (downscaleFactor < 1) throw new ArgumentException($"PixelUnshuffle: downscale_factor must be positive, got {downscaleFactor}.");
        DownscaleFactor = downscaleFactor;
    }

    public int DownscaleFactor { get; }

    public override Tensor Forward(Tensor x) => x.PixelUnshuffle(DownscaleFactor);

    protected override string ExtraRepr() => $"downscale_factor={DownscaleFactor}";
}
