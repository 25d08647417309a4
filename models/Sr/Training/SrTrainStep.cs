using NativeGan.NN;
using NativeGan.Optim;
using NativeGan.Profiling;

namespace NativeGan.Models.Sr.Training;

/// <summary>The values of one <see cref="SrTrainStep.Step"/> call, as host floats (null: not computed this call).
/// Names follow BasicSR's loss_dict (l_g_pix, l_g_percep, l_g_style, l_g_gan, l_d_real, l_d_fake, out_d_real,
/// out_d_fake; MMEditing's loss_pix, loss_perceptual, loss_style, loss_gan, loss_d_real, loss_d_fake for srgan).</summary>
public sealed record SrStepResult(float? GPix, float? GPercep, float? GStyle, float? GGan, float? DReal, float? DFake, float? OutDReal, float? OutDFake,
    float Lr, long Iteration)
{
    /// <summary>Whether this call updated the generator.</summary>
    public bool GeneratorStepped => GPix != null || GPercep != null || GStyle != null || GGan != null;

    public bool AllFinite => new[] { GPix, GPercep, GStyle, GGan, DReal, DFake, OutDReal, OutDFake }.All(v => v is not float f || float.IsFinite(f));
}

/// <summary>
/// One training iteration of an SR model, each as its reference implementation:
/// <list type="bullet">
/// <item>rrdbnet_psnr: BasicSR's SRModel.optimize_parameters: output = G(lq); pixel (and perceptual / style when
/// configured) loss; one Adam step of G.</item>
/// <item>esrgan: BasicSR's ESRGANModel.optimize_parameters. When <c>current_iter % net_d_iters == 0 and current_iter &gt;
/// net_d_init_iters</c> (current_iter = <see cref="Iteration"/> + 1), a G step with D frozen (RequiresGrad(false)):
/// l_g_pix + l_g_percep (+ l_g_style) + l_g_gan, where real_d_pred = D(gt) detached, fake_g_pred = D(output),
/// l_g_gan = (gan(real_d_pred - mean(fake_g_pred), false) + gan(fake_g_pred - mean(real_d_pred), true)) / 2. Then the D
/// step: fake_d_pred = D(output) detached, real_d_pred = D(gt), l_d_real = gan(real_d_pred - mean(fake_d_pred), true) / 2;
/// fake_d_pred = D(output.detach()), l_d_fake = gan(fake_d_pred - mean(real_d_pred.detach()), false) / 2; one Adam
/// step of D on the sum of both gradients (BasicSR backpropagates the two terms separately into the same .grad).</item>
/// <item>srgan: MMEditing's SRGAN.train_step. When <c>step_counter % disc_steps == 0 and step_counter &gt;=
/// disc_init_steps</c> (step_counter = <see cref="Iteration"/>), a G step with D frozen: pixel + perceptual + style +
/// gan(D(output), true); then the D step on gan(D(gt), true) + gan(D(output.detach()), false).</item>
/// <item>realesrnet: Real-ESRGAN's RealESRNetModel = SRModel's step on the degraded LR (the trainer passes the
/// USM-sharpened GT as the target when gt_usm is on).</item>
/// <item>realesrgan: Real-ESRGAN's RealESRGANModel.optimize_parameters: srgan's losses with esrgan's 1-based G-step
/// rule and three targets (<see cref="Step(Tensor, Tensor, Tensor?, Tensor?)"/>: l1_gt, percep_gt, gan_gt).</item>
/// </list>
/// The learning-rate schedulers step before the iteration except the first (BasicSR's update_learning_rate with
/// current_iter &gt; 1); the EMA of G is updated after it. Each call runs inside a <see cref="Tensor.Scope"/>.
/// </summary>
public sealed class SrTrainStep : IDisposable
{
    private bool disposed;

