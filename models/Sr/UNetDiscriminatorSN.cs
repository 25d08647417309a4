using NativeGan.NN;

namespace NativeGan.Models.Sr;

/// <summary>
/// Real-ESRGAN's U-Net discriminator with spectral normalisation (realesrgan/archs/discriminator_arch.py):
/// conv0 (3x3, bias), three spectral-norm 4x4 stride-2 downsampling convs conv1..conv3, three bilinear x2
/// (align_corners false) upsampling steps each followed by a spectral-norm 3x3 conv (conv4..conv6) with skip additions
/// (x4 += x2, x5 += x1, x6 += x0 when skipConnection), two extra spectral-norm convs conv7, conv8 and conv9 (3x3 to one
/// channel, bias). LeakyReLU 0.2 after every conv but conv9. Spectral-norm convs have no bias and carry PyTorch 1.x's
/// state-dict keys weight_orig / weight_u / weight_v (<see cref="SpectralNorm"/>), so RealESRGAN_x4plus_netD.pth loads.
/// Input [N, numInCh, H, W] with H and W divisible by 8; output per-pixel logits [N, 1, H, W].
/// </summary>
public sealed class UNetDiscriminatorSN : Module
{
    private readonly Conv2d[] convs = new Conv2d[10];

    public UNetDiscriminatorSN(int numInCh = 3, int numFeat = 64, bool skipConnection = true, Device? device = null, Generator? generator = null)
    {
        if (numInCh < 1 || numFeat < 1)
            throw new ArgumentException($"UNetDiscriminatorSN: num_in_ch and num_feat must be positive, got {numInCh} and {numFeat}.");
        NumInCh = numInCh;
        NumFeat = numFeat;
        SkipConnection = skipConnection;
        int f = numFeat;
        (int cin, int cout, int k, int s)[] spec =
        {
            (numInCh, f, 3, 1), (f, 2 * f, 4, 2), (2 * f, 4 * f, 4, 2), (4 * f, 8 * f, 4, 2),
            (8 * f, 4 * f, 3, 1), (4 * f, 2 * f, 3, 1), (2 * f, f, 3, 1), (f, f, 3, 1), (f, f, 3, 1), (f, 1, 3, 1),
        };
        for (int i = 0; i < 10; i++)
        {
            bool sn = i >= 1 && i <= 8;
            var conv = new Conv2d(spec[i].cin, spec[i].cout, spec[i].k, spec[i].s, 1, bias: !sn, device: device, generator: generator);
            if (sn) SpectralNorm.Apply(conv, generator: generator);
            convs[i] = RegisterModule($"conv{i}", conv);
        }
    }

    public int NumInCh { get; }
    public int NumFeat { get; }
    public bool SkipConnection { get; }

    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 4 || x.Size(1) != NumInCh || x.Size(2) % 8 != 0 || x.Size(3) % 8 != 0)
            throw new ArgumentException($"UNetDiscriminatorSN: expected [N, {NumInCh}, H, W] with H and W divisible by 8, got {SrShapes.Format(x)}.");
        Tensor C(int i, Tensor t) => convs[i].Forward(t).LeakyRelu(0.2f);
        static Tensor Up(Tensor t) => t.Interpolate(2, 2, InterpolationMode.Bilinear, alignCorners: false);
        var x0 = C(0, x);
        var x1 = C(1, x0);
        var x2 = C(2, x1);
        var x3 = C(3, x2);
        var x4 = C(4, Up(x3));
        if (SkipConnection) x4 = x4.Add(x2);
        var x5 = C(5, Up(x4));
        if (SkipConnection) x5 = x5.Add(x1);
        var x6 = C(6, Up(x5));
        if (SkipConnection) x6 = x6.Add(x0);
        return convs[9].Forward(C(8, C(7, x6)));
    }

    protected override string ExtraRepr() => $"num_in_ch={NumInCh}, num_feat={NumFeat}, skip_connection={SkipConnection}";
}
