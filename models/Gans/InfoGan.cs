using NativeGan.NN;
using NativeGan.Optim;

namespace NativeGan.Models.Gans;

/// <summary>
/// PyTorch-GAN's infogan.py generator: input cat(noise [latent], one-hot category [classes], continuous code [codeDim]),
/// l1 = Linear(input, 128 * (size/4)^2) viewed [N, 128, size/4, size/4], then conv_blocks: BatchNorm2d(128),
/// Upsample(2), Conv(128, 128, 3, 1, 1), BatchNorm2d(128, eps 0.8), LeakyReLU(0.2), Upsample(2), Conv(128, 64, 3, 1, 1),
/// BatchNorm2d(64, eps 0.8), LeakyReLU(0.2), Conv(64, C, 3, 1, 1), Tanh. Convs N(0, 0.02), batch norms N(1, 0.02) / 0.
/// </summary>
public sealed class InfoGanGenerator : Module
{
    public InfoGanGenerator(int channels = 1, int imageSize = 32, int latentDim = 62, int classes = 10, int codeDim = 2, Device? device = null, Generator? generator = null)
    {
        if (imageSize % 4 != 0) throw new ArgumentException($"InfoGanGenerator: image size must be a multiple of 4, got {imageSize}.");
        Channels = channels;
        ImageSize = imageSize;
        LatentDim = latentDim;
        Classes = classes;
        CodeDim = codeDim;
        InitSize = imageSize / 4;
        L1 = RegisterModule("l1", new Sequential(new Linear(latentDim + classes + codeDim, 128 * InitSize * InitSize, device: device, generator: generator)));
        ConvBlocks = RegisterModule("conv_blocks", new Sequential(
            new BatchNorm2d(128, device: device),
            new Upsample(2),
            new Conv2d(128, 128, 3, 1, 1, device: device, generator: generator),
            new BatchNorm2d(128, eps: 0.8f, device: device),
            new LeakyReLU(0.2f),
            new Upsample(2),
            new Conv2d(128, 64, 3, 1, 1, device: device, generator: generator),
            new BatchNorm2d(64, eps: 0.8f, device: device),
            new LeakyReLU(0.2f),
            new Conv2d(64, channels, 3, 1, 1, device: device, generator: generator),
            new Tanh()));
        GanInit.DcganNormal(this, generator);
    }

    public int Channels { get; }
    public int ImageSize { get; }
    public int LatentDim { get; }
    public int Classes { get; }
    public int CodeDim { get; }
    public int InitSize { get; }
    public Sequential L1 { get; }
    public Sequential ConvBlocks { get; }

    /// <summary>Takes the already concatenated input [N, latent + classes + code].</summary>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 2 || input.Size(1) != LatentDim + Classes + CodeDim)
            throw new ArgumentException($"InfoGanGenerator: expected input [N, {LatentDim + Classes + CodeDim}] (noise, one-hot, code), got {GanShapes.Format(input)}.");
        var x = L1.Forward(input).Reshape(input.Size(0), 128, InitSize, InitSize);
        return ConvBlocks.Forward(x);
    }

    /// <summary>noise [N, latent], one-hot category [N, classes], code [N, codeDim] -> images [N, C, size, size].</summary>
    public Tensor Forward(Tensor noise, Tensor oneHotLabels, Tensor code) => Forward(Tensor.Cat(1, noise, oneHotLabels, code));
}

/// <summary>
/// PyTorch-GAN's infogan.py discriminator with the Q heads sharing its body: conv_blocks of Conv(3, 2, 1),
/// LeakyReLU(0.2), Dropout2d(0.25) and BatchNorm2d(eps 0.8) (not on the first) to 16, 32, 64, 128 channels; then
/// adv_layer Linear(F, 1), aux_layer Linear(F, classes) and latent_layer Linear(F, codeDim). aux_layer returns
/// logits (the script's Softmax is left out: the cross-entropy applies log-softmax itself). The flattened size F is
/// computed from the conv arithmetic (128 * ceil(size/16)^2).
/// </summary>
public sealed class InfoGanDiscriminator : Module
{
    public InfoGanDiscriminator(int channels = 1, int imageSize = 32, int classes = 10, int codeDim = 2, Device? device = null, Generator? generator = null)
    {
        Channels = channels;
        ImageSize = imageSize;
        Classes = classes;
        CodeDim = codeDim;
        var body = new Sequential();
        int size = imageSize, cin = channels;
        foreach (var (cout, bn) in new[] { (16, false), (32, true), (64, true), (128, true) })
        {
            body.Add(new Conv2d(cin, cout, 3, 2, 1, device: device, generator: generator));
            body.Add(new LeakyReLU(0.2f));
            body.Add(new Dropout2d(0.25f, generator));
            if (bn) body.Add(new BatchNorm2d(cout, eps: 0.8f, device: device));
            size = (size + 2 - 3) / 2 + 1;
            cin = cout;
        }
        Features = 128 * size * size;
        ConvBlocks = RegisterModule("conv_blocks", body);
        AdvLayer = RegisterModule("adv_layer", new Sequential(new Linear(Features, 1, device: device, generator: generator)));
        AuxLayer = RegisterModule("aux_layer", new Sequential(new Linear(Features, classes, device: device, generator: generator)));
        LatentLayer = RegisterModule("latent_layer", new Sequential(new Linear(Features, codeDim, device: device, generator: generator)));
        GanInit.DcganNormal(this, generator);
    }

