using BenchmarkDotNet.Running;
using NativeGan.Benchmarks.Harness;

namespace NativeGan.Benchmarks;

/// <summary>
/// `harness [options]` runs the device kernel harness (<see cref="KernelHarness"/>); `degrade [options]` times the
/// degradation pipeline (<see cref="DegradationBenchmarks.Run"/>); everything else goes to
/// BenchmarkDotNet's switcher over every benchmark class in this assembly (e.g. `--filter *Elementwise*`).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "harness")
            return KernelHarness.Run(args[1..]);
        if (args.Length > 0 && args[0] == "compare")
            return Compare.CompareCommand.Run(args[1..]);
        if (args.Length > 0 && args[0] == "degrade")
            return DegradationBenchmarks.Run(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
