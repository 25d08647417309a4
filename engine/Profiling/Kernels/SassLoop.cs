namespace NativeGan.Profiling.Kernels;

/// <summary>
/// A loop of a SASS function: the byte range from the backward branch's target (<see cref="StartOffset"/>) to the last branch
/// back to it (<see cref="EndOffset"/>), both included. <see cref="Depth"/> is 1 for a loop inside no other loop;
/// <see cref="IsInnermost"/> when it contains no other loop.
/// </summary>
public sealed record SassLoop(int StartOffset, int EndOffset, int Depth, bool IsInnermost, InstructionMix Mix)
{
    public bool Contains(SassLoop other) =>
        !ReferenceEquals(this, other) && StartOffset <= other.StartOffset && other.EndOffset <= EndOffset
        && (StartOffset, EndOffset) != (other.StartOffset, other.EndOffset);

    public override string ToString() => $"[0x{StartOffset:x}, 0x{EndOffset:x}] depth {Depth}, {Mix.Instructions} instructions";
}
