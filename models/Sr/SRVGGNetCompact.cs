using NativeGan.NN;

namespace NativeGan.Models.Sr;

/// <summary>
/// Real-ESRGAN's compact VGG-style network (realesrgan/archs/srvgg_arch.py), the network of realesr-general-x4v3,
/// realesr-general-wdn-x4v3 and realesr-animevideov3. All convolutions run at the input's resolution; the last one
/// makes out * upscale^2 channels that a pixel shuffle turns into the image, and the nearest-upsampled input is added
/// so the network learns the residual:
/// body = [conv 3x3 (in -> numFeat), act, numConv x (conv 3x3 numFeat -> numFeat, act), conv 3x3 (numFeat -> out * r^2)],
/// out = pixel_shuffle(body(x), r) + nearest(x, r). Keys <c>body.N.weight</c> / <c>body.N.bias</c>: convolutions at
/// the even indices 0, 2, ..., 2 numConv + 2, activations at the odd ones (PReLU keeps one weight per channel there;
/// ReLU and LeakyReLU(0.1) have no parameters). Initialised as PyTorch's defaults, as Real-ESRGAN leaves them:
/// convolutions kaiming_uniform(a = sqrt 5), PReLU 0.25.
/// </summary>
public sealed class SRVGGNetCompact : Module
{
    /// <summary>The activations Real-ESRGAN's act_type accepts.</summary>
    public static readonly string[] ActTypes = { "prelu", "relu", "leakyrelu" };

    private readonly Sequential body;

    public SRVGGNetCompact(int numInCh = 3, int numOutCh = 3, int numFeat = 64, int numConv = 16, int upscale = 4,
        string actType = "prelu", Device? device = null, Generator? generator = null)
    {
        if (numInCh < 1 || numOutCh < 1 || numFeat < 1 || numConv < 0 || upscale < 1)
            throw new ArgumentException(
                $"SRVGGNetCompact: channel counts and upscale must be positive and num_conv not negative, got num_in_ch={numInCh}, " +
                $"num_out_ch={numOutCh}, num_feat={numFeat}, num_conv={numConv}, upscale={upscale}.");
        if (numOutCh != numInCh)
            throw new ArgumentException(
                $"SRVGGNetCompact: the nearest-upsampled input is added to the output, so num_out_ch must equal num_in_ch, got {numInCh} in and {numOutCh} out.");
        ArgumentNullException.ThrowIfNull(actType);
        string act = actType.ToLowerInvariant();
        if (!ActTypes.Contains(act))
            throw new ArgumentException($"SRVGGNetCompact: act_type must be one of {string.Join(", ", ActTypes)}, got '{actType}'.");
        NumInCh = numInCh;
        NumOutCh = numOutCh;
        NumFeat = numFeat;
        NumConv = numConv;
        Upscale = upscale;
        ActType = act;

        var layers = new List<Module> { new Conv2d(numInCh, numFeat, 3, 1, 1, device: device, generator: generator), Activation(act, numFeat, device) };
        for (int i = 0; i < numConv; i++)
        {
            layers.Add(new Conv2d(numFeat, numFeat, 3, 1, 1, device: device, generator: generator));
            layers.Add(Activation(act, numFeat, device));
        }
        layers.Add(new Conv2d(numFeat, numOutCh * upscale * upscale, 3, 1, 1, device: device, generator: generator));
        body = RegisterModule("body", new Sequential(layers));
    }

    public int NumInCh { get; }
    public int NumOutCh { get; }
    public int NumFeat { get; }
    public int NumConv { get; }
    public int Upscale { get; }
    /// <summary>"prelu", "relu" or "leakyrelu" (negative slope 0.1).</summary>
    public string ActType { get; }

    /// <summary>The index in <c>body</c> of the last convolution (2 numConv + 2).</summary>
    public static int LastConvIndex(int numConv) => 2 * numConv + 2;

    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 4 || x.Size(1) != NumInCh)
            throw new ArgumentException($"SRVGGNetCompact: expected input [N, {NumInCh}, H, W], got {SrShapes.Format(x)}.");
        var output = body.Forward(x);
        if (Upscale != 1) output = output.PixelShuffle(Upscale);
        var baseImage = Upscale == 1 ? x : x.Interpolate(Upscale, Upscale, InterpolationMode.Nearest);
        return output.Add(baseImage);
    }

    private static Module Activation(string act, int numFeat, Device? device) => act switch
    {
        "prelu" => new PReLU(numFeat, 0.25f, device),
        "relu" => new ReLU(),
        _ => new LeakyReLU(0.1f),
    };

    protected override string ExtraRepr() =>
        $"num_in_ch={NumInCh}, num_out_ch={NumOutCh}, num_feat={NumFeat}, num_conv={NumConv}, upscale={Upscale}, act_type={ActType}";
}
