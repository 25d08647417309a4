namespace NativeGan.Models.Sr;

/// <summary>Shape formatting for the SR modules' error messages ("[1, 3, 64, 64]").</summary>
internal static class SrShapes
{
    public static string Format(IReadOnlyList<int> shape) => "[" + string.Join(", ", shape) + "]";
    public static string Format(Tensor t) => Format(t.Shape);
}
