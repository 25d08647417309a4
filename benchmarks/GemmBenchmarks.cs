using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using NativeGan.Backends.Cpu;

namespace NativeGan.Benchmarks;

/// <summary>CpuSgemm, square C = A * B, beta = 0. Run: dotnet run -c Release --project benchmarks -- --filter *Gemm* --job short</summary>
[Config(typeof(GflopsConfig))]
public class GemmBenchmarks
{
    [Params(256, 512, 1024, 2048)]
    public int Size;

    private float[] _a = [], _b = [], _c = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _a = new float[Size * Size];
        _b = new float[Size * Size];
        _c = new float[Size * Size];
        for (int i = 0; i < _a.Length; i++) { _a[i] = (float)rng.NextDouble(); _b[i] = (float)rng.NextDouble(); }
    }

    [Benchmark]
    public void Sgemm() => CpuSgemm.Sgemm(false, false, Size, Size, Size, 1f, _a, 0, Size, _b, 0, Size, 0f, _c, 0, Size);

    private sealed class GflopsConfig : ManualConfig
    {
        public GflopsConfig() => AddColumn(new GflopsColumn());
    }

    /// <summary>2 * Size^3 / mean time.</summary>
    private sealed class GflopsColumn : IColumn
    {
        public string Id => "GFLOPs";
        public string ColumnName => "GFLOP/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "2 * Size^3 floating-point operations per second, from the mean";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is not { } stats) return "-";
            double n = Convert.ToDouble(benchmarkCase.Parameters["Size"]);
            return (2 * n * n * n / stats.Mean).ToString("F1");   // Mean is in ns: flop / ns = GFLOP/s
        }
    }
}
