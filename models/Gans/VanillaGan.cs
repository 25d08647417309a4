using NativeGan.NN;
using NativeGan.Optim;

namespace NativeGan.Models.Gans;

/// <summary>
/// The vanilla GAN generator, a two-layer MLP: z (64) -> Linear 256 -> LeakyReLU(0.01) -> Linear 784 -> Tanh, output
/// [N, 784] viewed as [N, 1, 28, 28] when <see cref="ImageShape"/> is set. Keys model.0.*, model.2.*.
/// </summary>
public sealed class VanillaGenerator : Module
{
    public VanillaGenerator(int latentDim = 64, int hidden = 256, int outFeatures = 784, int[]? imageShape = null, Device? device = null, Generator? generator = null)
    {
        LatentDim = latentDim;
        OutFeatures = outFeatures;
        ImageShape = imageShape ?? (outFeatures == 784 ? new[] { 1, 28, 28 } : null);
        if (ImageShape != null && ImageShape.Aggregate(1, (a, b) => a * b) != outFeatures)
            throw new ArgumentException($"VanillaGenerator: image shape {GanShapes.Format(ImageShape)} does not hold {outFeatures} values.");
        Model = RegisterModule("model", new Sequential(
            new Linear(latentDim, hidden, device: device, generator: generator),
            new LeakyReLU(0.01f),
            new Linear(hidden, outFeatures, device: device, generator: generator),
            new Tanh()));
    }

    public int LatentDim { get; }
    public int OutFeatures { get; }
    public int[]? ImageShape { get; }
    public Sequential Model { get; }

    /// <summary>z [N, latent] -> samples [N, 1, 28, 28] (or [N, outFeatures] without an image shape).</summary>
    public override Tensor Forward(Tensor z)
    {
        if (z.Rank != 2 || z.Size(1) != LatentDim)
            throw new ArgumentException($"VanillaGenerator: expected z [N, {LatentDim}], got {GanShapes.Format(z)}.");
        var y = Model.Forward(z);
        return ImageShape == null ? y : y.Reshape(new[] { z.Size(0) }.Concat(ImageShape).ToArray());
    }
}

/// <summary>The vanilla GAN discriminator, a two-layer MLP: flatten -> Linear 128 -> LeakyReLU(0.01) -> Linear 1 -> Sigmoid; output [N, 1].</summary>
public sealed class VanillaDiscriminator : Module
{
    public VanillaDiscriminator(int inFeatures = 784, int hidden = 128, Device? device = null, Generator? generator = null)
    {
        InFeatures = inFeatures;
        Model = RegisterModule("model", new Sequential(
            new Linear(inFeatures, hidden, device: device, generator: generator),
            new LeakyReLU(0.01f),
            new Linear(hidden, 1, device: device, generator: generator),
            new Sigmoid()));
    }

    public int InFeatures { get; }
    public Sequential Model { get; }

    public override Tensor Forward(Tensor x)
    {
        var flat = x.Reshape(x.Size(0), -1);
        if (flat.Size(1) != InFeatures)
            throw new ArgumentException($"VanillaDiscriminator: expected {InFeatures} features per sample, got input {GanShapes.Format(x)}.");
        return Model.Forward(flat);
    }
}

/// <summary>
/// Vanilla GAN step: BCE, non-saturating G loss, Adam lr 3e-4 with PyTorch-GAN gan.py's betas (0.5, 0.999)
/// for both networks.
/// </summary>
public sealed class VanillaGanStep : GanStep
{
    public const float DefaultLr = 3e-4f;

    public VanillaGanStep(VanillaGenerator generator, VanillaDiscriminator discriminator, float lr = DefaultLr, (float, float)? betas = null, int dSteps = 1, int dInitSteps = 0,
        Generator? rng = null)
        : base(generator, discriminator, new Adam(generator.Parameters(), lr, betas ?? (0.5f, 0.999f)),
            new Adam(discriminator.Parameters(), lr, betas ?? (0.5f, 0.999f)), GanLossKind.Bce, dSteps, dInitSteps, rng)
    {
        Generator = generator;
        Discriminator = discriminator;
    }

    public VanillaGenerator Generator { get; }
    public VanillaDiscriminator Discriminator { get; }
    public override int LatentDim => Generator.LatentDim;

    protected override Tensor Generate(int batch, Device device, out Tensor? fakeLabels)
    {
        fakeLabels = null;
        return Generator.Forward(Tensor.Randn(new[] { batch, LatentDim }, device, Rng));
    }

    protected override Tensor Discriminate(Tensor images, Tensor? labels) => Discriminator.Forward(images);
}
