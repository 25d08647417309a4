using NativeGan.NN;

namespace NativeGan.Models.Gans;

/// <summary>The losses of one <see cref="GanStep.Step"/> call, as host floats.</summary>
/// <param name="DLoss">The discriminator (critic) loss of this call's D step, gradient penalty included.</param>
/// <param name="GLoss">The generator loss, or null when this call ran no G step (d_steps / d_init_steps).</param>
/// <param name="DReal">Mean D output on the real batch (a probability for BCE models, a score for the others).</param>
/// <param name="DFake">Mean D output on the detached fake batch.</param>
/// <param name="GradientPenalty">WGAN-GP: the penalty term (lambda included), else null.</param>
/// <param name="InfoLoss">InfoGAN: the mutual-information loss, else null.</param>
/// <param name="Iteration">The call's index (0 for the first call).</param>
public sealed record StepResult(float DLoss, float? GLoss, float DReal, float DFake, float? GradientPenalty = null, float? InfoLoss = null, long Iteration = 0)
{
    /// <summary>Whether this call updated the generator.</summary>
    public bool GeneratorStepped => GLoss.HasValue;

    /// <summary>Every loss is a finite number.</summary>
    public bool AllFinite =>
        float.IsFinite(DLoss) && float.IsFinite(DReal) && float.IsFinite(DFake) && (GLoss is not float g || float.IsFinite(g))
        && (GradientPenalty is not float p || float.IsFinite(p)) && (InfoLoss is not float i || float.IsFinite(i));
}

/// <summary>Which adversarial objective a step uses.</summary>
public enum GanLossKind
{
    /// <summary>D outputs probabilities (Sigmoid); D: (BCE(real, 1) + BCE(fake, 0)) / 2, G: BCE(D(G(z)), 1) (non-saturating).</summary>
    Bce,
    /// <summary>LSGAN as PyTorch-GAN's cgan/infogan: D: (MSE(real, 1) + MSE(fake, 0)) / 2, G: MSE(D(G(z)), 1).</summary>
    LeastSquares,
    /// <summary>WGAN: D: mean(D(fake)) - mean(D(real)), G: -mean(D(G(z))).</summary>
    Wasserstein,
}

/// <summary>The adversarial loss terms of <see cref="GanLossKind"/>.</summary>
public static class GanLosses
{
    /// <summary>The discriminator loss from its outputs on real and (detached) fake samples.</summary>
    public static Tensor Discriminator(GanLossKind kind, Tensor realOut, Tensor fakeOut) => kind switch
    {
        GanLossKind.Bce => Losses.Bce(realOut, Tensor.OnesLike(realOut)).Add(Losses.Bce(fakeOut, Tensor.ZerosLike(fakeOut))).Mul(0.5f),
        GanLossKind.LeastSquares => realOut.Sub(1f).Square().Mean().Add(fakeOut.Square().Mean()).Mul(0.5f),
        GanLossKind.Wasserstein => fakeOut.Mean().Sub(realOut.Mean()),
        _ => throw new ArgumentException($"GanLosses.Discriminator: unknown loss kind {kind}."),
    };

    /// <summary>The generator's (non-saturating) loss from D's output on the generated samples.</summary>
    public static Tensor Generator(GanLossKind kind, Tensor fakeOut) => kind switch
    {
        GanLossKind.Bce => Losses.Bce(fakeOut, Tensor.OnesLike(fakeOut)),
        GanLossKind.LeastSquares => fakeOut.Sub(1f).Square().Mean(),
        GanLossKind.Wasserstein => fakeOut.Mean().Neg(),
        _ => throw new ArgumentException($"GanLosses.Generator: unknown loss kind {kind}."),
    };

}

