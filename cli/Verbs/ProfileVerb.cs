using CommandLine;
using NativeGan.Models.Profiling;
using NativeGan.Models.Training;

namespace NativeGan.Cli.Verbs;

[Verb("profile", HelpText = "Profile training steps of a model config (or one op at a shape): a table per kernel, step time, host overhead, allocator figures; optional Chrome trace.")]
public sealed class ProfileVerb : ICommand
{
    [Option("config", HelpText = "A model config (GAN, ProGAN, Pix2Pix / CycleGAN or SR YAML) to profile training steps of.")]
    public string? Config { get; set; }

    [Option("op", HelpText = "Profile one op instead: conv2d, matmul, add, pixel_shuffle (with --shape).")]
    public string? Op { get; set; }

    [Option("shape", HelpText = "Shapes for --op: " + ProfileRun.OpHelp)]
    public string? Shape { get; set; }

    [Option("steps", Default = 20, HelpText = "Profiled steps.")]
    public int Steps { get; set; }

    [Option("warmup", Default = 5, HelpText = "Unprofiled steps first.")]
    public int Warmup { get; set; }

    [Option("device", HelpText = "cpu, cuda, cuda:N or ilgpu-cpu (default: the config's, or cpu for --op).")]
    public string? DeviceName { get; set; }

    [Option("trace", HelpText = "Write a Chrome trace event JSON (chrome://tracing, Perfetto); missing folders are created.")]
    public string? Trace { get; set; }

    public int Run(TextWriter stdout, TextWriter stderr)
    {
        if ((Config == null) == (Op == null))
        {
            stderr.WriteLine("error: profile needs exactly one of --config FILE or --op NAME --shape SHAPES.");
            return ExitCodes.BadArguments;
        }
        // Failures end in CliApp, which maps them to exit codes as for every verb.
        NativeGan.Device? device = DeviceName == null ? null : NativeGan.Device.Parse(DeviceName);
        ProfileResult result = Config != null
            ? ProfileRun.Config(Config, Steps, Warmup, device)
            : ProfileRun.Op(Op!, Shape ?? throw new ArgumentException($"profile --op {Op}: --shape is required ({ProfileRun.OpHelp})."),
                device ?? NativeGan.Device.Cpu, Steps, Warmup);
        stdout.WriteLine($"profile of {result.What} on {result.Device}, {result.Steps} steps after {Warmup} warm-up; " +
            (result.Device.Kind == DeviceKind.Cpu ? "each op timed by the host clock" : "kernels timed by events on the device stream (no sync per op)"));
        stdout.Write(result.Table());
        if (Trace != null)
        {
            result.WriteTrace(OutputPath.ForFile(Trace));
            stdout.WriteLine($"trace: {Trace} ({result.Kernels.Count} kernel events, {result.Phases.Count} phase events)");
        }
        return ExitCodes.Ok;
    }
}
