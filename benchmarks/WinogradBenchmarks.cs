using BenchmarkDotNet.Attributes;
using NativeGan.Models.Sr;

namespace NativeGan.Benchmarks;

/// <summary>
/// Inference on the CPU backend with the Winograd F(4x4, 3x3) convolution (Exact = false, the default) and with
/// <see cref="Device.ExactConvolution"/> set (the direct im2col path): conv 3x3 64->64 at 1x64x64 (an RRDBNet trunk
/// layer), and realesr-general-x4v3 (SRVGGNetCompact, 64 features, 32 convs, x4) on a 1x3x256x256 image.
/// Run: dotnet run --project benchmarks -c Release -- --filter *Winograd*
/// </summary>
[MemoryDiagnoser]
public class WinogradBenchmarks
{
    private Tensor x = null!, weight = null!, bias = null!, image = null!;
    private SRVGGNetCompact net = null!;

    [Params(false, true)]
    public bool Exact { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var device = Device.Cpu;
        var gen = new NativeGan.Generator(0);
        x = Tensor.Randn(new[] { 1, 64, 64, 64 }, device, gen).DetachFromScope();
        weight = Tensor.Randn(new[] { 64, 64, 3, 3 }, device, gen).Mul(0.05f).Detach().DetachFromScope();
        bias = Tensor.Randn(new[] { 64 }, device, gen).Detach().DetachFromScope();
        net = new SRVGGNetCompact(3, 3, 64, 32, 4, "prelu", device, gen);
        net.Eval();
        net.RequiresGrad(false);
        image = Tensor.Rand(new[] { 1, 3, 256, 256 }, device, gen).DetachFromScope();
        Device.ExactConvolution = Exact;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Device.ExactConvolution = false;
        net.Dispose();
    }

    [Benchmark]
    public void Conv64x64At64()
    {
        using var scope = Tensor.Scope();
        using var noGrad = Tensor.NoGrad();
        Tensor.Conv2d(x, weight, bias, padding: 1);
    }

    [Benchmark]
    public void SrvggX4At256()
    {
        using var scope = Tensor.Scope();
        using var noGrad = Tensor.NoGrad();
        net.Forward(image);
    }
}
