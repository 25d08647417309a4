using NativeGan.NN;

namespace NativeGan.Models.Sr;

/// <summary>
/// SRGAN's residual block (Ledig et al. 2017, Fig. 4) in the layout of Lornatang/SRGAN-PyTorch (model.py,
/// _ResidualConvBlock): rcb = Sequential(conv3x3 no bias, BatchNorm2d, PReLU, conv3x3 no bias, BatchNorm2d);
/// out = rcb(x) + x. Keys rcb.0.weight, rcb.1.*, rcb.2.weight, rcb.3.weight, rcb.4.*.
/// </summary>
public sealed class ResidualConvBlock : Module
{
    private readonly Sequential rcb;

    public ResidualConvBlock(int channels, Device? device = null, Generator? generator = null)
    {
        rcb = RegisterModule("rcb", new Sequential(
            new Conv2d(channels, channels, 3, 1, 1, bias: false, device: device, generator: generator),
            new BatchNorm2d(channels, device: device),
            new PReLU(device: device),
            new Conv2d(channels, channels, 3, 1, 1, bias: false, device: device, generator: generator),
            new BatchNorm2d(channels, device: device)));
    }

    public override Tensor Forward(Tensor x) => rcb.Forward(x).Add(x);
}

/// <summary>
/// SRGAN's sub-pixel upsampling block in Lornatang/SRGAN-PyTorch's layout (_UpsampleBlock): upsample_block =
/// Sequential(conv3x3 (channels -> 4 channels, bias), PixelShuffle(2), PReLU). Keys upsample_block.0.*, upsample_block.2.weight.
/// </summary>
public sealed class SubPixelUpsampleBlock : Module
{
    private readonly Sequential block;

    public SubPixelUpsampleBlock(int channels, Device? device = null, Generator? generator = null)
    {
        block = RegisterModule("upsample_block", new Sequential(
            new Conv2d(channels, channels * 4, 3, 1, 1, device: device, generator: generator),
            new PixelShuffle(2),
            new PReLU(device: device)));
    }

    public override Tensor Forward(Tensor x) => block.Forward(x);
}

/// <summary>
/// SRResNet, the generator of SRGAN (Ledig et al., "Photo-Realistic Single Image Super-Resolution Using a Generative
/// Adversarial Network", 2017, Fig. 4): batch norm, PReLU and pixel-shuffle upsampling. The layout and state-dict keys
/// are those of Lornatang/SRGAN-PyTorch (model.py, class SRResNet), whose SRResNet/SRGAN weights are published:
/// conv1 = Sequential(conv9x9 (in -> numFeat), PReLU); trunk = numBlock <see cref="ResidualConvBlock"/>s; conv2 =
/// Sequential(conv3x3 no bias, BatchNorm2d); upsampling = log2(upscale) <see cref="SubPixelUpsampleBlock"/>s; conv3 =
/// conv9x9 (numFeat -> out). out = clamp(conv3(upsampling(conv2(trunk(c)) + c)), 0, 1) with c = conv1(x), the clamp
/// as in that repository (<paramref name="clampOutput"/> = false leaves it out). Upscale 2, 4 or 8. Initialised as there:
/// convolutions kaiming_normal (gain sqrt(2), fan_in) with zero bias, batch norm weight 1 and bias 0, PReLU 0.25.
/// </summary>
public sealed class SRResNet : Module
{
    private readonly Sequential conv1, trunk, conv2, upsampling;
    private readonly Conv2d conv3;

    public SRResNet(int numInCh = 3, int numOutCh = 3, int numFeat = 64, int numBlock = 16, int upscale = 4, bool clampOutput = true,
        Device? device = null, Generator? generator = null)
    {
        if (upscale != 2 && upscale != 4 && upscale != 8)
            throw new ArgumentException($"SRResNet: upscale must be 2, 4 or 8, got {upscale}.");
        if (numInCh < 1 || numOutCh < 1 || numFeat < 1 || numBlock < 0)
            throw new ArgumentException($"SRResNet: channel counts must be positive and num_block not negative, got num_in_ch={numInCh}, num_out_ch={numOutCh}, num_feat={numFeat}, num_block={numBlock}.");
        NumInCh = numInCh;
        NumOutCh = numOutCh;
        NumFeat = numFeat;
        NumBlock = numBlock;
        Upscale = upscale;
        ClampOutput = clampOutput;
        conv1 = RegisterModule("conv1", new Sequential(
            new Conv2d(numInCh, numFeat, 9, 1, 4, device: device, generator: generator),
            new PReLU(device: device)));
        trunk = RegisterModule("trunk", new Sequential(Enumerable.Range(0, numBlock).Select(_ => (Module)new ResidualConvBlock(numFeat, device, generator))));
        conv2 = RegisterModule("conv2", new Sequential(
            new Conv2d(numFeat, numFeat, 3, 1, 1, bias: false, device: device, generator: generator),
            new BatchNorm2d(numFeat, device: device)));
        int rounds = System.Numerics.BitOperations.Log2((uint)upscale);
        upsampling = RegisterModule("upsampling", new Sequential(Enumerable.Range(0, rounds).Select(_ => (Module)new SubPixelUpsampleBlock(numFeat, device, generator))));
        conv3 = RegisterModule("conv3", new Conv2d(numFeat, numOutCh, 9, 1, 4, device: device, generator: generator));
        SrInit.DefaultInitWeights(this, 1f, generator: generator);
    }

    public int NumInCh { get; }
    public int NumOutCh { get; }
    public int NumFeat { get; }
    public int NumBlock { get; }
    public int Upscale { get; }
    public bool ClampOutput { get; }

    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 4 || x.Size(1) != NumInCh)
            throw new ArgumentException($"SRResNet: expected input [N, {NumInCh}, H, W], got {SrShapes.Format(x)}.");
        var first = conv1.Forward(x);
        var feat = conv2.Forward(trunk.Forward(first)).Add(first);
        var output = conv3.Forward(upsampling.Forward(feat));
        return ClampOutput ? output.Clamp(0f, 1f) : output;
    }

    protected override string ExtraRepr() =>
        $"num_in_ch={NumInCh}, num_out_ch={NumOutCh}, num_feat={NumFeat}, num_block={NumBlock}, upscale={Upscale}, clamp_output={ClampOutput}";
}
