namespace NativeGan;

internal static class ShapeUtil
{
    public static int NumEl(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Negative dimension in shape {Format(shape.ToArray())}.");
            n *= d;
            if (n > int.MaxValue) throw new ArgumentException($"Shape {Format(shape.ToArray())} has more than {int.MaxValue} elements.");
        }
        return (int)n;
    }

    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= Math.Max(shape[i], 1);
        }
        return s;
    }

    public static bool IsContiguous(int[] shape, int[] strides)
    {
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            if (shape[i] != 1 && strides[i] != acc) return false;
            acc *= shape[i];
        }
        return true;
    }

    public static int NormalizeDim(int dim, int rank, string op)
    {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= Math.Max(rank, 1) || (rank == 0 && d != 0))
            throw new ArgumentOutOfRangeException(nameof(dim), $"{op}: dimension {dim} is out of range for a tensor of rank {rank}.");
        return d;
    }

    public static string Format(IReadOnlyList<int> shape) => "[" + string.Join(", ", shape) + "]";

    public static bool SameShape(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++) if (a[i] != b[i]) return false;
        return true;
    }

    /// <summary>NumPy broadcasting of two shapes; throws naming the op and both shapes.</summary>
    public static int[] Broadcast(IReadOnlyList<int> a, IReadOnlyList<int> b, string op)
    {
        int rank = Math.Max(a.Count, b.Count);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Count) >= 0 ? a[i - (rank - a.Count)] : 1;
            int db = i - (rank - b.Count) >= 0 ? b[i - (rank - b.Count)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {Format(a)} and {Format(b)} cannot be broadcast together (dimension {i}: {da} vs {db}).");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    /// <summary>Strides that read a tensor of shape/strides as if it had the (broadcast) target shape.</summary>
    public static int[] BroadcastStrides(IReadOnlyList<int> shape, IReadOnlyList<int> strides, int[] target)
    {
        var r = new int[target.Length];
        int lead = target.Length - shape.Count;
        for (int i = 0; i < target.Length; i++)
        {
            int j = i - lead;
            r[i] = j < 0 || shape[j] == 1 ? 0 : strides[j];
        }
        return r;
    }
}
