using NativeGan.NN;

namespace NativeGan.Models.Sr;

/// <summary>
/// BasicSR's ResidualBlockNoBN (arch_util.py): out = x + conv2(relu(conv1(x))) * resScale, two 3x3 convolutions
/// with bias, keys conv1 and conv2. Initialised with kaiming_normal scaled by 0.1 (BasicSR's default, pytorch_init=False).
/// </summary>
public sealed class ResidualBlockNoBN : Module
{
    private readonly Conv2d conv1, conv2;

    public ResidualBlockNoBN(int numFeat = 64, float resScale = 1f, Device? device = null, Generator? generator = null)
    {
        NumFeat = numFeat;
        ResScale = resScale;
        conv1 = RegisterModule("conv1", new Conv2d(numFeat, numFeat, 3, 1, 1, device: device, generator: generator));
        conv2 = RegisterModule("conv2", new Conv2d(numFeat, numFeat, 3, 1, 1, device: device, generator: generator));
        SrInit.DefaultInitWeights(new Module[] { conv1, conv2 }, 0.1f, generator: generator);
    }

    public int NumFeat { get; }
    public float ResScale { get; }

    public override Tensor Forward(Tensor x)
    {
        var residual = conv2.Forward(conv1.Forward(x).Relu());
        return x.Add(ResScale == 1f ? residual : residual.Mul(ResScale));
    }
}

/// <summary>
/// BasicSR's MSRResNet (basicsr/archs/srresnet_arch.py): SRResNet without batch norm, as EDSR. Keys conv_first,
/// body.N.conv{1,2}, upconv1 (and upconv2 for x4), conv_hr, conv_last.
/// out = conv_last(lrelu(conv_hr(up(body(lrelu(conv_first(x))))))) + bilinear(x, upscale), LeakyReLU(0.1), where up
/// is conv + PixelShuffle(upscale) + lrelu for x2 and x3, and twice conv (4 numFeat) + PixelShuffle(2) + lrelu for x4.
/// Initialised as BasicSR: every convolution kaiming_normal scaled by 0.1 with zero bias.
/// </summary>
public sealed class MSRResNet : Module
{
    private readonly Conv2d convFirst, upconv1, convHr, convLast;
    private readonly Conv2d? upconv2;
    private readonly Sequential body;

    public MSRResNet(int numInCh = 3, int numOutCh = 3, int numFeat = 64, int numBlock = 16, int upscale = 4,
        Device? device = null, Generator? generator = null)
    {
        if (upscale != 2 && upscale != 3 && upscale != 4)
            throw new ArgumentException($"MSRResNet: upscale must be 2, 3 or 4, got {upscale}.");
        if (numInCh < 1 || numOutCh < 1 || numFeat < 1 || numBlock < 0)
            throw new ArgumentException($"MSRResNet: channel counts must be positive and num_block not negative, got num_in_ch={numInCh}, num_out_ch={numOutCh}, num_feat={numFeat}, num_block={numBlock}.");
        NumInCh = numInCh;
        NumOutCh = numOutCh;
        NumFeat = numFeat;
        NumBlock = numBlock;
        Upscale = upscale;
        convFirst = RegisterModule("conv_first", new Conv2d(numInCh, numFeat, 3, 1, 1, device: device, generator: generator));
        body = RegisterModule("body", new Sequential(Enumerable.Range(0, numBlock).Select(_ => (Module)new ResidualBlockNoBN(numFeat, 1f, device, generator))));
        int upOut = upscale == 4 ? numFeat * 4 : numFeat * upscale * upscale;
        upconv1 = RegisterModule("upconv1", new Conv2d(numFeat, upOut, 3, 1, 1, device: device, generator: generator));
        if (upscale == 4) upconv2 = RegisterModule("upconv2", new Conv2d(numFeat, numFeat * 4, 3, 1, 1, device: device, generator: generator));
        convHr = RegisterModule("conv_hr", new Conv2d(numFeat, numFeat, 3, 1, 1, device: device, generator: generator));
        convLast = RegisterModule("conv_last", new Conv2d(numFeat, numOutCh, 3, 1, 1, device: device, generator: generator));
        var init = new List<Module> { convFirst, upconv1, convHr, convLast };
        if (upconv2 != null) init.Add(upconv2);
        SrInit.DefaultInitWeights(init, 0.1f, generator: generator);
    }

    public int NumInCh { get; }
    public int NumOutCh { get; }
    public int NumFeat { get; }
    public int NumBlock { get; }
    public int Upscale { get; }

    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 4 || x.Size(1) != NumInCh)
            throw new ArgumentException($"MSRResNet: expected input [N, {NumInCh}, H, W], got {SrShapes.Format(x)}.");
        var feat = body.Forward(convFirst.Forward(x).LeakyRelu(0.1f));
        if (upconv2 != null)
        {
            feat = upconv1.Forward(feat).PixelShuffle(2).LeakyRelu(0.1f);
            feat = upconv2.Forward(feat).PixelShuffle(2).LeakyRelu(0.1f);
        }
        else feat = upconv1.Forward(feat).PixelShuffle(Upscale).LeakyRelu(0.1f);
        var output = convLast.Forward(convHr.Forward(feat).LeakyRelu(0.1f));
        return output.Add(x.Interpolate(Upscale, Upscale, InterpolationMode.Bilinear));
    }

    protected override string ExtraRepr() =>
        $"num_in_ch={NumInCh}, num_out_ch={NumOutCh}, num_feat={NumFeat}, num_block={NumBlock}, upscale={Upscale}";
}
