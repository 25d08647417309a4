using System.Globalization;

namespace NativeGan.Benchmarks.Harness;

/// <summary>Command-line options of `harness`. Parsed by hand: BenchmarkDotNet owns the other arguments.</summary>
internal sealed record HarnessOptions
{
    public string DeviceSpec { get; init; } = "auto";
    public bool Quick { get; init; }
    public string? BaselinePath { get; init; }
    public string? CsvPath { get; init; }
    /// <summary>Only cases whose name contains one of these (comma-separated on the command line).</summary>
    public string[] Filters { get; init; } = Array.Empty<string>();
    /// <summary>Timed calls per trial; 0 picks enough for about <see cref="TargetSeconds"/>.</summary>
    public int Reps { get; init; }
    public int Trials { get; init; } = 3;
    public double TargetSeconds { get; init; } = 0.3;

    public const string Usage = """
        usage: dotnet run --project benchmarks -c Release -- harness [options]
          --device SPEC      cpu | cuda | cuda:N | ilgpu-cpu | auto (default auto: CUDA if present, else cpu)
          --quick            smaller sizes, one trial, shorter timing
          --baseline FILE    JSON object: case name -> PyTorch microseconds per call (others print n/a)
          --csv FILE         also write the results as CSV
          --cases A,B        only cases whose name contains A or B (e.g. add,gemm_1024)
          --reps N           timed calls per trial (default: enough for ~0.3 s)
          --trials N         timed trials per case, the median is reported (default 3)
        """;

    /// <summary>Parses the arguments after `harness`; throws ArgumentException with a sentence on bad input.</summary>
    public static HarnessOptions Parse(string[] args)
    {
        var o = new HarnessOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Value()
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--"))
                    throw new ArgumentException($"option {a} needs a value.");
                return args[++i];
            }
            int Positive()
            {
                string v = Value();
                if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n <= 0)
                    throw new ArgumentException($"option {a} expects a positive integer, got '{v}'.");
                return n;
            }
            o = a switch
            {
                "--device" => o with { DeviceSpec = Value() },
                "--quick" => o with { Quick = true, Trials = 1, TargetSeconds = 0.1 },
                "--baseline" => o with { BaselinePath = Value() },
                "--csv" => o with { CsvPath = Value() },
                "--cases" => o with { Filters = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--reps" => o with { Reps = Positive() },
                "--trials" => o with { Trials = Positive() },
                "--help" or "-h" => throw new HelpRequested(),
                _ => throw new ArgumentException($"unknown option '{a}'."),
            };
        }
        return o;
    }

    internal sealed class HelpRequested : Exception;
}
