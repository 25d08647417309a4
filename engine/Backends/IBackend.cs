using NativeGan.Kernels.Elementwise;
using NativeGan.Kernels.Reduction;
using NativeGan.Memory;

namespace NativeGan.Backends;

/// <summary>
/// The primitive set every device implements. Ops call only these; the device is chosen once, when the
/// tensor's storage was allocated. Offsets and sizes are in floats. Nothing here synchronises except Download.
/// Op families add primitives in partial files (IBackend.Family.cs, CpuBackend.Family.cs, IlgpuBackend.Family.cs).
/// </summary>
internal partial interface IBackend : IDisposable
{
    string Name { get; }
    Storage Allocate(int length);
    void Free(Storage storage);
    MemoryStats Stats { get; }
    void ResetPeak();
    void EmptyCache();
    void Synchronize();

    void Upload(ReadOnlySpan<float> source, Storage destination, int offset);
    void Download(Storage source, int offset, Span<float> destination);

    void Fill(Storage y, int offset, int n, float value);
    void Unary(UnaryOp op, Storage x, int xOffset, Storage y, int yOffset, int n, float a, float b);
    /// <summary>y (contiguous, at layout.OffsetC) = op(a, b) with the layout's A and B strides.</summary>
    void Binary(BinaryOp op, Storage a, Storage b, Storage y, int n, in StridedLayout layout);
    /// <summary>y (contiguous from yOffset) = cond[A] != 0 ? x[B] : z[C].</summary>
    void Where(Storage cond, Storage x, Storage z, Storage y, int yOffset, int n, in StridedLayout layout);
    /// <summary>dst[C] = src[A] for every index of the layout's shape.</summary>
    void Copy(Storage source, Storage destination, int n, in StridedLayout layout);
    void Reduce(ReduceOp op, Storage x, int xOffset, Storage y, int yOffset, int outer, int r, int inner);
    void LogSoftmax(Storage x, int xOffset, Storage y, int yOffset, int outer, int r, int inner);
    void Gemm(in GemmCall call);
    void RandomUniform(Storage y, int offset, int n, ulong seed, ulong counter, float low, float high);
    void RandomNormal(Storage y, int offset, int n, ulong seed, ulong counter, float mean, float std);
    void GatherRows(Storage weight, int weightOffset, Storage indices, int indicesOffset, Storage y, int yOffset, int count, int dim);
    void ScatterAddRows(Storage g, int gOffset, Storage indices, int indicesOffset, Storage y, int yOffset, int count, int rows, int dim);
}

/// <summary>
/// A batched row-major GEMM: for each b &lt; Batch, C_b = Alpha * op(A_b) op(B_b) + Beta * C_b, where op(A) is
/// M x K (stored K x M when TransA) and op(B) is K x N (stored N x K when TransB). Beta = 0 overwrites C.
/// </summary>
internal readonly record struct GemmCall(
    Storage A, int OffsetA, int Lda, long StrideA, bool TransA,
    Storage B, int OffsetB, int Ldb, long StrideB, bool TransB,
    Storage C, int OffsetC, int Ldc, long StrideC,
    int Batch, int M, int N, int K, float Alpha, float Beta);
