using NativeGan.Models.Training;
using NativeGan.NN;
using NativeGan.Optim;

namespace NativeGan.Models.ImageToImage;

/// <summary>The losses of one <see cref="CycleGanStep.Step"/> call (the reference's D_A, G_A, cycle_A, idt_A, D_B, G_B, cycle_B, idt_B).</summary>
public sealed record CycleGanStepResult(long Iteration, float DA, float GA, float CycleA, float IdtA, float DB, float GB, float CycleB, float IdtB)
{
    public bool AllFinite => new[] { DA, GA, CycleA, IdtA, DB, GB, CycleB, IdtB }.All(float.IsFinite);
}

/// <summary>
/// CycleGAN's optimize_parameters. Forward: fake_B = G_A(A), rec_A = G_B(fake_B), fake_A = G_B(B), rec_B = G_A(fake_A).
/// G step (D_A, D_B frozen), one Adam over both generators: GAN(D_A(fake_B), real) + GAN(D_B(fake_A), real)
/// + lambda_A * L1(rec_A, A) + lambda_B * L1(rec_B, B) + identity lambda_idt * (lambda_B * L1(G_A(B), B) + lambda_A * L1(G_B(A), A)).
/// D step, one Adam over both discriminators: D_A on B vs fake_B_pool.query(fake_B), D_B on A vs fake_A_pool.query(fake_A),
/// each (real + fake) * 0.5. Defaults: lsgan, lambda_A = lambda_B = 10, lambda_identity 0.5, pools of 50, Adam 2e-4 (0.5, 0.999).
/// </summary>
public sealed class CycleGanStep : IDisposable
{
    private bool disposed;

    public CycleGanStep(Module gA, Module gB, Module dA, Module dB, I2iGanLoss gan, float lambdaA = 10f, float lambdaB = 10f, float lambdaIdentity = 0.5f,
        int poolSize = 50, float lr = 2e-4f, (float, float)? betas = null, ulong seed = 0, Generator? rng = null)
    {
        GA = gA ?? throw new ArgumentNullException(nameof(gA));
        GB = gB ?? throw new ArgumentNullException(nameof(gB));
        DA = dA ?? throw new ArgumentNullException(nameof(dA));
        DB = dB ?? throw new ArgumentNullException(nameof(dB));
        Gan = gan ?? throw new ArgumentNullException(nameof(gan));
        LambdaA = lambdaA;
        LambdaB = lambdaB;
        LambdaIdentity = lambdaIdentity;
        Rng = rng ?? new Generator(seed);
        foreach (var g in new[] { gA, gB })
            foreach (var (_, m) in g.NamedModules()) if (m is Dropout dr) dr.Generator = Rng;
        FakeAPool = new ImagePool(poolSize, seed * 2 + 1);
        FakeBPool = new ImagePool(poolSize, seed * 2 + 2);
        var b = betas ?? (0.5f, 0.999f);
        OptimizerG = new Adam(gA.Parameters().Concat(gB.Parameters()), lr, b);
        OptimizerD = new Adam(dA.Parameters().Concat(dB.Parameters()), lr, b);
    }

    public Module GA { get; }
    public Module GB { get; }
    public Module DA { get; }
    public Module DB { get; }
    public I2iGanLoss Gan { get; }
    public float LambdaA { get; }
    public float LambdaB { get; }
    public float LambdaIdentity { get; }
    public Generator Rng { get; }
    public ImagePool FakeAPool { get; }
    public ImagePool FakeBPool { get; }
    public Adam OptimizerG { get; }
    public Adam OptimizerD { get; }
    public long Iteration { get; set; }

