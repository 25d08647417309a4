using BenchmarkDotNet.Attributes;

namespace NativeGan.Benchmarks;

/// <summary>
/// conv 3x3 64->64, batch 16, 32x32, padding 1, no bias, on the CPU backend: forward, and forward + backward (grads of
/// input and weight), the same work as compare's conv_64_64_fwd / conv_64_64 CPU workloads (Compare/CompareWorkloads.cs):
/// PyTorch 1.13 CPU on the 2-core machine: 6.7 ms forward, 21.4 ms forward + backward.
/// </summary>
[MemoryDiagnoser]
public class Conv2dBenchmarks
{
    private Tensor x = null!, weight = null!, gradOutput = null!;

    [GlobalSetup]
    public void Setup()
    {
        var device = Device.Cpu;
        var gen = new NativeGan.Generator(0);
        x = Tensor.Randn(new[] { 16, 64, 32, 32 }, device, gen).DetachFromScope().RequireGrad();
        weight = Tensor.Randn(new[] { 64, 64, 3, 3 }, device, gen).Mul(0.05f).Detach().DetachFromScope().RequireGrad();
        gradOutput = Tensor.Randn(new[] { 16, 64, 32, 32 }, device, gen).DetachFromScope();
    }

    [Benchmark]
    public void Forward()
    {
        using var scope = Tensor.Scope();
        using var noGrad = Tensor.NoGrad();
        Tensor.Conv2d(x, weight, padding: 1);
    }

    [Benchmark]
    public void ForwardBackward()
    {
        using var scope = Tensor.Scope();
        var y = Tensor.Conv2d(x, weight, padding: 1);
        Autograd.Grad(new[] { y }, new[] { x, weight }, new[] { gradOutput });
    }
}
