using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace NativeGan.Backends.Ilgpu;

/// <summary>The PTX of one kernel for one architecture, or why ILGPU could not produce it.</summary>
public sealed record PtxCompilation(KernelDef Kernel, string Architecture, string? Ptx, string? Error)
{
    public bool Succeeded => Ptx != null;
}

/// <summary>
/// Compiles catalog kernels to PTX with ILGPU's own PTX backend, without a GPU or driver: the path a CUDA
/// accelerator's LoadKernel takes, for any architecture. The PTX ISA is fixed at 7.8, the newest NVIDIA's ptxas 11.8
/// reads (ILGPU would otherwise take it from the driver).
/// </summary>
public sealed class PtxKernelCompiler : IDisposable
{
    /// <summary>The architectures every kernel is checked for: Volta, Turing, Ampere (A100, GA10x), Ada, Hopper.</summary>
    public static IReadOnlyList<string> CheckedArchitectures { get; } = ["sm_70", "sm_75", "sm_80", "sm_86", "sm_89", "sm_90"];

    private readonly Context context;
    private readonly bool ownsContext;
    private readonly Dictionary<string, PTXBackend> backends = new();

    public PtxKernelCompiler() : this(IlgpuContextFactory.Create(), ownsContext: true) { }

    private PtxKernelCompiler(Context context, bool ownsContext)
    {
        this.context = context;
        this.ownsContext = ownsContext;
    }

    /// <summary>"sm_86" or "8.6" as ILGPU's architecture; throws ArgumentException naming what is accepted.</summary>
    public static CudaArchitecture ParseArchitecture(string arch)
    {
        string s = arch.Trim().ToLowerInvariant();
        if (s.StartsWith("sm_")) s = s[3..];
        s = s.Replace(".", "");
        if (s.Length >= 2 && s.All(char.IsAsciiDigit))
            return new CudaArchitecture(int.Parse(s[..^1]), s[^1] - '0');
        throw new ArgumentException($"unknown GPU architecture '{arch}': expected sm_XY (e.g. sm_86) or X.Y (e.g. 8.6).");
    }

    public static string Name(CudaArchitecture a) => $"sm_{a.Major}{a.Minor}";

    public PtxCompilation Compile(KernelDef kernel, string architecture)
    {
        var arch = ParseArchitecture(architecture);
        string name = Name(arch);
        try
        {
            var compiled = Backend(arch).Compile(
                EntryPointDescription.FromExplicitlyGroupedKernel(kernel.Method), KernelSpecialization.Empty);
            return new PtxCompilation(kernel, name, ((PTXCompiledKernel)compiled).PTXAssembly, null);
        }
        catch (Exception e)
        {
            return new PtxCompilation(kernel, name, null, KernelLoadException.Reason(e));
        }
    }

    /// <summary>Every catalog kernel for one architecture.</summary>
    public IReadOnlyList<PtxCompilation> CompileAll(string architecture) =>
        KernelCatalog.All.Select(k => Compile(k, architecture)).ToArray();

    private PTXBackend Backend(CudaArchitecture arch)
    {
        lock (backends)
        {
            string key = Name(arch);
            if (!backends.TryGetValue(key, out var backend))
                backends[key] = backend = new PTXBackend(context, new CudaCapabilityContext(arch), arch, CudaInstructionSet.ISA_78, null);
            return backend;
        }
    }

    public void Dispose()
    {
        lock (backends)
        {
            foreach (var b in backends.Values) b.Dispose();
            backends.Clear();
        }
        if (ownsContext) context.Dispose();
    }
}
