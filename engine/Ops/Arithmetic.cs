using NativeGan.Graph;
using NativeGan.Kernels.Elementwise;

namespace NativeGan;

/// <summary>Add, sub, mul, div, pow and neg with NumPy broadcasting, and their scalar forms.</summary>
public sealed partial class Tensor
{
    public Tensor Add(Tensor other)
    {
        var y = BinaryRaw(this, other, BinaryOp.Add, "add");
        Tensor a = this, b = other;
        return Node.Record(y, "add", new[] { a, b }, g => new[] { g.SumTo(a.ShapeArray), g.SumTo(b.ShapeArray) });
    }

    public Tensor Sub(Tensor other)
    {
        var y = BinaryRaw(this, other, BinaryOp.Sub, "sub");
        Tensor a = this, b = other;
        return Node.Record(y, "sub", new[] { a, b }, g => new[] { g.SumTo(a.ShapeArray), b.RequiresGrad ? g.Neg().SumTo(b.ShapeArray) : null });
    }

    public Tensor Mul(Tensor other)
    {
        var y = BinaryRaw(this, other, BinaryOp.Mul, "mul");
        Tensor a = this, b = other;
        return Node.Record(y, "mul", new[] { a, b }, g => new[]
        {
            a.RequiresGrad ? g.Mul(b).SumTo(a.ShapeArray) : null,
            b.RequiresGrad ? g.Mul(a).SumTo(b.ShapeArray) : null,
        });
    }

    public Tensor Div(Tensor other)
    {
        var y = BinaryRaw(this, other, BinaryOp.Div, "div");
        Tensor a = this, b = other;
        return Node.Record(y, "div", new[] { a, b }, g => new[]
        {
            a.RequiresGrad ? g.Div(b).SumTo(a.ShapeArray) : null,
            b.RequiresGrad ? g.Mul(a).Div(b.Mul(b)).Neg().SumTo(b.ShapeArray) : null,
        });
    }

    /// <summary>this ^ exponent element-wise (both tensors, broadcast).</summary>
    public Tensor Pow(Tensor exponent)
    {
        var y = BinaryRaw(this, exponent, BinaryOp.Pow, "pow");
        Tensor a = this, b = exponent;
        return Node.Record(y, "pow", new[] { a, b }, g => new[]
        {
            a.RequiresGrad ? g.Mul(b).Mul(a.Pow(b.Sub(1f))).SumTo(a.ShapeArray) : null,
            b.RequiresGrad ? g.Mul(a.Pow(b)).Mul(a.Log()).SumTo(b.ShapeArray) : null,
        });
    }

    /// <summary>this ^ p element-wise.</summary>
    public Tensor Pow(float p)
    {
        var y = UnaryRaw(this, UnaryOp.PowScalar, p);
        var x = this;
        return Node.Record(y, "pow", x, g => p == 1f ? g : g.Mul(x.Pow(p - 1f)).Mul(p));
    }

    public Tensor Neg()
    {
        var y = UnaryRaw(this, UnaryOp.Neg);
        return Node.Record(y, "neg", this, g => g.Neg());
    }

    /// <summary>scale * this + shift, one op (the scalar forms of add and mul use it).</summary>
    public Tensor Affine(float scale, float shift)
    {
        var y = UnaryRaw(this, UnaryOp.Affine, scale, shift);
        return Node.Record(y, "affine", this, g => scale == 1f ? g : g.Mul(scale));
    }

    public Tensor Add(float value) => Affine(1f, value);
    public Tensor Sub(float value) => Affine(1f, -value);
    public Tensor Mul(float value) => Affine(value, 0f);
    public Tensor Div(float value) => Affine(1f / value, 0f);

    /// <summary>value - this.</summary>
    public Tensor RSub(float value) => Affine(-1f, value);

    /// <summary>value / this.</summary>
    public Tensor RDiv(float value)
    {
        var y = UnaryRaw(this, UnaryOp.Reciprocal);
        var r = value == 1f ? y : ScaleRaw(y, value);
        var x = this;
        return Node.Record(r, "rdiv", x, g => g.Mul(value).Div(x.Mul(x)).Neg());
    }

    private static Tensor ScaleRaw(Tensor y, float value)
    {
        var r = UnaryRaw(y, UnaryOp.Affine, value, 0f);
        y.Dispose();
        return r;
    }

    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    public static Tensor operator -(Tensor a) => a.Neg();
    public static Tensor operator +(Tensor a, float b) => a.Add(b);
    public static Tensor operator +(float a, Tensor b) => b.Add(a);
    public static Tensor operator -(Tensor a, float b) => a.Sub(b);
    public static Tensor operator -(float a, Tensor b) => b.RSub(a);
    public static Tensor operator *(Tensor a, float b) => a.Mul(b);
    public static Tensor operator *(float a, Tensor b) => b.Mul(a);
    public static Tensor operator /(Tensor a, float b) => a.Div(b);
    public static Tensor operator /(float a, Tensor b) => b.RDiv(a);
}
