namespace NativeGan.Profiling.Kernels;

/// <summary>
/// The loops of one SASS function and the instruction mix of its hottest innermost loop, next to the whole function's mix.
/// </summary>
/// <remarks>
/// A loop is a BRA whose target lies before it: the range [target, branch]. Branches back to the same target (a loop with
/// several back edges, e.g. a <c>continue</c>) make one loop ending at the last of them. A branch to itself is not a loop:
/// ptxas closes every function with <c>BRA</c> to its own address after the final EXIT. The innermost loop is a loop
/// containing no other; when there are several, the one with the most FFMA + tensor-core MMA instructions, then the most
/// instructions, then the earliest.
/// </remarks>
public sealed record SassLoopMix(string Function, IReadOnlyList<SassLoop> Loops, SassLoop? Innermost, InstructionMix Whole)
{
    public bool HasLoop => Innermost is not null;

    /// <summary>The mix of the named function (the first one when null) of a cuobjdump or nvdisasm listing.</summary>
    public static SassLoopMix Analyze(string sassText, string? functionName = null)
    {
        var all = SassListing.Parse(sassText);
        var f = functionName is null ? all.FirstOrDefault() : all.FirstOrDefault(x => x.Name == functionName);
        if (f is null)
            throw new ArgumentException(functionName is null ? "No SASS instructions in the text."
                : $"No function '{functionName}' in the SASS (found: {string.Join(", ", all.Select(x => x.Name))}).", nameof(functionName));
        return Analyze(f);
    }

    public static SassLoopMix Analyze(SassFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var ins = function.Instructions;
        var ranges = ins.Where(i => i.BranchTarget is { } t && t < i.Offset)
            .GroupBy(i => i.BranchTarget!.Value)
            .Select(g => (Start: g.Key, End: g.Max(i => i.Offset)))
            .OrderBy(r => r.Start).ThenByDescending(r => r.End)
            .ToList();

        bool Inside((int Start, int End) inner, (int Start, int End) outer) =>
            inner != outer && outer.Start <= inner.Start && inner.End <= outer.End;

        var loops = ranges.Select(r => new SassLoop(
                r.Start, r.End,
                Depth: 1 + ranges.Count(o => Inside(r, o)),
                IsInnermost: !ranges.Any(o => Inside(o, r)),
                Mix: InstructionMix.Of(ins.Where(i => i.Offset >= r.Start && i.Offset <= r.End))))
            .ToList();

        var innermost = loops.Where(l => l.IsInnermost)
            .OrderByDescending(l => l.Mix.Ffma + l.Mix.TensorMma)
            .ThenByDescending(l => l.Mix.Instructions)
            .ThenBy(l => l.StartOffset)
            .FirstOrDefault();
        return new SassLoopMix(function.Name, loops, innermost, InstructionMix.Of(ins));
    }
}
