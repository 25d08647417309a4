using NativeGan.NN;
using NativeGan.Optim;

namespace NativeGan.Models.Gans;

/// <summary>
/// The MLP generator of PyTorch-GAN's wgan.py / wgan_gp.py (keys "model.N.*"): Linear(latent, 128) LeakyReLU(0.2),
/// then Linear + BatchNorm1d(eps 0.8, as the script's BatchNorm1d(out, 0.8)) + LeakyReLU(0.2) to 256, 512, 1024,
/// Linear(1024, C*H*W) and Tanh, viewed as [N, C, H, W].
/// </summary>
public sealed class WganGenerator : Module
{
    public WganGenerator(int channels = 1, int imageSize = 28, int latentDim = 100, float batchNormEps = 0.8f, int width = 128, Device? device = null, Generator? generator = null)
    {
        Channels = channels;
        ImageSize = imageSize;
        LatentDim = latentDim;
        Model = RegisterModule("model", MlpBlocks.Generator(latentDim, width, channels * imageSize * imageSize, batchNormEps, device, generator));
    }

    public int Channels { get; }
    public int ImageSize { get; }
    public int LatentDim { get; }
    public Sequential Model { get; }

    public override Tensor Forward(Tensor z)
    {
        if (z.Rank != 2 || z.Size(1) != LatentDim)
            throw new ArgumentException($"WganGenerator: expected z [N, {LatentDim}], got {GanShapes.Format(z)}.");
        return Model.Forward(z).Reshape(z.Size(0), Channels, ImageSize, ImageSize);
    }
}

/// <summary>
/// The critic of PyTorch-GAN's wgan.py / wgan_gp.py (keys "model.N.*"): flatten, Linear(C*H*W, 512) LeakyReLU(0.2),
/// Linear(512, 256) LeakyReLU(0.2), Linear(256, 1). No sigmoid and no batch norm (WGAN-GP's penalty is per sample).
/// Output [N, 1] scores.
/// </summary>
public sealed class WganCritic : Module
{
    public WganCritic(int channels = 1, int imageSize = 28, int width = 512, Device? device = null, Generator? generator = null)
    {
        InFeatures = channels * imageSize * imageSize;
        Model = RegisterModule("model", new Sequential(
            new Linear(InFeatures, width, device: device, generator: generator),
            new LeakyReLU(0.2f),
            new Linear(width, width / 2, device: device, generator: generator),
            new LeakyReLU(0.2f),
            new Linear(width / 2, 1, device: device, generator: generator)));
    }

    public int InFeatures { get; }
    public Sequential Model { get; }

    public override Tensor Forward(Tensor x)
    {
        var flat = x.Reshape(x.Size(0), -1);
        if (flat.Size(1) != InFeatures)
            throw new ArgumentException($"WganCritic: expected {InFeatures} values per sample, got input {GanShapes.Format(x)}.");
        return Model.Forward(flat);
    }
}

internal static class MlpBlocks
{
    /// <summary>PyTorch-GAN's block(latent, w, normalize=False), block(w, 2w), block(2w, 4w), block(4w, 8w), Linear(8w, out), Tanh.</summary>
    public static Sequential Generator(int inFeatures, int width, int outFeatures, float batchNormEps, Device? device, Generator? generator)
    {
        var s = new Sequential();
        int cin = inFeatures;
        foreach (var (cout, normalize) in new[] { (width, false), (width * 2, true), (width * 4, true), (width * 8, true) })
        {
            s.Add(new Linear(cin, cout, device: device, generator: generator));
            if (normalize) s.Add(new BatchNorm1d(cout, eps: batchNormEps, device: device));
            s.Add(new LeakyReLU(0.2f));
            cin = cout;
        }
        s.Add(new Linear(cin, outFeatures, device: device, generator: generator));
        s.Add(new Tanh());
        return s;
    }
}

/// <summary>Wasserstein helpers: weight clipping (WGAN) and the gradient penalty (WGAN-GP).</summary>
public static class Wasserstein
{
    /// <summary>Clamps every parameter of <paramref name="critic"/> into [-clip, clip] in place (PyTorch-GAN's p.data.clamp_).</summary>
    public static void ClipWeights(Module critic, float clip = 0.01f)
    {
        if (!(clip > 0f)) throw new ArgumentException($"ClipWeights: clip must be positive, got {clip}.");
        using var noGrad = Tensor.NoGrad();
        foreach (var p in critic.Parameters()) p.ClampInPlace(-clip, clip);
    }