    public int Channels { get; }
    public int ImageSize { get; }
    public int Classes { get; }
    public int CodeDim { get; }
    public int Features { get; }
    public Sequential ConvBlocks { get; }
    public Sequential AdvLayer { get; }
    public Sequential AuxLayer { get; }
    public Sequential LatentLayer { get; }

    /// <summary>(validity [N, 1], class logits [N, classes], code [N, codeDim]) as `validity, label, latent_code = D(img)`.</summary>
    public (Tensor Validity, Tensor ClassLogits, Tensor Code) Heads(Tensor images)
    {
        if (images.Rank != 4 || images.Size(1) != Channels || images.Size(2) != ImageSize || images.Size(3) != ImageSize)
            throw new ArgumentException($"InfoGanDiscriminator: expected images [N, {Channels}, {ImageSize}, {ImageSize}], got {GanShapes.Format(images)}.");
        var h = ConvBlocks.Forward(images).Reshape(images.Size(0), -1);
        return (AdvLayer.Forward(h), AuxLayer.Forward(h), LatentLayer.Forward(h));
    }

    /// <summary>The validity head only.</summary>
    public override Tensor Forward(Tensor images) => Heads(images).Validity;
}

/// <summary>
/// InfoGAN step (PyTorch-GAN's infogan.py): least-squares adversarial loss (the script's MSELoss), Adam lr 2e-4 betas
/// (0.5, 0.999) for G and D, and after each G step an information step with a third Adam over G's and D's
/// parameters: lambda_cat * CE(class logits, sampled category) + lambda_con * MSE(code, sampled code), codes U(-1, 1).
/// </summary>
public sealed class InfoGanStep : GanStep
{
    public const float DefaultLr = 2e-4f;
    private readonly Adam optimizerInfo;

    public InfoGanStep(InfoGanGenerator generator, InfoGanDiscriminator discriminator, float lr = DefaultLr, (float, float)? betas = null,
        float lambdaCat = 1f, float lambdaCon = 0.1f, GanLossKind loss = GanLossKind.LeastSquares, int dSteps = 1, int dInitSteps = 0, Generator? rng = null)
        : base(generator, discriminator, new Adam(generator.Parameters(), lr, betas ?? (0.5f, 0.999f)),
            new Adam(discriminator.Parameters(), lr, betas ?? (0.5f, 0.999f)), loss, dSteps, dInitSteps, rng)
    {
        if (generator.Classes != discriminator.Classes || generator.CodeDim != discriminator.CodeDim)
            throw new ArgumentException($"InfoGanStep: generator codes ({generator.Classes} classes, {generator.CodeDim} continuous) do not match the discriminator's ({discriminator.Classes}, {discriminator.CodeDim}).");
        Generator = generator;
        Discriminator = discriminator;
        LambdaCat = lambdaCat;
        LambdaCon = lambdaCon;
        optimizerInfo = new Adam(generator.Parameters().Concat(discriminator.Parameters()), lr, betas ?? (0.5f, 0.999f));
    }

    public InfoGanGenerator Generator { get; }
    public InfoGanDiscriminator Discriminator { get; }
    public float LambdaCat { get; }
    public float LambdaCon { get; }
    public Optimizer OptimizerInfo => optimizerInfo;
    public override int LatentDim => Generator.LatentDim;

    /// <summary>The mutual-information loss: lambdaCat * CE(classLogits, category) + lambdaCon * MSE(code, sampledCode).</summary>
    public static Tensor InformationLoss(Tensor classLogits, Tensor category, Tensor predictedCode, Tensor sampledCode, float lambdaCat = 1f, float lambdaCon = 0.1f) =>
        Losses.CrossEntropy(classLogits, category).Mul(lambdaCat).Add(Losses.Mse(predictedCode, sampledCode).Mul(lambdaCon));

    private Tensor Sample(int batch, Device device, out Tensor category, out Tensor code)
    {
        category = GanSampling.RandomLabels(batch, Generator.Classes, device, Rng);
        code = Tensor.Rand(new[] { batch, Generator.CodeDim }, device, Rng, -1f, 1f);
        var z = Tensor.Randn(new[] { batch, LatentDim }, device, Rng);
        return Generator.Forward(z, GanSampling.OneHot(category, Generator.Classes), code);
    }

    protected override Tensor Generate(int batch, Device device, out Tensor? fakeLabels)
    {
        fakeLabels = null;
        return Sample(batch, device, out _, out _);
    }

    protected override Tensor Discriminate(Tensor images, Tensor? labels) => Discriminator.Heads(images).Validity;

    protected override float? AfterGeneratorStep(int batch, Device device)
    {
        optimizerInfo.ZeroGrad();
        var images = Sample(batch, device, out var category, out var code);
        var (_, logits, predicted) = Discriminator.Heads(images);
        var info = InformationLoss(logits, category, predicted, code, LambdaCat, LambdaCon);
        info.Backward();
        float value = NativeGan.Models.Training.FiniteLoss.Check(info.Item(), "info_loss");
        optimizerInfo.Step();
        optimizerInfo.ZeroGrad();
        return value;
    }

    public override void Dispose()
    {
        optimizerInfo.Dispose();
        base.Dispose();
    }
}
