using NativeGan.Models.Training;
using NativeGan.NN;
using NativeGan.Optim;

namespace NativeGan.Models.Gans;

/// <summary>
/// Where a progressive run stands: the stage (0: 4x4), the images shown in this stage and in the whole run.
/// </summary>
public readonly record struct ProGanProgress(int Stage, long ImagesInStage, long ImagesSeen);

/// <summary>
/// ProGAN's growth schedule counted in images (the paper's 600k / 800k "kimg" phases): stage 0 trains for
/// <see cref="StableImages"/>; every later stage first fades its new block in over <see cref="FadeImages"/> images
/// (alpha = images in stage / FadeImages, rising linearly from 0 to 1) and then trains it for
/// <see cref="StableImages"/> at alpha 1. The last stage trains on for as long as the run goes. A stage ends on the
/// first batch that reaches its length (the count of the next stage starts at 0).
/// </summary>
public sealed record ProGanSchedule(int StageCount, long FadeImages, long StableImages)
{
    /// <summary>Images of stage <paramref name="stage"/>: stable only for stage 0, fade + stable after.</summary>
    public long StageImages(int stage) => stage == 0 ? StableImages : FadeImages + StableImages;

    /// <summary>The fade-in weight of the newest block: 1 at stage 0 or after the fade, else imagesInStage / FadeImages.</summary>
    public float Alpha(int stage, long imagesInStage) =>
        stage == 0 || FadeImages <= 0 || imagesInStage >= FadeImages ? 1f : (float)((double)imagesInStage / FadeImages);

    public float Alpha(ProGanProgress p) => Alpha(p.Stage, p.ImagesInStage);

    /// <summary>Whether stage <paramref name="stage"/> is still fading its new block in after <paramref name="imagesInStage"/> images.</summary>
    public bool Fading(int stage, long imagesInStage) => Alpha(stage, imagesInStage) < 1f;

    /// <summary>The progress after one batch of <paramref name="batch"/> images.</summary>
    public ProGanProgress Advance(ProGanProgress p, int batch)
    {
        long inStage = p.ImagesInStage + batch;
        if (p.Stage < StageCount - 1 && inStage >= StageImages(p.Stage)) return new(p.Stage + 1, 0, p.ImagesSeen + batch);
        return new(p.Stage, inStage, p.ImagesSeen + batch);
    }

    /// <summary>Iterations until the last stage's stable phase is done, with <paramref name="batchSize"/>(stage) images per iteration.</summary>
    public long TotalIterations(Func<int, int> batchSize)
    {
        long total = 0;
        for (int s = 0; s < StageCount; s++)
        {
            long b = batchSize(s);
            total += (StageImages(s) + b - 1) / b;
        }
        return total;
    }
}

/// <summary>The adversarial objectives ProGAN trains with.</summary>
public static class ProGanLossTypes
{
    /// <summary>wgan-gp (the paper's: Wasserstein + gradient penalty + drift), lsgan (least squares), vanilla (non-saturating,
    /// D outputs logits), hinge.</summary>
    public static readonly IReadOnlyList<string> All = new[] { "wgan-gp", "lsgan", "vanilla", "hinge" };

    /// <summary>D's loss from its scores on real and (detached) fake images (penalty and drift excluded).</summary>
    public static Tensor Discriminator(string type, Tensor realOut, Tensor fakeOut) => type switch
    {
        "wgan-gp" => GanLosses.Discriminator(GanLossKind.Wasserstein, realOut, fakeOut),
        "lsgan" => GanLosses.Discriminator(GanLossKind.LeastSquares, realOut, fakeOut),
        "vanilla" => Losses.BceWithLogits(realOut, 1f).Add(Losses.BceWithLogits(fakeOut, 0f)).Mul(0.5f),
        "hinge" => realOut.RSub(1f).Relu().Mean().Add(fakeOut.Add(1f).Relu().Mean()),
        _ => throw new ArgumentException($"ProGAN: gan_type must be one of {string.Join(", ", All)}, got '{type}'."),
    };

    /// <summary>G's loss from D's scores on the generated images.</summary>
    public static Tensor Generator(string type, Tensor fakeOut) => type switch
    {
        "wgan-gp" => GanLosses.Generator(GanLossKind.Wasserstein, fakeOut),
        "lsgan" => GanLosses.Generator(GanLossKind.LeastSquares, fakeOut),
        "vanilla" => Losses.BceWithLogits(fakeOut, 1f),
        "hinge" => fakeOut.Mean().Neg(),
        _ => throw new ArgumentException($"ProGAN: gan_type must be one of {string.Join(", ", All)}, got '{type}'."),
    };
}

/// <summary>The losses of one <see cref="ProGanStep.Step"/>.</summary>
/// <param name="DLoss">D's loss, penalty and drift included.</param>
/// <param name="GLoss">G's loss.</param>
/// <param name="DReal">Mean D score on the real batch.</param>
/// <param name="DFake">Mean D score on the fake batch.</param>
/// <param name="GradientPenalty">wgan-gp: lambda * penalty, else null.</param>
/// <param name="Drift">wgan-gp: drift * mean(D(real)^2), else null.</param>
public sealed record ProGanStepResult(float DLoss, float GLoss, float DReal, float DFake, float? GradientPenalty, float? Drift)
{
    public bool AllFinite => float.IsFinite(DLoss) && float.IsFinite(GLoss) && float.IsFinite(DReal) && float.IsFinite(DFake)
        && (GradientPenalty is not float p || float.IsFinite(p)) && (Drift is not float d || float.IsFinite(d));
}

