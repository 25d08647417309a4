using NativeGan.Models.ImageToImage;

namespace NativeGan.Benchmarks.Harness;

/// <summary>
/// One CycleGAN iteration as <c>nativegan train</c> runs it (<see cref="CycleGanStep"/>, the reference's
/// optimize_parameters): G_A and G_B (ResNet, ngf 64, instance norm, 9 blocks at 256 and 6 below as
/// <see cref="ResnetGenerator.BlocksFor"/>), D_A and D_B (70x70 PatchGAN, ndf 64), LSGAN, cycle 10, identity 0.5 x 10,
/// image pools of 50, Adam 2e-4 (0.5, 0.999), batch 1. Checked before timing: the tiny ResNet generator fixture
/// (tools/make_i2i_network_fixtures.py) against PyTorch on the device, and the first step's eight losses against the
/// CPU backend from the same weights and images (on the CPU: finite, and G moved).
/// FLOPs (estimate): convolutions of 6 G forwards (fake, rec, identity for both directions) x 3 for the backward,
/// and of 4 D forwards in the D step x 3 plus 2 in the G step x 2 (D frozen: input gradient only).
/// </summary>
internal sealed class CycleGanStepCase(int size) : KernelCase
{
    private const int Nf = 64;
    private Device? device;
    private CycleGanStep? step;
    private Tensor? realA, realB;

    public override string Name => $"cyclegan_step_{size}";
    public override string Shape => $"CycleGAN {size}x{size}, batch 1, resnet_{ResnetGenerator.BlocksFor(size)}blocks + PatchGAN, one G + one D step";
    public override bool RecordsGraph => true;

    public override double Flops
    {
        get
        {
            static double Conv(int cin, int cout, int k, double outHw) => 2.0 * cin * cout * k * k * outHw * outHw;
            double s = size;
            // ConvT counted as its adjoint conv (same multiply-adds, over its input pixels).
            double g = Conv(3, Nf, 7, s) + Conv(Nf, 2 * Nf, 3, s / 2) + Conv(2 * Nf, 4 * Nf, 3, s / 4)
                + ResnetGenerator.BlocksFor(size) * 2 * Conv(4 * Nf, 4 * Nf, 3, s / 4)
                + Conv(4 * Nf, 2 * Nf, 3, s / 4) + Conv(2 * Nf, Nf, 3, s / 2) + Conv(Nf, 3, 7, s);
            double d = Conv(3, Nf, 4, s / 2) + Conv(Nf, 2 * Nf, 4, s / 4) + Conv(2 * Nf, 4 * Nf, 4, s / 8)
                + Conv(4 * Nf, 8 * Nf, 4, s / 8 - 1) + Conv(8 * Nf, 1, 4, s / 8 - 2);
            return 6 * 3 * g + (4 * 3 + 2 * 2) * d;
        }
    }

    private CycleGanStep Build(Device d)
    {
        var g = new NativeGan.Generator(0xC1C1E);
        int blocks = ResnetGenerator.BlocksFor(size);
        var gA = new ResnetGenerator(3, 3, Nf, I2iNorm.Instance, false, blocks, d, g);
        var gB = new ResnetGenerator(3, 3, Nf, I2iNorm.Instance, false, blocks, d, g);
        var dA = new NLayerDiscriminator(3, Nf, 3, I2iNorm.Instance, d, g);
        var dB = new NLayerDiscriminator(3, Nf, 3, I2iNorm.Instance, d, g);
        return new CycleGanStep(gA, gB, dA, dB, new I2iGanLoss("lsgan"), 10f, 10f, 0.5f, poolSize: 50, lr: 2e-4f, betas: (0.5f, 0.999f), seed: 7);
    }

    private (Tensor A, Tensor B) Images(Device d)
    {
        var g = new NativeGan.Generator(0xC1C1F);
        return (Tensor.Rand(new[] { 1, 3, size, size }, d, g, -1f, 1f), Tensor.Rand(new[] { 1, 3, size, size }, d, g, -1f, 1f));
    }

    public override void Setup(Device d)
    {
        device = d;
        step = Build(d);
        (realA, realB) = Images(d);
    }

    public override void Call()
    {
        using var scope = Tensor.Scope();
        step!.Step(realA!, realB!);
    }

    private static float[] Losses(CycleGanStepResult r) => new[] { r.DA, r.GA, r.CycleA, r.IdtA, r.DB, r.GB, r.CycleB, r.IdtB };

    private float[] FirstLosses(Device d, out bool moved)
    {
        using var fresh = Build(d);
        var (a, b) = Images(d);
        using (a)
        using (b)
        {
            var before = fresh.GA.Parameters().First().ToArray();
            CycleGanStepResult r;
            using (Tensor.Scope()) r = fresh.Step(a, b);
            moved = !before.SequenceEqual(fresh.GA.Parameters().First().ToArray());
            var losses = Losses(r);
            foreach (var m in new[] { fresh.GA, fresh.GB, fresh.DA, fresh.DB }) m.Dispose();
            return losses;
        }
    }

    public override Validation Validate()
    {
        var fixture = ModelFixtureCheck.Run("i2i_resnet_g_tiny", device!, (cfg, d) =>
        {
            var net = new ResnetGenerator(cfg.GetProperty("input_nc").GetInt32(), cfg.GetProperty("output_nc").GetInt32(), cfg.GetProperty("ngf").GetInt32(),
                I2iNorm.Instance, false, cfg.GetProperty("n_blocks").GetInt32(), d);
            return (net, net.Forward);
        });
        if (!fixture.Ok) return fixture;
        var losses = FirstLosses(device!, out bool moved);
        if (!losses.All(float.IsFinite))
            return new Validation(false, double.NaN, $"non-finite first-step losses {string.Join(", ", losses)}");
        if (!moved) return new Validation(false, double.NaN, "G_A's first weight did not change in a step");
        if (device!.Kind == DeviceKind.Cpu)
            return fixture with { Detail = fixture.Detail + "; first-step losses finite, G moved" };
        var cpu = FirstLosses(Device.Cpu, out _);
        var c = ModelFixtureCheck.CompareLosses("CycleGAN", losses, cpu);
        return c with { Detail = fixture.Detail + "; " + c.Detail };
    }

    public override void Dispose()
    {
        if (step != null)
            foreach (var m in new[] { step.GA, step.GB, step.DA, step.DB }) m.Dispose();
        step?.Dispose();
        realA?.Dispose();
        realB?.Dispose();
        step = null;
        realA = realB = null;
    }
}
