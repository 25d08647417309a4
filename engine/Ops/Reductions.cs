using NativeGan.Graph;
using NativeGan.Kernels.Reduction;

namespace NativeGan;

/// <summary>sum, mean, var and max over chosen dimensions, and SumTo (the adjoint of broadcasting).</summary>
public sealed partial class Tensor
{
    public Tensor Sum(int[] dims, bool keepDim = false) => Reduce(ReduceOp.Sum, dims, keepDim, "sum");
    public Tensor Sum(int dim, bool keepDim = false) => Sum(new[] { dim }, keepDim);
    /// <summary>The sum of all elements, as a zero-dimensional tensor.</summary>
    public Tensor Sum() => Sum(AllDims(), false);

    public Tensor Mean(int[] dims, bool keepDim = false)
    {
        var norm = NormalizeDims(dims, "mean");
        long count = 1;
        foreach (int d in norm) count *= ShapeArray[d];
        return Sum(norm, keepDim).Mul(1f / count);
    }

    public Tensor Mean(int dim, bool keepDim = false) => Mean(new[] { dim }, keepDim);
    public Tensor Mean() => Mean(AllDims(), false);

    /// <summary>Variance over dims; unbiased divides by n - 1 (PyTorch's default), else by n.</summary>
    public Tensor Var(int[] dims, bool unbiased = true, bool keepDim = false)
    {
        var norm = NormalizeDims(dims, "var");
        long count = 1;
        foreach (int d in norm) count *= ShapeArray[d];
        var centered = Sub(Mean(norm, keepDim: true));
        return centered.Square().Sum(norm, keepDim).Mul(1f / Math.Max(unbiased ? count - 1 : count, 1));
    }

    public Tensor Var(int dim, bool unbiased = true, bool keepDim = false) => Var(new[] { dim }, unbiased, keepDim);

    /// <summary>The largest value over dims (torch.amax); ties share the gradient equally.</summary>
    public Tensor Max(int[] dims, bool keepDim = false)
    {
        var norm = NormalizeDims(dims, "max");
        var keptShape = KeptShape(norm);
        var y = ReduceRaw(ReduceOp.Max, norm);
        var x = this;
        var result = keepDim ? y : ReshapeRaw(y, ReducedShape(norm));
        return Node.Record(result, "max", x, g =>
        {
            var mask = x.Eq(y);
            var ties = mask.Sum(norm, keepDim: true);
            return g.Reshape(keptShape).Mul(mask).Div(ties);
        });
    }

    public Tensor Max(int dim, bool keepDim = false) => Max(new[] { dim }, keepDim);
    public Tensor Max() => Max(AllDims(), false);

    /// <summary>Sums broadcast dimensions away so the result has <paramref name="shape"/> (the backward of broadcasting).</summary>
    public Tensor SumTo(int[] shape)
    {
        if (ShapeUtil.SameShape(shape, ShapeArray)) return this;
        int lead = Rank - shape.Length;
        if (lead < 0) throw new ArgumentException($"SumTo: cannot reduce {ShapeUtil.Format(ShapeArray)} to the larger rank of {ShapeUtil.Format(shape)}.");
        var dims = new List<int>();
        for (int i = 0; i < Rank; i++)
        {
            if (i < lead) dims.Add(i);
            else if (shape[i - lead] == 1 && ShapeArray[i] != 1) dims.Add(i);
            else if (shape[i - lead] != ShapeArray[i])
                throw new ArgumentException($"SumTo: {ShapeUtil.Format(ShapeArray)} does not broadcast from {ShapeUtil.Format(shape)}.");
        }
        var summed = dims.Count == 0 ? this : Sum(dims.ToArray(), keepDim: true);
        return summed.Reshape(shape);
    }

    private Tensor Reduce(ReduceOp op, int[] dims, bool keepDim, string name)
    {
        var norm = NormalizeDims(dims, name);
        var keptShape = KeptShape(norm);
        var y = ReduceRaw(op, norm);
        var result = y;
        if (!keepDim)
        {
            result = ReshapeRaw(y, ReducedShape(norm));
            y.Dispose();
        }
        var inShape = ShapeArray;
        return Node.Record(result, name, this, g => g.Reshape(keptShape).Expand(inShape));
    }

    /// <summary>Reduces the given (sorted, unique) dims, keeping them as size 1. Runs of adjacent dims reduce in one pass.</summary>
    private Tensor ReduceRaw(ReduceOp op, int[] dims)
    {
        var current = Contiguous();
        bool owned = !ReferenceEquals(current, this);
        var shape = (int[])ShapeArray.Clone();
        int k = dims.Length - 1;
        while (k >= 0)
        {
            int hi = dims[k], lo = hi;
            while (k > 0 && dims[k - 1] == lo - 1) { k--; lo--; }
            k--;
            int outer = 1, r = 1, inner = 1;
            for (int i = 0; i < lo; i++) outer *= shape[i];
            for (int i = lo; i <= hi; i++) r *= shape[i];
            for (int i = hi + 1; i < shape.Length; i++) inner *= shape[i];
            for (int i = lo; i <= hi; i++) shape[i] = 1;
            var next = Empty(shape, Device);
            if (r == 0) next.Backend.Fill(next.Storage, 0, next.NumEl, op == ReduceOp.Sum ? 0f : float.NaN);
            else next.Backend.Reduce(op, current.Storage, current.Offset, next.Storage, 0, outer, r, inner);
            if (owned) current.Dispose();
            current = next;
            owned = true;
        }
        if (!owned) current = View(Offset, (int[])ShapeArray.Clone(), (int[])StridesArray.Clone());
        return current;
    }

    /// <summary>A view with a new shape of a contiguous tensor, outside autograd.</summary>
    private static Tensor ReshapeRaw(Tensor y, int[] shape)
    {
        var r = y.View(y.Offset, shape, ShapeUtil.ContiguousStrides(shape));
        return r;
    }

    private int[] AllDims()
    {
        var d = new int[Rank];
        for (int i = 0; i < Rank; i++) d[i] = i;
        return d;
    }

    private int[] NormalizeDims(int[] dims, string op)
    {
        var set = new SortedSet<int>();
        foreach (int d in dims)
            if (!set.Add(ShapeUtil.NormalizeDim(d, Rank, op)))
                throw new ArgumentException($"{op}: dimension {d} is listed twice in {ShapeUtil.Format(dims)}.");
        var r = new int[set.Count];
        set.CopyTo(r);
        return r;
    }

    private int[] KeptShape(int[] dims)
    {
        var s = (int[])ShapeArray.Clone();
        foreach (int d in dims) s[d] = 1;
        return s;
    }

    private int[] ReducedShape(int[] dims)
    {
        var s = new List<int>();
        for (int i = 0; i < Rank; i++) if (Array.IndexOf(dims, i) < 0) s.Add(ShapeArray[i]);
        return s.ToArray();
    }
}
