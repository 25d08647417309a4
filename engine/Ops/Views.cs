using NativeGan.Graph;

namespace NativeGan;

/// <summary>reshape, permute, transpose, expand, squeeze/unsqueeze: views that share storage, no copies.</summary>
public sealed partial class Tensor
{
    /// <summary>A tensor with the same elements in a new shape (one dimension may be -1). A view when contiguous.</summary>
    public Tensor Reshape(params int[] newShape)
    {
        var shapeOut = ResolveShape(newShape);
        var x = this;
        Tensor y;
        if (IsContiguous)
            y = View(Offset, shapeOut, ShapeUtil.ContiguousStrides(shapeOut));
        else
        {
            using var dense = CopyContiguousRaw();
            y = dense.View(dense.Offset, shapeOut, ShapeUtil.ContiguousStrides(shapeOut));
        }
        var inShape = ShapeArray;
        return Node.Record(y, "reshape", x, g => g.Reshape(inShape));
    }

    private int[] ResolveShape(int[] newShape)
    {
        var r = (int[])newShape.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < r.Length; i++)
        {
            if (r[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"reshape: only one dimension can be -1, got {ShapeUtil.Format(newShape)}.");
                infer = i;
            }
            else if (r[i] < 0) throw new ArgumentException($"reshape: invalid dimension {r[i]} in {ShapeUtil.Format(newShape)}.");
            else known *= r[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || NumEl % known != 0)
                throw new ArgumentException($"reshape: cannot reshape {ShapeUtil.Format(ShapeArray)} ({NumEl} elements) to {ShapeUtil.Format(newShape)}.");
            r[infer] = (int)(NumEl / known);
        }
        else if (known != NumEl)
            throw new ArgumentException($"reshape: cannot reshape {ShapeUtil.Format(ShapeArray)} ({NumEl} elements) to {ShapeUtil.Format(newShape)} ({known} elements).");
        return r;
    }

    public Tensor Flatten(int startDim = 1)
    {
        int s = ShapeUtil.NormalizeDim(startDim, Rank, "flatten");
        var shape = new int[s + 1];
        for (int i = 0; i < s; i++) shape[i] = ShapeArray[i];
        shape[s] = -1;
        return Reshape(shape);
    }

    public Tensor Unsqueeze(int dim)
    {
        int d = dim < 0 ? dim + Rank + 1 : dim;
        if (d < 0 || d > Rank) throw new ArgumentOutOfRangeException(nameof(dim), $"unsqueeze: dimension {dim} is out of range for rank {Rank}.");
        var shape = new List<int>(ShapeArray);
        shape.Insert(d, 1);
        return Reshape(shape.ToArray());
    }

    public Tensor Squeeze(int dim)
    {
        int d = ShapeUtil.NormalizeDim(dim, Rank, "squeeze");
        if (ShapeArray[d] != 1) return Reshape(ShapeArray);
        var shape = new List<int>(ShapeArray);
        shape.RemoveAt(d);
        return Reshape(shape.ToArray());
    }

    /// <summary>Reorders dimensions without copying (torch.permute).</summary>
    public Tensor Permute(params int[] dims)
    {
        if (dims.Length != Rank)
            throw new ArgumentException($"permute: expected {Rank} dimensions for shape {ShapeUtil.Format(ShapeArray)}, got {ShapeUtil.Format(dims)}.");
        var seen = new bool[Rank];
        var shape = new int[Rank];
        var strides = new int[Rank];
        var inverse = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            int d = ShapeUtil.NormalizeDim(dims[i], Rank, "permute");
            if (seen[d]) throw new ArgumentException($"permute: dimension {d} appears twice in {ShapeUtil.Format(dims)}.");
            seen[d] = true;
            shape[i] = ShapeArray[d];
            strides[i] = StridesArray[d];
            inverse[d] = i;
        }
        var y = View(Offset, shape, strides);
        return Node.Record(y, "permute", this, g => g.Permute(inverse));
    }

    public Tensor Transpose(int dim0, int dim1)
    {
        int a = ShapeUtil.NormalizeDim(dim0, Rank, "transpose"), b = ShapeUtil.NormalizeDim(dim1, Rank, "transpose");
        var dims = new int[Rank];
        for (int i = 0; i < Rank; i++) dims[i] = i;
        (dims[a], dims[b]) = (dims[b], dims[a]);
        return Permute(dims);
    }

    /// <summary>The matrix transpose of a 2-D tensor (a view).</summary>
    public Tensor T()
    {
        if (Rank != 2) throw new InvalidOperationException($"T: expected a 2-D tensor, got shape {ShapeUtil.Format(ShapeArray)}.");
        return Transpose(0, 1);
    }

    /// <summary>A view repeating size-1 dimensions to the target shape with stride 0 (torch.expand).</summary>
    public Tensor Expand(params int[] shape)
    {
        var target = ShapeUtil.Broadcast(ShapeArray, shape, "expand");
        if (!ShapeUtil.SameShape(target, shape))
            throw new ArgumentException($"expand: cannot expand {ShapeUtil.Format(ShapeArray)} to {ShapeUtil.Format(shape)}.");
        if (ShapeUtil.SameShape(shape, ShapeArray)) return Reshape(ShapeArray);
        var y = View(Offset, (int[])shape.Clone(), ShapeUtil.BroadcastStrides(ShapeArray, StridesArray, shape));
        var inShape = ShapeArray;
        return Node.Record(y, "expand", this, g => g.SumTo(inShape));
    }

    /// <summary>This tensor with contiguous row-major storage: itself when already contiguous, else a copy.</summary>
    public Tensor Contiguous()
    {
        if (IsContiguous) return this;
        var y = CopyContiguousRaw();
        return Node.Record(y, "contiguous", this, g => g);
    }

    private Tensor CopyContiguousRaw()
    {
        var y = Empty(ShapeArray, Device);
        CopyStrided(this, y);
        return y;
    }

    /// <summary>dst[...] = src[...] element-wise between two views of the same shape. No autograd.</summary>
    internal static void CopyStrided(Tensor src, Tensor dst)
    {
        CheckSameDevice("copy", src, dst);
        var layout = Ops.StridedLayouts.Build(dst.ShapeArray, src.StridesArray, src.Offset, src.StridesArray, src.Offset, dst.StridesArray, dst.Offset, "copy");
        dst.Backend.Copy(src.Storage, dst.Storage, dst.NumEl, layout);
    }
}
