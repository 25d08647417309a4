namespace NativeGan.NN;

/// <summary>
/// A convolution with the equalized learning rate (ProGAN): weight [out, in, k, k] stored as N(0, 1) / lrMultiplier and
/// scaled at runtime by gain / sqrt(in * k * k) * lrMultiplier; bias stored as biasInit / lrMultiplier and scaled by
/// lrMultiplier. Keys: weight, bias.
/// </summary>
public sealed class EqualizedConv2d : Module
{
    public EqualizedConv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, bool bias = true,
        float gain = 1.41421356f, float lrMultiplier = 1f, float biasInit = 0f, Device? device = null, Generator? generator = null)
    {
        ConvLayers.Check("EqualizedConv2d", inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (1, 1), 1);
        if (!(lrMultiplier > 0f)) throw new ArgumentException($"EqualizedConv2d: lr_multiplier must be positive, got {lrMultiplier}.");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        LrMultiplier = lrMultiplier;
        Scale = EqualizedLr.Scale(inChannels * kernelSize * kernelSize, gain, lrMultiplier);
        RegisterParameter("weight", EqualizedLr.NewWeight(new[] { outChannels, inChannels, kernelSize, kernelSize }, device, lrMultiplier, generator));
        RegisterParameter("bias", bias ? Tensor.Full(new[] { outChannels }, biasInit / lrMultiplier, device).DetachFromScope() : null);
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public float Scale { get; }
    public float LrMultiplier { get; }
    public Tensor Weight => Param("weight")!;
    public Tensor? Bias => Param("bias");

    public override Tensor Forward(Tensor x)
    {
        var b = Bias;
        return Tensor.Conv2d(x, Weight.Mul(Scale), b == null ? null : LrMultiplier == 1f ? b : b.Mul(LrMultiplier), Stride, Padding);
    }

    protected override string ExtraRepr() => $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}, padding={Padding}, scale={Scale:G4}";
}
