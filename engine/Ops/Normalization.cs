using NativeGan.Graph;

namespace NativeGan;

/// <summary>
/// batch, instance, layer and pixel norm, composed from engine ops (mean, var, rsqrt, mul, add), so their
/// gradients of every order come from those ops' rules (gradient penalties differentiate through them).
/// </summary>
public sealed partial class Tensor
{
    /// <summary>
    /// torch.nn.functional.batch_norm over [N, C] or [N, C, *]. Training (or no running stats): normalises with the
    /// batch mean and biased variance, and updates runningMean / runningVar in place (when given) with momentum and
    /// the unbiased variance, as PyTorch does. Eval: normalises with the running stats.
    /// </summary>
    public static Tensor BatchNorm(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias, bool training,
        float momentum = 0.1f, float eps = 1e-5f)
    {
        const string op = "batch_norm";
        if (x.Rank < 2)
            throw new ArgumentException($"{op}: expected an input [N, C] or [N, C, *], got {ShapeUtil.Format(x.ShapeArray)}.");
        int c = x.ShapeArray[1];
        CheckChannelVector(op, "running_mean", runningMean, c, x);
        CheckChannelVector(op, "running_var", runningVar, c, x);
        CheckChannelVector(op, "weight", weight, c, x);
        CheckChannelVector(op, "bias", bias, c, x);
        if ((runningMean == null) != (runningVar == null))
            throw new ArgumentException($"{op}: running_mean and running_var must be given together.");
        var dims = Enumerable.Range(0, x.Rank).Where(d => d != 1).ToArray();
        var bshape = ChannelShape(x.Rank, c);
        long count = (long)x.NumEl / Math.Max(c, 1);
        Tensor mean, var;
        if (training || runningMean == null)
        {
            if (count <= 1)
                throw new ArgumentException($"{op}: expected more than 1 value per channel when training, got input {ShapeUtil.Format(x.ShapeArray)}.");
            mean = x.Mean(dims, keepDim: true);
            var = x.Var(dims, unbiased: false, keepDim: true);
            if (training && runningMean != null && runningVar != null)
            {
                using var noGrad = NoGrad();
                using var scope = Scope();
                runningMean.AffineInPlace(1f - momentum, 0f).AddInPlace(mean.Reshape(c).Mul(momentum));
                runningVar.AffineInPlace(1f - momentum, 0f).AddInPlace(var.Reshape(c).Mul(momentum * count / (float)(count - 1)));
            }
        }
        else
        {
            mean = runningMean.Reshape(bshape);
            var = runningVar!.Reshape(bshape);
        }
        var y = x.Sub(mean).Mul(var.Add(eps).Rsqrt());
        return Affine(y, weight, bias, bshape);
    }

    /// <summary>torch.nn.functional.instance_norm without running stats: each (n, c) plane normalised over its spatial dims.</summary>
    public static Tensor InstanceNorm(Tensor x, Tensor? weight = null, Tensor? bias = null, float eps = 1e-5f)
    {
        const string op = "instance_norm";
        if (x.Rank < 3)
            throw new ArgumentException($"{op}: expected an input [N, C, *] with at least one spatial dimension, got {ShapeUtil.Format(x.ShapeArray)}.");
        int c = x.ShapeArray[1];
        CheckChannelVector(op, "weight", weight, c, x);
        CheckChannelVector(op, "bias", bias, c, x);
        var dims = Enumerable.Range(2, x.Rank - 2).ToArray();
        var y = x.Sub(x.Mean(dims, keepDim: true)).Mul(x.Var(dims, unbiased: false, keepDim: true).Add(eps).Rsqrt());
        return Affine(y, weight, bias, ChannelShape(x.Rank, c));
    }

    /// <summary>torch.nn.functional.layer_norm over the trailing dims given by normalizedShape; weight and bias have that shape.</summary>
    public static Tensor LayerNorm(Tensor x, int[] normalizedShape, Tensor? weight = null, Tensor? bias = null, float eps = 1e-5f)
    {
        const string op = "layer_norm";
        int k = normalizedShape.Length;
        if (k == 0 || k > x.Rank || !ShapeUtil.SameShape(x.ShapeArray[^k..], normalizedShape))
            throw new ArgumentException($"{op}: normalized_shape {ShapeUtil.Format(normalizedShape)} must match the trailing dimensions of the input {ShapeUtil.Format(x.ShapeArray)}.");
        foreach (var (name, t) in new[] { ("weight", weight), ("bias", bias) })
            if (t != null && !ShapeUtil.SameShape(t.ShapeArray, normalizedShape))
                throw new ArgumentException($"{op}: {name} must have shape {ShapeUtil.Format(normalizedShape)}, got {ShapeUtil.Format(t.ShapeArray)}.");
        var dims = Enumerable.Range(x.Rank - k, k).ToArray();
        var y = x.Sub(x.Mean(dims, keepDim: true)).Mul(x.Var(dims, unbiased: false, keepDim: true).Add(eps).Rsqrt());
        if (weight != null) y = y.Mul(weight);
        if (bias != null) y = y.Add(bias);
        return y;
    }

    /// <summary>ProGAN's pixelwise feature normalisation: x / sqrt(mean over channels of x^2 + eps), for [N, C, *].</summary>
    public static Tensor PixelNorm(Tensor x, float eps = 1e-8f)
    {
        if (x.Rank < 2)
            throw new ArgumentException($"pixel_norm: expected an input [N, C, *], got {ShapeUtil.Format(x.ShapeArray)}.");
        return x.Mul(x.Square().Mean(1, keepDim: true).Add(eps).Rsqrt());
    }

    private static int[] ChannelShape(int rank, int c)
    {
        var s = Enumerable.Repeat(1, rank).ToArray();
        s[1] = c;
        return s;
    }

    private static Tensor Affine(Tensor y, Tensor? weight, Tensor? bias, int[] bshape)
    {
        if (weight != null) y = y.Mul(weight.Reshape(bshape));
        if (bias != null) y = y.Add(bias.Reshape(bshape));
        return y;
    }

    private static void CheckChannelVector(string op, string name, Tensor? t, int c, Tensor x)
    {
        if (t == null) return;
        if (t.NumEl != c || t.Rank != 1)
            throw new ArgumentException($"{op}: {name} must have shape [{c}] for input {ShapeUtil.Format(x.ShapeArray)}, got {ShapeUtil.Format(t.ShapeArray)}.");
        CheckSameDevice(op, x, t);
    }
}
