using NativeGan.NN;
using NativeGan.Optim;

namespace NativeGan.Models.Gans;

/// <summary>
/// DCGAN generator (Radford et al.; the layout of the PyTorch examples' dcgan/main.py, keys "main.N.*"): transposed
/// convolutions without bias, BatchNorm2d + ReLU between them, Tanh at the end. z [N, nz] or [N, nz, 1, 1].
/// 64x64: ConvT(nz, 8ngf, 4, 1, 0) -> 4, then 4-2-1 ConvTs to 8, 16, 32 (ngf*4, ngf*2, ngf) and ConvT(ngf, nc) -> 64.
/// 28x28: ConvT(nz, 4ngf, 7, 1, 0) -> 7, ConvT(4ngf, 2ngf, 4, 2, 1) -> 14, ConvT(2ngf, nc, 4, 2, 1) -> 28.
/// Weights are initialised N(0, 0.02), BatchNorm weight N(1, 0.02) and bias 0 (<see cref="GanInit.DcganNormal"/>).
/// </summary>
public sealed class DcganGenerator : Module
{
    public DcganGenerator(int imageSize = 64, int channels = 3, int latentDim = 100, int ngf = 64, Device? device = null, Generator? generator = null)
    {
        if (imageSize != 28 && imageSize != 64)
            throw new ArgumentException($"DcganGenerator: image size must be 28 or 64, got {imageSize}.");
        ImageSize = imageSize;
        Channels = channels;
        LatentDim = latentDim;
        var layers = new List<Module>();
        void Block(int cin, int cout, int k, int s, int p)
        {
            layers.Add(new ConvTranspose2d(cin, cout, k, s, p, bias: false, device: device, generator: generator));
            layers.Add(new BatchNorm2d(cout, device: device));
            layers.Add(new ReLU());
        }
        if (imageSize == 64)
        {
            Block(latentDim, ngf * 8, 4, 1, 0);
            Block(ngf * 8, ngf * 4, 4, 2, 1);
            Block(ngf * 4, ngf * 2, 4, 2, 1);
            Block(ngf * 2, ngf, 4, 2, 1);
            layers.Add(new ConvTranspose2d(ngf, channels, 4, 2, 1, bias: false, device: device, generator: generator));
        }
        else
        {
            Block(latentDim, ngf * 4, 7, 1, 0);
            Block(ngf * 4, ngf * 2, 4, 2, 1);
            layers.Add(new ConvTranspose2d(ngf * 2, channels, 4, 2, 1, bias: false, device: device, generator: generator));
        }
        layers.Add(new Tanh());
        Main = RegisterModule("main", new Sequential(layers));
        GanInit.DcganNormal(this, generator);
    }

    public int ImageSize { get; }
    public int Channels { get; }
    public int LatentDim { get; }
    public Sequential Main { get; }

    /// <summary>z [N, nz] or [N, nz, 1, 1] -> images [N, channels, size, size] in [-1, 1].</summary>
    public override Tensor Forward(Tensor z)
    {
        if (z.Rank == 2 && z.Size(1) == LatentDim) z = z.Reshape(z.Size(0), LatentDim, 1, 1);
        if (z.Rank != 4 || z.Size(1) != LatentDim || z.Size(2) != 1 || z.Size(3) != 1)
            throw new ArgumentException($"DcganGenerator: expected z [N, {LatentDim}] or [N, {LatentDim}, 1, 1], got {GanShapes.Format(z)}.");
        return Main.Forward(z);
    }
}

/// <summary>
/// DCGAN discriminator (PyTorch examples' layout, keys "main.N.*"): strided 4-2-1 convolutions without bias,
/// LeakyReLU(0.2), BatchNorm2d on every block but the first, a final valid convolution to one value and Sigmoid.
/// 64x64: ndf, 2ndf, 4ndf, 8ndf then Conv(8ndf, 1, 4, 1, 0). 28x28: ndf (14), 2ndf (7) then Conv(2ndf, 1, 7, 1, 0).
/// Output [N, 1] probabilities.
/// </summary>
public sealed class DcganDiscriminator : Module
{
    public DcganDiscriminator(int imageSize = 64, int channels = 3, int ndf = 64, Device? device = null, Generator? generator = null)
    {
        if (imageSize != 28 && imageSize != 64)
            throw new ArgumentException($"DcganDiscriminator: image size must be 28 or 64, got {imageSize}.");
        ImageSize = imageSize;
        Channels = channels;
        var layers = new List<Module>
        {
            new Conv2d(channels, ndf, 4, 2, 1, bias: false, device: device, generator: generator),
            new LeakyReLU(0.2f),
        };
        void Block(int cin, int cout)
        {
            layers.Add(new Conv2d(cin, cout, 4, 2, 1, bias: false, device: device, generator: generator));
            layers.Add(new BatchNorm2d(cout, device: device));
            layers.Add(new LeakyReLU(0.2f));
        }
        if (imageSize == 64)
        {
            Block(ndf, ndf * 2);
            Block(ndf * 2, ndf * 4);
            Block(ndf * 4, ndf * 8);
            layers.Add(new Conv2d(ndf * 8, 1, 4, 1, 0, bias: false, device: device, generator: generator));
        }
        else
        {
            Block(ndf, ndf * 2);
            layers.Add(new Conv2d(ndf * 2, 1, 7, 1, 0, bias: false, device: device, generator: generator));
        }
        layers.Add(new Sigmoid());
        Main = RegisterModule("main", new Sequential(layers));
        GanInit.DcganNormal(this, generator);
    }

    public int ImageSize { get; }
    public int Channels { get; }
    public Sequential Main { get; }

    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 4 || x.Size(1) != Channels || x.Size(2) != ImageSize || x.Size(3) != ImageSize)
            throw new ArgumentException($"DcganDiscriminator: expected images [N, {Channels}, {ImageSize}, {ImageSize}], got {GanShapes.Format(x)}.");
        return Main.Forward(x).Reshape(x.Size(0), 1);
    }
}

/// <summary>DCGAN step: BCE, non-saturating G loss, Adam lr 2e-4 betas (0.5, 0.999) for both networks.</summary>
public sealed class DcganStep : GanStep
{
    public const float DefaultLr = 2e-4f;

    public DcganStep(DcganGenerator generator, DcganDiscriminator discriminator, float lr = DefaultLr, (float, float)? betas = null,
        int dSteps = 1, int dInitSteps = 0, Generator? rng = null)
        : base(generator, discriminator, new Adam(generator.Parameters(), lr, betas ?? (0.5f, 0.999f)),
            new Adam(discriminator.Parameters(), lr, betas ?? (0.5f, 0.999f)), GanLossKind.Bce, dSteps, dInitSteps, rng)
    {
        if (generator.ImageSize != discriminator.ImageSize || generator.Channels != discriminator.Channels)
            throw new ArgumentException($"DcganStep: the generator makes {generator.Channels}x{generator.ImageSize}x{generator.ImageSize} images but the discriminator expects {discriminator.Channels}x{discriminator.ImageSize}x{discriminator.ImageSize}.");
        Generator = generator;
        Discriminator = discriminator;
    }

    public DcganGenerator Generator { get; }
    public DcganDiscriminator Discriminator { get; }
    public override int LatentDim => Generator.LatentDim;

    protected override Tensor Generate(int batch, Device device, out Tensor? fakeLabels)
    {
        fakeLabels = null;
        return Generator.Forward(Tensor.Randn(new[] { batch, LatentDim, 1, 1 }, device, Rng));
    }

    protected override Tensor Discriminate(Tensor images, Tensor? labels) => Discriminator.Forward(images);
}
