using BenchmarkDotNet.Attributes;

namespace NativeGan.Benchmarks;

/// <summary>
/// Bandwidth-bound ops on the CPU backend (managed SIMD). Each call allocates its result from the pool and
/// returns it at once, as a training step does; the GB/s column counts reads + writes.
/// </summary>
[Config(typeof(ThroughputConfig))]
public class ElementwiseBenchmarks
{
    private Tensor a = null!, b = null!;

    [Params(1 << 20, 1 << 24)]
    public int N;

    [GlobalSetup]
    public void Setup()
    {
        var g = new NativeGan.Generator(1);
        a = Tensor.Rand(new[] { N }, Device.Cpu, g, -1f, 1f);
        b = Tensor.Rand(new[] { N }, Device.Cpu, g, -1f, 1f);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        a.Dispose();
        b.Dispose();
        Device.Cpu.EmptyCache();
    }

    [Benchmark(Baseline = true), BytesPerElement(12)]
    public void Add() => a.Add(b).Dispose();

    [Benchmark, BytesPerElement(8)]
    public void Relu() => a.Relu().Dispose();

    [Benchmark, BytesPerElement(8)]
    public void MulScalar() => a.Mul(1.5f).Dispose();

    [Benchmark, BytesPerElement(4)]
    public float Sum()
    {
        using var s = a.Sum();
        return s.Item();
    }
}
