namespace NativeGan.Profiling.Kernels;

/// <summary>
/// What the tools say about one kernel on one architecture: ptxas's resources for its entry function, the theoretical occupancy
/// at <see cref="BlockSize"/> threads per block, and the SASS loop mix. <see cref="Error"/> is set when a step failed; the steps
/// before it keep their results (e.g. resources and occupancy without a loop mix when cuobjdump is missing).
/// </summary>
public sealed record KernelAnalysis(
    string Kernel,
    string Family,
    string Arch,
    int BlockSize,
    string? EntryFunction,
    PtxasFunction? Resources,
    OccupancyResult? Occupancy,
    SassLoopMix? LoopMix,
    IReadOnlyList<string> Warnings,
    string? Error)
{
    public bool Succeeded => Error is null;

    /// <summary>The innermost loop's mix, or null when there is no loop (or no SASS).</summary>
    public InstructionMix? InnermostLoop => LoopMix?.Innermost?.Mix;

    public static KernelAnalysis Failed(string kernel, string family, string arch, int blockSize, string error) =>
        new(kernel, family, arch, blockSize, null, null, null, null, [], error);
}
