using NativeGan.NN;

namespace NativeGan.Models.Sr;

/// <summary>
/// BasicSR's VGGStyleDiscriminator (basicsr/archs/discriminator_arch.py), the discriminator of SRGAN and ESRGAN, for
/// 128 x 128 or 256 x 256 inputs. Stage 0: conv0_0 (3x3, bias) + LeakyReLU(0.2), conv0_1 (4x4 stride 2, no bias) +
/// bn0_1; stages s = 1..4 (and 5 for 256): convS_0 (3x3) + bnS_0, convS_1 (4x4 stride 2) + bnS_1, no conv bias,
/// widths numFeat * (2, 4, 8, 8, 8); every conv/bn pair followed by LeakyReLU(0.2). The 4 x 4 map is flattened into
/// linear1 (numFeat * 8 * 16 -> 100) + LeakyReLU(0.2) and linear2 (100 -> 1). Output [N, 1] logits.
/// PyTorch's default initialisation (BasicSR does not re-initialise it).
/// </summary>
public sealed class VGGStyleDiscriminator : Module
{
    private readonly List<(Conv2d Conv, BatchNorm2d? Bn)> layers = new();
    private readonly Linear linear1, linear2;

    public VGGStyleDiscriminator(int numInCh = 3, int numFeat = 64, int inputSize = 128, Device? device = null, Generator? generator = null)
    {
        if (inputSize != 128 && inputSize != 256)
            throw new ArgumentException($"VGGStyleDiscriminator: input size must be 128 or 256, got {inputSize}.");
        if (numInCh < 1 || numFeat < 1)
            throw new ArgumentException($"VGGStyleDiscriminator: num_in_ch and num_feat must be positive, got {numInCh} and {numFeat}.");
        NumInCh = numInCh;
        NumFeat = numFeat;
        InputSize = inputSize;
        Conv2d Conv(string name, int cin, int cout, int k, int s, bool bias) =>
            RegisterModule(name, new Conv2d(cin, cout, k, s, 1, bias: bias, device: device, generator: generator));
        BatchNorm2d Bn(string name, int c) => RegisterModule(name, new BatchNorm2d(c, device: device));

        layers.Add((Conv("conv0_0", numInCh, numFeat, 3, 1, true), null));
        var c01 = Conv("conv0_1", numFeat, numFeat, 4, 2, false);
        layers.Add((c01, Bn("bn0_1", numFeat)));
        int[] widths = { numFeat, numFeat * 2, numFeat * 4, numFeat * 8, numFeat * 8, numFeat * 8 };
        int stages = inputSize == 256 ? 6 : 5;
        for (int s = 1; s < stages; s++)
        {
            var c0 = Conv($"conv{s}_0", widths[s - 1], widths[s], 3, 1, false);
            layers.Add((c0, Bn($"bn{s}_0", widths[s])));
            var c1 = Conv($"conv{s}_1", widths[s], widths[s], 4, 2, false);
            layers.Add((c1, Bn($"bn{s}_1", widths[s])));
        }
        linear1 = RegisterModule("linear1", new Linear(numFeat * 8 * 4 * 4, 100, device: device, generator: generator));
        linear2 = RegisterModule("linear2", new Linear(100, 1, device: device, generator: generator));
    }

    public int NumInCh { get; }
    public int NumFeat { get; }
    public int InputSize { get; }

    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 4 || x.Size(1) != NumInCh || x.Size(2) != InputSize || x.Size(3) != InputSize)
            throw new ArgumentException($"VGGStyleDiscriminator: expected input [N, {NumInCh}, {InputSize}, {InputSize}], got {SrShapes.Format(x)}.");
        var feat = x;
        foreach (var (conv, bn) in layers)
        {
            feat = conv.Forward(feat);
            if (bn != null) feat = bn.Forward(feat);
            feat = feat.LeakyRelu(0.2f);
        }
        feat = linear1.Forward(feat.Reshape(feat.Size(0), -1)).LeakyRelu(0.2f);
        return linear2.Forward(feat);
    }

    protected override string ExtraRepr() => $"num_in_ch={NumInCh}, num_feat={NumFeat}, input_size={InputSize}";
}
