using NativeGan.Models.Gans;
using NativeGan.Models.Sr.Training;

namespace NativeGan.Models.ImageToImage;

/// <summary>
/// The adversarial terms of the image-to-image steps for <c>gan_type</c> vanilla | lsgan | wgan | wgan-gp | hinge |
/// ragan, on raw PatchGAN logits. vanilla / lsgan / wgan / hinge are pix2pix's GANLoss as <see cref="SrGanLoss"/>
/// computes it (BCE with logits, MSE against 1 / 0, -/+ mean, hinge); wgan-gp is wgan plus
/// <see cref="Wasserstein.GradientPenalty"/> (lambda 10, one alpha per sample) in the D loss; ragan is the
/// relativistic average loss (ESRGAN's; <see cref="Losses.RelativisticGenerator"/> for G).
/// The D loss is (real + fake) * 0.5 as the reference's backward_D (ragan's is already that average).
/// </summary>
public sealed class I2iGanLoss
{
    public static readonly IReadOnlyList<string> Types = new[] { "vanilla", "lsgan", "wgan", "wgan-gp", "hinge", "ragan" };

    private readonly SrGanLoss basic;

    public I2iGanLoss(string type, float gpLambda = 10f)
    {
        if (!Types.Contains(type))
            throw new ArgumentException($"gan_type: expected one of {string.Join(", ", Types)}, got '{type}'.");
        Type = type;
        GpLambda = gpLambda;
        basic = new SrGanLoss(type switch { "wgan-gp" => "wgan", "ragan" => "vanilla", _ => type });
    }

    public string Type { get; }
    public float GpLambda { get; }

    /// <summary>Whether the D loss carries a gradient penalty.</summary>
    public bool HasPenalty => Type == "wgan-gp";

    /// <summary>D's criterion on one side (GANLoss(pred, target_is_real) with is_disc).</summary>
    public Tensor Term(Tensor pred, bool targetIsReal) => basic.Compute(pred, targetIsReal, isDisc: true);

    /// <summary>
    /// D's loss from its logits on real and (detached) fake inputs: Loss = (Real + Fake) * 0.5 (+ Penalty). For ragan,
    /// Real and Fake are the two BCE terms of the relativistic average. wgan-gp's penalty needs the critic and its
    /// real and fake inputs.
    /// </summary>
    public (Tensor Loss, Tensor Real, Tensor Fake, Tensor? Penalty) Discriminator(Tensor realOut, Tensor fakeOut, Func<Tensor, Tensor>? critic = null,
        Tensor? realIn = null, Tensor? fakeIn = null, Generator? generator = null)
    {
        Tensor real, fake;
        if (Type == "ragan")
        {
            real = Losses.BceWithLogits(realOut.Sub(fakeOut.Mean()), 1f);
            fake = Losses.BceWithLogits(fakeOut.Sub(realOut.Mean()), 0f);
        }
        else
        {
            real = Term(realOut, true);
            fake = Term(fakeOut, false);
        }
        var loss = real.Add(fake).Mul(0.5f);
        if (!HasPenalty) return (loss, real, fake, null);
        if (critic == null || realIn == null || fakeIn == null)
            throw new ArgumentException("I2iGanLoss: wgan-gp needs the critic and its real and fake inputs for the gradient penalty.");
        var gp = Wasserstein.GradientPenalty(critic, realIn, fakeIn, generator, GpLambda);
        return (loss.Add(gp), real, fake, gp);
    }

    /// <summary>G's adversarial loss from D's logits on the fake input (ragan also needs D's logits on the real one,
    /// detached as ESRGAN does).</summary>
    public Tensor Generator(Tensor fakeOut, Tensor? realOut = null)
    {
        if (Type == "ragan")
        {
            if (realOut == null) throw new ArgumentException("I2iGanLoss: ragan's generator loss needs D's output on real data.");
            return Losses.RelativisticGenerator(realOut.Detach(), fakeOut);
        }
        return basic.Compute(fakeOut, true, isDisc: false);
    }
}
