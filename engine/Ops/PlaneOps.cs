namespace NativeGan.Ops;

/// <summary>Helpers shared by the plane-wise layer ops (pixel shuffle, pooling, resampling).</summary>
internal static class PlaneOps
{
    /// <summary>x itself when contiguous, else a dense copy made outside autograd (the caller disposes it when owned).</summary>
    public static Tensor Dense(Tensor x, out bool owned)
    {
        owned = !x.IsContiguous;
        if (!owned) return x;
        var y = Tensor.Empty(x.ShapeArray, x.Device);
        Tensor.CopyStrided(x, y);
        return y;
    }

    /// <summary>The number of planes (every dimension but the last two) of a tensor of rank 3 or more.</summary>
    public static int Planes(int[] shape)
    {
        int p = 1;
        for (int i = 0; i < shape.Length - 2; i++) p *= shape[i];
        return p;
    }

    /// <summary>shape with its last two dimensions replaced.</summary>
    public static int[] WithPlane(int[] shape, int h, int w)
    {
        var s = (int[])shape.Clone();
        s[^2] = h;
        s[^1] = w;
        return s;
    }

    public static void RequireRank(Tensor x, int min, string op, string expected)
    {
        if (x.Rank < min)
            throw new ArgumentException($"{op}: expected {expected}, got shape {ShapeUtil.Format(x.ShapeArray)}.");
    }
}
