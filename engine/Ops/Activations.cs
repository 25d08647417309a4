using NativeGan.Graph;
using NativeGan.Kernels.Elementwise;

namespace NativeGan;

/// <summary>relu, leaky_relu, prelu, tanh, sigmoid, softplus. Masks in the backward carry no gradient.</summary>
public sealed partial class Tensor
{
    public Tensor Relu()
    {
        var y = UnaryRaw(this, UnaryOp.Relu);
        var x = this;
        return Node.Record(y, "relu", x, g => g.Mul(UnaryRaw(x, UnaryOp.PositiveMask, 0f)));
    }

    public Tensor LeakyRelu(float negativeSlope = 0.01f)
    {
        var y = UnaryRaw(this, UnaryOp.LeakyRelu, negativeSlope);
        var x = this;
        return Node.Record(y, "leaky_relu", x, g => g.Mul(UnaryRaw(x, UnaryOp.PositiveMask, negativeSlope)));
    }

    /// <summary>
    /// PReLU: x where x &gt; 0, else weight * x, with one weight shared or one per channel (dim 1).
    /// Composed as relu(x) - w * relu(-x), so its gradients (and their gradients) come from those ops.
    /// </summary>
    public Tensor Prelu(Tensor weight)
    {
        Tensor w = weight;
        if (weight.NumEl != 1)
        {
            if (Rank < 2 || Size(1) != weight.NumEl)
                throw new ArgumentException($"prelu: weight has {weight.NumEl} elements but the input {ShapeUtil.Format(ShapeArray)} has {(Rank < 2 ? "no channel dimension" : Size(1) + " channels")}; expected 1 or one per channel.");
            var shape = new int[Rank];
            Array.Fill(shape, 1);
            shape[1] = weight.NumEl;
            w = weight.Reshape(shape);
        }
        else if (weight.Rank != 0)
            w = weight.Reshape(Array.Empty<int>());
        return Relu().Sub(w.Mul(Neg().Relu()));
    }

    public Tensor Tanh()
    {
        var y = UnaryRaw(this, UnaryOp.Tanh);
        return Node.Record(y, "tanh", this, g => g.Mul(y.Mul(y).RSub(1f)));
    }

    public Tensor Sigmoid()
    {
        var y = UnaryRaw(this, UnaryOp.Sigmoid);
        return Node.Record(y, "sigmoid", this, g => g.Mul(y).Mul(y.RSub(1f)));
    }

    /// <summary>log(1 + exp(x)), linear above 20 as PyTorch's default threshold.</summary>
    public Tensor Softplus()
    {
        var y = UnaryRaw(this, UnaryOp.Softplus);
        var x = this;
        return Node.Record(y, "softplus", x, g => g.Mul(x.Sigmoid()));
    }
}
