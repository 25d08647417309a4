namespace NativeGan.NN;

/// <summary>ProGAN's pixelwise feature normalisation x / sqrt(mean_c(x^2) + eps) over [N, C, *]. No parameters.</summary>
public sealed class PixelNorm : Module
{
    public PixelNorm(float eps = 1e-8f)
    {
        if (!(eps >= 0f)) throw new ArgumentException($"PixelNorm: eps must not be negative, got {eps}.");
        Eps = eps;
    }

    public float Eps { get; }

    public override Tensor Forward(Tensor x) => Tensor.PixelNorm(x, Eps);

    protected override string ExtraRepr() => $"eps={Eps}";
}
