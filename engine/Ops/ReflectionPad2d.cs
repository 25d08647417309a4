namespace NativeGan;

/// <summary>Reflection padding (torch.nn.functional.pad mode "reflect"), composed from narrow and cat.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Pads the last two dimensions of [.., H, W] by reflecting at the border without repeating the edge
    /// (torch.nn.ReflectionPad2d((left, right, top, bottom))): row -1 is row 1, row H is row H - 2. Each pad must be
    /// smaller than the padded dimension. Built from <see cref="Narrow"/> and <see cref="Cat"/>, so its backward (and
    /// double backward) are theirs.
    /// </summary>
    public Tensor ReflectionPad2d(int left, int right, int top, int bottom)
    {
        if (Rank < 2)
            throw new ArgumentException($"reflection_pad2d: expected an input of rank >= 2 ([.., H, W]), got {ShapeUtil.Format(ShapeArray)}.");
        int h = ShapeArray[Rank - 2], w = ShapeArray[Rank - 1];
        if (left < 0 || right < 0 || top < 0 || bottom < 0)
            throw new ArgumentException($"reflection_pad2d: pads must be >= 0, got (left {left}, right {right}, top {top}, bottom {bottom}).");
        if (left >= w || right >= w || top >= h || bottom >= h)
            throw new ArgumentException($"reflection_pad2d: each pad must be smaller than the dimension it pads; got (left {left}, right {right}, top {top}, bottom {bottom}) for {ShapeUtil.Format(ShapeArray)}.");
        var rows = ReflectAlong(this, Rank - 2, top, bottom);
        var result = ReflectAlong(rows, Rank - 1, left, right);
        if (!ReferenceEquals(rows, this) && !ReferenceEquals(rows, result)) rows.Dispose();
        return result;
    }

    /// <summary>torch.nn.ReflectionPad2d(padding): the same pad on all four sides.</summary>
    public Tensor ReflectionPad2d(int padding) => ReflectionPad2d(padding, padding, padding, padding);

    private static Tensor ReflectAlong(Tensor x, int dim, int before, int after)
    {
        if (before == 0 && after == 0) return x;
        int n = x.ShapeArray[dim];
        var parts = new List<Tensor>(before + after + 1);
        for (int i = before; i >= 1; i--) parts.Add(x.Narrow(dim, i, 1));
        parts.Add(x);
        for (int i = 1; i <= after; i++) parts.Add(x.Narrow(dim, n - 1 - i, 1));
        var y = Cat(parts, dim);
        foreach (var p in parts) if (!ReferenceEquals(p, x)) p.Dispose();
        return y;
    }
}
