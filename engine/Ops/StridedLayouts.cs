using NativeGan.Kernels.Elementwise;

namespace NativeGan.Ops;

/// <summary>
/// Builds the kernel layout for up to three operands over one iteration shape: drops size-1 dimensions and
/// merges dimensions that are contiguous for every operand, so most launches end up rank 1 to 3.
/// </summary>
internal static class StridedLayouts
{
    public static StridedLayout Build(int[] shape, int[] stridesA, int offsetA, int[] stridesB, int offsetB, int[] stridesC, int offsetC, string op)
    {
        var dims = new List<(int Size, int A, int B, int C)>();
        for (int i = 0; i < shape.Length; i++)
            if (shape[i] != 1) dims.Add((shape[i], stridesA[i], stridesB[i], stridesC[i]));
        for (int i = dims.Count - 2; i >= 0; i--)
        {
            var outer = dims[i];
            var inner = dims[i + 1];
            if (outer.A == inner.A * inner.Size && outer.B == inner.B * inner.Size && outer.C == inner.C * inner.Size)
            {
                dims[i] = (outer.Size * inner.Size, inner.A, inner.B, inner.C);
                dims.RemoveAt(i + 1);
            }
        }
        if (dims.Count == 0) dims.Add((1, 1, 1, 1));
        if (dims.Count > StridedLayout.MaxRank)
            throw new NotSupportedException($"{op}: the operands' layout over shape {ShapeUtil.Format(shape)} needs {dims.Count} strided dimensions; at most {StridedLayout.MaxRank} are supported. Call Contiguous() on the inputs first.");
        var l = new StridedLayout { Rank = dims.Count, OffsetA = offsetA, OffsetB = offsetB, OffsetC = offsetC };
        for (int i = 0; i < dims.Count; i++) Set(ref l, i, dims[i]);
        return l;
    }

    private static void Set(ref StridedLayout l, int i, (int Size, int A, int B, int C) d)
    {
        switch (i)
        {
            case 0: l.S0 = d.Size; l.A0 = d.A; l.B0 = d.B; l.C0 = d.C; break;
            case 1: l.S1 = d.Size; l.A1 = d.A; l.B1 = d.B; l.C1 = d.C; break;
            case 2: l.S2 = d.Size; l.A2 = d.A; l.B2 = d.B; l.C2 = d.C; break;
            case 3: l.S3 = d.Size; l.A3 = d.A; l.B3 = d.B; l.C3 = d.C; break;
            case 4: l.S4 = d.Size; l.A4 = d.A; l.B4 = d.B; l.C4 = d.C; break;
            default: l.S5 = d.Size; l.A5 = d.A; l.B5 = d.B; l.C5 = d.C; break;
        }
    }
}
