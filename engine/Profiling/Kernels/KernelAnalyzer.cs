namespace NativeGan.Profiling.Kernels;

/// <summary>
/// PTX in, <see cref="KernelAnalysis"/> out: ptxas -v (registers, spills, shared memory), the occupancy table, cuobjdump -sass
/// and the loop mix. <see cref="FromToolOutput"/> does the same from texts already produced (fixtures, saved runs).
/// </summary>
public sealed class KernelAnalyzer(CudaToolchain toolchain)
{
    /// <summary>Threads per block when the caller does not know the launch configuration.</summary>
    public const int DefaultBlockSize = 256;

    public CudaToolchain Toolchain { get; } = toolchain ?? throw new ArgumentNullException(nameof(toolchain));

    /// <param name="kernel">Display name, e.g. "GemmKernels.Tiled128"; its last part picks the entry when the PTX has several.</param>
    /// <param name="family">Group for the table, e.g. "gemm".</param>
    /// <param name="ptxText">The module ILGPU generated.</param>
    /// <param name="arch">ptxas target, e.g. "sm_90".</param>
    /// <param name="blockSize">Threads per block the engine launches the kernel with.</param>
    public KernelAnalysis Analyze(string kernel, string family, string ptxText, string arch, int blockSize = DefaultBlockSize)
    {
        PtxAssembly assembly;
        try { assembly = Toolchain.Assemble(ptxText, arch); }
        catch (Exception e) when (e is ArgumentException or IOException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
        {
            return KernelAnalysis.Failed(kernel, family, arch, blockSize, "ptxas: " + e.Message);
        }
        if (!assembly.Succeeded)
            return FromReport(kernel, family, arch, blockSize, assembly.Report, null, "ptxas: " + assembly.Error);

        var sass = Toolchain.DumpSass(assembly.Cubin!);
        string? sassError = sass.Succeeded ? null
            : "cuobjdump: " + (sass.TimedOut ? "timed out" : sass.StandardError.Trim() is { Length: > 0 } s ? s : $"exit code {sass.ExitCode}");
        return FromReport(kernel, family, arch, blockSize, assembly.Report, sass.Succeeded ? sass.StandardOutput : null, sassError);
    }

    /// <summary>The analysis from a saved <c>ptxas -v</c> report and (optionally) <c>cuobjdump -sass</c> text.</summary>
    public static KernelAnalysis FromToolOutput(string kernel, string family, string arch, int blockSize, string ptxasOutput, string? sassText) =>
        FromReport(kernel, family, arch, blockSize, PtxasReport.Parse(ptxasOutput), sassText, null);

    private static KernelAnalysis FromReport(string kernel, string family, string arch, int blockSize, PtxasReport report, string? sassText, string? error)
    {
        var entry = PickEntry(kernel, report);
        var warnings = report.Warnings.ToList();
        if (entry is null)
            return new KernelAnalysis(kernel, family, arch, blockSize, null, null, null, null, warnings,
                error ?? (report.HasErrors ? "ptxas: " + string.Join("\n", report.Errors) : "ptxas reported no entry function"));
        if (report.HasErrors && error is null) error = "ptxas: " + string.Join("\n", report.Errors);

        OccupancyResult? occupancy = null;
        if (GpuArchitecture.TryGet(arch, out var gpu))
        {
            try { occupancy = Occupancy.Calculate(gpu, entry.Registers, entry.SharedMemoryBytes, blockSize); }
            catch (ArgumentOutOfRangeException e) { error ??= "occupancy: " + e.Message; }
        }
        else warnings.Add($"no occupancy table for {arch}");

        SassLoopMix? mix = null;
        if (sassText is not null)
        {
            var functions = SassListing.Parse(sassText);
            var f = functions.FirstOrDefault(x => x.Name == entry.Name) ?? (functions.Count == 1 ? functions[0] : null);
            if (f is not null) mix = SassLoopMix.Analyze(f);
            else error ??= $"no SASS for {entry.Name} (found: {string.Join(", ", functions.Select(x => x.Name))})";
        }
        return new KernelAnalysis(kernel, family, arch, blockSize, entry.Name, entry, occupancy, mix, warnings, error);
    }

    /// <summary>The only entry; else the one named like the kernel's method ("Kernel_Tiled128" for "GemmKernels.Tiled128"); else the first.</summary>
    private static PtxasFunction? PickEntry(string kernel, PtxasReport report)
    {
        var entries = report.Entries.ToList();
        if (entries.Count <= 1) return entries.FirstOrDefault();
        string method = kernel[(kernel.LastIndexOf('.') + 1)..];
        return entries.FirstOrDefault(e => e.Name == method || e.Name.EndsWith("_" + method, StringComparison.Ordinal)) ?? entries[0];
    }
}
