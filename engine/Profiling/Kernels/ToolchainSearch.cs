namespace NativeGan.Profiling.Kernels;

/// <summary>The outcome of <see cref="CudaToolchain.Search(string?)"/>: the toolchain found (or null) and every folder looked at, in order.</summary>
public sealed record ToolchainSearch(CudaToolchain? Toolchain, IReadOnlyList<string> Searched)
{
    public bool Found => Toolchain is not null;

    /// <summary>One line for a user: where the tools are, or where they were looked for and how to get them.</summary>
    public string Describe() => Toolchain is not null
        ? $"CUDA tools in {Toolchain.Folder}" + (Toolchain.IsComplete ? "" : $" (missing: {string.Join(", ", Toolchain.MissingTools)})")
        : $"ptxas not found (searched: {string.Join(", ", Searched)}); run {CudaToolchain.FetchScript} or pass --ptxas PATH";
}
