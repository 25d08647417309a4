namespace NativeGan.Kernels.Elementwise;

public enum BinaryOp
{
    Add, Sub, Mul, Div, Pow, Max, Min,
    Gt, Ge, Lt, Le, Eq,
}

public static class BinaryMath
{
    public static float Apply(BinaryOp op, float a, float b)
    {
        switch (op)
        {
            case BinaryOp.Add: return a + b;
            case BinaryOp.Sub: return a - b;
            case BinaryOp.Mul: return a * b;
            case BinaryOp.Div: return a / b;
            case BinaryOp.Pow: return KernelMath.Pow(a, b);
            case BinaryOp.Max: return a > b ? a : b;
            case BinaryOp.Min: return a < b ? a : b;
            case BinaryOp.Gt: return a > b ? 1f : 0f;
            case BinaryOp.Ge: return a >= b ? 1f : 0f;
            case BinaryOp.Lt: return a < b ? 1f : 0f;
            case BinaryOp.Le: return a <= b ? 1f : 0f;
            case BinaryOp.Eq: return a == b ? 1f : 0f;
            default: return float.NaN;
        }
    }
}
