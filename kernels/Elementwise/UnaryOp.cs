namespace NativeGan.Kernels.Elementwise;

/// <summary>Element-wise unary operations; A and B are the op's scalar parameters.</summary>
public enum UnaryOp
{
    Neg, Exp, Log, Sqrt, Rsqrt, Abs, Sign, Square, Reciprocal,
    Relu, LeakyRelu, Tanh, Sigmoid, Softplus,
    /// <summary>x^A.</summary>
    PowScalar,
    /// <summary>min(max(x, A), B).</summary>
    Clamp,
    /// <summary>A*x + B.</summary>
    Affine,
    /// <summary>1 where A &lt;= x &lt;= B, else 0 (clamp's gradient mask).</summary>
    InRange,
    GtScalar, GeScalar, LtScalar, LeScalar, EqScalar,
    /// <summary>1 where x &gt; 0, else A (the derivative of leaky_relu with slope A; relu when A = 0).</summary>
    PositiveMask,
}

/// <summary>
/// Scalar math shared by the ILGPU kernels and the managed CPU backend, so both compute the same thing.
/// Transcendentals go through KernelMath: the PTX backend cannot lower MathF.Exp, Log or Pow.
/// </summary>
public static class UnaryMath
{
    public static float Apply(UnaryOp op, float x, float a, float b)
    {
        switch (op)
        {
            case UnaryOp.Neg: return -x;
            case UnaryOp.Exp: return KernelMath.Exp(x);
            case UnaryOp.Log: return KernelMath.Log(x);
            case UnaryOp.Sqrt: return MathF.Sqrt(x);
            case UnaryOp.Rsqrt: return 1f / MathF.Sqrt(x);
            case UnaryOp.Abs: return MathF.Abs(x);
            case UnaryOp.Sign: return x > 0f ? 1f : (x < 0f ? -1f : 0f);
            case UnaryOp.Square: return x * x;
            case UnaryOp.Reciprocal: return 1f / x;
            case UnaryOp.Relu: return x > 0f ? x : 0f;
            case UnaryOp.LeakyRelu: return x > 0f ? x : a * x;
            case UnaryOp.Tanh: return Tanh(x);
            case UnaryOp.Sigmoid: return Sigmoid(x);
            case UnaryOp.Softplus: return Softplus(x);
            case UnaryOp.PowScalar: return Pow(x, a);
            case UnaryOp.Clamp: return x < a ? a : (x > b ? b : x);
            case UnaryOp.Affine: return a * x + b;
            case UnaryOp.InRange: return x >= a && x <= b ? 1f : 0f;
            case UnaryOp.GtScalar: return x > a ? 1f : 0f;
            case UnaryOp.GeScalar: return x >= a ? 1f : 0f;
            case UnaryOp.LtScalar: return x < a ? 1f : 0f;
            case UnaryOp.LeScalar: return x <= a ? 1f : 0f;
            case UnaryOp.EqScalar: return x == a ? 1f : 0f;
            case UnaryOp.PositiveMask: return x > 0f ? 1f : a;
            default: return float.NaN;
        }
    }

    // Written with Exp only: KernelMath has no tanh.
    public static float Tanh(float x)
    {
        float ax = MathF.Abs(x);
        if (ax < 0.0005f) return x - x * x * x / 3f;
        float e = KernelMath.Exp(-2f * ax);
        float t = (1f - e) / (1f + e);
        return x < 0f ? -t : t;
    }

    public static float Sigmoid(float x)
    {
        if (x >= 0f) return 1f / (1f + KernelMath.Exp(-x));
        float e = KernelMath.Exp(x);
        return e / (1f + e);
    }

    /// <summary>PyTorch's softplus with beta 1 and threshold 20.</summary>
    public static float Softplus(float x)
    {
        if (x > 20f) return x;
        return MathF.Max(x, 0f) + KernelMath.Log(1f + KernelMath.Exp(-MathF.Abs(x)));
    }

    public static float Pow(float x, float p)
    {
        if (p == 2f) return x * x;
        if (p == 1f) return x;
        if (p == 0f) return 1f;
        if (p == 0.5f) return MathF.Sqrt(x);
        return KernelMath.Pow(x, p);
    }
}
