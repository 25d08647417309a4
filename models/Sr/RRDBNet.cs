using NativeGan.NN;

namespace NativeGan.Models.Sr;

/// <summary>
/// BasicSR's ResidualDenseBlock (ESRGAN): five 3x3 convolutions, each seeing the block input and every earlier
/// output stacked along channels, LeakyReLU(0.2) after the first four, and out = conv5(...) * 0.2 + x.
/// Keys conv1 ... conv5; conv k takes numFeat + (k-1) numGrowCh channels, conv5 gives numFeat.
/// The stacked features live in one <see cref="DenseConcat"/> buffer (each activation is appended once) instead of
/// a fresh torch.cat before every convolution. Initialised as BasicSR: kaiming_normal scaled by 0.1, bias 0.
/// </summary>
public sealed class ResidualDenseBlock : Module
{
    private readonly Conv2d[] convs = new Conv2d[5];

    public ResidualDenseBlock(int numFeat = 64, int numGrowCh = 32, Device? device = null, Generator? generator = null)
    {
        if (numFeat < 1 || numGrowCh < 1)
            throw new ArgumentException($"ResidualDenseBlock: num_feat and num_grow_ch must be positive, got {numFeat} and {numGrowCh}.");
        NumFeat = numFeat;
        NumGrowCh = numGrowCh;
        for (int i = 0; i < 5; i++)
        {
            int cin = numFeat + i * numGrowCh, cout = i == 4 ? numFeat : numGrowCh;
            convs[i] = RegisterModule($"conv{i + 1}", new Conv2d(cin, cout, 3, 1, 1, device: device, generator: generator));
        }
        SrInit.DefaultInitWeights(convs, 0.1f, generator: generator);
    }

    public int NumFeat { get; }
    public int NumGrowCh { get; }

    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 4 || x.Size(1) != NumFeat)
            throw new ArgumentException($"ResidualDenseBlock: expected [N, {NumFeat}, H, W], got {SrShapes.Format(x)}.");
        using var dense = new DenseConcat(x.Size(0), NumFeat + 4 * NumGrowCh, x.Size(2), x.Size(3), x.Device);
        dense.Append(x);
        for (int i = 0; i < 4; i++)
            dense.Append(convs[i].Forward(dense.Prefix()).LeakyRelu(0.2f));
        return convs[4].Forward(dense.Prefix()).Mul(0.2f).Add(x);
    }

    protected override string ExtraRepr() => $"num_feat={NumFeat}, num_grow_ch={NumGrowCh}";
}

/// <summary>BasicSR's RRDB: three residual dense blocks (rdb1, rdb2, rdb3), out = rdb3(rdb2(rdb1(x))) * 0.2 + x.</summary>
public sealed class RRDB : Module
{
    private readonly ResidualDenseBlock rdb1, rdb2, rdb3;

    public RRDB(int numFeat, int numGrowCh = 32, Device? device = null, Generator? generator = null)
    {
        rdb1 = RegisterModule("rdb1", new ResidualDenseBlock(numFeat, numGrowCh, device, generator));
        rdb2 = RegisterModule("rdb2", new ResidualDenseBlock(numFeat, numGrowCh, device, generator));
        rdb3 = RegisterModule("rdb3", new ResidualDenseBlock(numFeat, numGrowCh, device, generator));
    }

    public override Tensor Forward(Tensor x) => rdb3.Forward(rdb2.Forward(rdb1.Forward(x))).Mul(0.2f).Add(x);
}

/// <summary>
/// ESRGAN's generator as BasicSR's RRDBNet (basicsr/archs/rrdbnet_arch.py), with its state-dict keys: conv_first,
/// body.N.rdb{1,2,3}.conv{1..5}, conv_body, conv_up1, conv_up2, conv_hr, conv_last.
/// feat = conv_first(x); feat += conv_body(body(feat)); two rounds of nearest x2 upsampling, each followed by a conv
/// and LeakyReLU(0.2); out = conv_last(lrelu(conv_hr(feat))). The trunk always upsamples x4, so scale 2 and scale 1
/// first pixel-unshuffle the input by 2 (numInCh * 4 channels) or by 4 (numInCh * 16 channels), as Real-ESRGAN's
/// x2 models do. Input [N, numInCh, H, W] in [0, 1] (H and W divisible by 2 for scale 2, by 4 for scale 1); output
/// [N, numOutCh, H * scale, W * scale], not clamped. Initialisation as BasicSR: the RDB convolutions kaiming_normal
/// scaled by 0.1 with zero bias, every other convolution PyTorch's default.
/// </summary>
public sealed class RRDBNet : Module
{
    private readonly Conv2d convFirst, convBody, convUp1, convUp2, convHr, convLast;
    private readonly Sequential body;

