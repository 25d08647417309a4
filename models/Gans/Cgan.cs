using NativeGan.NN;
using NativeGan.Optim;

namespace NativeGan.Models.Gans;

/// <summary>
/// PyTorch-GAN's cgan.py generator: label_emb = Embedding(classes, classes) concatenated before the noise, then the
/// MLP model (128, 256, 512, 1024 with BatchNorm1d(eps 0.8) and LeakyReLU(0.2), Linear to C*H*W, Tanh), viewed as
/// [N, C, H, W]. Keys "label_emb.weight", "model.N.*".
/// </summary>
public sealed class CganGenerator : Module
{
    public CganGenerator(int classes = 10, int channels = 1, int imageSize = 28, int latentDim = 100, float batchNormEps = 0.8f, int width = 128,
        Device? device = null, Generator? generator = null)
    {
        Classes = classes;
        Channels = channels;
        ImageSize = imageSize;
        LatentDim = latentDim;
        LabelEmb = RegisterModule("label_emb", new Embedding(classes, classes, device, generator));
        Model = RegisterModule("model", MlpBlocks.Generator(latentDim + classes, width, channels * imageSize * imageSize, batchNormEps, device, generator));
    }

    public int Classes { get; }
    public int Channels { get; }
    public int ImageSize { get; }
    public int LatentDim { get; }
    public Embedding LabelEmb { get; }
    public Sequential Model { get; }

    /// <summary>A conditional generator needs labels: use <see cref="Forward(Tensor, Tensor)"/>.</summary>
    public override Tensor Forward(Tensor x) =>
        throw new ArgumentException("CganGenerator: the generator is conditional; call Forward(noise [N, latent], labels [N]).");

    /// <summary>noise [N, latent], labels [N] (float class indices) -> images [N, C, H, W].</summary>
    public Tensor Forward(Tensor noise, Tensor labels)
    {
        if (noise.Rank != 2 || noise.Size(1) != LatentDim || labels.Rank != 1 || labels.Size(0) != noise.Size(0))
            throw new ArgumentException($"CganGenerator: expected noise [N, {LatentDim}] and labels [N], got {GanShapes.Format(noise)} and {GanShapes.Format(labels)}.");
        var input = Tensor.Cat(1, LabelEmb.Forward(labels), noise);
        return Model.Forward(input).Reshape(noise.Size(0), Channels, ImageSize, ImageSize);
    }
}

/// <summary>
/// PyTorch-GAN's cgan.py discriminator: the flattened image concatenated with label_embedding(labels)
/// (Embedding(classes, classes)), then Linear(C*H*W + classes, 512) LeakyReLU(0.2), Linear(512, 512) Dropout(0.4)
/// LeakyReLU(0.2), Linear(512, 512) Dropout(0.4) LeakyReLU(0.2), Linear(512, 1). Keys "label_embedding.weight",
/// "model.N.*". Output [N, 1] scores (no sigmoid: the cgan script trains it with the least-squares loss).
/// </summary>
public sealed class CganDiscriminator : Module
{
    public CganDiscriminator(int classes = 10, int channels = 1, int imageSize = 28, int width = 512, float dropout = 0.4f, Device? device = null, Generator? generator = null)
    {
        Classes = classes;
        InFeatures = channels * imageSize * imageSize;
        LabelEmbedding = RegisterModule("label_embedding", new Embedding(classes, classes, device, generator));
        Model = RegisterModule("model", new Sequential(
            new Linear(InFeatures + classes, width, device: device, generator: generator),
            new LeakyReLU(0.2f),
            new Linear(width, width, device: device, generator: generator),
            new Dropout(dropout, generator),
            new LeakyReLU(0.2f),
            new Linear(width, width, device: device, generator: generator),
            new Dropout(dropout, generator),
            new LeakyReLU(0.2f),
            new Linear(width, 1, device: device, generator: generator)));
    }

    public int Classes { get; }
    public int InFeatures { get; }
    public Embedding LabelEmbedding { get; }
    public Sequential Model { get; }

    public override Tensor Forward(Tensor x) =>
        throw new ArgumentException("CganDiscriminator: the discriminator is conditional; call Forward(images [N, C, H, W], labels [N]).");

    public Tensor Forward(Tensor images, Tensor labels)
    {
        var flat = images.Reshape(images.Size(0), -1);
        if (flat.Size(1) != InFeatures || labels.Rank != 1 || labels.Size(0) != images.Size(0))
            throw new ArgumentException($"CganDiscriminator: expected images with {InFeatures} values each and labels [N], got {GanShapes.Format(images)} and {GanShapes.Format(labels)}.");
        return Model.Forward(Tensor.Cat(1, flat, LabelEmbedding.Forward(labels)));
    }
}

/// <summary>
/// Conditional GAN step: real labels come with the batch, fake labels are drawn uniformly; Adam lr 2e-4 betas
/// (0.5, 0.999); the least-squares loss of PyTorch-GAN's cgan.py by default (GanLossKind.Bce needs a sigmoid D).
/// </summary>
public sealed class CganStep : GanStep
{
    public const float DefaultLr = 2e-4f;

    public CganStep(CganGenerator generator, CganDiscriminator discriminator, float lr = DefaultLr, (float, float)? betas = null,
        GanLossKind loss = GanLossKind.LeastSquares, int dSteps = 1, int dInitSteps = 0, Generator? rng = null)
        : base(generator, discriminator, new Adam(generator.Parameters(), lr, betas ?? (0.5f, 0.999f)),
            new Adam(discriminator.Parameters(), lr, betas ?? (0.5f, 0.999f)), loss, dSteps, dInitSteps, rng)
    {
        if (generator.Classes != discriminator.Classes)
            throw new ArgumentException($"CganStep: the generator has {generator.Classes} classes but the discriminator {discriminator.Classes}.");
        Generator = generator;
        Discriminator = discriminator;
    }

    public CganGenerator Generator { get; }
    public CganDiscriminator Discriminator { get; }
    public override int LatentDim => Generator.LatentDim;

    protected override void CheckInputs(Tensor realImages, Tensor? labels)
    {
        if (labels == null) throw new ArgumentException("CganStep.Step: the conditional GAN needs the real batch's labels [N].");
    }

    protected override Tensor Generate(int batch, Device device, out Tensor? fakeLabels)
    {
        var labels = GanSampling.RandomLabels(batch, Generator.Classes, device, Rng);
        fakeLabels = labels;
        return Generator.Forward(Tensor.Randn(new[] { batch, LatentDim }, device, Rng), labels);
    }

    protected override Tensor Discriminate(Tensor images, Tensor? labels) => Discriminator.Forward(images, labels!);
}
