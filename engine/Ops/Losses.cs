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

    /// <summary>Binary cross-entropy on probabilities; logs are clamped at -100 as PyTorch does.</summary>
    public static Tensor Bce(Tensor probabilities, Tensor target, Reduction reduction = Reduction.Mean)
    {
        CheckSameShape("binary_cross_entropy", probabilities, target);
        var logP = probabilities.Log().Clamp(min: -100f);
        var log1mP = probabilities.RSub(1f).Log().Clamp(min: -100f);
        var loss = target.Mul(logP).Add(target.RSub(1f).Mul(log1mP)).Neg();
        return Reduce(loss, reduction);
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
