using NativeGan.Models.Gans;

namespace NativeGan.Benchmarks.Harness;

/// <summary>
/// One vanilla GAN training call as `nativegan train --config configs/gan_fashion.yml` runs it (compare's
/// mlp_gan_step_32 workload): D 784-128-1 (LeakyReLU 0.01, Sigmoid), G 64-256-784 (LeakyReLU 0.01, Tanh), BCE, one D
/// step on real and detached fake, one G step, Adam 3e-4 (0.5, 0.999). The step is overhead, not FLOPs. The check:
/// finite losses and G moved; on a GPU the first call's losses against the CPU backend from the same weights, batch and
/// noise.
/// </summary>
internal sealed class MlpGanStepCase(int batch) : KernelCase
{
    private VanillaGanStep? step;
    private Tensor? real;
    private Device? device;

    public override string Name => $"mlp_gan_step_{batch}";
    public override string Shape => $"vanilla GAN, D 784-128-1, G 64-256-784, batch {batch}, one D + one G step";
    public override bool RecordsGraph => true;

    private static VanillaGanStep Build(Device d)
    {
        var g = new NativeGan.Generator(0x61A);
        return new VanillaGanStep(new VanillaGenerator(64, 256, 784, null, d, g), new VanillaDiscriminator(784, 128, d, g), rng: new NativeGan.Generator(0x61B));
    }

    private Tensor RealBatch(Device d) => Tensor.Rand(new[] { batch, 784 }, d, new NativeGan.Generator(0x61C), -1f, 1f);

    public override void Setup(Device d)
    {
        device = d;
        step = Build(d);
        real = RealBatch(d);
    }

    public override void Call()
    {
        using var scope = Tensor.Scope();
        step!.Step(real!);
    }

    public override Validation Validate() => GanStepCheck.Validate(device!, Build, RealBatch);

    public override void Dispose()
    {
        step?.Dispose();
        real?.Dispose();
        step = null;
        real = null;
    }
}
