using System.Globalization;
using NativeGan.Models.Sr;
using NativeGan.Models.Sr.Training;
using NativeGan.NN;
using NativeGan.Optim;

namespace NativeGan.Benchmarks.Harness;

/// <summary>
/// One RealESRGAN training step as `nativegan train --config configs/realesrgan_x4plus.yml` runs it after the
/// degradations (which DegradationBenchmarks times apart): RRDBNet x4 (23 blocks, 64 feat, 32 grow), D =
/// UNetDiscriminatorSN (64 feat, skip connections, spectral norm), G loss = L1 (USM GT) + VGG19 perceptual with
/// Real-ESRGAN's layer weights (conv1_2 0.1, conv2_2 0.1, conv3_4 / conv4_4 / conv5_4 1, random VGG weights: the
/// timing does not depend on them) + vanilla GAN 0.1, D step on the plain GT, Adam 1e-4 (0.9, 0.99) for both, EMA
/// 0.999. Batch 12, GT 256 on CUDA (Real-ESRGAN's own setting); batch 1, GT 64 on the CPU. The check: a small copy
/// (batch 1, GT 32, 2 blocks) runs one step on the device and on the CPU backend from the same weights and batch,
/// and the losses must agree (on the CPU: finite, and G and D moved).
/// </summary>
internal sealed class RealEsrganStepCase(int batch, int gtSize) : KernelCase
{
    private static readonly Dictionary<string, float> LayerWeights = new()
    {
        ["conv1_2"] = 0.1f, ["conv2_2"] = 0.1f, ["conv3_4"] = 1f, ["conv4_4"] = 1f, ["conv5_4"] = 1f,
    };

    private Device? device;
    private StepSetup? setup;

    public override string Name => $"realesrgan_step_{batch}x{gtSize}";
    public override string Shape => $"RealESRGAN x4 step, batch {batch}, GT {gtSize} (LR {gtSize / 4}), RRDBNet 23 blocks + U-Net D + VGG19";
    public override bool RecordsGraph => true;

    private sealed class StepSetup(SrTrainStep step, Module g, Module d, Vgg19FeatureExtractor vgg, Tensor lq, Tensor gt, Tensor gtUsm) : IDisposable
    {
        public SrTrainStep Step { get; } = step;
        public Module G { get; } = g;
        public Module D { get; } = d;
        public Tensor Lq { get; } = lq;
        public Tensor Gt { get; } = gt;
        public Tensor GtUsm { get; } = gtUsm;

        public SrStepResult Run()
        {
            using var scope = Tensor.Scope();
            return Step.Step(Lq, GtUsm, GtUsm, Gt);
        }

        public void Dispose()
        {
            Step.Dispose();
            G.Dispose();
            D.Dispose();
            vgg.Dispose();
            Lq.Dispose();
            Gt.Dispose();
            GtUsm.Dispose();
        }
    }

    private static StepSetup Build(Device dev, int batch, int gtSize, int blocks)
    {
        var init = new NativeGan.Generator(0x2E5);
        var g = new RRDBNet(3, 3, 4, 64, blocks, 32, dev, init);
        var d = new UNetDiscriminatorSN(3, 64, true, dev, init);
        var vgg = new Vgg19FeatureExtractor(LayerWeights.Keys.ToArray(), true, false, dev);
        vgg.LoadTorchvisionWeights(RandomVggWeights(), "random VGG19 weights (benchmark)");
        var perceptual = new PerceptualLoss(vgg, LayerWeights, 1f, 0f, "l1");
        var optG = new Adam(g.Parameters(), 1e-4f, (0.9f, 0.99f));
        var optD = new Adam(d.Parameters(), 1e-4f, (0.9f, 0.99f));
        var step = new SrTrainStep("realesrgan", g, optG, d, optD, ema: new ModuleEma(g, 0.999f), pixelType: "l1", pixelWeight: 1f,
            perceptual: perceptual, gan: new SrGanLoss("vanilla", 0.1f));
        var data = new NativeGan.Generator(0x2E6);
        var lq = Tensor.Rand([batch, 3, gtSize / 4, gtSize / 4], dev, data);
        var gt = Tensor.Rand([batch, 3, gtSize, gtSize], dev, data);
        var gtUsm = Tensor.Rand([batch, 3, gtSize, gtSize], dev, data);
        return new StepSetup(step, g, d, vgg, lq, gt, gtUsm);
    }

    /// <summary>torchvision's vgg19 features.N keys up to conv5_4 (index 34), uniform in +-1/sqrt(fan_in).</summary>
    private static Dictionary<string, NativeGan.IO.SafetensorsEntry> RandomVggWeights()
    {
        int[] convIndex = { 0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34 };
        int[] width = { 64, 64, 128, 128, 256, 256, 256, 256, 512, 512, 512, 512, 512, 512, 512, 512 };
        var rng = new Random(0x7661);
        var state = new Dictionary<string, NativeGan.IO.SafetensorsEntry>();
        int cin = 3;
        for (int i = 0; i < convIndex.Length; i++)
        {
            int cout = width[i];
            float bound = 1f / MathF.Sqrt(cin * 9);
            float[] R(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * bound).ToArray();
            state[$"features.{convIndex[i]}.weight"] = new() { Name = $"features.{convIndex[i]}.weight", DType = "F32", Shape = new[] { cout, cin, 3, 3 }, Data = R(cout * cin * 9) };
            state[$"features.{convIndex[i]}.bias"] = new() { Name = $"features.{convIndex[i]}.bias", DType = "F32", Shape = new[] { cout }, Data = R(cout) };
            cin = cout;
        }
        return state;
    }

    public override void Setup(Device d)
    {
        device = d;
        setup = Build(d, batch, gtSize, 23);
    }

    public override void Call() => setup!.Run();

    public override Validation Validate()
    {
        using var small = Build(device!, 1, 32, 2);
        var g0 = small.G.Parameters().First().ToArray();
        var d0 = small.D.Parameters().First().ToArray();
        var r = small.Run();
        float[] Losses(SrStepResult x) => new[] { x.GPix ?? float.NaN, x.GPercep ?? float.NaN, x.GGan ?? float.NaN, x.DReal ?? float.NaN, x.DFake ?? float.NaN };
        var got = Losses(r);
        if (!got.All(float.IsFinite))
            return new Validation(false, double.NaN, $"non-finite losses [{string.Join(", ", got)}]");
        if (g0.SequenceEqual(small.G.Parameters().First().ToArray()) || d0.SequenceEqual(small.D.Parameters().First().ToArray()))
            return new Validation(false, double.NaN, "G or D did not move in a step");
        string text(float[] v) => string.Join(" ", v.Select(x => x.ToString("0.000000", CultureInfo.InvariantCulture)));
        if (device!.Kind == DeviceKind.Cpu) return new Validation(true, 0, $"losses finite ({text(got)}), G and D moved");
        using var cpu = Build(Device.Cpu, 1, 32, 2);
        var want = Losses(cpu.Run());
        double err = got.Zip(want, (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(b))).Max();
        return new Validation(err <= 1e-3, err, $"pix/percep/gan/d_real/d_fake {text(got)}; CPU backend {text(want)}");
    }

    public override void Dispose()
    {
        setup?.Dispose();
        setup = null;
    }
}
