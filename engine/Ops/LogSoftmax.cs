using NativeGan.Graph;

namespace NativeGan;

public sealed partial class Tensor
{
    /// <summary>log(softmax(x)) along dim, computed stably in one kernel.</summary>
    public Tensor LogSoftmax(int dim)
    {
        int d = ShapeUtil.NormalizeDim(dim, Rank, "log_softmax");
        var x = Contiguous();
        int outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= ShapeArray[i];
        for (int i = d + 1; i < Rank; i++) inner *= ShapeArray[i];
        var y = Empty(ShapeArray, Device);
        y.Backend.LogSoftmax(x.Storage, x.Offset, y.Storage, 0, outer, Rank == 0 ? 1 : ShapeArray[d], inner);
        if (!ReferenceEquals(x, this)) x.Dispose();
        // d/dx: g - softmax * sum(g); softmax = exp(y).
        return Node.Record(y, "log_softmax", this, g => g.Sub(y.Exp().Mul(g.Sum(d, keepDim: true))));
    }

    public Tensor Softmax(int dim) => LogSoftmax(dim).Exp();
}
