using System.Numerics.Tensors;
using NativeGan.Kernels.Elementwise;

namespace NativeGan.Backends.Cpu;

/// <summary>Element-wise primitives on managed arrays: TensorPrimitives where it has the op, scalar math otherwise.</summary>
internal static class CpuElementwise
{
    public static void Unary(UnaryOp op, ReadOnlySpan<float> x, Span<float> y, float a, float b)
    {
        switch (op)
        {
            case UnaryOp.Neg: TensorPrimitives.Negate(x, y); return;
            case UnaryOp.Exp: TensorPrimitives.Exp(x, y); return;
            case UnaryOp.Log: TensorPrimitives.Log(x, y); return;
            case UnaryOp.Sqrt: TensorPrimitives.Sqrt(x, y); return;
            case UnaryOp.Abs: TensorPrimitives.Abs(x, y); return;
            case UnaryOp.Square: TensorPrimitives.Multiply(x, x, y); return;
            case UnaryOp.Reciprocal: TensorPrimitives.Reciprocal(x, y); return;
            case UnaryOp.Relu: TensorPrimitives.Max(x, 0f, y); return;
            case UnaryOp.Tanh: TensorPrimitives.Tanh(x, y); return;
            case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(x, y); return;
            case UnaryOp.Affine:
                TensorPrimitives.Multiply(x, a, y);
                TensorPrimitives.Add(y, b, y);
                return;
            case UnaryOp.Clamp:
                TensorPrimitives.Max(x, a, y);
                TensorPrimitives.Min(y, b, y);
                return;
            case UnaryOp.PowScalar when a == 2f: TensorPrimitives.Multiply(x, x, y); return;
            case UnaryOp.PowScalar when a == 0.5f: TensorPrimitives.Sqrt(x, y); return;
            case UnaryOp.Rsqrt:
                TensorPrimitives.Sqrt(x, y);
                TensorPrimitives.Reciprocal(y, y);
                return;
            default:
                for (int i = 0; i < y.Length; i++) y[i] = UnaryMath.Apply(op, x[i], a, b);
                return;
        }
    }

    public static void BinaryDense(BinaryOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, y); return;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); return;
            case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, y); return;
            case BinaryOp.Div: TensorPrimitives.Divide(a, b, y); return;
            case BinaryOp.Max: TensorPrimitives.Max(a, b, y); return;
            case BinaryOp.Min: TensorPrimitives.Min(a, b, y); return;
            default:
                for (int i = 0; i < y.Length; i++) y[i] = BinaryMath.Apply(op, a[i], b[i]);
                return;
        }
    }

    /// <summary>y = op(a, scalar b).</summary>
    public static void BinaryScalarRight(BinaryOp op, ReadOnlySpan<float> a, float b, Span<float> y)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, y); return;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); return;
            case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, y); return;
            case BinaryOp.Div: TensorPrimitives.Divide(a, b, y); return;
            case BinaryOp.Max: TensorPrimitives.Max(a, b, y); return;
            case BinaryOp.Min: TensorPrimitives.Min(a, b, y); return;
            default:
                for (int i = 0; i < y.Length; i++) y[i] = BinaryMath.Apply(op, a[i], b);
                return;
        }
    }

    /// <summary>y = op(scalar a, b).</summary>
    public static void BinaryScalarLeft(BinaryOp op, float a, ReadOnlySpan<float> b, Span<float> y)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(b, a, y); return;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); return;
            case BinaryOp.Mul: TensorPrimitives.Multiply(b, a, y); return;
            case BinaryOp.Div: TensorPrimitives.Divide(a, b, y); return;
            default:
                for (int i = 0; i < y.Length; i++) y[i] = BinaryMath.Apply(op, a, b[i]);
                return;
        }
    }
}
