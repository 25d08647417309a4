using NativeGan.Graph;
using NativeGan.Ops;

namespace NativeGan;

/// <summary>
/// pixel_shuffle / pixel_unshuffle: each is one strided copy (a 6-D permuted view of the input written densely),
/// and each is the other's backward, so gradients of any order come from the pair.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>[*, C * r * r, H, W] -> [*, C, H * r, W * r] (torch.nn.functional.pixel_shuffle).</summary>
    public Tensor PixelShuffle(int r)
    {
        const string op = "pixel_shuffle";
        PlaneOps.RequireRank(this, 3, op, "a tensor [N, C * r^2, H, W] of rank 3 or more");
        if (r < 1) throw new ArgumentException($"{op}: the upscale factor must be at least 1, got {r}.");
        int c = ShapeArray[^3], h = ShapeArray[^2], w = ShapeArray[^1];
        if (c % (r * r) != 0)
            throw new ArgumentException($"{op}: the channel count {c} of input {ShapeUtil.Format(ShapeArray)} is not divisible by r^2 = {r * r}.");
        int n = ShapeUtil.NumEl(ShapeArray[..^3]);
        int co = c / (r * r);
        var outShape = (int[])ShapeArray.Clone();
        outShape[^3] = co;
        outShape[^2] = h * r;
        outShape[^1] = w * r;
        // [n, co, r, r, h, w] read as [n, co, h, r, w, r].
        var y = PermutedCopy(this, new[] { n, co, r, r, h, w }, new[] { 0, 1, 4, 2, 5, 3 }, outShape, op);
        return Node.Record(y, op, this, g => g.PixelUnshuffle(r));
    }

    /// <summary>[*, C, H * r, W * r] -> [*, C * r * r, H, W] (torch.nn.functional.pixel_unshuffle).</summary>
    public Tensor PixelUnshuffle(int r)
    {
        const string op = "pixel_unshuffle";
        PlaneOps.RequireRank(this, 3, op, "a tensor [N, C, H * r, W * r] of rank 3 or more");
        if (r < 1) throw new ArgumentException($"{op}: the downscale factor must be at least 1, got {r}.");
        int c = ShapeArray[^3], h = ShapeArray[^2], w = ShapeArray[^1];
        if (h % r != 0 || w % r != 0)
            throw new ArgumentException($"{op}: the height {h} and width {w} of input {ShapeUtil.Format(ShapeArray)} must both be divisible by r = {r}.");
        int n = ShapeUtil.NumEl(ShapeArray[..^3]);
        var outShape = (int[])ShapeArray.Clone();
        outShape[^3] = c * r * r;
        outShape[^2] = h / r;
        outShape[^1] = w / r;
        // [n, c, h/r, r, w/r, r] read as [n, c, r, r, h/r, w/r].
        var y = PermutedCopy(this, new[] { n, c, h / r, r, w / r, r }, new[] { 0, 1, 3, 5, 2, 4 }, outShape, op);
        return Node.Record(y, op, this, g => g.PixelShuffle(r));
    }

    /// <summary>Writes x, viewed as viewShape (row-major) and permuted by perm, densely into a new tensor of outShape. No autograd.</summary>
    private static Tensor PermutedCopy(Tensor x, int[] viewShape, int[] perm, int[] outShape, string op)
    {
        var src = PlaneOps.Dense(x, out bool owned);
        try
        {
            var viewStrides = ShapeUtil.ContiguousStrides(viewShape);
            var shape = new int[perm.Length];
            var strides = new int[perm.Length];
            for (int i = 0; i < perm.Length; i++)
            {
                shape[i] = viewShape[perm[i]];
                strides[i] = viewStrides[perm[i]];
            }
            var y = Empty(outShape, x.Device);
            var layout = StridedLayouts.Build(shape, strides, src.Offset, strides, src.Offset, ShapeUtil.ContiguousStrides(shape), 0, op);
            y.Backend.Copy(src.Storage, y.Storage, y.NumEl, layout);
            return y;
        }
        finally
        {
            if (owned) src.Dispose();
        }
    }
}
