using NativeGan.Graph;
using NativeGan.Kernels.Elementwise;

namespace NativeGan;

/// <summary>
/// In-place updates for optimizers, gradient accumulation and weight clipping. They bypass autograd, so they
/// refuse to run on a tensor that takes part in a recorded graph.
/// </summary>
public sealed partial class Tensor
{
    private void CheckInPlace(string op)
    {
        if (GradMode.IsEnabled && (RequiresGrad || GradFn != null))
            throw new InvalidOperationException($"{op}: in-place update of a tensor that requires grad; do it inside Tensor.NoGrad().");
    }

    /// <summary>this += other (other broadcast to this shape).</summary>
    public Tensor AddInPlace(Tensor other)
    {
        CheckInPlace("add_");
        BinaryInPlace(other, BinaryOp.Add, "add_");
        return this;
    }

    /// <summary>this *= other (other broadcast to this shape).</summary>
    public Tensor MulInPlace(Tensor other)
    {
        CheckInPlace("mul_");
        BinaryInPlace(other, BinaryOp.Mul, "mul_");
        return this;
    }

    /// <summary>Copies other's values into this tensor (shapes must match; other may broadcast).</summary>
    public Tensor CopyFrom(Tensor other)
    {
        CheckInPlace("copy_");
        CheckSameDevice("copy_", this, other);
        var shape = ShapeUtil.Broadcast(ShapeArray, other.ShapeArray, "copy_");
        if (!ShapeUtil.SameShape(shape, ShapeArray))
            throw new ArgumentException($"copy_: cannot copy {ShapeUtil.Format(other.ShapeArray)} into {ShapeUtil.Format(ShapeArray)}.");
        var layout = Ops.StridedLayouts.Build(ShapeArray, ShapeUtil.BroadcastStrides(other.ShapeArray, other.StridesArray, ShapeArray), other.Offset,
            ShapeUtil.BroadcastStrides(other.ShapeArray, other.StridesArray, ShapeArray), other.Offset, StridesArray, Offset, "copy_");
        Backend.Copy(other.Storage, Storage, NumEl, layout);
        return this;
    }

    /// <summary>Copies host values into this tensor.</summary>
    public Tensor CopyFrom(float[] values)
    {
        CheckInPlace("copy_");
        if (values.Length != NumEl)
            throw new ArgumentException($"copy_: the tensor {ShapeUtil.Format(ShapeArray)} has {NumEl} elements, the array {values.Length}.");
        if (IsContiguous) Backend.Upload(values, Storage, Offset);
        else
        {
            using var tmp = FromArray(values, ShapeArray, Device);
            CopyFrom(tmp);
        }
        return this;
    }

    public Tensor FillInPlace(float value)
    {
        CheckInPlace("fill_");
        if (IsContiguous) Backend.Fill(Storage, Offset, NumEl, value);
        else
        {
            using var v = Scalar(value, Device);
            CopyFrom(v);
        }
        return this;
    }

    /// <summary>Clamps in place (WGAN weight clipping).</summary>
    public Tensor ClampInPlace(float min, float max)
    {
        CheckInPlace("clamp_");
        if (!IsContiguous) throw new InvalidOperationException("clamp_: the tensor must be contiguous.");
        Backend.Unary(UnaryOp.Clamp, Storage, Offset, Storage, Offset, NumEl, min, max);
        return this;
    }

    /// <summary>this = scale * this + shift, in place.</summary>
    public Tensor AffineInPlace(float scale, float shift)
    {
        CheckInPlace("affine_");
        if (!IsContiguous) throw new InvalidOperationException("affine_: the tensor must be contiguous.");
        Backend.Unary(UnaryOp.Affine, Storage, Offset, Storage, Offset, NumEl, scale, shift);
        return this;
    }
}
