using NativeGan.Models.Gans;

namespace NativeGan.Benchmarks.Harness;

/// <summary>
/// One ProGAN iteration at the last stage of a run to <c>resolution</c> (<see cref="ProGanStep"/>): a D step with
/// WGAN-GP (gradient penalty through D, lambda 10, plus drift 0.001 mean(D(real)^2)) and a G step, Adam 1e-3 (0, 0.99),
/// default widths (fmap_base 8192, fmap_max 512: 512 up to 32x32, 256 at 64, 128 at 128), latent 512, minibatch-stddev
/// group 4, batch 16 (configs/progan_128.yml's batch at 64 and 128). Alpha 1: the stable phase that most of a stage's
/// iterations run in; mid-fade adds only the previous resolution's 1x1 toRGB / fromRGB and a pooling (under 1% of the
/// FLOPs). Checked before timing: the tiny mid-fade G and D fixtures (tools/make_i2i_network_fixtures.py) against
/// PyTorch on the device; on a GPU also the first step's D and G losses against the CPU backend from the same weights,
/// batch and noise, at batch 4 (a batch-16 step at 128x128 takes minutes on the CPU backend); on the CPU, a step at
/// batch 4 gives finite losses and moves G. FLOPs (estimate): G's convolutions x 3 (forward, both backward), D's x 14
/// (real, fake and interpolated forwards, the penalty's create-graph backward and its double backward, the D backward,
/// D forward + input gradient for the G step).
/// </summary>
internal sealed class ProGanStepCase(int resolution, int batch = 16) : KernelCase
{
    private const int ValidationBatch = 4;
    private Device? device;
    private ProGanStep? step;
    private Tensor? real;

    public override string Name => $"progan_step_{resolution}";
    public override string Shape => $"ProGAN {resolution}x{resolution} last stage, alpha 1, batch {batch}, WGAN-GP + drift, one D + one G step";
    public override bool RecordsGraph => true;

    public override double Flops
    {
        get
        {
            int stages = ProGanShapes.Stages(resolution);
            int W(int s) => ProGanShapes.Width(s, 8192, 512);
            static double Conv(double cin, double cout, int k, double hw) => 2.0 * cin * cout * k * k * hw * hw;
            double g = 2.0 * W(0) * W(0) * 16 + Conv(W(0), W(0), 3, 4) + Conv(W(stages - 1), 3, 1, resolution);
            double d = Conv(3, W(stages - 1), 1, resolution) + Conv(W(0) + 1, W(0), 3, 4) + 2.0 * 16 * W(0) * W(0) + 2.0 * W(0);
            for (int s = 1; s < stages; s++)
            {
                int r = ProGanShapes.Resolution(s);
                g += Conv(W(s - 1), W(s), 3, r) + Conv(W(s), W(s), 3, r);
                d += Conv(W(s), W(s), 3, r) + Conv(W(s), W(s - 1), 3, r);
            }
            return batch * (3 * g + 14 * d);
        }
    }

    private ProGanStep Build(Device d)
    {
        var g = new NativeGan.Generator(0x9A0);
        var gen = new ProGanGenerator(resolution, 3, device: d, generator: g);
        var disc = new ProGanDiscriminator(resolution, 3, device: d, generator: g);
        return new ProGanStep(gen, disc, "wgan-gp", stage: gen.StageCount - 1, rng: new NativeGan.Generator(0x9A1));
    }

    private Tensor Reals(int n, Device d) =>
        Tensor.Rand(new[] { n, 3, resolution, resolution }, d, new NativeGan.Generator(0x9A2), -1f, 1f);

    public override void Setup(Device d)
    {
        device = d;
        step = Build(d);
        real = Reals(batch, d);
    }

    public override void Call()
    {
        using var scope = Tensor.Scope();
        step!.Step(real!, 1f);
    }

    private float[] FirstLosses(Device d, out bool moved)
    {
        using var fresh = Build(d);
        using var images = Reals(ValidationBatch, d);
        var before = fresh.G.Dense.Weight.ToArray();
        ProGanStepResult r;
        using (Tensor.Scope()) r = fresh.Step(images, 1f);
        moved = !before.SequenceEqual(fresh.G.Dense.Weight.ToArray());
        fresh.G.Dispose();
        fresh.D.Dispose();
        return new[] { r.DLoss, r.GLoss, r.DReal, r.DFake, r.GradientPenalty ?? float.NaN, r.Drift ?? float.NaN };
    }

    public override Validation Validate()
    {
        static int Int(System.Text.Json.JsonElement c, string k) => c.GetProperty(k).GetInt32();
        var fg = ModelFixtureCheck.Run("progan_g_tiny_16", device!, (c, d) =>
        {
            var net = new ProGanGenerator(Int(c, "resolution"), Int(c, "channels"), Int(c, "latent_dim"), Int(c, "fmap_base"), Int(c, "fmap_max"), d);
            float alpha = (float)c.GetProperty("alpha").GetDouble();
            int stage = Int(c, "stage");
            return (net, z => net.Forward(z, stage, alpha));
        });
        if (!fg.Ok) return fg;
        var fd = ModelFixtureCheck.Run("progan_d_tiny_16", device!, (c, d) =>
        {
            var net = new ProGanDiscriminator(Int(c, "resolution"), Int(c, "channels"), Int(c, "fmap_base"), Int(c, "fmap_max"), Int(c, "mbstd_group_size"), d);
            float alpha = (float)c.GetProperty("alpha").GetDouble();
            int stage = Int(c, "stage");
            return (net, x => net.Forward(x, stage, alpha));
        });
        if (!fd.Ok) return fd;
        string fixtures = $"{fg.Detail}; {fd.Detail}";
        double fixtureErr = Math.Max(fg.MaxError, fd.MaxError);
        var losses = FirstLosses(device!, out bool moved);
        if (!losses.All(float.IsFinite))
            return new Validation(false, double.NaN, $"non-finite first-step losses {string.Join(", ", losses)}");
        if (!moved) return new Validation(false, double.NaN, "G's dense weight did not change in a step");
        if (device!.Kind == DeviceKind.Cpu)
            return new Validation(true, fixtureErr, $"{fixtures}; batch-{ValidationBatch} step: losses finite, G moved");
        var c = ModelFixtureCheck.CompareLosses($"ProGAN batch {ValidationBatch}", losses, FirstLosses(Device.Cpu, out _));
        return c with { Detail = $"{fixtures}; {c.Detail}" };
    }

    public override void Dispose()
    {
        step?.G.Dispose();
        step?.D.Dispose();
        step?.Dispose();
        real?.Dispose();
        step = null;
        real = null;
    }
}
