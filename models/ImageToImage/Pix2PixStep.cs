using NativeGan.Models.Training;
using NativeGan.NN;
using NativeGan.Optim;

namespace NativeGan.Models.ImageToImage;

/// <summary>The losses of one <see cref="Pix2PixStep.Step"/> call (the reference's loss_names G_GAN, G_L1, D_real, D_fake).</summary>
public sealed record Pix2PixStepResult(long Iteration, float GGan, float GL1, float DReal, float DFake, float DLoss, float? GradientPenalty)
{
    public bool AllFinite => float.IsFinite(GGan) && float.IsFinite(GL1) && float.IsFinite(DReal) && float.IsFinite(DFake)
        && float.IsFinite(DLoss) && (GradientPenalty is not float p || float.IsFinite(p));
}

/// <summary>
/// pix2pix's optimize_parameters: fake_B = G(A); a D step on cat(A, B) (real) and cat(A, fake_B).detach() (fake) with
/// loss (real + fake) * 0.5; then, with D frozen, a G step on GAN(D(cat(A, fake_B)), real) + lambda_L1 * L1(fake_B, B).
/// Adam 2e-4 betas (0.5, 0.999) by default; D is conditional (input_nc + output_nc channels). The random draws
/// (dropout, wgan-gp's alpha) come from <see cref="Rng"/>, which a checkpoint records. Runs in a <see cref="Tensor.Scope"/>.
/// </summary>
public sealed class Pix2PixStep : IDisposable
{
    private bool disposed;

    public Pix2PixStep(Module g, Module d, I2iGanLoss gan, float lambdaL1 = 100f, float lr = 2e-4f, (float, float)? betas = null, Generator? rng = null)
    {
        G = g ?? throw new ArgumentNullException(nameof(g));
        D = d ?? throw new ArgumentNullException(nameof(d));
        Gan = gan ?? throw new ArgumentNullException(nameof(gan));
        LambdaL1 = lambdaL1;
        Rng = rng ?? new Generator(0);
        foreach (var (_, m) in g.NamedModules()) if (m is Dropout dr) dr.Generator = Rng;
        OptimizerG = new Adam(g.Parameters(), lr, betas ?? (0.5f, 0.999f));
        OptimizerD = new Adam(d.Parameters(), lr, betas ?? (0.5f, 0.999f));
    }

    public Module G { get; }
    public Module D { get; }
    public I2iGanLoss Gan { get; }
    public float LambdaL1 { get; }
    public Generator Rng { get; }
    public Adam OptimizerG { get; }
    public Adam OptimizerD { get; }
    public long Iteration { get; set; }

    /// <summary>One D step and one G step on a batch of aligned pairs (A [N, Ca, H, W] -> B [N, Cb, H, W]).</summary>
    public Pix2PixStepResult Step(Tensor realA, Tensor realB)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (realA.Rank != 4 || realB.Rank != 4 || realA.Size(0) != realB.Size(0) || realA.Size(2) != realB.Size(2) || realA.Size(3) != realB.Size(3))
            throw new ArgumentException($"Pix2PixStep: expected A [N, Ca, H, W] and B [N, Cb, H, W] of the same N, H, W, got {I2iLayers.Format(realA)} and {I2iLayers.Format(realB)}.");
        using var scope = Tensor.Scope();
        G.Train();
        D.Train();
        var fakeB = G.Forward(realA);

        // ---- D
        D.RequiresGrad(true);
        OptimizerD.ZeroGrad();
        var fakeAB = Tensor.Cat(new[] { realA, fakeB }, 1).Detach();
        var realAB = Tensor.Cat(new[] { realA, realB }, 1);
        var predFake = D.Forward(fakeAB);
        var predReal = D.Forward(realAB);
        var (dLoss, dRealTerm, dFakeTerm, gp) = Gan.Discriminator(predReal, predFake, D.Forward, realAB, fakeAB, Rng);
        dLoss.Backward();
        float dReal = FiniteLoss.Check(dRealTerm.Item(), "D_real"), dFake = FiniteLoss.Check(dFakeTerm.Item(), "D_fake");
        float? gpValue = FiniteLoss.Check(gp?.Item(), "gradient_penalty");
        float dLossValue = FiniteLoss.Check(dLoss.Item(), "D_loss");
        OptimizerD.Step();
        OptimizerD.ZeroGrad();

        // ---- G with D frozen
        OptimizerG.ZeroGrad();
        D.RequiresGrad(false);
        float gGan, gL1;
        try
        {
            var predFakeG = D.Forward(Tensor.Cat(new[] { realA, fakeB }, 1));
            Tensor? predRealG = Gan.Type == "ragan" ? D.Forward(realAB) : null;
            var lossGan = Gan.Generator(predFakeG, predRealG);
            var lossL1 = Losses.L1(fakeB, realB).Mul(LambdaL1);
            lossGan.Add(lossL1).Backward();
            gGan = FiniteLoss.Check(lossGan.Item(), "G_GAN");
            gL1 = FiniteLoss.Check(lossL1.Item(), "G_L1");
            OptimizerG.Step();
        }
        finally
        {
            D.RequiresGrad(true);
            OptimizerG.ZeroGrad();
        }
        long it = Iteration;
        Iteration = it + 1;
        return new Pix2PixStepResult(it, gGan, gL1, dReal, dFake, dLossValue, gpValue);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        OptimizerG.Dispose();
        OptimizerD.Dispose();
    }
}
