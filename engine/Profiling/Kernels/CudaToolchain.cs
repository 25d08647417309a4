namespace NativeGan.Profiling.Kernels;

/// <summary>
/// NVIDIA's offline tools: ptxas (PTX to cubin, with its <c>-v</c> resource report), cuobjdump (<c>-sass</c>) and nvdisasm.
/// Found by <see cref="Search(string?)"/>; each run goes through temporary files that are deleted afterwards.
/// </summary>
public sealed class CudaToolchain
{
    /// <summary>The script that puts the tools in the default cache folder.</summary>
    public const string FetchScript = "tools/fetch-cuda-tools.sh";

    /// <summary>Environment variable naming a cache folder whose <c>bin/</c> holds the tools.</summary>
    public const string ToolsEnvironmentVariable = "NATIVEGAN_CUDA_TOOLS";

    private CudaToolchain(string ptxas, string? cuobjdump, string? nvdisasm)
    {
        PtxasPath = ptxas;
        CuobjdumpPath = cuobjdump;
        NvdisasmPath = nvdisasm;
    }

    public string PtxasPath { get; }
    public string? CuobjdumpPath { get; }
    public string? NvdisasmPath { get; }

    /// <summary>The folder holding ptxas.</summary>
    public string Folder => Path.GetDirectoryName(PtxasPath) ?? ".";

    /// <summary>True when cuobjdump and nvdisasm sit beside ptxas.</summary>
    public bool IsComplete => CuobjdumpPath is not null && NvdisasmPath is not null;

    public IReadOnlyList<string> MissingTools =>
        new[] { ("cuobjdump", CuobjdumpPath), ("nvdisasm", NvdisasmPath) }.Where(t => t.Item2 is null).Select(t => t.Item1).ToArray();

    /// <summary>Longest a single tool run may take before it is killed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The toolchain, or null when ptxas is nowhere; see <see cref="Search(string?)"/> for the order.</summary>
    public static CudaToolchain? Find(string? ptxasPath = null) => Search(ptxasPath).Toolchain;

    /// <summary>
    /// Looks for ptxas: <paramref name="ptxasPath"/> when given (the other two beside it, no other folder tried), else
    /// <c>$NATIVEGAN_CUDA_TOOLS/bin</c>, each folder of PATH, <c>~/.cache/nativegan/cuda-11.8/bin</c>, <c>/usr/local/cuda/bin</c>.
    /// The first folder holding all three tools wins; when none does, the first holding ptxas.
    /// </summary>
    public static ToolchainSearch Search(string? ptxasPath = null) =>
        Search(ptxasPath, Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    internal static ToolchainSearch Search(string? ptxasPath, Func<string, string?> environment, string? home)
    {
        if (!string.IsNullOrWhiteSpace(ptxasPath))
        {
            string full = Path.GetFullPath(ptxasPath);
            if (!IsExecutable(full)) return new ToolchainSearch(null, [full]);
            string dir = Path.GetDirectoryName(full) ?? ".";
            return new ToolchainSearch(new CudaToolchain(full, Beside(dir, "cuobjdump"), Beside(dir, "nvdisasm")), [full]);
        }

        var folders = CandidateFolders(environment, home).Distinct(StringComparer.Ordinal).ToList();
        CudaToolchain? partial = null;
        foreach (var dir in folders)
        {
            string? ptxas = Beside(dir, "ptxas");
            if (ptxas is null) continue;
            var t = new CudaToolchain(ptxas, Beside(dir, "cuobjdump"), Beside(dir, "nvdisasm"));
            if (t.IsComplete) return new ToolchainSearch(t, folders);
            partial ??= t;
        }
        return new ToolchainSearch(partial, folders);
    }

    private static IEnumerable<string> CandidateFolders(Func<string, string?> environment, string? home)
    {
        string? cache = environment(ToolsEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(cache)) yield return Path.GetFullPath(Path.Combine(cache, "bin"));
        foreach (var p in (environment("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            yield return Path.GetFullPath(p);
        if (!string.IsNullOrEmpty(home)) yield return Path.Combine(home, ".cache", "nativegan", "cuda-11.8", "bin");
        yield return "/usr/local/cuda/bin";
    }

    private static string? Beside(string dir, string tool)
    {
        string path = Path.Combine(dir, OperatingSystem.IsWindows() ? tool + ".exe" : tool);
        return IsExecutable(path) ? path : null;
    }

    private static bool IsExecutable(string path)
    {
        if (!File.Exists(path)) return false;
        if (OperatingSystem.IsWindows()) return true;
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }

    /// <summary>The last line of <c>ptxas --version</c> (e.g. "Build cuda_11.8.r11.8/compiler.31833905_0"), or null.</summary>
    public string? Version()
    {
        var r = ToolProcess.Run(PtxasPath, ["--version"], Timeout);
        return r.Succeeded ? r.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() : null;
    }

    /// <summary>
    /// <c>ptxas -arch ARCH -v</c> on <paramref name="ptxText"/>: the cubin and the parsed resource report, or ptxas's error text.
    /// ptxas refuses PTX whose <c>.target</c> is above <paramref name="arch"/> (ILGPU writes sm_80 for sm_80 and up).
    /// </summary>
    public PtxAssembly Assemble(string ptxText, string arch)
    {
        ArgumentNullException.ThrowIfNull(ptxText);
        GpuArchitecture.ValidateName(arch);
        using var tmp = new TemporaryFolder("nativegan-ptxas-");
        string input = tmp.File("kernel.ptx"), output = tmp.File("kernel.cubin");
        File.WriteAllText(input, ptxText);
        // Relative names in the temporary folder, so that messages read "ptxas kernel.ptx, line N; error : ...".
        var run = ToolProcess.Run(PtxasPath, ["-arch", arch, "-v", "-o", "kernel.cubin", "kernel.ptx"], Timeout, tmp.Path);
        string log = run.CombinedText;
        var report = PtxasReport.Parse(log);
        byte[]? cubin = run.Succeeded && File.Exists(output) ? File.ReadAllBytes(output) : null;
        string? error = cubin is not null ? null
            : run.TimedOut ? $"ptxas timed out after {Timeout.TotalSeconds:0} s"
            : report.Errors.Count > 0 ? string.Join("\n", report.Errors)
            : $"ptxas exited with code {run.ExitCode}: {log.Trim()}";
        return new PtxAssembly(arch, cubin, report, log, error);
    }

    /// <summary><c>cuobjdump -sass</c> on a cubin.</summary>
    public ToolOutput DumpSass(byte[] cubin) => RunOnCubin(CuobjdumpPath, "cuobjdump", cubin, ["-sass"]);

    /// <summary><c>nvdisasm</c> on a cubin with the given options (e.g. <c>-c</c>, <c>-cfg</c>, <c>-poff</c>).</summary>
    public ToolOutput Disassemble(byte[] cubin, params string[] options) => RunOnCubin(NvdisasmPath, "nvdisasm", cubin, options);

    private ToolOutput RunOnCubin(string? program, string tool, byte[] cubin, IReadOnlyList<string> options)
    {
        ArgumentNullException.ThrowIfNull(cubin);
        if (program is null) return new ToolOutput(-1, "", $"{tool} not found beside {PtxasPath}", false);
        using var tmp = new TemporaryFolder("nativegan-" + tool + "-");
        string path = tmp.File("kernel.cubin");
        File.WriteAllBytes(path, cubin);
        return ToolProcess.Run(program, [.. options, path], Timeout, tmp.Path);
    }
}