    /// <summary>The identity losses (lambda_idt * lambda_B * L1(G_A(B), B), lambda_idt * lambda_A * L1(G_B(A), A)) as the
    /// G step computes them; zero when lambda_identity is 0 (the reference skips the identity forward then).</summary>
    public (Tensor IdtA, Tensor IdtB) IdentityLosses(Tensor realA, Tensor realB)
    {
        if (LambdaIdentity <= 0) return (Tensor.Zeros(new[] { 1 }, realA.Device), Tensor.Zeros(new[] { 1 }, realA.Device));
        var idtA = Losses.L1(GA.Forward(realB), realB).Mul(LambdaB * LambdaIdentity);
        var idtB = Losses.L1(GB.Forward(realA), realA).Mul(LambdaA * LambdaIdentity);
        return (idtA, idtB);
    }

    /// <summary>One G step and one D step on unpaired batches A [N, Ca, H, W] and B [N, Cb, H, W].</summary>
    public CycleGanStepResult Step(Tensor realA, Tensor realB)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (realA.Rank != 4 || realB.Rank != 4)
            throw new ArgumentException($"CycleGanStep: expected A and B batches [N, C, H, W], got {I2iLayers.Format(realA)} and {I2iLayers.Format(realB)}.");
        using var scope = Tensor.Scope();
        foreach (var m in new[] { GA, GB, DA, DB }) m.Train();
        var fakeB = GA.Forward(realA);
        var recA = GB.Forward(fakeB);
        var fakeA = GB.Forward(realB);
        var recB = GA.Forward(fakeA);

        // ---- G_A and G_B with both D frozen
        DA.RequiresGrad(false);
        DB.RequiresGrad(false);
        OptimizerG.ZeroGrad();
        float gA, gB, cycA, cycB, idtA, idtB;
        try
        {
            var (lIdtA, lIdtB) = IdentityLosses(realA, realB);
            var lGA = Gan.Generator(DA.Forward(fakeB), Gan.Type == "ragan" ? DA.Forward(realB) : null);
            var lGB = Gan.Generator(DB.Forward(fakeA), Gan.Type == "ragan" ? DB.Forward(realA) : null);
            var lCycA = Losses.L1(recA, realA).Mul(LambdaA);
            var lCycB = Losses.L1(recB, realB).Mul(LambdaB);
            lGA.Add(lGB).Add(lCycA).Add(lCycB).Add(lIdtA.Sum()).Add(lIdtB.Sum()).Backward();
            gA = FiniteLoss.Check(lGA.Item(), "G_A"); gB = FiniteLoss.Check(lGB.Item(), "G_B");
            cycA = FiniteLoss.Check(lCycA.Item(), "cycle_A"); cycB = FiniteLoss.Check(lCycB.Item(), "cycle_B");
            idtA = FiniteLoss.Check(lIdtA.Sum().Item(), "idt_A"); idtB = FiniteLoss.Check(lIdtB.Sum().Item(), "idt_B");
            OptimizerG.Step();
        }
        finally
        {
            DA.RequiresGrad(true);
            DB.RequiresGrad(true);
            OptimizerG.ZeroGrad();
        }

        // ---- D_A and D_B on pooled fakes
        OptimizerD.ZeroGrad();
        var pooledB = FakeBPool.Query(fakeB);
        var pooledA = FakeAPool.Query(fakeA);
        var lossDA = FiniteLoss.Check(BackwardD(DA, realB, pooledB), "D_A");
        var lossDB = FiniteLoss.Check(BackwardD(DB, realA, pooledA), "D_B");
        OptimizerD.Step();
        OptimizerD.ZeroGrad();
        long it = Iteration;
        Iteration = it + 1;
        return new CycleGanStepResult(it, lossDA, gA, cycA, idtA, lossDB, gB, cycB, idtB);
    }

    private float BackwardD(Module d, Tensor real, Tensor fake)
    {
        var (loss, _, _, _) = Gan.Discriminator(d.Forward(real), d.Forward(fake), d.Forward, real, fake, Rng);
        loss.Backward();
        return loss.Item();
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        OptimizerG.Dispose();
        OptimizerD.Dispose();
        FakeAPool.Dispose();
        FakeBPool.Dispose();
    }
}
