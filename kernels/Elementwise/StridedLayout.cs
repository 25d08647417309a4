namespace NativeGan.Kernels.Elementwise;

/// <summary>
/// Up to six dimensions of an output shape together with the element strides of up to three operands
/// (a stride of 0 broadcasts). Passed to kernels by value: no device allocation per launch.
/// </summary>
public struct StridedLayout
{
    public const int MaxRank = 6;
    public int Rank;
    public int S0, S1, S2, S3, S4, S5;
    public int A0, A1, A2, A3, A4, A5;
    public int B0, B1, B2, B3, B4, B5;
    public int C0, C1, C2, C3, C4, C5;
    public int OffsetA, OffsetB, OffsetC;

    public int Size(int d) => d switch { 0 => S0, 1 => S1, 2 => S2, 3 => S3, 4 => S4, _ => S5 };

    /// <summary>Maps a flat index over the output shape (row-major) to the element offsets of A, B and C.</summary>
    public void Offsets(int flat, out int a, out int b, out int c)
    {
        a = OffsetA; b = OffsetB; c = OffsetC;
        int rem = flat;
        // Innermost dimension first; written out because ILGPU does not unroll loops.
        if (Rank > 5) { int s = S5 > 0 ? S5 : 1; int i = rem % s; rem /= s; a += i * A5; b += i * B5; c += i * C5; }
        if (Rank > 4) { int s = S4 > 0 ? S4 : 1; int i = rem % s; rem /= s; a += i * A4; b += i * B4; c += i * C4; }
        if (Rank > 3) { int s = S3 > 0 ? S3 : 1; int i = rem % s; rem /= s; a += i * A3; b += i * B3; c += i * C3; }
        if (Rank > 2) { int s = S2 > 0 ? S2 : 1; int i = rem % s; rem /= s; a += i * A2; b += i * B2; c += i * C2; }
        if (Rank > 1) { int s = S1 > 0 ? S1 : 1; int i = rem % s; rem /= s; a += i * A1; b += i * B1; c += i * C1; }
        if (Rank > 0) { a += rem * A0; b += rem * B0; c += rem * C0; }
    }
}
