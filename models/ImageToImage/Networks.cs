using NativeGan.NN;

namespace NativeGan.Models.ImageToImage;

/// <summary>Which normalisation layer a pix2pix / CycleGAN network uses (networks.get_norm_layer).</summary>
public enum I2iNorm
{
    /// <summary>BatchNorm2d(affine, running stats); convolutions before it have no bias (pix2pix's default).</summary>
    Batch,
    /// <summary>InstanceNorm2d(affine false, no running stats); convolutions keep their bias (CycleGAN's default).</summary>
    Instance,
    /// <summary>No normalisation (Identity); convolutions keep their bias.</summary>
    None,
}

/// <summary>Layer helpers shared by the generators and the discriminator of this folder.</summary>
public static class I2iLayers
{
    public static I2iNorm ParseNorm(string name) => name switch
    {
        "batch" => I2iNorm.Batch,
        "instance" => I2iNorm.Instance,
        "none" => I2iNorm.None,
        _ => throw new ArgumentException($"norm: expected batch, instance or none, got '{name}'."),
    };

    public static string Name(I2iNorm n) => n switch { I2iNorm.Batch => "batch", I2iNorm.Instance => "instance", _ => "none" };

    /// <summary>The reference's use_bias: convolutions followed by BatchNorm have no bias.</summary>
    public static bool UseBias(I2iNorm n) => n != I2iNorm.Batch;

    public static Module Norm(I2iNorm n, int channels, Device? device) => n switch
    {
        I2iNorm.Batch => new BatchNorm2d(channels, device: device),
        I2iNorm.Instance => new InstanceNorm2d(channels, device: device),
        _ => new Identity(),
    };

    /// <summary>
    /// networks.init_weights(net, 'normal', 0.02): Conv / ConvTranspose / Linear weights N(0, 0.02) and their biases
    /// 0; BatchNorm2d weights N(1, 0.02) and biases 0.
    /// </summary>
    public static void InitNormal(Module root, float gain = 0.02f, Generator? generator = null)
    {
        foreach (var (_, m) in root.NamedModules())
        {
            switch (m)
            {
                case Conv2d c:
                    Init.Normal(c.Weight, 0f, gain, generator);
                    if (c.Bias != null) Init.Zeros(c.Bias);
                    break;
                case ConvTranspose2d t:
                    Init.Normal(t.Weight, 0f, gain, generator);
                    if (t.Bias != null) Init.Zeros(t.Bias);
                    break;
                case Linear l:
                    Init.Normal(l.Param("weight")!, 0f, gain, generator);
                    if (l.Param("bias") is { } lb) Init.Zeros(lb);
                    break;
                case BatchNormBase bn when bn.Affine:
                    Init.Normal(bn.Weight!, 1f, gain, generator);
                    Init.Zeros(bn.Bias!);
                    break;
            }
        }
    }

    internal static string Format(Tensor t) => "[" + string.Join(", ", t.Shape) + "]";
}

