using BenchmarkDotNet.Attributes;

namespace NativeGan.Benchmarks;

/// <summary>
/// The vanilla MLP GAN shapes on the CPU backend, batch 32: D 784-128-1 (LeakyReLU 0.2, BCE with logits) and G
/// 64-256-784 (LeakyReLU 0.2, tanh). Forward + backward + zero-grad inside a Tensor.Scope, no optimizer update
/// (PyTorch's figure of 3.7 ms for this model at batch 32 includes two Adam steps). This step is overhead-bound: it
/// measures dispatch, autograd bookkeeping and the pool, not FLOPs.
/// </summary>
[MemoryDiagnoser]
public class MlpStepBenchmarks
{
    private const int Batch = 32, Image = 784, Hidden = 128, Latent = 64, GHidden = 256;
    private Generator gen = null!;
    private Tensor x = null!;
    private Tensor[] d = null!, g = null!;

    [GlobalSetup]
    public void Setup()
    {
        gen = new Generator(7);
        x = Tensor.Rand(new[] { Batch, Image }, Device.Cpu, gen, -1f, 1f);
        d = new[] { Param(Hidden, Image), Param(Hidden), Param(1, Hidden), Param(1) };
        g = new[] { Param(GHidden, Latent), Param(GHidden), Param(Image, GHidden), Param(Image) };
    }

    private Tensor Param(params int[] shape)
    {
        var t = Tensor.Randn(shape, Device.Cpu, gen, 0f, 0.05f);
        t.RequiresGrad = true;
        return t;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in d.Concat(g)) { t.ZeroGrad(); t.Dispose(); }
        x.Dispose();
        Device.Cpu.EmptyCache();
    }

    private Tensor D(Tensor input) =>
        Tensor.Linear(Tensor.Linear(input, d[0], d[1]).LeakyRelu(0.2f), d[2], d[3]);

    private Tensor G(Tensor z) =>
        Tensor.Linear(Tensor.Linear(z, g[0], g[1]).LeakyRelu(0.2f), g[2], g[3]).Tanh();

    private static void ZeroGrad(Tensor[] ps)
    {
        foreach (var p in ps) p.ZeroGrad();
    }

    private static void SetRequiresGrad(Tensor[] ps, bool value)
    {
        foreach (var p in ps) p.RequiresGrad = value;
    }

    /// <summary>D forward on a real batch, BCE-with-logits against 1, backward.</summary>
    [Benchmark(Baseline = true)]
    public void DiscriminatorForwardBackward()
    {
        using var scope = Tensor.Scope();
        Losses.BceWithLogits(D(x), 1f).Backward();
        ZeroGrad(d);
    }

    /// <summary>One D step (real vs detached fake) and one G step (non-saturating loss, D frozen), without the optimizer.</summary>
    [Benchmark]
    public void GanForwardBackward()
    {
        using var scope = Tensor.Scope();
        var z = Tensor.Randn(new[] { Batch, Latent }, Device.Cpu, gen);
        var fake = G(z);
        var lossD = Losses.BceWithLogits(D(x), 1f) + Losses.BceWithLogits(D(fake.Detach()), 0f);
        lossD.Backward();
        ZeroGrad(d);
        SetRequiresGrad(d, false); // D is frozen during the G step, as MMEditing's set_requires_grad does
        Losses.BceWithLogits(D(fake), 1f).Backward();
        SetRequiresGrad(d, true);
        ZeroGrad(g);
    }
}