    public SrTrainStep(string model, Module generator, Adam optimizerG, Module? discriminator = null, Adam? optimizerD = null,
        LRScheduler? schedulerG = null, LRScheduler? schedulerD = null, ModuleEma? ema = null,
        string? pixelType = "l1", float pixelWeight = 1f, PerceptualLoss? perceptual = null, SrGanLoss? gan = null,
        int netDIters = 1, int netDInitIters = 0)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(optimizerG);
        if (!SrConfig.Models.Contains(model))
            throw new ArgumentException($"SrTrainStep: unknown model '{model}'; expected one of {string.Join(", ", SrConfig.Models)}.");
        bool adversarial = model is "esrgan" or "srgan" or "realesrgan";
        if (adversarial && (discriminator == null || optimizerD == null || gan == null))
            throw new ArgumentException($"SrTrainStep: {model} needs a discriminator, its optimizer and a GAN loss.");
        if (!adversarial && pixelType == null && perceptual == null)
            throw new ArgumentException($"SrTrainStep: {model} needs a pixel or perceptual loss.");
        if (pixelType is not (null or "l1" or "l2"))
            throw new ArgumentException($"SrTrainStep: pixel loss must be l1 or l2, got '{pixelType}'.");
        if (netDIters < 1 || netDInitIters < 0)
            throw new ArgumentException($"SrTrainStep: net_d_iters must be >= 1 and net_d_init_iters >= 0, got {netDIters} and {netDInitIters}.");
        Model = model;
        G = generator;
        D = adversarial ? discriminator : null;
        OptimizerG = optimizerG;
        OptimizerD = adversarial ? optimizerD : null;
        SchedulerG = schedulerG;
        SchedulerD = schedulerD;
        Ema = ema;
        PixelType = pixelType;
        PixelWeight = pixelWeight;
        Perceptual = perceptual;
        Gan = gan;
        NetDIters = netDIters;
        NetDInitIters = netDInitIters;
    }

    public string Model { get; }
    public Module G { get; }
    public Module? D { get; }
    public Adam OptimizerG { get; }
    public Adam? OptimizerD { get; }
    public LRScheduler? SchedulerG { get; }
    public LRScheduler? SchedulerD { get; }
    public ModuleEma? Ema { get; }
    /// <summary>l1, l2, or null for no pixel loss.</summary>
    public string? PixelType { get; }
    public float PixelWeight { get; }
    public PerceptualLoss? Perceptual { get; }
    public SrGanLoss? Gan { get; }
    public int NetDIters { get; }
    public int NetDInitIters { get; }

    /// <summary>Calls so far (the next call's 0-based index); set it when resuming.</summary>
    public long Iteration { get; set; }

    /// <summary>Test hook: runs after the G step's backward, before its optimizer step, while D is frozen.</summary>
    public Action<SrTrainStep>? AfterGeneratorBackward { get; set; }

    /// <summary>Whether the call with 0-based index <paramref name="iteration"/> runs a G step.</summary>
    public bool RunsGeneratorStep(long iteration) => Model switch
    {
        "esrgan" or "realesrgan" => (iteration + 1) % NetDIters == 0 && iteration + 1 > NetDInitIters,
        "srgan" => iteration % NetDIters == 0 && iteration >= NetDInitIters,
        _ => true,
    };

    /// <summary>One iteration on a batch of LR inputs [N, C, h, w] and HR targets [N, C, h*s, w*s] in [0, 1].</summary>
    public SrStepResult Step(Tensor lq, Tensor gt) => Step(lq, gt, null, null);

    /// <summary>One iteration with Real-ESRGAN's three targets: <paramref name="gt"/> for the pixel loss,
    /// <paramref name="percepGt"/> for the perceptual loss and <paramref name="ganGt"/> for D's real input (null:
    /// <paramref name="gt"/>; only realesrgan tells them apart).</summary>
    public SrStepResult Step(Tensor lq, Tensor gt, Tensor? percepGt, Tensor? ganGt)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(lq);
        ArgumentNullException.ThrowIfNull(gt);
        if (lq.Rank != 4 || gt.Rank != 4 || lq.Size(0) != gt.Size(0))
            throw new ArgumentException($"SrTrainStep.Step: expected lq [N, C, h, w] and gt [N, C, H, W] with the same N, got {SrShapes.Format(lq)} and {SrShapes.Format(gt)}.");
        long iteration = Iteration;
        if (iteration > 0)
        {
            SchedulerG?.Step();
            SchedulerD?.Step();
        }
        float lr = OptimizerG.Lr;
        SrStepResult result;
        using (Tensor.Scope())
        {
            G.Train();
            D?.Train();
            result = Model switch
            {
                "esrgan" => StepEsrgan(lq, gt, iteration, lr),
                "srgan" or "realesrgan" => StepSrgan(lq, gt, percepGt ?? gt, ganGt ?? gt, iteration, lr),
                _ => StepPsnr(lq, gt, iteration, lr),
            };
        }
        Ema?.Update();
        Iteration = iteration + 1;
        return result;
    }

    /// <summary>The check before G's optimizer step, which every step variant calls (each loss is read before the
    /// optimizer step that applies it): throws <see cref="NativeGan.Models.Training.NonFiniteLossException"/> naming the first NaN / infinite term
    /// (l_g_pix, l_g_percep, l_g_style, l_g_gan; null terms pass), so that step is never taken.</summary>
    internal static void CheckGeneratorLosses(float? pix, float? percep, float? style, float? gan)
    {
        NativeGan.Models.Training.FiniteLoss.Check(pix, "l_g_pix");
        NativeGan.Models.Training.FiniteLoss.Check(percep, "l_g_percep");
        NativeGan.Models.Training.FiniteLoss.Check(style, "l_g_style");
        NativeGan.Models.Training.FiniteLoss.Check(gan, "l_g_gan");
    }

    /// <summary>The check before D's optimizer step, which every adversarial step variant calls.</summary>
    internal static void CheckDiscriminatorLosses(float real, float fake)
    {
        NativeGan.Models.Training.FiniteLoss.Check(real, "l_d_real");
        NativeGan.Models.Training.FiniteLoss.Check(fake, "l_d_fake");
    }

    private Tensor PixelLoss(Tensor output, Tensor gt)
    {
        var l = PixelType == "l2" ? Losses.Mse(output, gt) : Losses.L1(output, gt);
        return PixelWeight == 1f ? l : l.Mul(PixelWeight);
    }

    /// <summary>Pixel, perceptual and style terms of the G loss (the ones configured), summed into <paramref name="total"/>.</summary>
    private (float? Pix, float? Percep, float? Style) ContentLosses(Tensor output, Tensor gt, ref Tensor? total) =>
        ContentLosses(output, gt, gt, ref total);

    /// <summary>The same with separate targets for the pixel and the perceptual terms (Real-ESRGAN's l1_gt / percep_gt).</summary>
    private (float? Pix, float? Percep, float? Style) ContentLosses(Tensor output, Tensor gt, Tensor percepGt, ref Tensor? total)
    {
        float? pix = null, percep = null, style = null;
        if (PixelType != null)
        {
            var l = PixelLoss(output, gt);
            total = total == null ? l : total.Add(l);
            pix = l.Item();
        }
        if (Perceptual != null)
        {
            var (p, s) = Perceptual.Compute(output, percepGt);
            if (p != null) { total = total == null ? p : total.Add(p); percep = p.Item(); }
            if (s != null) { total = total == null ? s : total.Add(s); style = s.Item(); }
        }
        return (pix, percep, style);
    }

    private SrStepResult StepPsnr(Tensor lq, Tensor gt, long iteration, float lr)
    {
        OptimizerG.ZeroGrad();
        Tensor output;
        using (Profiler.Phase("g_forward")) output = G.Forward(lq);
        Tensor? total = null;
        var (pix, percep, style) = ContentLosses(output, gt, ref total);
        using (Profiler.Phase("g_backward")) total!.Backward();
        AfterGeneratorBackward?.Invoke(this);
        CheckGeneratorLosses(pix, percep, style, null);
        using (Profiler.Phase("g_optimizer")) OptimizerG.Step();
        OptimizerG.ZeroGrad();
        return new SrStepResult(pix, percep, style, null, null, null, null, null, lr, iteration);
    }

    private SrStepResult StepEsrgan(Tensor lq, Tensor gt, long iteration, float lr)
    {
        var d = D!;
        var gan = Gan!;
        bool stepG = RunsGeneratorStep(iteration);
        float? pix = null, percep = null, style = null, gGan = null;

        // ---- G step, D frozen
        Tensor output;
        if (stepG)
        {
            d.RequiresGrad(false);
            try
            {
                OptimizerG.ZeroGrad();
                using (Profiler.Phase("g_forward")) output = G.Forward(lq);
                Tensor? total = null;
                (pix, percep, style) = ContentLosses(output, gt, ref total);
                Tensor realDPred;
                using (Tensor.NoGrad()) realDPred = d.Forward(gt);   // .detach()
                var fakeGPred = d.Forward(output);
                var lGReal = gan.Compute(realDPred.Sub(fakeGPred.Mean()), targetIsReal: false, isDisc: false);
                var lGFake = gan.Compute(fakeGPred.Sub(realDPred.Mean()), targetIsReal: true, isDisc: false);
                var lGGan = lGReal.Add(lGFake).Mul(0.5f);
                total = total == null ? lGGan : total.Add(lGGan);
                gGan = lGGan.Item();
                using (Profiler.Phase("g_backward")) total.Backward();
                AfterGeneratorBackward?.Invoke(this);
                CheckGeneratorLosses(pix, percep, style, gGan);
                using (Profiler.Phase("g_optimizer")) OptimizerG.Step();
            }
            finally
            {
                d.RequiresGrad(true);
                OptimizerG.ZeroGrad();
            }
        }
        else
        {
            using (Tensor.NoGrad()) output = G.Forward(lq);
        }

        // ---- D step
        d.RequiresGrad(true);
        OptimizerD!.ZeroGrad();
        var outputDetached = output.Detach();
        Tensor fakeDPredFirst;
        using (Tensor.NoGrad()) fakeDPredFirst = d.Forward(outputDetached);   // net_d(self.output).detach()
        var realDPred2 = d.Forward(gt);
        var lDReal = gan.Compute(realDPred2.Sub(fakeDPredFirst.Mean()), targetIsReal: true, isDisc: true).Mul(0.5f);
        var fakeDPred = d.Forward(outputDetached);
        var realDetached = realDPred2.Detach();
        var lDFake = gan.Compute(fakeDPred.Sub(realDetached.Mean()), targetIsReal: false, isDisc: true).Mul(0.5f);
        using (Profiler.Phase("d_backward")) lDReal.Add(lDFake).Backward();
        float dReal = lDReal.Item(), dFake = lDFake.Item();
        CheckDiscriminatorLosses(dReal, dFake);
        using (Profiler.Phase("d_optimizer")) OptimizerD.Step();
        OptimizerD.ZeroGrad();
        float outReal, outFake;
        using (Tensor.NoGrad())
        {
            outReal = realDetached.Mean().Item();
            outFake = fakeDPred.Detach().Mean().Item();
        }
        return new SrStepResult(pix, percep, style, gGan, dReal, dFake, outReal, outFake, lr, iteration);
    }

    /// <summary>MMEditing's SRGAN step, and Real-ESRGAN's RealESRGANModel.optimize_parameters (the same losses: a
    /// non-relativistic gan(D(output), real) for G, gan(D(real), real) + gan(D(output.detach()), fake) for D), with
    /// realesrgan's 1-based G-step rule (<see cref="RunsGeneratorStep"/>) and its three targets: pixel loss against
    /// <paramref name="gt"/> (l1_gt), perceptual against <paramref name="percepGt"/>, D's real input <paramref name="ganGt"/>.</summary>
    private SrStepResult StepSrgan(Tensor lq, Tensor gt, Tensor percepGt, Tensor ganGt, long iteration, float lr)
    {
        var d = D!;
        var gan = Gan!;
        bool stepG = RunsGeneratorStep(iteration);
        float? pix = null, percep = null, style = null, gGan = null;

        Tensor output;
        if (stepG)
        {
            d.RequiresGrad(false);
            try
            {
                OptimizerG.ZeroGrad();
                using (Profiler.Phase("g_forward")) output = G.Forward(lq);
                Tensor? total = null;
                (pix, percep, style) = ContentLosses(output, gt, percepGt, ref total);
                var lGan = gan.Compute(d.Forward(output), targetIsReal: true, isDisc: false);
                total = total == null ? lGan : total.Add(lGan);
                gGan = lGan.Item();
                using (Profiler.Phase("g_backward")) total.Backward();
                AfterGeneratorBackward?.Invoke(this);
                CheckGeneratorLosses(pix, percep, style, gGan);
                using (Profiler.Phase("g_optimizer")) OptimizerG.Step();
            }
            finally
            {
                d.RequiresGrad(true);
                OptimizerG.ZeroGrad();
            }
        }
        else
        {
            using (Tensor.NoGrad()) output = G.Forward(lq);
        }

        d.RequiresGrad(true);
        OptimizerD!.ZeroGrad();
        var realDPred = d.Forward(ganGt);
        var lDReal = gan.Compute(realDPred, targetIsReal: true, isDisc: true);
        var fakeDPred = d.Forward(output.Detach());
        var lDFake = gan.Compute(fakeDPred, targetIsReal: false, isDisc: true);
        using (Profiler.Phase("d_backward")) lDReal.Add(lDFake).Backward();
        float dReal = lDReal.Item(), dFake = lDFake.Item();
        CheckDiscriminatorLosses(dReal, dFake);
        using (Profiler.Phase("d_optimizer")) OptimizerD.Step();
        OptimizerD.ZeroGrad();
        float outReal, outFake;
        using (Tensor.NoGrad())
        {
            outReal = realDPred.Detach().Mean().Item();
            outFake = fakeDPred.Detach().Mean().Item();
        }
        return new SrStepResult(pix, percep, style, gGan, dReal, dFake, outReal, outFake, lr, iteration);
    }

    /// <summary>Frees the optimizers' state and the EMA (the modules belong to the caller).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        OptimizerG.Dispose();
        OptimizerD?.Dispose();
        Ema?.Dispose();
    }
}