/// <summary>Sampling helpers: noise, random class labels, one-hot codes, all from the engine's Philox generator.</summary>
public static class GanSampling
{
    /// <summary>Uniform random class indices in [0, classes) as a float tensor [n] (computed on the device, no host copy).</summary>
    public static Tensor RandomLabels(int n, int classes, Device device, Generator? generator = null)
    {
        if (n <= 0 || classes <= 0) throw new ArgumentException($"RandomLabels: expected positive n and classes, got n={n}, classes={classes}.");
        if (classes == 1) return Tensor.Zeros(new[] { n }, device);
        using var u = Tensor.Rand(new[] { n, 1 }, device, generator);
        var thresholds = new float[classes - 1];
        for (int k = 1; k < classes; k++) thresholds[k - 1] = (float)k / classes;
        using var th = Tensor.FromArray(thresholds, new[] { 1, classes - 1 }, device);
        using var ge = u.Ge(th);
        return ge.Sum(1);
    }

    /// <summary>One-hot rows [n, classes] for float class indices [n].</summary>
    public static Tensor OneHot(Tensor labels, int classes)
    {
        if (labels.Rank != 1) throw new ArgumentException($"OneHot: expected labels [N], got {GanShapes.Format(labels)}.");
        var range = new float[classes];
        for (int i = 0; i < classes; i++) range[i] = i;
        using var arange = Tensor.FromArray(range, new[] { 1, classes }, labels.Device);
        using var column = labels.Reshape(-1, 1);
        return column.Eq(arange);
    }
}

/// <summary>Weight initialisation of the DCGAN paper / PyTorch examples (weights_init / weights_init_normal).</summary>
public static class GanInit
{
    /// <summary>
    /// Conv2d and ConvTranspose2d weights N(0, 0.02) (biases untouched); BatchNorm weights N(1, 0.02) and biases 0;
    /// Linear and Embedding layers keep their PyTorch defaults (the classname test "Conv" / "BatchNorm" of the scripts).
    /// </summary>
    public static void DcganNormal(Module root, Generator? generator = null)
    {
        foreach (var (_, m) in root.NamedModules())
        {
            switch (m)
            {
                case Conv2d c: Init.Normal(c.Weight, 0f, 0.02f, generator); break;
                case ConvTranspose2d t: Init.Normal(t.Param("weight")!, 0f, 0.02f, generator); break;
                case BatchNormBase bn when bn.Affine:
                    Init.Normal(bn.Weight!, 1f, 0.02f, generator);
                    Init.Zeros(bn.Bias!);
                    break;
            }
        }
    }
}

/// <summary>
/// Channel dropout (torch.nn.Dropout2d): zeroes whole channels of [N, C, H, W] with probability p in training and
/// scales the rest by 1 / (1 - p); the identity in eval mode. No parameters.
/// </summary>
public sealed class Dropout2d : Module
{
    public Dropout2d(float p = 0.5f, Generator? generator = null)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentException($"Dropout2d: p must be in [0, 1], got {p}.");
        P = p;
        Generator = generator;
    }

    public float P { get; }
    public Generator? Generator { get; set; }

    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 4) throw new ArgumentException($"Dropout2d: expected a 4-D [N, C, H, W] input, got {GanShapes.Format(x)}.");
        if (!IsTraining || P == 0f) return x;
        if (P == 1f) return x.Mul(0f);
        Tensor mask;
        using (var u = Tensor.Rand(new[] { x.Size(0), x.Size(1), 1, 1 }, x.Device, Generator))
            mask = u.Lt(1f - P);
        using (Tensor.NoGrad()) mask.AffineInPlace(1f / (1f - P), 0f);
        return x.Mul(mask);
    }

    protected override string ExtraRepr() => $"p={P}";
}

/// <summary>Formatting and shape helpers for the messages of this folder (the engine's ShapeUtil is internal).</summary>
internal static class GanShapes
{
    public static string Format(IReadOnlyList<int> shape) => "[" + string.Join(", ", shape) + "]";
    public static string Format(Tensor t) => Format(t.Shape);
    public static bool Same(Tensor a, Tensor b) => a.Shape.SequenceEqual(b.Shape);
}
