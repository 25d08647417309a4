using System.Globalization;
using CommandLine;
using NativeGan.Verification;

namespace NativeGan.Cli.Verbs;

[Verb("gradcheck", HelpText = "Check every op against PyTorch reference cases (--fixtures DIR) or against finite differences.")]
public sealed class GradcheckVerb : ICommand
{
    [Option("fixtures", HelpText = "A folder of *.safetensors reference cases (in.NAME, out, gout, grad.NAME; op and args in the metadata).")]
    public string? Fixtures { get; set; }

    [Option("device", Default = "cpu", HelpText = "cpu, cuda, cuda:N or ilgpu-cpu.")]
    public string DeviceName { get; set; } = "cpu";

    [Option("rtol", HelpText = "Relative tolerance for fixtures (default 1e-4 on the CPU, 1e-3 on CUDA).")]
    public double? Rtol { get; set; }

    [Option("atol", Default = 1e-5, HelpText = "Absolute tolerance for fixtures.")]
    public double Atol { get; set; }

    [Option("seed", Default = 1, HelpText = "Seed of the random shapes and values of the finite-difference checks.")]
    public int Seed { get; set; }

    public int Run(TextWriter stdout, TextWriter stderr)
    {
        var device = Device.Parse(DeviceName);
        double rtol = Rtol ?? (device.Kind == DeviceKind.Cuda ? 1e-3 : 1e-4);
        IEnumerable<VerificationLine> lines;
        string errorColumn;
        if (Fixtures != null)
        {
            lines = VerificationSuite.RunFixtureFolder(Fixtures, device, rtol, Atol);
            errorColumn = "max rel error";
            stdout.WriteLine($"Reference cases in {Fixtures} on {device} (rtol {rtol:G3}, atol {Atol:G3})");
        }
        else
        {
            lines = VerificationSuite.RunFiniteDifferences(device, Seed);
            errorColumn = "error / tolerance";
            stdout.WriteLine($"Finite-difference gradchecks of every registered op on {device} (seed {Seed})");
        }
        stdout.WriteLine($"{"case",-44} {"op",-24} {errorColumn,17}  result");
        int passed = 0, failed = 0;
        foreach (var line in lines)
        {
            string err = double.IsNaN(line.MaxRelError) ? "-" : line.MaxRelError.ToString("0.00E+00", CultureInfo.InvariantCulture);
            stdout.WriteLine($"{Clip(line.Case, 44),-44} {Clip(line.Op, 24),-24} {err,17}  {(line.Passed ? "pass" : "FAIL")}");
            if (!line.Passed && line.Detail != null) stdout.WriteLine($"    {line.Detail}");
            if (line.Passed) passed++; else failed++;
        }
        stdout.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 ? ExitCodes.Ok : ExitCodes.RuntimeFailure;
    }

    private static string Clip(string s, int width) => s.Length <= width ? s : s[..(width - 1)] + "…";
}