/// <summary>
/// One level of pix2pix's U-Net (UnetSkipConnectionBlock): down = [LeakyReLU(0.2), Conv 4-2-1, norm], the inner
/// block, up = [ReLU, ConvT 4-2-1, norm] (+ Dropout(0.5)); a non-outermost block returns cat([x, up(inner(down(x)))], 1).
/// The outermost block has no activation / norm on its down side and ends with Tanh; the innermost has no inner
/// block and no down norm. Keys as the reference (<c>model.N.*</c>, the inner block at index 1 or 3).
/// </summary>
public sealed class UnetSkipConnectionBlock : Module
{
    public UnetSkipConnectionBlock(int outerNc, int innerNc, int? inputNc = null, UnetSkipConnectionBlock? submodule = null,
        bool outermost = false, bool innermost = false, I2iNorm norm = I2iNorm.Batch, bool useDropout = false,
        Device? device = null, Generator? generator = null)
    {
        if (innermost == (submodule != null))
            throw new ArgumentException("UnetSkipConnectionBlock: the innermost block has no submodule and every other block has one.");
        Outermost = outermost;
        bool bias = I2iLayers.UseBias(norm);
        int inNc = inputNc ?? outerNc;
        var downconv = new Conv2d(inNc, innerNc, 4, 2, 1, bias: bias, device: device, generator: generator);
        var layers = new List<Module>();
        if (outermost)
        {
            layers.Add(downconv);
            layers.Add(submodule!);
            layers.Add(new ReLU());
            layers.Add(new ConvTranspose2d(innerNc * 2, outerNc, 4, 2, 1, device: device, generator: generator));
            layers.Add(new Tanh());
        }
        else if (innermost)
        {
            layers.Add(new LeakyReLU(0.2f));
            layers.Add(downconv);
            layers.Add(new ReLU());
            layers.Add(new ConvTranspose2d(innerNc, outerNc, 4, 2, 1, bias: bias, device: device, generator: generator));
            layers.Add(I2iLayers.Norm(norm, outerNc, device));
        }
        else
        {
            layers.Add(new LeakyReLU(0.2f));
            layers.Add(downconv);
            layers.Add(I2iLayers.Norm(norm, innerNc, device));
            layers.Add(submodule!);
            layers.Add(new ReLU());
            layers.Add(new ConvTranspose2d(innerNc * 2, outerNc, 4, 2, 1, bias: bias, device: device, generator: generator));
            layers.Add(I2iLayers.Norm(norm, outerNc, device));
            if (useDropout) layers.Add(new Dropout(0.5f, generator));
        }
        Model = RegisterModule("model", new Sequential(layers));
    }

    public bool Outermost { get; }
    public Sequential Model { get; }

    public override Tensor Forward(Tensor x) => Outermost ? Model.Forward(x) : Tensor.Cat(new[] { x, Model.Forward(x) }, 1);
}

/// <summary>
/// pix2pix's U-Net generator (UnetGenerator): <c>numDowns</c> stride-2 levels (8 at 256x256, log2(size) in general,
/// at least 5), ngf, 2ngf, 4ngf then 8ngf channels; the <c>numDowns - 5</c> inner 8ngf levels have Dropout(0.5) in
/// their decoder. Input sides must be multiples of 2^numDowns. Keys <c>model.model.0.weight</c>, ... as the reference.
/// </summary>
public sealed class UnetGenerator : Module
{
    public UnetGenerator(int inputNc, int outputNc, int numDowns, int ngf = 64, I2iNorm norm = I2iNorm.Batch, bool useDropout = true,
        Device? device = null, Generator? generator = null)
    {
        if (numDowns < 5) throw new ArgumentException($"UnetGenerator: num_downs must be >= 5 (the reference's fixed outer levels), got {numDowns}.");
        NumDowns = numDowns;
        var block = new UnetSkipConnectionBlock(ngf * 8, ngf * 8, innermost: true, norm: norm, device: device, generator: generator);
        for (int i = 0; i < numDowns - 5; i++)
            block = new UnetSkipConnectionBlock(ngf * 8, ngf * 8, submodule: block, norm: norm, useDropout: useDropout, device: device, generator: generator);
        block = new UnetSkipConnectionBlock(ngf * 4, ngf * 8, submodule: block, norm: norm, device: device, generator: generator);
        block = new UnetSkipConnectionBlock(ngf * 2, ngf * 4, submodule: block, norm: norm, device: device, generator: generator);
        block = new UnetSkipConnectionBlock(ngf, ngf * 2, submodule: block, norm: norm, device: device, generator: generator);
        Model = RegisterModule("model", new UnetSkipConnectionBlock(outputNc, ngf, inputNc, block, outermost: true, norm: norm, device: device, generator: generator));
        I2iLayers.InitNormal(this, 0.02f, generator);
    }

