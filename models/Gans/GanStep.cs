using NativeGan.Models.Training;
using NativeGan.NN;
using NativeGan.Optim;
using NativeGan.Profiling;

namespace NativeGan.Models.Gans;

/// <summary>
/// One training iteration of a GAN with the step semantics of MMEditing / BasicSR: every call runs one D step on
/// the real batch and a Detach()ed fake batch (D's parameters requiring grad); then, when
/// <c>iteration % DSteps == 0 &amp;&amp; iteration &gt;= DInitSteps</c> (MMEditing's disc_steps / disc_init_steps,
/// BasicSR's net_d_iters / net_d_init_iters), one G step with D frozen by <c>RequiresGrad(false)</c> (restored
/// afterwards) on the same generated batch. Each call runs inside a <see cref="Tensor.Scope"/>: the temporaries go
/// back to the pool and the gradients are dropped at the end, so nothing grows between calls.
/// Each loss is read before the optimizer step that applies it; a NaN or infinite one throws
/// <see cref="NonFiniteLossException"/> (d_loss, g_loss, info_loss) and that step is not taken (<see cref="FiniteLoss"/>).
/// Subclasses say how to sample, generate and discriminate; the trainer only calls <see cref="Step"/>.
/// </summary>
public abstract class GanStep : IDisposable
{
    private bool disposed;

    protected GanStep(Module generator, Module discriminator, Optimizer optimizerG, Optimizer optimizerD, GanLossKind loss,
        int dSteps = 1, int dInitSteps = 0, Generator? rng = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(discriminator);
        ArgumentNullException.ThrowIfNull(optimizerG);
        ArgumentNullException.ThrowIfNull(optimizerD);
        if (dSteps < 1) throw new ArgumentException($"{GetType().Name}: d_steps must be >= 1, got {dSteps}.");
        if (dInitSteps < 0) throw new ArgumentException($"{GetType().Name}: d_init_steps must be >= 0, got {dInitSteps}.");
        G = generator;
        D = discriminator;
        OptimizerG = optimizerG;
        OptimizerD = optimizerD;
        Loss = loss;
        DSteps = dSteps;
        DInitSteps = dInitSteps;
        Rng = rng ?? new Generator(0x6A4EUL);
    }

    public Module G { get; }
    public Module D { get; }
    public Optimizer OptimizerG { get; }
    public Optimizer OptimizerD { get; }
    public GanLossKind Loss { get; }

    /// <summary>D steps per G step (n_critic; 5 for WGAN and WGAN-GP).</summary>
    public int DSteps { get; }

    /// <summary>Calls at the start that train D only.</summary>
    public int DInitSteps { get; }

    /// <summary>The generator of the noise, labels and codes the step samples (checkpoint its state to resume).</summary>
    public Generator Rng { get; }

    /// <summary>Calls so far (the next call's index); set it when resuming.</summary>
    public long Iteration { get; set; }

    /// <summary>Latent size of the generator's noise.</summary>
    public abstract int LatentDim { get; }

    /// <summary>
    /// Test / logging hook: runs after the G step's backward, before its optimizer step, while D is frozen
    /// (D's parameters have no gradient then).
    /// </summary>
    public Action<GanStep>? AfterGeneratorBackward { get; set; }

    /// <summary>Samples generator inputs for a batch and generates it; <paramref name="fakeLabels"/> is set for conditional models.</summary>
    protected abstract Tensor Generate(int batch, Device device, out Tensor? fakeLabels);

    /// <summary>D's adversarial output [N, 1] for images (and labels for conditional models).</summary>
    protected abstract Tensor Discriminate(Tensor images, Tensor? labels);

    /// <summary>Extra D loss terms (WGAN-GP's penalty); returns null when none. Reported as GradientPenalty.</summary>
    protected virtual Tensor? ExtraDiscriminatorLoss(Tensor real, Tensor fakeDetached, Tensor? realLabels, Tensor? fakeLabels) => null;

    /// <summary>Runs after D's optimizer step (WGAN's weight clipping).</summary>
    protected virtual void AfterDiscriminatorStep() { }

    /// <summary>Runs after the G step (InfoGAN's information step); returns a loss to report or null.</summary>
    protected virtual float? AfterGeneratorStep(int batch, Device device) => null;

