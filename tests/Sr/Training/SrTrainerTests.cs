using NativeGan.Cli;
using NativeGan.IO;
using NativeGan.Models.Sr;
using NativeGan.Models.Sr.Training;
using NativeGan.Models.Training;
using NativeGan.NN;
using NativeGan.Tests.Data;
using static NativeGan.Tests.Sr.Training.SrTrainingTestUtil;

namespace NativeGan.Tests.Sr.Training;

// Bitwise resume compares runs: kept out of the parallel pool as the GAN trainer tests are.
[Collection(nameof(NativeGan.Tests.Engine.MemoryTests))]
public class SrTrainerTests
{
    private static Dictionary<string, float[]> Snapshot(Module m) => m.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor.ToArray());

    private static bool Same(Dictionary<string, float[]> a, Dictionary<string, float[]> b) => a.All(kv => kv.Value.AsSpan().SequenceEqual(b[kv.Key]));

    // ---------------------------------------------------------------- one step of each trainer

    [Theory]
    [InlineData("rrdbnet_psnr")]
    [InlineData("esrgan")]
    [InlineData("srgan")]
    public void OneStepChangesGAndLeavesDFrozenDuringTheGStep(string model)
    {
        using var dir = new TempDir();
        bool adversarial = model != "rrdbnet_psnr";
        string train = adversarial ? WriteSyntheticImages(dir, "train", 2, 136) : CopyImages(dir, "train", "astronaut.png", "chelsea.png");
        string vgg = WriteEarlyVggWeights(dir);
        var cfg = SrConfig.Parse(TinyYaml(model, train, vgg: vgg, total: 1, gtSize: adversarial ? 128 : 32), "tiny.yml");
        using var t = new SrTrainer(cfg, Path.Combine(dir.Path, "run"));
        var g0 = Snapshot(t.G);
        var d0 = t.D == null ? null : Snapshot(t.D);
        bool hookRan = false;
        t.Step.AfterGeneratorBackward = s =>
        {
            hookRan = true;
            Assert.Contains(s.G.Parameters(), p => p.Grad != null);
            if (s.D != null)
            {
                Assert.All(s.D.Parameters(), p => Assert.Null(p.Grad));           // frozen: no gradient reaches D
                Assert.All(s.D.Parameters(), p => Assert.False(p.RequiresGrad));
                Assert.True(Same(d0!, Snapshot(s.D)));                           // and nothing changed it before the D step
            }
        };
        var result = t.Run(cancellation: TestContext.Current.CancellationToken);
        Assert.True(hookRan);
        Assert.Equal(1, result.Iteration);
        Assert.False(Same(g0, Snapshot(t.G)));
        if (t.D != null)
        {
            Assert.False(Same(d0!, Snapshot(t.D)));                                 // the D step ran after
            Assert.All(t.D.Parameters(), p => Assert.True(p.RequiresGrad));
        }
        var row = File.ReadAllLines(t.CsvPath)[1].Split(',');
        Assert.Equal("1", row[0]);
        Assert.NotEqual("", row[1]);                                                // l_g_pix
        Assert.NotEqual("", row[2]);                                                // l_g_percep (conv1_1)
        Assert.Equal(adversarial, row[4] != "" && row[5] != "" && row[6] != "");    // l_g_gan, l_d_real, l_d_fake
    }

    // ---------------------------------------------------------------- ESRGAN losses by hand

    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    private static double BceLogits(IEnumerable<double> x, bool real) => x.Average(v => real ? Softplus(v) - v : Softplus(v));

    [Fact]
    public void EsrganLossesMatchAHandComputation()
    {
        using var dir = new TempDir();
        string train = WriteSyntheticImages(dir, "train", 2, 128);
        var cfg = SrConfig.Parse(TinyYaml("esrgan", train, total: 1), "tiny.yml");
        using var t = new SrTrainer(cfg, Path.Combine(dir.Path, "run"));
        Assert.Null(t.Perceptual);
        var device = t.Device;
        // One fixed batch: gt and the LR made from it (any lq works for checking the losses).
        var rng = new Generator(11);
        using var gt = Tensor.Rand(new[] { 2, 3, 128, 128 }, device, rng);
        using var lq = Tensor.Rand(new[] { 2, 3, 32, 32 }, device, rng);

        float[] output, real, fake;
        using (Tensor.NoGrad())
        using (Tensor.Scope())
        {
            t.G.Train();
            t.D!.Train();
            var o = t.G.Forward(lq);
            output = o.ToArray();
            real = t.D.Forward(gt).ToArray();
            fake = t.D.Forward(o).ToArray();
        }
        var gtHost = gt.ToArray();
        double pix = 0.01 * output.Select((v, i) => (double)Math.Abs(v - gtHost[i])).Average();
        double meanReal = real.Average(v => (double)v), meanFake = fake.Average(v => (double)v);
        // G: (gan(real - mean(fake), false) + gan(fake - mean(real), true)) / 2, times loss_weight 5e-3.
        double gGan = 5e-3 * (BceLogits(real.Select(r => r - meanFake), false) + BceLogits(fake.Select(f => f - meanReal), true)) / 2;
        // D (on the same output, before G's update): l_d_real = gan(real - mean(fake), true) / 2, l_d_fake = gan(fake - mean(real), false) / 2.
        double dReal = BceLogits(real.Select(r => r - meanFake), true) / 2;
        double dFake = BceLogits(fake.Select(f => f - meanReal), false) / 2;

        var r = t.Step.Step(lq, gt);
        Assert.Equal(pix, r.GPix!.Value, 1e-6 + 1e-5 * pix);
        Assert.Equal(gGan, r.GGan!.Value, 1e-8 + 1e-5 * gGan);
        Assert.Equal(dReal, r.DReal!.Value, 1e-6 + 1e-5 * dReal);
        Assert.Equal(dFake, r.DFake!.Value, 1e-6 + 1e-5 * dFake);
        Assert.Equal(meanReal, r.OutDReal!.Value, 1e-5);
        Assert.Equal(meanFake, r.OutDFake!.Value, 1e-5);
        Assert.Null(r.GPercep);
    }

    [Fact]
    public void GeneratorStepsFollowNetDItersAndInitIters()
    {
        var g = new RRDBNet(3, 3, 4, 4, 1, 4, Device.Cpu);
        var d = new VGGStyleDiscriminator(3, 4, 128, Device.Cpu);
        using var esrgan = new SrTrainStep("esrgan", g, new NativeGan.Optim.Adam(g.Parameters()), d, new NativeGan.Optim.Adam(d.Parameters()), gan: new SrGanLoss(),
            netDIters: 2, netDInitIters: 3);
        // BasicSR: current_iter = iteration + 1; G steps when current_iter % 2 == 0 and current_iter > 3.
        Assert.Equal(new[] { false, false, false, true, false, true }, Enumerable.Range(0, 6).Select(i => esrgan.RunsGeneratorStep(i)).ToArray());
        using var srgan = new SrTrainStep("srgan", g, new NativeGan.Optim.Adam(g.Parameters()), d, new NativeGan.Optim.Adam(d.Parameters()), gan: new SrGanLoss(),
            netDIters: 2, netDInitIters: 3);
        // MMEditing: step_counter % 2 == 0 and step_counter >= 3.
        Assert.Equal(new[] { false, false, false, false, true, false }, Enumerable.Range(0, 6).Select(i => srgan.RunsGeneratorStep(i)).ToArray());
    }

    // ---------------------------------------------------------------- run folder, resume

    [Theory]
    [InlineData("rrdbnet_psnr")]
    [InlineData("esrgan")]
    public void ResumeReproducesTheUninterruptedLossesBitwise(string model)
    {
        using var dir = new TempDir();
        bool adversarial = model == "esrgan";
        string train = adversarial ? WriteSyntheticImages(dir, "train", 3, 128) : CopyImages(dir, "train", "astronaut.png", "chelsea.png", "coffee.png");
        string val = CopyImages(dir, "val", "coffee.png");
        string vgg = WriteEarlyVggWeights(dir);
        string yaml = TinyYaml(model, train, val, vgg, total: 4, checkpointEvery: 2, valFreq: 2, gtSize: adversarial ? 128 : 32);
        string straight = Path.Combine(dir.Path, "straight"), split = Path.Combine(dir.Path, "split");
        using (var t = new SrTrainer(SrConfig.Parse(yaml, "a.yml"), straight)) t.Run(cancellation: TestContext.Current.CancellationToken);
        using (var t = new SrTrainer(SrConfig.Parse(yaml, "a.yml"), split))
        {
            t.Run(untilIteration: 3, cancellation: TestContext.Current.CancellationToken);  // one row past the checkpoint at 2
            Assert.Equal("iter_000003.safetensors", File.ReadAllText(Path.Combine(split, "checkpoints", "latest")).Trim());
        }
        File.WriteAllText(Path.Combine(split, "checkpoints", "latest"), "iter_000002.safetensors\n");
        using (var t = SrTrainer.Resume(split))
        {
            Assert.Equal(2, t.Iteration);
            t.Run(cancellation: TestContext.Current.CancellationToken);
            Assert.Equal(4, t.Iteration);
        }
        var a = File.ReadAllLines(Path.Combine(straight, "log.csv"));
        var b = File.ReadAllLines(Path.Combine(split, "log.csv"));
        Assert.Equal(5, a.Length);
        Assert.Equal(SrTrainer.CsvHeader, a[0]);
        var cols = SrTrainer.CsvHeader.Split(',').ToList();
        Assert.NotEqual("", a[2].Split(',')[cols.IndexOf("psnr")]);         // psnr at iteration 2 (the EMA's)
        Assert.NotEqual("", a[2].Split(',')[cols.IndexOf("psnr_plain")]);   // and of G's own weights
        Assert.NotEqual("", a[4].Split(',')[cols.IndexOf("ssim")]);         // ssim at iteration 4
        Assert.Equal(a, b);
        // The final EMA weights agree too.
        var ea = Safetensors.Read(Path.Combine(straight, "models", "net_g_4.safetensors"));
        var eb = Safetensors.Read(Path.Combine(split, "models", "net_g_4.safetensors"));
        foreach (var (k, e) in ea.Tensors) Assert.Equal(e.Data, eb.Tensors[k].Data);
    }

    [Fact]
    public void CheckpointHoldsParamsAndParamsEmaAndTheReleasedWeightsLoadIntoAFreshNetwork()
    {
        using var dir = new TempDir();
        string train = CopyImages(dir, "train", "astronaut.png", "chelsea.png");
        var cfg = SrConfig.Parse(TinyYaml("rrdbnet_psnr", train, total: 2, gtSize: 32), "tiny.yml");
        string outDir = Path.Combine(dir.Path, "run");
        using var t = new SrTrainer(cfg, outDir);
        t.Run(cancellation: TestContext.Current.CancellationToken);
        var ckpt = Safetensors.Read(CheckpointStore.Latest(outDir));
        Assert.Equal(SrTrainer.CheckpointFormat, ckpt.Metadata["format"]);
        Assert.Contains("params.conv_first.weight", ckpt.Tensors.Keys);
        Assert.Contains("params_ema.conv_first.weight", ckpt.Tensors.Keys);
        Assert.Contains("params_ema.body.0.rdb1.conv1.weight", ckpt.Tensors.Keys);
        Assert.Contains(ckpt.Tensors.Keys, k => k.StartsWith("opt_g.state.0.exp_avg"));
        Assert.Contains(ckpt.Tensors.Keys, k => k.StartsWith("sched_g.last_epoch"));
        Assert.NotEqual(ckpt.Tensors["params.conv_first.weight"].Data, ckpt.Tensors["params_ema.conv_first.weight"].Data);

        // models/net_g_2.safetensors: BasicSR's plain keys, the EMA weights; WeightsFile reads it and a fresh RRDBNet loads it strictly.
        string released = Path.Combine(outDir, "models", "net_g_2.safetensors");
        Assert.True(File.Exists(Path.Combine(outDir, "models", "net_g_latest.safetensors")));
        var weights = WeightsFile.Load(released);
        Assert.Equal(ckpt.Tensors["params_ema.conv_first.weight"].Data, weights["conv_first.weight"].Data);
        using var fresh = new RRDBNet(3, 3, 4, 8, 1, 4, Device.Cpu);
        fresh.LoadStateDict(weights.ToDictionary(kv => kv.Key, kv => kv.Value.Data), strict: true);
        Assert.True(File.Exists(Path.Combine(outDir, "loss.png")));
        Assert.Empty(Directory.GetFiles(Path.Combine(outDir, "checkpoints"), "*.tmp*"));
    }

    [Fact]
    public void PretrainNetworkGStartsFromTheGivenWeights()
    {
        using var dir = new TempDir();
        string train = CopyImages(dir, "train", "astronaut.png", "chelsea.png");
        using var source = new RRDBNet(3, 3, 4, 8, 1, 4, Device.Cpu, new Generator(99));
        string pre = dir.File("pre/net_g.safetensors");
        source.SaveSafetensors(pre);
        var cfg = SrConfig.Parse(TinyYaml("rrdbnet_psnr", train, total: 1, gtSize: 32, extra: $"pretrain_network_g: {Q(pre)}"), "tiny.yml");
        using var t = new SrTrainer(cfg, Path.Combine(dir.Path, "run"));
        Assert.True(Same(Snapshot(source), Snapshot(t.G)));

        var bad = SrConfig.Parse(TinyYaml("rrdbnet_psnr", train, total: 1, gtSize: 32, extra: $"pretrain_network_g: {Q(pre)}").Replace("num_feat: 8", "num_feat: 16"), "wide.yml");
        var e = Assert.Throws<ConfigException>(() => new SrTrainer(bad, Path.Combine(dir.Path, "run2")));
        Assert.Contains("wide.yml", e.Message);
        Assert.Contains("pretrain_network_g", e.Message);
    }

    [Fact]
    public void PerceptualLossWithoutVggWeightsRefusesToStartAndSaysWhereToPutThem()
    {
        using var dir = new TempDir();
        string train = WriteSyntheticImages(dir, "train", 2, 128);
        var cfg = SrConfig.Parse(TinyYaml("esrgan", train).Replace("  perceptual: ~", "  perceptual: {layer_weights: {conv1_1: 1}}"), "p.yml");
        var e = Assert.Throws<ConfigException>(() => new SrTrainer(cfg, Path.Combine(dir.Path, "run")));
        Assert.Contains("p.yml", e.Message);
        Assert.Contains("losses.perceptual.vgg_weights", e.Message);
        Assert.Contains("vgg19-dcbb9e9d.pth", e.Message);
    }

    // ---------------------------------------------------------------- CLI

    [Fact]
    public void CliTrainDispatchesAnSrConfigAndResumes()
    {
        using var dir = new TempDir();
        string train = CopyImages(dir, "train", "astronaut.png", "chelsea.png");
        string val = CopyImages(dir, "val", "coffee.png");
        string cfg = dir.File("tiny_sr.yml");
        File.WriteAllText(cfg, TinyYaml("rrdbnet_psnr", train, val, total: 50, valFreq: 2, gtSize: 32));
        string outDir = Path.Combine(dir.Path, "runs", "tiny");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(new[] { "train", "--config", cfg, "--out", outDir, "--iterations", "2" }, stdout, stderr);
        Assert.True(code == 0, stdout.ToString() + stderr);
        string output = stdout.ToString();
        Assert.Contains("training rrdbnet_psnr (RRDBNet x4)", output);
        Assert.Contains("iter 2/2", output);
        Assert.Contains("l_pix", output);
        Assert.Contains("validation at iter 2: psnr", output);
        Assert.Contains("done: 2/2", output);
        // The summary names the released weights and how EMA and plain validated.
        Assert.Contains("net_g_latest.safetensors = EMA weights (params_ema; ema_decay 0.999 with warm-up, 2 updates, last decay 0.18182)", output);
        Assert.Contains("last validation (iter 2): EMA psnr ", output);
        Assert.Contains($"`nativegan upscale -m {outDir}` takes the ", output);

        stdout = new StringWriter();
        code = CliApp.Run(new[] { "train", "--resume", outDir, "--iterations", "3" }, stdout, stderr);
        Assert.True(code == 0, stdout.ToString() + stderr);
        Assert.Contains("resuming", stdout.ToString());
        Assert.Contains("done: 3/3", stdout.ToString());
        Assert.Equal(4, File.ReadAllLines(Path.Combine(outDir, "log.csv")).Length);

        File.WriteAllText(cfg, "model: esrgan\nlosses: {gan: {type: ragann}}\n");
        stderr = new StringWriter();
        code = CliApp.Run(new[] { "train", "--config", cfg, "--out", Path.Combine(dir.Path, "bad") }, new StringWriter(), stderr);
        Assert.NotEqual(0, code);
        Assert.StartsWith("error: ", stderr.ToString());
        Assert.Contains("tiny_sr.yml", stderr.ToString());
        Assert.Contains("losses.gan.type", stderr.ToString());
    }
}