    public int NumDowns { get; }
    public UnetSkipConnectionBlock Model { get; }

    /// <summary>log2(size): the reference's unet_256 (8) / unet_128 (7) for other square sizes.</summary>
    public static int NumDownsFor(int size)
    {
        if (size < 32 || (size & (size - 1)) != 0)
            throw new ArgumentException($"UnetGenerator: the image size must be a power of two >= 32, got {size}.");
        return System.Numerics.BitOperations.Log2((uint)size);
    }

    public override Tensor Forward(Tensor x)
    {
        int m = 1 << NumDowns;
        if (x.Rank != 4 || x.Size(2) % m != 0 || x.Size(3) % m != 0)
            throw new ArgumentException($"UnetGenerator: expected [N, C, H, W] with H and W multiples of {m} (num_downs {NumDowns}), got {I2iLayers.Format(x)}.");
        return Model.Forward(x);
    }
}

/// <summary>ResnetBlock with reflection padding: x + [pad1, conv3, norm, ReLU, pad1, conv3, norm](x). Keys <c>conv_block.N.*</c>.</summary>
public sealed class ResnetBlock : Module
{
    public ResnetBlock(int dim, I2iNorm norm, bool useDropout, Device? device = null, Generator? generator = null)
    {
        bool bias = I2iLayers.UseBias(norm);
        var layers = new List<Module>
        {
            new ReflectionPad2d(1),
            new Conv2d(dim, dim, 3, bias: bias, device: device, generator: generator),
            I2iLayers.Norm(norm, dim, device),
            new ReLU(),
        };
        if (useDropout) layers.Add(new Dropout(0.5f, generator));
        layers.Add(new ReflectionPad2d(1));
        layers.Add(new Conv2d(dim, dim, 3, bias: bias, device: device, generator: generator));
        layers.Add(I2iLayers.Norm(norm, dim, device));
        ConvBlock = RegisterModule("conv_block", new Sequential(layers));
    }

    public Sequential ConvBlock { get; }

    public override Tensor Forward(Tensor x) => x.Add(ConvBlock.Forward(x));
}

/// <summary>
/// CycleGAN's ResNet generator (ResnetGenerator, Johnson et al.): reflection pad 3 + conv 7x7, two stride-2 convs,
/// <c>nBlocks</c> residual blocks (9 at 256x256, 6 at 128x128), two 3x3 stride-2 transposed convs, reflection pad 3
/// + conv 7x7, Tanh. Instance norm by default. Keys <c>model.N.*</c> as the reference.
/// </summary>
public sealed class ResnetGenerator : Module
{
    public ResnetGenerator(int inputNc, int outputNc, int ngf = 64, I2iNorm norm = I2iNorm.Instance, bool useDropout = false, int nBlocks = 9,
        Device? device = null, Generator? generator = null)
    {
        if (nBlocks < 0) throw new ArgumentException($"ResnetGenerator: n_blocks must be >= 0, got {nBlocks}.");
        NBlocks = nBlocks;
        bool bias = I2iLayers.UseBias(norm);
        var layers = new List<Module>
        {
            new ReflectionPad2d(3),
            new Conv2d(inputNc, ngf, 7, bias: bias, device: device, generator: generator),
            I2iLayers.Norm(norm, ngf, device),
            new ReLU(),
        };
        const int nDown = 2;
        for (int i = 0; i < nDown; i++)
        {
            int mult = 1 << i;
            layers.Add(new Conv2d(ngf * mult, ngf * mult * 2, 3, 2, 1, bias: bias, device: device, generator: generator));
            layers.Add(I2iLayers.Norm(norm, ngf * mult * 2, device));
            layers.Add(new ReLU());
        }
        for (int i = 0; i < nBlocks; i++) layers.Add(new ResnetBlock(ngf * (1 << nDown), norm, useDropout, device, generator));
        for (int i = 0; i < nDown; i++)
        {
            int mult = 1 << (nDown - i);
            layers.Add(new ConvTranspose2d(ngf * mult, ngf * mult / 2, 3, 2, 1, 1, bias: bias, device: device, generator: generator));
            layers.Add(I2iLayers.Norm(norm, ngf * mult / 2, device));
            layers.Add(new ReLU());
        }
        layers.Add(new ReflectionPad2d(3));
        layers.Add(new Conv2d(ngf, outputNc, 7, device: device, generator: generator));
        layers.Add(new Tanh());
        Model = RegisterModule("model", new Sequential(layers));
        I2iLayers.InitNormal(this, 0.02f, generator);
    }

