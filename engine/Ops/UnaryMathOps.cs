using NativeGan.Graph;
using NativeGan.Kernels.Elementwise;

namespace NativeGan;

/// <summary>sqrt, rsqrt, exp, log, abs, clamp, square.</summary>
public sealed partial class Tensor
{
    public Tensor Exp()
    {
        var y = UnaryRaw(this, UnaryOp.Exp);
        return Node.Record(y, "exp", this, g => g.Mul(y));
    }

    public Tensor Log()
    {
        var y = UnaryRaw(this, UnaryOp.Log);
        var x = this;
        return Node.Record(y, "log", x, g => g.Div(x));
    }

    public Tensor Sqrt()
    {
        var y = UnaryRaw(this, UnaryOp.Sqrt);
        return Node.Record(y, "sqrt", this, g => g.Div(y.Mul(2f)));
    }

    /// <summary>1 / sqrt(this).</summary>
    public Tensor Rsqrt()
    {
        var y = UnaryRaw(this, UnaryOp.Rsqrt);
        return Node.Record(y, "rsqrt", this, g => g.Mul(y.Pow(3f)).Mul(-0.5f));
    }

    public Tensor Abs()
    {
        var y = UnaryRaw(this, UnaryOp.Abs);
        var x = this;
        return Node.Record(y, "abs", x, g => g.Mul(UnaryRaw(x, UnaryOp.Sign)));
    }

    public Tensor Square()
    {
        var y = UnaryRaw(this, UnaryOp.Square);
        var x = this;
        return Node.Record(y, "square", x, g => g.Mul(x).Mul(2f));
    }

    /// <summary>min(max(this, min), max); the gradient passes where min &lt;= x &lt;= max, as in PyTorch.</summary>
    public Tensor Clamp(float min = float.NegativeInfinity, float max = float.PositiveInfinity)
    {
        if (min > max) throw new ArgumentException($"clamp: min ({min}) must not exceed max ({max}).");
        var y = UnaryRaw(this, UnaryOp.Clamp, min, max);
        var x = this;
        return Node.Record(y, "clamp", x, g => g.Mul(UnaryRaw(x, UnaryOp.InRange, min, max)));
    }
}