/// <summary>
/// One ProGAN iteration at a given stage and alpha: a D step on the real batch and a detached fake batch (with
/// WGAN-GP's <see cref="Wasserstein.GradientPenalty"/> through the same faded D, and the drift term
/// drift * mean(D(real)^2)), then a G step on the same fake batch with D frozen. Adam with lr 1e-3 and betas
/// (0, 0.99) by default (the paper); the optimizers are rebuilt over the stage's parameters when the stage changes
/// (the official code's reset_opt_for_new_lod).
/// </summary>
public sealed class ProGanStep : IDisposable
{
    public const float DefaultLr = 1e-3f;
    public static readonly (float, float) DefaultBetas = (0f, 0.99f);

    private bool disposed;

    public ProGanStep(ProGanGenerator generator, ProGanDiscriminator discriminator, string ganType = "wgan-gp", float lr = DefaultLr,
        (float, float)? betas = null, float gpLambda = 10f, float drift = 0.001f, int stage = 0, Generator? rng = null)
    {
        G = generator ?? throw new ArgumentNullException(nameof(generator));
        D = discriminator ?? throw new ArgumentNullException(nameof(discriminator));
        if (!ProGanLossTypes.All.Contains(ganType))
            throw new ArgumentException($"ProGanStep: gan_type must be one of {string.Join(", ", ProGanLossTypes.All)}, got '{ganType}'.");
        if (G.StageCount != D.StageCount)
            throw new ArgumentException($"ProGanStep: G has {G.StageCount} stages but D {D.StageCount}.");
        GanType = ganType;
        Lr = lr;
        Betas = betas ?? DefaultBetas;
        GpLambda = gpLambda;
        Drift = drift;
        Rng = rng ?? new Generator(0x9A06UL);
        SetStage(stage);
    }

    public ProGanGenerator G { get; }
    public ProGanDiscriminator D { get; }
    public string GanType { get; }
    public float Lr { get; }
    public (float, float) Betas { get; }
    public float GpLambda { get; }
    public float Drift { get; }
    public Generator Rng { get; }
    public int Stage { get; private set; }
    public Adam OptimizerG { get; private set; } = null!;
    public Adam OptimizerD { get; private set; } = null!;

    /// <summary>Moves to <paramref name="stage"/> with fresh Adam states over the stage's parameters.</summary>
    public void SetStage(int stage)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var pg = G.StageParameters(stage).ToList();
        var pd = D.StageParameters(stage).ToList();
        OptimizerG?.Dispose();
        OptimizerD?.Dispose();
        OptimizerG = new Adam(pg, Lr, Betas);
        OptimizerD = new Adam(pd, Lr, Betas);
        Stage = stage;
        G.Stage = D.Stage = stage;
    }

    /// <summary>One D step and one G step on <paramref name="real"/> (images of the stage's resolution) with fade-in weight <paramref name="alpha"/>.</summary>
    public ProGanStepResult Step(Tensor real, float alpha)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(real);
        int r = ProGanShapes.Resolution(Stage);
        if (real.Rank != 4 || real.Size(1) != G.Channels || real.Size(2) != r || real.Size(3) != r)
            throw new ArgumentException($"ProGanStep: stage {Stage} expects real images [N, {G.Channels}, {r}, {r}], got {GanShapes.Format(real)}.");
        int stage = Stage, n = real.Size(0);
        G.Alpha = D.Alpha = alpha;
        using var scope = Tensor.Scope();
        G.Train();
        D.Train();
        var fake = G.Forward(Tensor.Randn(new[] { n, G.LatentDim }, real.Device, Rng), stage, alpha);
        var fakeDetached = fake.Detach();

        // ---- D step
        D.RequiresGrad(true);
        OptimizerD.ZeroGrad();
        var realOut = D.Forward(real, stage, alpha);
        var fakeOut = D.Forward(fakeDetached, stage, alpha);
        var dLoss = ProGanLossTypes.Discriminator(GanType, realOut, fakeOut);
        Tensor? gp = null, drift = null;
        if (GanType == "wgan-gp")
        {
            gp = Wasserstein.GradientPenalty(x => D.Forward(x, stage, alpha), real, fakeDetached, Rng, GpLambda);
            drift = realOut.Square().Mean().Mul(Drift);
            dLoss = dLoss.Add(gp).Add(drift);
        }
        dLoss.Backward();
        float dLossValue = FiniteLoss.Check(dLoss.Item(), "d_loss");
        OptimizerD.Step();
        OptimizerD.ZeroGrad();
        float dReal, dFake;
        using (Tensor.NoGrad())
        {
            dReal = realOut.Mean().Item();
            dFake = fakeOut.Mean().Item();
        }

        // ---- G step with D frozen
        float gLossValue;
        OptimizerG.ZeroGrad();
        D.RequiresGrad(false);
        try
        {
            var gLoss = ProGanLossTypes.Generator(GanType, D.Forward(fake, stage, alpha));
            gLoss.Backward();
            gLossValue = FiniteLoss.Check(gLoss.Item(), "g_loss");
            OptimizerG.Step();
        }
        finally
        {
            D.RequiresGrad(true);
            OptimizerG.ZeroGrad();
        }
        return new ProGanStepResult(dLossValue, gLossValue, dReal, dFake, gp?.Item(), drift?.Item());
    }

    /// <summary>Real images of the stage blended during the fade as the official code: alpha * x + (1 - alpha) *
    /// upsample(avgpool(x)), so D sees reals as smooth between resolutions as G's faded output.</summary>
    public static Tensor FadeReals(Tensor real, float alpha) =>
        alpha >= 1f ? real : real.Mul(alpha).Add(real.AvgPool2d(2).Upsample(2).Mul(1f - alpha));

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        OptimizerG.Dispose();
        OptimizerD.Dispose();
    }
}
