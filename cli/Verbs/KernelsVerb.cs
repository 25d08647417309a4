using CommandLine;
using NativeGan.Backends.Ilgpu;
using NativeGan.Profiling;
using NativeGan.Profiling.Kernels;

namespace NativeGan.Cli.Verbs;

[Verb("kernels", HelpText = "List every GPU kernel with its family; compile them to PTX (-o DIR) for one or more architectures; with NVIDIA's ptxas, report registers, spills, shared memory, occupancy and the innermost loop's instruction mix. No GPU needed.")]
public sealed class KernelsVerb : ICommand
{
    [Option("arch", HelpText = "Architectures, comma-separated (sm_70, sm_75, sm_80, sm_86, sm_89, sm_90, or 8.6) or 'all' for those six. Default: the first CUDA device's, else sm_90.")]
    public string? Arch { get; set; }

    [Option('o', "out", HelpText = "Write each kernel's PTX to DIR/<arch>/<Class.Method>.ptx (also --ptx; missing folders are created).")]
    public string? PtxDir { get; set; }

    [Option("ptxas", HelpText = "NVIDIA's ptxas (nvdisasm and cuobjdump beside it). Default: $NATIVEGAN_CUDA_TOOLS/bin, PATH, the cache of tools/fetch-cuda-tools.sh, /usr/local/cuda/bin.")]
    public string? Ptxas { get; set; }

    [Option("no-ptxas", HelpText = "Only compile to PTX; do not look for ptxas.")]
    public bool NoPtxas { get; set; }

    [Option("filter", HelpText = "Only kernels whose name or family contains one of these (comma-separated), e.g. gemm,Conv2dKernels.Forward.")]
    public string? Filter { get; set; }

    [Option("markdown", HelpText = "Print the tables as Markdown (the form docs/PERFORMANCE.md keeps).")]
    public bool Markdown { get; set; }

    public int Run(TextWriter stdout, TextWriter stderr)
    {
        IReadOnlyList<string> archs;
        try
        {
            archs = Architectures();
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.BadArguments;
        }
        var kernels = Selected();
        if (kernels.Count == 0)
        {
            stderr.WriteLine($"error: no kernel matches --filter '{Filter}'; run `nativegan kernels` for the list.");
            return ExitCodes.BadArguments;
        }

        CudaToolchain? toolchain = null;
        if (!NoPtxas)
        {
            var search = CudaToolchain.Search(Ptxas);
            if (Ptxas != null && !search.Found)
            {
                stderr.WriteLine($"error: --ptxas {Ptxas}: not an executable file.");
                return ExitCodes.BadArguments;
            }
            toolchain = search.Toolchain;
            stdout.WriteLine(search.Describe() + (toolchain?.Version() is { } v ? $" ({v})" : ""));
        }

        using var compiler = new PtxKernelCompiler();
        var analyzer = toolchain != null ? new KernelAnalyzer(toolchain) : null;
        int failures = 0, spills = 0;
        foreach (var arch in archs)
        {
            var compiled = kernels.Select(k => compiler.Compile(k, arch)).ToList();
            failures += compiled.Count(c => !c.Succeeded);
            if (PtxDir != null) WritePtx(compiled, arch);
            stdout.WriteLine($"{arch}: {compiled.Count(c => c.Succeeded)} of {compiled.Count} kernels compile to PTX (ILGPU PTX backend, ISA 7.8)" +
                (PtxDir != null ? $"; PTX in {Path.Combine(PtxDir, arch)}" : ""));
            if (analyzer == null)
            {
                stdout.Write(Markdown ? TextTable.ToMarkdown(ListRows(compiled)) : TextTable.ToText(ListRows(compiled)));
            }
            else
            {
                var analyses = compiled.Select(c => c.Succeeded
                    ? analyzer.Analyze(c.Kernel.Name, c.Kernel.Family, c.Ptx!, arch, c.Kernel.GroupSize)
                    : KernelAnalysis.Failed(c.Kernel.Name, c.Kernel.Family, arch, c.Kernel.GroupSize, "PTX: " + c.Error)).ToList();
                int assembled = analyses.Count(a => a.Succeeded);
                failures += compiled.Count(c => c.Succeeded) - assembled;
                spills += analyses.Count(a => a.Resources?.Spills == true);
                stdout.WriteLine($"{arch}: ptxas assembles {assembled} of {analyses.Count}, " +
                    $"{analyses.Count(a => a.Resources?.Spills == true)} spill registers; occupancy at the engine's group size");
                stdout.Write(Markdown ? KernelAnalysisTable.ToMarkdown(analyses) : KernelAnalysisTable.ToText(analyses));
            }
            stdout.WriteLine();
        }
        if (failures > 0 || spills > 0)
            stderr.WriteLine($"error: {failures} kernel build(s) failed and {spills} spill registers across {string.Join(", ", archs)}.");
        return failures == 0 && spills == 0 ? ExitCodes.Ok : ExitCodes.RuntimeFailure;
    }

    private IReadOnlyList<string> Architectures()
    {
        if (Arch == null)
        {
            var cuda = Device.List().FirstOrDefault(d => d.Kind == DeviceKind.Cuda && d.ComputeCapability != null);
            return [cuda != null ? "sm_" + cuda.ComputeCapability!.Replace(".", "") : "sm_90"];
        }
        if (Arch.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)) return PtxKernelCompiler.CheckedArchitectures;
        return Arch.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(a => PtxKernelCompiler.Name(PtxKernelCompiler.ParseArchitecture(a)))
            .Distinct()
            .ToArray();
    }

    private List<KernelDef> Selected()
    {
        if (string.IsNullOrWhiteSpace(Filter)) return KernelCatalog.All.ToList();
        var terms = Filter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return KernelCatalog.All.Where(k => terms.Any(t =>
            k.Name.Contains(t, StringComparison.OrdinalIgnoreCase) || k.Family.Equals(t, StringComparison.OrdinalIgnoreCase))).ToList();
    }

    private void WritePtx(IEnumerable<PtxCompilation> compiled, string arch)
    {
        string dir = Path.Combine(PtxDir!, arch);
        OutputPath.ForFolder(dir);
        foreach (var c in compiled.Where(c => c.Succeeded))
        {
            string path = Path.Combine(dir, c.Kernel.Name + ".ptx");
            string temp = path + ".tmp";
            File.WriteAllText(temp, c.Ptx);
            File.Move(temp, path, overwrite: true);
        }
    }

    private static List<string[]> ListRows(IEnumerable<PtxCompilation> compiled)
    {
        var rows = new List<string[]> { new[] { "kernel", "family", "group", "PTX" } };
        rows.AddRange(compiled.Select(c => new[]
        {
            c.Kernel.Name, c.Kernel.Family, c.Kernel.GroupSize.ToString(),
            c.Succeeded ? $"{c.Ptx!.Split('\n').Length} lines" : "FAILS: " + c.Error,
        }));
        return rows;
    }
}
