
namespace NativeGan.NN;

/// <summary>
/// Equalized learning rate (ProGAN, Karras et al. 2018): weights are stored as N(0, 1) / lrMultiplier and scaled
/// at runtime by gain / sqrt(fan_in) * lrMultiplier, so every layer learns at the same pace under Adam.
/// Shared by <see cref="EqualizedLinear"/> and the convolution variant.
/// </summary>
public static class EqualizedLr
{
    /// <summary>The runtime weight multiplier: gain / sqrt(fanIn) * lrMultiplier (gain defaults to sqrt(2), He).</summary>
    public static float Scale(int fanIn, float gain = 1.41421356f, float lrMultiplier = 1f)
    {
        if (fanIn <= 0) throw new ArgumentException($"EqualizedLr.Scale: fanIn must be positive, got {fanIn}.");
        return gain / MathF.Sqrt(fanIn) * lrMultiplier;
    }

    /// <summary>A weight of the given shape drawn from N(0, 1 / lrMultiplier^2), as a new leaf (not in any scope).</summary>
    public static Tensor NewWeight(int[] shape, Device? device, float lrMultiplier = 1f, Generator? generator = null) =>
        Tensor.Randn(shape, device, generator, 0f, 1f / lrMultiplier).DetachFromScope();
}

/// <summary>A fully connected layer with the equalized learning rate: y = x (scale W)^T + lrMul b. Keys: weight, bias.</summary>
public sealed class EqualizedLinear : Module
{
    public EqualizedLinear(int inFeatures, int outFeatures, bool bias = true, float gain = 1.41421356f, float lrMultiplier = 1f,
        float biasInit = 0f, Device? device = null, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentException($"EqualizedLinear: features must be positive, got in={inFeatures}, out={outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Scale = EqualizedLr.Scale(inFeatures, gain, lrMultiplier);
        LrMultiplier = lrMultiplier;
        RegisterParameter("weight", EqualizedLr.NewWeight(new[] { outFeatures, inFeatures }, device, lrMultiplier, generator));
        RegisterParameter("bias", bias ? Tensor.Full(new[] { outFeatures }, biasInit / lrMultiplier, device).DetachFromScope() : null);
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public float Scale { get; }
    public float LrMultiplier { get; }
    public Tensor Weight => Param("weight")!;
    public Tensor? Bias => Param("bias");

    public override Tensor Forward(Tensor x)
    {
        var b = Bias;
        return Tensor.Linear(x, Weight.Mul(Scale), b == null ? null : LrMultiplier == 1f ? b : b.Mul(LrMultiplier));
    }

    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, scale={Scale:G4}";
}
