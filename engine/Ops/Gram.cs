namespace NativeGan;

public sealed partial class Tensor
{
    /// <summary>
    /// Gram matrix of feature maps [N, C, H, W] -> [N, C, C], divided by C*H*W as BasicSR's style loss does.
    /// A batched product of the flattened features with their own transpose (a view), so no copy is made.
    /// </summary>
    public static Tensor Gram(Tensor x)
    {
        if (x.Rank != 4)
            throw new ArgumentException($"gram: expected feature maps [N, C, H, W], got {ShapeUtil.Format(x.ShapeArray)}.");
        int n = x.Size(0), c = x.Size(1), hw = x.Size(2) * x.Size(3);
        var f = x.Reshape(n, c, hw);
        return f.Matmul(f.Transpose(1, 2)).Mul(1f / ((float)c * hw));
    }
}
