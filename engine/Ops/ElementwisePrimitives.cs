using NativeGan.Kernels.Elementwise;

namespace NativeGan;

/// <summary>Forward launches shared by the element-wise ops; no autograd here.</summary>
public sealed partial class Tensor
{
    internal static void CheckSameDevice(string op, Tensor a, Tensor b)
    {
        if (!ReferenceEquals(a.Device, b.Device))
            throw new ArgumentException($"{op}: operands are on different devices ({a.Device} and {b.Device}); move one with To(device).");
    }

    internal static Tensor UnaryRaw(Tensor x, UnaryOp op, float a = 0f, float b = 0f)
    {
        var src = x.Contiguous();
        var y = Empty(x.ShapeArray, x.Device);
        y.Backend.Unary(op, src.Storage, src.Offset, y.Storage, 0, y.NumEl, a, b);
        if (!ReferenceEquals(src, x)) src.Dispose();
        return y;
    }

    internal static Tensor BinaryRaw(Tensor a, Tensor b, BinaryOp op, string name)
    {
        CheckSameDevice(name, a, b);
        var shape = ShapeUtil.Broadcast(a.ShapeArray, b.ShapeArray, name);
        var y = Empty(shape, a.Device);
        var layout = Ops.StridedLayouts.Build(shape,
            ShapeUtil.BroadcastStrides(a.ShapeArray, a.StridesArray, shape), a.Offset,
            ShapeUtil.BroadcastStrides(b.ShapeArray, b.StridesArray, shape), b.Offset,
            y.StridesArray, 0, name);
        y.Backend.Binary(op, a.Storage, b.Storage, y.Storage, y.NumEl, layout);
        return y;
    }

    /// <summary>this[i] = op(this[i], other[i]) in place, other broadcast to this tensor's shape. No autograd.</summary>
    internal void BinaryInPlace(Tensor other, BinaryOp op, string name)
    {
        CheckSameDevice(name, this, other);
        var shape = ShapeUtil.Broadcast(ShapeArray, other.ShapeArray, name);
        if (!ShapeUtil.SameShape(shape, ShapeArray))
            throw new ArgumentException($"{name}: an in-place result must keep the shape {ShapeUtil.Format(ShapeArray)}, but broadcasting with {ShapeUtil.Format(other.ShapeArray)} gives {ShapeUtil.Format(shape)}.");
        var layout = Ops.StridedLayouts.Build(shape, StridesArray, Offset,
            ShapeUtil.BroadcastStrides(other.ShapeArray, other.StridesArray, shape), other.Offset,
            StridesArray, Offset, name);
        if (IsContiguous)
            Backend.Binary(op, Storage, other.Storage, Storage, NumEl, layout);
        else
        {
            using var result = BinaryRaw(this, other, op, name);
            CopyFrom(result);
        }
    }
}