    public RRDBNet(int numInCh = 3, int numOutCh = 3, int scale = 4, int numFeat = 64, int numBlock = 23, int numGrowCh = 32,
        Device? device = null, Generator? generator = null)
    {
        if (scale != 1 && scale != 2 && scale != 4)
            throw new ArgumentException($"RRDBNet: scale must be 1, 2 or 4, got {scale}.");
        if (numInCh < 1 || numOutCh < 1 || numFeat < 1 || numBlock < 0 || numGrowCh < 1)
            throw new ArgumentException($"RRDBNet: channel counts must be positive and num_block not negative, got num_in_ch={numInCh}, num_out_ch={numOutCh}, num_feat={numFeat}, num_block={numBlock}, num_grow_ch={numGrowCh}.");
        NumInCh = numInCh;
        NumOutCh = numOutCh;
        Scale = scale;
        NumFeat = numFeat;
        NumBlock = numBlock;
        NumGrowCh = numGrowCh;
        int firstIn = numInCh * UnshuffleFactor * UnshuffleFactor;
        convFirst = RegisterModule("conv_first", new Conv2d(firstIn, numFeat, 3, 1, 1, device: device, generator: generator));
        body = RegisterModule("body", new Sequential(Enumerable.Range(0, numBlock).Select(_ => (Module)new RRDB(numFeat, numGrowCh, device, generator))));
        convBody = RegisterModule("conv_body", new Conv2d(numFeat, numFeat, 3, 1, 1, device: device, generator: generator));
        convUp1 = RegisterModule("conv_up1", new Conv2d(numFeat, numFeat, 3, 1, 1, device: device, generator: generator));
        convUp2 = RegisterModule("conv_up2", new Conv2d(numFeat, numFeat, 3, 1, 1, device: device, generator: generator));
        convHr = RegisterModule("conv_hr", new Conv2d(numFeat, numFeat, 3, 1, 1, device: device, generator: generator));
        convLast = RegisterModule("conv_last", new Conv2d(numFeat, numOutCh, 3, 1, 1, device: device, generator: generator));
    }

    public int NumInCh { get; }
    public int NumOutCh { get; }
    public int Scale { get; }
    public int NumFeat { get; }
    public int NumBlock { get; }
    public int NumGrowCh { get; }

    /// <summary>The pixel-unshuffle factor applied to the input: 1 for scale 4, 2 for scale 2, 4 for scale 1.</summary>
    public int UnshuffleFactor => 4 / Scale;

    public override Tensor Forward(Tensor x)
    {
        int r = UnshuffleFactor;
        if (x.Rank != 4 || x.Size(1) != NumInCh || x.Size(2) % r != 0 || x.Size(3) % r != 0)
            throw new ArgumentException($"RRDBNet (scale {Scale}): expected input [N, {NumInCh}, H, W]" +
                (r > 1 ? $" with H and W divisible by {r}" : "") + $", got {SrShapes.Format(x)}.");
        var feat = convFirst.Forward(r > 1 ? x.PixelUnshuffle(r) : x);
        feat = feat.Add(convBody.Forward(body.Forward(feat)));
        feat = convUp1.Forward(feat.Interpolate(2, 2, InterpolationMode.Nearest)).LeakyRelu(0.2f);
        feat = convUp2.Forward(feat.Interpolate(2, 2, InterpolationMode.Nearest)).LeakyRelu(0.2f);
        return convLast.Forward(convHr.Forward(feat).LeakyRelu(0.2f));
    }

    protected override string ExtraRepr() =>
        $"num_in_ch={NumInCh}, num_out_ch={NumOutCh}, scale={Scale}, num_feat={NumFeat}, num_block={NumBlock}, num_grow_ch={NumGrowCh}";
}