    public int NBlocks { get; }
    public Sequential Model { get; }

    /// <summary>The reference's resnet_9blocks at 256 and up, resnet_6blocks below.</summary>
    public static int BlocksFor(int size) => size >= 256 ? 9 : 6;

    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 4 || x.Size(2) % 4 != 0 || x.Size(3) % 4 != 0 || x.Size(2) < 4 || x.Size(3) < 4)
            throw new ArgumentException($"ResnetGenerator: expected [N, C, H, W] with H and W multiples of 4, got {I2iLayers.Format(x)}.");
        return Model.Forward(x);
    }
}

/// <summary>
/// The PatchGAN discriminator (NLayerDiscriminator): conv 4-2-1 + LeakyReLU(0.2), <c>nLayers - 1</c> more stride-2
/// convs with norm, one stride-1 conv with norm, and a stride-1 conv to one channel of logits. With nLayers 3 each
/// output sees a 70x70 patch. Keys <c>model.N.*</c> as the reference.
/// </summary>
public sealed class NLayerDiscriminator : Module
{
    public NLayerDiscriminator(int inputNc, int ndf = 64, int nLayers = 3, I2iNorm norm = I2iNorm.Batch, Device? device = null, Generator? generator = null)
    {
        if (nLayers < 1) throw new ArgumentException($"NLayerDiscriminator: n_layers must be >= 1, got {nLayers}.");
        NLayers = nLayers;
        bool bias = I2iLayers.UseBias(norm);
        var layers = new List<Module>
        {
            new Conv2d(inputNc, ndf, 4, 2, 1, device: device, generator: generator),
            new LeakyReLU(0.2f),
        };
        int mult = 1, prev;
        for (int n = 1; n < nLayers; n++)
        {
            prev = mult;
            mult = Math.Min(1 << n, 8);
            layers.Add(new Conv2d(ndf * prev, ndf * mult, 4, 2, 1, bias: bias, device: device, generator: generator));
            layers.Add(I2iLayers.Norm(norm, ndf * mult, device));
            layers.Add(new LeakyReLU(0.2f));
        }
        prev = mult;
        mult = Math.Min(1 << nLayers, 8);
        layers.Add(new Conv2d(ndf * prev, ndf * mult, 4, 1, 1, bias: bias, device: device, generator: generator));
        layers.Add(I2iLayers.Norm(norm, ndf * mult, device));
        layers.Add(new LeakyReLU(0.2f));
        layers.Add(new Conv2d(ndf * mult, 1, 4, 1, 1, device: device, generator: generator));
        Model = RegisterModule("model", new Sequential(layers));
        I2iLayers.InitNormal(this, 0.02f, generator);
    }

    public int NLayers { get; }
    public Sequential Model { get; }

    /// <summary>The receptive field of one output (70 for n_layers 3).</summary>
    public int ReceptiveField
    {
        get
        {
            int rf = 1;
            rf += 3 * 1;                       // final stride-1 conv
            rf += 3 * 1;                       // stride-1 conv with norm
            for (int i = 0; i < NLayers; i++) rf = (rf - 1) * 2 + 4; // stride-2 convs, innermost first
            return rf;
        }
    }

    public override Tensor Forward(Tensor x) => Model.Forward(x);
}
