namespace NativeGan.NN;

/// <summary>
/// Transposed 2-D convolution (torch.nn.ConvTranspose2d). Keys: weight [in, out/groups, kH, kW], bias [out] (or none).
/// Initialised as PyTorch: kaiming_uniform(a = sqrt(5)) and bias U(±1/sqrt(fan_in)) where fan_in is computed on the
/// transposed layout (weight dim 1 * kH * kW = out/groups * kH * kW), exactly as torch does.
/// </summary>
public sealed class ConvTranspose2d : Module
{
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1,
        bool bias = true, int dilation = 1, Device? device = null, Generator? generator = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (outputPadding, outputPadding), groups, bias,
            (dilation, dilation), device, generator)
    {
    }

    public ConvTranspose2d(int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding,
        (int H, int W) outputPadding, int groups, bool bias, (int H, int W) dilation, Device? device = null, Generator? generator = null)
    {
        ConvLayers.Check("ConvTranspose2d", inChannels, outChannels, kernelSize, stride, padding, dilation, groups);
        if (outputPadding.H < 0 || outputPadding.W < 0 || (outputPadding.H >= stride.H && outputPadding.H >= dilation.H)
            || (outputPadding.W >= stride.W && outputPadding.W >= dilation.W))
            throw new ArgumentException($"ConvTranspose2d: output_padding must be non-negative and smaller than either stride or dilation, got output_padding={ConvLayers.Pair(outputPadding)}, stride={ConvLayers.Pair(stride)}, dilation={ConvLayers.Pair(dilation)}.");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        OutputPadding = outputPadding;
        Dilation = dilation;
        Groups = groups;
        ConvLayers.RegisterDefault(this, new[] { inChannels, outChannels / groups, kernelSize.H, kernelSize.W }, outChannels, bias, device, generator);
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public (int H, int W) KernelSize { get; }
    public (int H, int W) Stride { get; }
    public (int H, int W) Padding { get; }
    public (int H, int W) OutputPadding { get; }
    public (int H, int W) Dilation { get; }
    public int Groups { get; }
    public Tensor Weight => Param("weight")!;
    public Tensor? Bias => Param("bias");

    public override Tensor Forward(Tensor x) => Tensor.ConvTranspose2d(x, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);

    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size={ConvLayers.Pair(KernelSize)}, stride={ConvLayers.Pair(Stride)}" +
        (Padding != (0, 0) ? $", padding={ConvLayers.Pair(Padding)}" : "") +
        (OutputPadding != (0, 0) ? $", output_padding={ConvLayers.Pair(OutputPadding)}" : "") +
        (Dilation != (1, 1) ? $", dilation={ConvLayers.Pair(Dilation)}" : "") +
        (Groups != 1 ? $", groups={Groups}" : "") + (Param("bias") == null ? ", bias=False" : "");
}
