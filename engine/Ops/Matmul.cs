using NativeGan.Backends;
using NativeGan.Graph;

namespace NativeGan;

/// <summary>Matrix products on the device GEMM: 2-D x 2-D, batched 3-D x 3-D (batch may broadcast from 1), 3-D x 2-D.</summary>
public sealed partial class Tensor
{
    public Tensor Matmul(Tensor other)
    {
        var a = this;
        var b = other;
        CheckSameDevice("matmul", a, b);
        if (a.Rank < 2 || a.Rank > 3 || b.Rank < 2 || b.Rank > 3)
            throw new ArgumentException($"matmul: expected 2-D or 3-D operands, got {ShapeUtil.Format(a.ShapeArray)} and {ShapeUtil.Format(b.ShapeArray)}.");
        int m = a.Size(-2), k = a.Size(-1), k2 = b.Size(-2), n = b.Size(-1);
        if (k != k2)
            throw new ArgumentException($"matmul: inner dimensions differ: {ShapeUtil.Format(a.ShapeArray)} x {ShapeUtil.Format(b.ShapeArray)} ({k} vs {k2}).");
        if (a.Rank == 3 && b.Rank == 2 && a.IsContiguous)
            return a.Reshape(a.Size(0) * m, k).Matmul(b).Reshape(a.Size(0), m, n);

        int batchA = a.Rank == 3 ? a.Size(0) : 1, batchB = b.Rank == 3 ? b.Size(0) : 1;
        if (batchA != batchB && batchA != 1 && batchB != 1)
            throw new ArgumentException($"matmul: batch sizes {batchA} and {batchB} do not broadcast ({ShapeUtil.Format(a.ShapeArray)} x {ShapeUtil.Format(b.ShapeArray)}).");
        int batch = Math.Max(batchA, batchB);
        var shape = a.Rank == 2 && b.Rank == 2 ? new[] { m, n } : new[] { batch, m, n };
        var y = Empty(shape, Device);
        var (sa, ownA) = GemmOperand(a);
        var (sb, ownB) = GemmOperand(b);
        var (lda, transA) = LeadingDim(sa);
        var (ldb, transB) = LeadingDim(sb);
        y.Backend.Gemm(new GemmCall(
            sa.Storage, sa.Offset, lda, sa.Rank == 3 && batchA > 1 ? sa.StridesArray[0] : 0, transA,
            sb.Storage, sb.Offset, ldb, sb.Rank == 3 && batchB > 1 ? sb.StridesArray[0] : 0, transB,
            y.Storage, 0, n, (long)m * n, batch, m, n, k, 1f, 0f));
        if (ownA) sa.Dispose();
        if (ownB) sb.Dispose();
        return Node.Record(y, "matmul", new[] { a, b }, g => new[]
        {
            a.RequiresGrad ? g.Matmul(b.Transpose(-1, -2)).SumTo(a.ShapeArray) : null,
            b.RequiresGrad ? a.Transpose(-1, -2).Matmul(g).SumTo(b.ShapeArray) : null,
        });
    }

    /// <summary>The operand itself when its last two dims are row- or column-major, else a contiguous copy.</summary>
    private static (Tensor T, bool Owned) GemmOperand(Tensor t)
    {
        int rows = t.Size(-2), cols = t.Size(-1);
        int rs = t.StridesArray[t.Rank - 2], cs = t.StridesArray[t.Rank - 1];
        // The leading dimension must also step over a whole row (column): an expanded operand such as the gradient
        // of Sum / Mean ([N, 1] with stride 0) is not row-major and is copied, as LeadingDim cannot describe it.
        bool rowMajor = (cs == 1 || cols == 1) && (rs >= cols || rows == 1);
        bool colMajor = (rs == 1 || rows == 1) && (cs >= rows || cols == 1);
        if (rowMajor || colMajor) return (t, false);
        using (GradMode.Disable())
        {
            var c = Empty(t.ShapeArray, t.Device);
            CopyStrided(t, c);
            return (c, true);
        }
    }

    private static (int Ld, bool Trans) LeadingDim(Tensor t)
    {
        int rows = t.Size(-2), cols = t.Size(-1);
        int rs = t.StridesArray[t.Rank - 2], cs = t.StridesArray[t.Rank - 1];
        if ((cs == 1 || cols == 1) && rs >= cols) return (Math.Max(rs, Math.Max(cols, 1)), false);
        if ((rs == 1 || rows == 1) && cs >= rows) return (Math.Max(cs, Math.Max(rows, 1)), true);
        return (cols, false);
    }

    /// <summary>y = x W^T + b over the last dimension of x (torch.nn.functional.linear).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2)
            throw new ArgumentException($"linear: weight must be 2-D (out_features, in_features), got {ShapeUtil.Format(weight.ShapeArray)}.");
        if (x.Rank < 1 || x.Size(-1) != weight.Size(1))
            throw new ArgumentException($"linear: input {ShapeUtil.Format(x.ShapeArray)} has {(x.Rank < 1 ? 0 : x.Size(-1))} features but weight {ShapeUtil.Format(weight.ShapeArray)} expects {weight.Size(1)}.");
        if (bias != null && (bias.Rank != 1 || bias.Size(0) != weight.Size(0)))
            throw new ArgumentException($"linear: bias must have shape [{weight.Size(0)}], got {ShapeUtil.Format(bias.ShapeArray)}.");
        var flat = x.Rank == 2 ? x : x.Reshape(-1, x.Size(-1));
        var y = flat.Matmul(weight.T());
        if (bias != null) y = y.Add(bias);
        if (x.Rank == 2) return y;
        var outShape = (int[])x.ShapeArray.Clone();
        outShape[^1] = weight.Size(0);
        return y.Reshape(outShape);
    }
}
