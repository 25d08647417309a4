using NativeGan.Graph;
using NativeGan.Kernels.Elementwise;

namespace NativeGan;

/// <summary>Comparison masks (1 where true, else 0; never differentiable) and where.</summary>
public sealed partial class Tensor
{
    public Tensor Gt(Tensor other) => BinaryRaw(this, other, BinaryOp.Gt, "gt");
    public Tensor Ge(Tensor other) => BinaryRaw(this, other, BinaryOp.Ge, "ge");
    public Tensor Lt(Tensor other) => BinaryRaw(this, other, BinaryOp.Lt, "lt");
    public Tensor Le(Tensor other) => BinaryRaw(this, other, BinaryOp.Le, "le");
    public Tensor Eq(Tensor other) => BinaryRaw(this, other, BinaryOp.Eq, "eq");
    public Tensor Gt(float value) => UnaryRaw(this, UnaryOp.GtScalar, value);
    public Tensor Ge(float value) => UnaryRaw(this, UnaryOp.GeScalar, value);
    public Tensor Lt(float value) => UnaryRaw(this, UnaryOp.LtScalar, value);
    public Tensor Le(float value) => UnaryRaw(this, UnaryOp.LeScalar, value);
    public Tensor Eq(float value) => UnaryRaw(this, UnaryOp.EqScalar, value);

    /// <summary>Element-wise condition != 0 ? x : y, all three broadcast together (torch.where).</summary>
    public static Tensor Where(Tensor condition, Tensor x, Tensor y)
    {
        CheckSameDevice("where", condition, x);
        CheckSameDevice("where", x, y);
        var shape = ShapeUtil.Broadcast(ShapeUtil.Broadcast(condition.ShapeArray, x.ShapeArray, "where"), y.ShapeArray, "where");
        var result = Empty(shape, x.Device);
        var layout = Ops.StridedLayouts.Build(shape,
            ShapeUtil.BroadcastStrides(condition.ShapeArray, condition.StridesArray, shape), condition.Offset,
            ShapeUtil.BroadcastStrides(x.ShapeArray, x.StridesArray, shape), x.Offset,
            ShapeUtil.BroadcastStrides(y.ShapeArray, y.StridesArray, shape), y.Offset, "where");
        result.Backend.Where(condition.Storage, x.Storage, y.Storage, result.Storage, 0, result.NumEl, layout);
        return Node.Record(result, "where", new[] { x, y }, g =>
        {
            using var zero = Scalar(0f, g.Device);
            return new[]
            {
                x.RequiresGrad ? Where(condition, g, zero).SumTo(x.ShapeArray) : null,
                y.RequiresGrad ? Where(condition, zero, g).SumTo(y.ShapeArray) : null,
            };
        });
    }
}
