using NativeGan.Graph;

namespace NativeGan;

/// <summary>cat along a dimension, and narrow (slice) views with their backward.</summary>
public sealed partial class Tensor
{
    /// <summary>A view of [start, start + length) along dim, sharing storage (torch.narrow).</summary>
    public Tensor Narrow(int dim, int start, int length)
    {
        int d = ShapeUtil.NormalizeDim(dim, Rank, "narrow");
        if (start < 0 || length < 0 || start + length > ShapeArray[d])
            throw new ArgumentOutOfRangeException(nameof(start), $"narrow: [{start}, {start + length}) is outside dimension {d} of size {ShapeArray[d]} (shape {ShapeUtil.Format(ShapeArray)}).");
        var shape = (int[])ShapeArray.Clone();
        shape[d] = length;
        var y = View(Offset + start * StridesArray[d], shape, (int[])StridesArray.Clone());
        var inShape = ShapeArray;
        return Node.Record(y, "narrow", this, g => NarrowBackward(g, inShape, d, start));
    }

    /// <summary>Slice [start, end) along dim with Python-style negative indices.</summary>
    public Tensor Slice(int dim, int start, int end)
    {
        int d = ShapeUtil.NormalizeDim(dim, Rank, "slice");
        int size = ShapeArray[d];
        if (start < 0) start += size;
        if (end < 0) end += size;
        start = Math.Clamp(start, 0, size);
        end = Math.Clamp(end, start, size);
        return Narrow(d, start, end - start);
    }

    /// <summary>Zeros of the full shape with g written into the narrowed range; its own backward narrows again.</summary>
    private static Tensor NarrowBackward(Tensor g, int[] fullShape, int dim, int start)
    {
        var y = Zeros(fullShape, g.Device);
        using (var region = y.View(y.Offset + start * y.StridesArray[dim], (int[])g.ShapeArray.Clone(), (int[])y.StridesArray.Clone()))
            CopyStrided(g, region);
        int length = g.ShapeArray[dim];
        return Node.Record(y, "narrow_backward", g, gg => gg.Narrow(dim, start, length));
    }

    /// <summary>Concatenates tensors along dim (all other dimensions equal).</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("cat: expected at least one tensor.");
        var first = tensors[0];
        int d = ShapeUtil.NormalizeDim(dim, first.Rank, "cat");
        var shape = (int[])first.ShapeArray.Clone();
        shape[d] = 0;
        foreach (var t in tensors)
        {
            CheckSameDevice("cat", first, t);
            bool ok = t.Rank == first.Rank;
            for (int i = 0; ok && i < t.Rank; i++) ok = i == d || t.ShapeArray[i] == first.ShapeArray[i];
            if (!ok)
                throw new ArgumentException($"cat: along dimension {d} all other dimensions must match, got {ShapeUtil.Format(first.ShapeArray)} and {ShapeUtil.Format(t.ShapeArray)}.");
            shape[d] += t.ShapeArray[d];
        }
        var y = Empty(shape, first.Device);
        var offsets = new int[tensors.Count];
        int at = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            offsets[i] = at;
            var regionShape = (int[])shape.Clone();
            regionShape[d] = t.ShapeArray[d];
            using (var region = y.View(at * y.StridesArray[d], regionShape, (int[])y.StridesArray.Clone()))
                if (t.NumEl > 0) CopyStrided(t, region);
            at += t.ShapeArray[d];
        }
        var inputs = tensors.ToArray();
        return Node.Record(y, "cat", inputs, g =>
        {
            var grads = new Tensor?[inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
                if (inputs[i].RequiresGrad) grads[i] = g.Narrow(d, offsets[i], inputs[i].ShapeArray[d]);
            return grads;
        });
    }

    public static Tensor Cat(int dim, params Tensor[] tensors) => Cat(tensors, dim);
}