    /// <summary>
    /// lambda * mean((||grad_xhat D(xhat)||_2 - 1)^2) over xhat = alpha * real + (1 - alpha) * fake with ONE alpha per
    /// sample (shape [N, 1, ..., 1], broadcast), the gradient taken with createGraph so the penalty trains D.
    /// </summary>
    public static Tensor GradientPenalty(Func<Tensor, Tensor> critic, Tensor real, Tensor fake, Tensor alpha, float lambda = 10f)
    {
        if (!GanShapes.Same(real, fake))
            throw new ArgumentException($"gradient_penalty: real {GanShapes.Format(real)} and fake {GanShapes.Format(fake)} must have the same shape.");
        int n = real.Size(0);
        if (alpha.NumEl != n || alpha.Size(0) != n)
            throw new ArgumentException($"gradient_penalty: expected one alpha per sample ([{n}, 1, ...]), got {GanShapes.Format(alpha)}.");
        var a = alpha.Rank == real.Rank ? alpha : alpha.Reshape(new[] { n }.Concat(Enumerable.Repeat(1, real.Rank - 1)).ToArray());
        Tensor xhat;
        using (Tensor.NoGrad()) xhat = real.Detach().Mul(a).Add(fake.Detach().Mul(a.RSub(1f)));
        xhat.RequiresGrad = true;
        var score = critic(xhat);
        var ones = Tensor.OnesLike(score);
        var grad = Autograd.Grad(new[] { score }, new[] { xhat }, gradOutputs: new[] { ones }, createGraph: true)[0]
            ?? throw new InvalidOperationException("gradient_penalty: the critic's output does not depend on its input.");
        var norm = grad.Reshape(n, -1).Square().Sum(1).Add(1e-12f).Sqrt();
        return norm.Sub(1f).Square().Mean().Mul(lambda);
    }

    /// <summary>The gradient penalty with alpha ~ U(0, 1) drawn per sample from <paramref name="generator"/>.</summary>
    public static Tensor GradientPenalty(Func<Tensor, Tensor> critic, Tensor real, Tensor fake, Generator? generator = null, float lambda = 10f)
    {
        var shape = new int[real.Rank];
        Array.Fill(shape, 1);
        shape[0] = real.Size(0);
        using var alpha = Tensor.Rand(shape, real.Device, generator);
        return GradientPenalty(critic, real, fake, alpha, lambda);
    }
}

/// <summary>WGAN step: Wasserstein loss, RMSprop lr 5e-5 for both, weight clipping 0.01 after each D step, n_critic 5.</summary>
public sealed class WganStep : GanStep
{
    public const float DefaultLr = 5e-5f;

    public WganStep(WganGenerator generator, WganCritic critic, float lr = DefaultLr, float clip = 0.01f, int nCritic = 5, int dInitSteps = 0, Generator? rng = null)
        : base(generator, critic, new RMSprop(generator.Parameters(), lr), new RMSprop(critic.Parameters(), lr), GanLossKind.Wasserstein, nCritic, dInitSteps, rng)
    {
        Generator = generator;
        Critic = critic;
        Clip = clip;
    }

    public WganGenerator Generator { get; }
    public WganCritic Critic { get; }
    public float Clip { get; }
    public override int LatentDim => Generator.LatentDim;

    protected override Tensor Generate(int batch, Device device, out Tensor? fakeLabels)
    {
        fakeLabels = null;
        return Generator.Forward(Tensor.Randn(new[] { batch, LatentDim }, device, Rng));
    }

    protected override Tensor Discriminate(Tensor images, Tensor? labels) => Critic.Forward(images);

    protected override void AfterDiscriminatorStep() => Wasserstein.ClipWeights(Critic, Clip);
}

/// <summary>WGAN-GP step: Wasserstein loss + gradient penalty (lambda 10), Adam lr 1e-4 betas (0.0, 0.9), n_critic 5.</summary>
public sealed class WganGpStep : GanStep
{
    public const float DefaultLr = 1e-4f;

    public WganGpStep(WganGenerator generator, WganCritic critic, float lr = DefaultLr, (float, float)? betas = null, float lambda = 10f, int nCritic = 5,
        int dInitSteps = 0, Generator? rng = null)
        : base(generator, critic, new Adam(generator.Parameters(), lr, betas ?? (0f, 0.9f)), new Adam(critic.Parameters(), lr, betas ?? (0f, 0.9f)),
            GanLossKind.Wasserstein, nCritic, dInitSteps, rng)
    {
        Generator = generator;
        Critic = critic;
        Lambda = lambda;
    }

    public WganGenerator Generator { get; }
    public WganCritic Critic { get; }
    public float Lambda { get; }
    public override int LatentDim => Generator.LatentDim;

    protected override Tensor Generate(int batch, Device device, out Tensor? fakeLabels)
    {
        fakeLabels = null;
        return Generator.Forward(Tensor.Randn(new[] { batch, LatentDim }, device, Rng));
    }

    protected override Tensor Discriminate(Tensor images, Tensor? labels) => Critic.Forward(images);

    protected override Tensor? ExtraDiscriminatorLoss(Tensor real, Tensor fakeDetached, Tensor? realLabels, Tensor? fakeLabels) =>
        Wasserstein.GradientPenalty(Critic.Forward, real, fakeDetached, Rng, Lambda);
}
