using BenchmarkDotNet.Attributes;

namespace NativeGan.Benchmarks;

/// <summary>
/// Reductions on the CPU backend as the layers use them, on an NCHW activation [16, 64, 64, 64] (4M floats):
/// the whole-tensor sum (losses), the per-channel mean and variance over (N, H, W) (batch norm's statistics),
/// the per-sample-and-channel mean over (H, W) (instance norm), and the max over channels (a reduction along a
/// strided middle axis). The GB/s column counts the input read once (4 bytes an element).
/// </summary>
[Config(typeof(ThroughputConfig))]
public class ReductionBenchmarks
{
    private Tensor x = null!;

    [Params(16 * 64 * 64 * 64)]
    public int N;

    [GlobalSetup]
    public void Setup() => x = Tensor.Rand(new[] { 16, 64, 64, 64 }, Device.Cpu, new NativeGan.Generator(2), -1f, 1f);

    [GlobalCleanup]
    public void Cleanup()
    {
        x.Dispose();
        Device.Cpu.EmptyCache();
    }

    [Benchmark(Baseline = true), BytesPerElement(4)]
    public float SumAll()
    {
        using var s = x.Sum();
        return s.Item();
    }

    [Benchmark, BytesPerElement(4)]
    public void MeanOverBatchAndSpace() => x.Mean(new[] { 0, 2, 3 }).Dispose();

    [Benchmark, BytesPerElement(4)]
    public void VarOverBatchAndSpace() => x.Var(new[] { 0, 2, 3 }, unbiased: false).Dispose();

    [Benchmark, BytesPerElement(4)]
    public void MeanOverSpace() => x.Mean(new[] { 2, 3 }).Dispose();

    [Benchmark, BytesPerElement(4)]
    public void MaxOverChannels() => x.Max(new[] { 1 }).Dispose();
}
