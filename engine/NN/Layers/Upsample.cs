namespace NativeGan.NN;

/// <summary>torch.nn.Upsample with an integer scale_factor; mode "nearest" or "bilinear" (alignCorners for bilinear only).</summary>
public sealed class Upsample : Module
{
    public Upsample(int scaleFactor, string mode = "nearest", bool alignCorners = false)
    {
        ArgumentNullException.ThrowIfNull(mode);
        if (scaleFactor < 1) throw new ArgumentException($"Upsample: scale_factor must be a positive integer, got {scaleFactor}.");
        Mode = mode.ToLowerInvariant() switch
        {
            "nearest" => InterpolationMode.Nearest,
            "bilinear" => InterpolationMode.Bilinear,
            _ => throw new ArgumentException($"Upsample: unknown mode '{mode}'; expected 'nearest' or 'bilinear'."),
        };
        if (alignCorners && Mode == InterpolationMode.Nearest)
            throw new ArgumentException("Upsample: align_corners applies only to the linear modes, not to 'nearest'.");
        ScaleFactor = scaleFactor;
        AlignCorners = alignCorners;
    }

    public int ScaleFactor { get; }
    public InterpolationMode Mode { get; }
    public bool AlignCorners { get; }

    public override Tensor Forward(Tensor x) => x.Interpolate(ScaleFactor, ScaleFactor, Mode, AlignCorners);

    protected override string ExtraRepr() => $"scale_factor={ScaleFactor}, mode='{Mode.ToString().ToLowerInvariant()}'";
}
