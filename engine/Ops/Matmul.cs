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
        if (GemmLayout(t, out _, out _)) return (t, false);
        using (GradMode.Disable())
        {
            var c = Empty(t.ShapeArray, t.Device);
            CopyStrided(t, c);
            return (c, true);
        }
    }

    private static (int Ld, bool Trans) LeadingDim(Tensor t) =>
        GemmLayout(t, out int ld, out bool trans) ? (ld, trans)
        : throw new InvalidOperationException($"matmul: internal error, operand {ShapeUtil.Format(t.ShapeArray)} with strides {ShapeUtil.Format(t.StridesArray)} has no GEMM layout.");

    /// <summary>
    /// Whether the GEMM can read the last two dims of <paramref name="t"/> in place: element (i, j) at i * ld + j
    /// (row-major) or at j * ld + i (column-major, <paramref name="trans"/>) with ld at least the row (column)
    /// width. A broadcast view (stride 0 over a dim of size > 1, e.g. the expanded gradient of Mean) has no such
    /// layout and must be copied: reading it with ld = width would run past its one stored row into whatever the
    /// buffer pool left there.
    /// </summary>
    private static bool GemmLayout(Tensor t, out int ld, out bool trans)
    {
        int rows = t.Size(-2), cols = t.Size(-1);
        int rs = t.StridesArray[t.Rank - 2], cs = t.StridesArray[t.Rank - 1];
        if ((cs == 1 || cols <= 1) && (rows <= 1 || rs >= Math.Max(cols, 1)))
        {
            ld = rows <= 1 ? Math.Max(cols, 1) : rs;
            trans = false;
            return true;
        }
        if ((rs == 1 || rows <= 1) && (cols <= 1 || cs >= Math.Max(rows, 1)))
        {
            ld = cols <= 1 ? Math.Max(rows, 1) : cs;
            trans = true;
            return true;
        }
        ld = 0;
        trans = false;
        return false;
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
