using System.Globalization;
using CommandLine;
using NativeGan.Backends.Ilgpu;
using NativeGan.Profiling;

namespace NativeGan.Cli.Verbs;

[Verb("devices", HelpText = "List the devices this machine offers and say which one is the default.")]
public sealed class DevicesVerb : ICommand
{
    [Option("kernels", HelpText = "For each CUDA device, compile every kernel to PTX for its architecture and say whether all compile (a few seconds; no launch).")]
    public bool Kernels { get; set; }

    public int Run(TextWriter stdout, TextWriter stderr)
    {
        var devices = Device.List();
        var rows = new List<string[]> { new[] { "DEVICE", "NAME", "MEMORY", "COMPUTE", "KERNELS" } };
        var failures = new List<string>();
        // Compiling 33 kernels per architecture costs seconds; listing devices should not, so it is asked for.
        bool anyCuda = devices.Any(d => d.Kind == DeviceKind.Cuda);
        using var compiler = Kernels && anyCuda ? new PtxKernelCompiler() : null;
        rows.AddRange(devices.Select(d => new[]
        {
            d.Spec,
            d.Name,
            d.MemoryBytes > 0 ? string.Create(CultureInfo.InvariantCulture, $"{d.MemoryBytes / (double)(1L << 30):0.0} GiB") : "-",
            d.ComputeCapability ?? "-",
            KernelStatus(d, compiler, failures),
        }));
        stdout.Write(TextTable.ToText(rows, c => c == 2));
        foreach (var f in failures) stdout.WriteLine(f);
        stdout.WriteLine();

        string? env = Environment.GetEnvironmentVariable(Device.EnvironmentVariable);
        Device chosen;
        try
        {
            chosen = Device.Default;
        }
        catch (Exception e) when (!string.IsNullOrWhiteSpace(env))
        {
            stderr.WriteLine($"error: {Device.EnvironmentVariable}='{env}' does not name a usable device: {CliApp.Describe(e)}");
            return ExitCodes.RuntimeFailure;
        }

        string reason;
        if (!string.IsNullOrWhiteSpace(env))
            reason = $"set by {Device.EnvironmentVariable}={env}";
        else if (chosen.Kind == DeviceKind.Cuda)
            reason = $"{Device.EnvironmentVariable} is not set and a CUDA device was found";
        else
            reason = $"{Device.EnvironmentVariable} is not set and no CUDA device was found: CPU fallback";
        stdout.WriteLine($"default: {chosen} ({reason})");
        stdout.WriteLine($"choose another with {Device.EnvironmentVariable}=cpu|cuda|cuda:N|ilgpu-cpu|auto");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Whether every kernel compiles to PTX for a CUDA device's architecture (ILGPU's PTX backend, no launch), so a
    /// GPU the kernels cannot serve is named here rather than at the first op that needs the missing kernel.
    /// </summary>
    public static string KernelStatus(DeviceInfo d, PtxKernelCompiler? compiler, List<string> failures)
    {
        if (d.Kind != DeviceKind.Cuda) return "-";
        if (compiler == null) return "not checked (--kernels)";
        if (d.ComputeCapability == null) return "unknown architecture";
        string arch = "sm_" + d.ComputeCapability.Replace(".", "");
        var results = compiler.CompileAll(arch);
        var failed = results.Where(r => !r.Succeeded).ToList();
        foreach (var f in failed) failures.Add($"{d.Spec}: kernel {f.Kernel.Name} does not compile for {arch}: {f.Error}");
        return failed.Count == 0
            ? $"all {results.Count} compile for {arch}"
            : $"{results.Count - failed.Count} of {results.Count} compile for {arch}";
    }
}
