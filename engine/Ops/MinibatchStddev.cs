namespace NativeGan;

/// <summary>
/// ProGAN's minibatch standard deviation layer: within groups of groupSize samples (sample n is in group n mod
/// N/groupSize, as the reference implementation), the standard deviation over the group of every feature,
/// sqrt(biased variance + eps), averaged over C, H and W, appended as one more channel.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>[N, C, H, W] -> [N, C + 1, H, W]; groupSize defaults to the whole batch (and is capped at N).</summary>
    public static Tensor MinibatchStddev(Tensor x, int? groupSize = null, float eps = 1e-8f)
    {
        const string op = "minibatch_std";
        if (x.Rank != 4)
            throw new ArgumentException($"{op}: expected an input [N, C, H, W], got {ShapeUtil.Format(x.ShapeArray)}.");
        int n = x.ShapeArray[0], c = x.ShapeArray[1], h = x.ShapeArray[2], w = x.ShapeArray[3];
        int g = Math.Min(groupSize ?? n, n);
        if (g < 1 || n % g != 0)
            throw new ArgumentException($"{op}: the batch size {n} must be divisible by the group size {g}.");
        int m = n / g;
        var std = x.Reshape(g, m, c, h, w).Var(0, unbiased: false).Add(eps).Sqrt();
        var s = std.Mean(new[] { 1, 2, 3 });
        var channel = s.Reshape(1, m, 1, 1, 1).Expand(g, m, 1, h, w).Reshape(n, 1, h, w);
        return Cat(new[] { x, channel }, 1);
    }
}