    /// <summary>Checks the inputs of <see cref="Step"/>; conditional models require labels.</summary>
    protected virtual void CheckInputs(Tensor realImages, Tensor? labels) { }

    /// <summary>Whether the call with index <paramref name="iteration"/> runs a G step.</summary>
    public bool RunsGeneratorStep(long iteration) => iteration % DSteps == 0 && iteration >= DInitSteps;

    /// <summary>One D step, then (every <see cref="DSteps"/> calls) one G step. Returns the losses.</summary>
    public StepResult Step(Tensor realImages, Tensor? labels = null)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(realImages);
        if (realImages.Rank < 2)
            throw new ArgumentException($"{GetType().Name}.Step: expected a batch of images [N, ...], got {GanShapes.Format(realImages)}.");
        if (labels != null && (labels.Rank != 1 || labels.Size(0) != realImages.Size(0)))
            throw new ArgumentException($"{GetType().Name}.Step: expected labels [{realImages.Size(0)}] for images {GanShapes.Format(realImages)}, got {GanShapes.Format(labels)}.");
        CheckInputs(realImages, labels);

        long iteration = Iteration;
        bool stepG = RunsGeneratorStep(iteration);
        int batch = realImages.Size(0);
        var device = realImages.Device;
        using var scope = Tensor.Scope();
        G.Train();
        D.Train();

        // Fake batch: with a graph when this call also steps G (reused there, as BasicSR), else without one.
        Tensor fake;
        Tensor? fakeLabels;
        using (Profiler.Phase("g_forward"))
        if (stepG) fake = Generate(batch, device, out fakeLabels);
        else
            using (Tensor.NoGrad()) fake = Generate(batch, device, out fakeLabels);
        var fakeDetached = fake.Detach();

        // ---- D step
        D.RequiresGrad(true);
        OptimizerD.ZeroGrad();
        var dForward = Profiler.Phase("d_forward");
        var realOut = Discriminate(realImages, labels);
        var fakeOut = Discriminate(fakeDetached, fakeLabels);
        var dLoss = GanLosses.Discriminator(Loss, realOut, fakeOut);
        var extra = ExtraDiscriminatorLoss(realImages, fakeDetached, labels, fakeLabels);
        if (extra != null) dLoss = dLoss.Add(extra);
        dForward.Dispose();
        using (Profiler.Phase("d_backward")) dLoss.Backward();
        float dLossValue = FiniteLoss.Check(dLoss.Item(), "d_loss");
        using (Profiler.Phase("d_optimizer")) OptimizerD.Step();
        OptimizerD.ZeroGrad();
        AfterDiscriminatorStep();
        float dReal, dFake;
        using (Tensor.NoGrad())
        {
            dReal = realOut.Mean().Item();
            dFake = fakeOut.Mean().Item();
        }
        float? gp = extra?.Item();

        // ---- G step with D frozen
        float? gLossValue = null, infoLoss = null;
        if (stepG)
        {
            OptimizerG.ZeroGrad();
            D.RequiresGrad(false);
            try
            {
                Tensor gLoss;
                using (Profiler.Phase("g_forward")) gLoss = GanLosses.Generator(Loss, Discriminate(fake, fakeLabels));
                using (Profiler.Phase("g_backward")) gLoss.Backward();
                AfterGeneratorBackward?.Invoke(this);
                gLossValue = FiniteLoss.Check(gLoss.Item(), "g_loss");
                using (Profiler.Phase("g_optimizer")) OptimizerG.Step();
            }
            finally
            {
                D.RequiresGrad(true);
                OptimizerG.ZeroGrad();
            }
            infoLoss = AfterGeneratorStep(batch, device);
        }
        Iteration = iteration + 1;
        return new StepResult(dLossValue, gLossValue, dReal, dFake, gp, infoLoss, iteration);
    }

    /// <summary>Frees the optimizers' state (the modules belong to the caller).</summary>
    public virtual void Dispose()
    {
        if (disposed) return;
        disposed = true;
        OptimizerG.Dispose();
        OptimizerD.Dispose();
        GC.SuppressFinalize(this);
    }
}
