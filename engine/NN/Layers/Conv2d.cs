namespace NativeGan.NN;

/// <summary>
/// 2-D convolution (torch.nn.Conv2d). Keys: weight [out, in/groups, kH, kW], bias [out] (or none). Initialised as
/// PyTorch: weight kaiming_uniform(a = sqrt(5)), i.e. U(±1/sqrt(fan_in)), bias U(±1/sqrt(fan_in)), with
/// fan_in = in/groups * kH * kW.
/// </summary>
public sealed class Conv2d : Module
{
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, Device? device = null, Generator? generator = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (dilation, dilation), groups, bias, device, generator)
    {
    }

    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation,
        int groups = 1, bool bias = true, Device? device = null, Generator? generator = null)
    {
        ConvLayers.Check("Conv2d", inChannels, outChannels, kernelSize, stride, padding, dilation, groups);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        ConvLayers.RegisterDefault(this, new[] { outChannels, inChannels / groups, kernelSize.H, kernelSize.W }, outChannels, bias, device, generator);
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public (int H, int W) KernelSize { get; }
    public (int H, int W) Stride { get; }
    public (int H, int W) Padding { get; }
    public (int H, int W) Dilation { get; }
    public int Groups { get; }
    public Tensor Weight => Param("weight")!;
    public Tensor? Bias => Param("bias");

    public override Tensor Forward(Tensor x) => Tensor.Conv2d(x, Weight, Bias, Stride, Padding, Dilation, Groups);

    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size={ConvLayers.Pair(KernelSize)}, stride={ConvLayers.Pair(Stride)}" +
        (Padding != (0, 0) ? $", padding={ConvLayers.Pair(Padding)}" : "") +
        (Dilation != (1, 1) ? $", dilation={ConvLayers.Pair(Dilation)}" : "") +
        (Groups != 1 ? $", groups={Groups}" : "") + (Param("bias") == null ? ", bias=False" : "");
}

/// <summary>Shared argument checks and PyTorch's default initialisation (_ConvNd.reset_parameters) for the conv layers.</summary>
internal static class ConvLayers
{
    public static void Check(string op, int inChannels, int outChannels, (int H, int W) kernel, (int H, int W) stride, (int H, int W) padding,
        (int H, int W) dilation, int groups)
    {
        if (inChannels <= 0 || outChannels <= 0)
            throw new ArgumentException($"{op}: channels must be positive, got in_channels={inChannels}, out_channels={outChannels}.");
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"{op}: groups must be positive and divide in_channels and out_channels, got groups={groups}, in_channels={inChannels}, out_channels={outChannels}.");
        if (kernel.H <= 0 || kernel.W <= 0)
            throw new ArgumentException($"{op}: kernel_size must be positive, got {Pair(kernel)}.");
        if (stride.H <= 0 || stride.W <= 0)
            throw new ArgumentException($"{op}: stride must be positive, got {Pair(stride)}.");
        if (padding.H < 0 || padding.W < 0)
            throw new ArgumentException($"{op}: padding must not be negative, got {Pair(padding)}.");
        if (dilation.H <= 0 || dilation.W <= 0)
            throw new ArgumentException($"{op}: dilation must be positive, got {Pair(dilation)}.");
    }

    /// <summary>
    /// Registers "weight" (kaiming_uniform with a = sqrt(5): bound 1/sqrt(fan_in)) and "bias" (U(±1/sqrt(fan_in)) or
    /// null), fan_in taken from the weight layout as torch's _calculate_fan_in_and_fan_out (dim 1 * receptive field).
    /// </summary>
    public static void RegisterDefault(Module m, int[] weightShape, int biasSize, bool bias, Device? device, Generator? generator)
    {
        var dev = device ?? Device.Default;
        var w = Tensor.Empty(weightShape, dev).DetachFromScope();
        Init.KaimingUniform(w, MathF.Sqrt(5f), generator: generator);
        m.RegisterParameter("weight", w);
        if (bias)
        {
            var (fanIn, _) = Init.Fans(weightShape);
            var b = Tensor.Empty(new[] { biasSize }, dev).DetachFromScope();
            float bound = fanIn > 0 ? 1f / MathF.Sqrt(fanIn) : 0f;
            Init.Uniform(b, -bound, bound, generator);
            m.RegisterParameter("bias", b);
        }
        else m.RegisterParameter("bias", null);
    }

    public static string Pair((int H, int W) p) => $"({p.H}, {p.W})";
}
