using NativeGan.Models.Gans;

namespace NativeGan.Benchmarks.Harness;

/// <summary>
/// One DCGAN training call (PyTorch examples' layout, 64x64, nz 100, ngf = ndf = 64, BCE, Adam 2e-4 (0.5, 0.999)):
/// D on real and detached fake, then G with the non-saturating loss, as `nativegan train` runs it. On a GPU the
/// first call's losses are checked against the CPU backend from the same weights and batch (the CPU path is the one
/// the op fixtures verify against PyTorch); on the CPU the check is that the losses are finite and both networks moved.
/// FLOPs: the convolutions of G forward, D on 2N images forward, D on N fakes again for G, x 3 for the backward passes.
/// </summary>
internal sealed class DcganStepCase(int batch, int size = 64) : KernelCase
{
    private const int Nz = 100, Nf = 64;
    // 64x64 RGB (PyTorch examples); 28x28 grayscale (Fashion-MNIST, the project's DCGAN 28 layout).
    private int Size => size;
    private int Channels => size == 28 ? 1 : 3;
    private Device? device;
    private DcganStep? step;
    private Tensor? real;

    public override string Name => $"dcgan{size}_step_{batch}";
    public override string Shape => $"DCGAN {size}x{size}x{Channels}, batch {batch}, one D + one G step";
    public override bool RecordsGraph => true;

    public override double Flops
    {
        get
        {
            if (size != 64) return 0;
            static double Conv(int cin, int cout, int k, int outHw) => 2.0 * cin * cout * k * k * outHw * outHw;
            // G: ConvT as its adjoint conv (same multiply-adds); D: 4-2-1 convs down to 4x4, then 4x4 -> 1.
            double g = Conv(Nf * 8, Nz, 4, 4) + Conv(Nf * 4, Nf * 8, 4, 8) + Conv(Nf * 2, Nf * 4, 4, 16) + Conv(Nf, Nf * 2, 4, 32) + Conv(3, Nf, 4, 64);
            double d = Conv(3, Nf, 4, 32) + Conv(Nf, Nf * 2, 4, 16) + Conv(Nf * 2, Nf * 4, 4, 8) + Conv(Nf * 4, Nf * 8, 4, 4) + Conv(Nf * 8, 1, 4, 1);
            // Forward: G once, D on real + fake + fake again; backward: twice each forward (grad-input, grad-weight).
            return 3.0 * batch * (g + 3 * d);
        }
    }

    private DcganStep Build(Device d)
    {
        var g = new NativeGan.Generator(0xDC64);
        var gen = new DcganGenerator(Size, Channels, Nz, Nf, d, g);
        var disc = new DcganDiscriminator(Size, Channels, Nf, d, g);
        return new DcganStep(gen, disc, rng: new NativeGan.Generator(0xDC65));
    }

    private Tensor RealBatch(int batch, Device d) =>
        Tensor.Rand(new[] { batch, Channels, Size, Size }, d, new NativeGan.Generator(0xDC66), -1f, 1f);

    public override void Setup(Device d)
    {
        device = d;
        step = Build(d);
        real = RealBatch(batch, d);
    }

    public override void Call()
    {
        using var scope = Tensor.Scope();
        step!.Step(real!);
    }

    public override Validation Validate() => GanStepCheck.Validate(device!, Build, d => RealBatch(batch, d));

    public override void Dispose()
    {
        step?.Dispose();
        real?.Dispose();
        step = null;
        real = null;
    }
}
