namespace NativeGan;

public enum Reduction { Mean, Sum, None }

/// <summary>
/// Loss functions (torch.nn.functional names). Each is composed from engine ops, so its gradient, and the
/// gradient of its gradient, come from theirs.
/// </summary>
public static class Losses
{
    private static Tensor Reduce(Tensor t, Reduction reduction) => reduction switch
    {
        Reduction.Mean => t.Mean(),
        Reduction.Sum => t.Sum(),
        _ => t,
    };

    private static void CheckSameShape(string op, Tensor input, Tensor target)
    {
        if (!ShapeUtil.SameShape(input.ShapeArray, target.ShapeArray))
            throw new ArgumentException($"{op}: input {ShapeUtil.Format(input.ShapeArray)} and target {ShapeUtil.Format(target.ShapeArray)} must have the same shape.");
    }

    /// <summary>PyTorch's floor under p * (1 - p) in binary_cross_entropy's backward.</summary>
    private const float BceGradientEpsilon = 1e-12f;

    /// <summary>
    /// Binary cross-entropy on probabilities, as torch.nn.functional.binary_cross_entropy:
    /// -(t * max(log p, -100) + (1 - t) * max(log(1 - p), -100)), with PyTorch's own gradient
    /// (p - t) / max(p * (1 - p), 1e-12), which stays finite at p = 0 and p = 1. Differentiating the clamped
    /// composition instead multiplies 0 by the infinite slope of log at 0 and gives NaN at a saturated sigmoid.
    /// </summary>
    /// <remarks>
    /// The backward is written in engine ops, so a gradient of the gradient can be taken. The target's gradient is
    /// the derivative of the loss above, max(log(1 - p), -100) - max(log p, -100), finite everywhere; PyTorch's is
    /// -logit(p), which is infinite at p = 0 and p = 1. Probabilities outside [0, 1] give NaN (reading them back to
    /// refuse them would stall the device queue on every loss).
    /// </remarks>
    public static Tensor Bce(Tensor probabilities, Tensor target, Reduction reduction = Reduction.Mean)
    {
        CheckSameShape("binary_cross_entropy", probabilities, target);
        Tensor p = probabilities, t = target;
        Tensor loss;
        using (Tensor.NoGrad())
        {
            using var logP = ClampedLog(p);
            using var oneMinusP = p.RSub(1f);
            using var logOneMinusP = ClampedLog(oneMinusP);
            using var targetMinusOne = t.Sub(1f);
            using var negativePart = targetMinusOne.Mul(logOneMinusP);
            using var positivePart = t.Mul(logP);
            loss = negativePart.Sub(positivePart); // PyTorch's order: (t - 1) * log(1 - p) - t * log p
        }
        loss = NativeGan.Graph.Node.Record(loss, "binary_cross_entropy", new[] { p, t }, g => new[]
        {
            p.RequiresGrad ? BceGradInput(g, p, t) : null,
            t.RequiresGrad ? g.Mul(p.RSub(1f).Log().Clamp(min: -100f).Sub(p.Log().Clamp(min: -100f))) : null,
        });
        return Reduce(loss, reduction);
    }

    /// <summary>g * (p - t) / max((1 - p) * p, 1e-12): PyTorch's binary_cross_entropy_backward, in engine ops.</summary>
    private static Tensor BceGradInput(Tensor g, Tensor p, Tensor t) =>
        g.Mul(p.Sub(t)).Div(p.RSub(1f).Mul(p).Clamp(min: BceGradientEpsilon));

    /// <summary>max(log x, -100) into a new tensor (called with grad recording off).</summary>
    private static Tensor ClampedLog(Tensor x)
    {
        var log = x.Log();
        log.ClampInPlace(-100f, float.PositiveInfinity);
        return log;
    }

    /// <summary>Binary cross-entropy on logits: softplus(x) - x*t, stable for any x; its gradient is sigmoid(x) - t.</summary>
    public static Tensor BceWithLogits(Tensor logits, Tensor target, Reduction reduction = Reduction.Mean)
    {
        CheckSameShape("binary_cross_entropy_with_logits", logits, target);
        return Reduce(logits.Softplus().Sub(logits.Mul(target)), reduction);
    }

    /// <summary>BCE with logits against a constant target (1 for real, 0 for fake in GAN losses).</summary>
    public static Tensor BceWithLogits(Tensor logits, float target, Reduction reduction = Reduction.Mean)
    {
        var loss = target == 0f ? logits.Softplus() : logits.Softplus().Sub(logits.Mul(target));
        return Reduce(loss, reduction);
    }

    public static Tensor Mse(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        CheckSameShape("mse_loss", input, target);
        return Reduce(input.Sub(target).Square(), reduction);
    }

    public static Tensor L1(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        CheckSameShape("l1_loss", input, target);
        return Reduce(input.Sub(target).Abs(), reduction);
    }

    /// <summary>Cross-entropy of logits [N, C] against class indices [N] (floats holding whole numbers).</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Reduction reduction = Reduction.Mean)
    {
        if (logits.Rank != 2 || target.Rank != 1 || target.Size(0) != logits.Size(0))
            throw new ArgumentException($"cross_entropy: expected logits [N, C] and target [N], got {ShapeUtil.Format(logits.ShapeArray)} and {ShapeUtil.Format(target.ShapeArray)}.");
        int classes = logits.Size(1);
        var range = new float[classes];
        for (int i = 0; i < classes; i++) range[i] = i;
        using var arange = Tensor.FromArray(range, new[] { 1, classes }, logits.Device);
        using var column = target.Reshape(-1, 1);
        var oneHot = column.Eq(arange); // saved by the product below for its backward: owned by the caller's scope
        var picked = logits.LogSoftmax(1).Mul(oneHot).Sum(1).Neg();
        return Reduce(picked, reduction);
    }

    /// <summary>
    /// The relativistic average discriminator loss of ESRGAN on raw discriminator outputs:
    /// (BCE(real - mean(fake), 1) + BCE(fake - mean(real), 0)) / 2, BCE on logits.
    /// </summary>
    public static Tensor RelativisticDiscriminator(Tensor realLogits, Tensor fakeLogits)
    {
        CheckSameShape("ragan_d", realLogits, fakeLogits);
        var realRel = realLogits.Sub(fakeLogits.Mean());
        var fakeRel = fakeLogits.Sub(realLogits.Mean());
        return BceWithLogits(realRel, 1f).Add(BceWithLogits(fakeRel, 0f)).Mul(0.5f);
    }

    /// <summary>The relativistic average generator loss: (BCE(real - mean(fake), 0) + BCE(fake - mean(real), 1)) / 2.</summary>
    public static Tensor RelativisticGenerator(Tensor realLogits, Tensor fakeLogits)
    {
        CheckSameShape("ragan_g", realLogits, fakeLogits);
        var realRel = realLogits.Sub(fakeLogits.Mean());
        var fakeRel = fakeLogits.Sub(realLogits.Mean());
        return BceWithLogits(realRel, 0f).Add(BceWithLogits(fakeRel, 1f)).Mul(0.5f);
    }
}
