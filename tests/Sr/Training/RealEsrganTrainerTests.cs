using NativeGan.IO;
using NativeGan.Models.Sr;
using NativeGan.Models.Sr.Data;
using NativeGan.Models.Sr.Training;
using NativeGan.Models.Training;
using NativeGan.NN;
using NativeGan.Tests.Data;
using static NativeGan.Tests.Sr.Training.SrTrainingTestUtil;

namespace NativeGan.Tests.Sr.Training;

/// <summary>RealESRNet and RealESRGAN (Real-ESRGAN's two stages) on real photos, tiny networks, CPU.</summary>
[Collection(nameof(NativeGan.Tests.Engine.MemoryTests))]
public class RealEsrganTrainerTests
{
    private static Dictionary<string, float[]> Snapshot(Module m) => m.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor.ToArray());

    private static bool Same(Dictionary<string, float[]> a, Dictionary<string, float[]> b) => a.All(kv => kv.Value.AsSpan().SequenceEqual(b[kv.Key]));

    /// <summary>A tiny run in NativeGan's own layout: RRDBNet 8 feat / 1 block, U-Net D 8 feat, GT 32 from crop_pad 48,
    /// batch 2, queue 4, Real-ESRGAN's degradation defaults otherwise.</summary>
    private static string Yaml(string model, string train, string? vgg = null, int total = 2, int checkpointEvery = 1, int queue = 4, string extra = "") => $"""
        model: {model}
        scale: 4
        seed: 11
        device: cpu
        network_g: {"{type: RRDBNet, num_feat: 8, num_block: 1, num_grow_ch: 4}"}
        network_d: {"{type: UNetDiscriminatorSN, num_feat: 8, skip_connection: true}"}
        datasets:
          train: {"{"}dataroot_gt: {Q(train)}, gt_size: 32, crop_pad_size: 48, batch_size: 2, use_hflip: true, use_rot: false{"}"}
        degradation:
          queue_size: {queue}
        losses:
        {(vgg == null ? "  perceptual: ~" : $"  perceptual: {{layer_weights: {{conv1_2: 0.1}}, vgg_weights: {Q(vgg)}}}")}
        total_iter: {total}
        val_freq: 0
        save_checkpoint_freq: {checkpointEvery}
        print_freq: 1
        {extra}
        """;

    [Fact]
    public void RealEsrNetStepTrainsGeneratorOnDegradedPhotos()
    {
        using var dir = new TempDir();
        string train = CopyImages(dir, "train", "astronaut.png", "chelsea.png", "coffee.png");
        var config = SrConfig.Parse(Yaml("realesrnet", train, total: 1), "net.yml");
        Assert.Equal(1f, config.PixelLoss!.LossWeight);
        Assert.Null(config.PerceptualLoss);
        Assert.Equal(2e-4f, config.OptimG.Lr);
        using var t = new SrTrainer(config, Path.Combine(dir.Path, "run"));
        Assert.Null(t.D);
        Assert.False(t.Degradation!.SharpenBeforeDegrading);   // RealESRNetModel sharpens the whole GT itself (gt_usm)
        var before = Snapshot(t.G);
        t.Run(cancellation: TestContext.Current.CancellationToken);
        Assert.False(Same(before, Snapshot(t.G)));
        var row = File.ReadAllLines(t.CsvPath)[1].Split(',');
        float pix = float.Parse(row[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(float.IsFinite(pix) && pix > 0, $"l_g_pix {pix}");
        Assert.Equal("", row[4]);   // no GAN term
    }

    [Fact]
    public void RealEsrganStepTrainsGeneratorAndUNetDiscriminator()
    {
        using var dir = new TempDir();
        string train = CopyImages(dir, "train", "astronaut.png", "chelsea.png");
        string vgg = WriteEarlyVggWeights(dir);
        var config = SrConfig.Parse(Yaml("realesrgan", train, vgg, total: 1), "gan.yml");
        Assert.Equal(0.1f, config.GanLoss.LossWeight);
        Assert.Equal((0.9f, 0.99f), config.OptimD.Betas);
        Assert.True(config.L1GtUsm && config.PercepGtUsm && !config.GanGtUsm);
        using var t = new SrTrainer(config, Path.Combine(dir.Path, "run"));
        Assert.IsType<UNetDiscriminatorSN>(t.D);
        var g0 = Snapshot(t.G);
        var d0 = Snapshot(t.D!);
        t.Run(cancellation: TestContext.Current.CancellationToken);
        Assert.False(Same(g0, Snapshot(t.G)));
        Assert.False(Same(d0, Snapshot(t.D!)));
        var cells = File.ReadAllLines(t.CsvPath)[1].Split(',');
        Assert.Equal("", cells[3]);   // no style term (style_weight 0)
        var row = new[] { 1, 2, 4, 5, 6 }.Select(i => float.Parse(cells[i], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.All(row, v => Assert.True(float.IsFinite(v)));   // pix, percep, gan, d_real, d_fake
    }

    [Fact]
    public void RealEsrganStepUsesItsThreeTargets()
    {
        // The pixel loss is against l1_gt and the perceptual loss against percep_gt, recomputed here from G's output.
        using var dir = new TempDir();
        var d = Device.Cpu;
        var g = new RRDBNet(3, 3, 4, 8, 1, 4, d, new Generator(1));
        var disc = new UNetDiscriminatorSN(3, 8, true, d, new Generator(2));
        var vgg = new Vgg19FeatureExtractor(new[] { "conv1_2" }, true, false, d);
        vgg.LoadTorchvisionWeights(WeightsFile.Load(WriteEarlyVggWeights(dir)), "vgg");
        var perceptual = new PerceptualLoss(vgg, new Dictionary<string, float> { ["conv1_2"] = 1f }, 1f, 0f, "l1");
        using var step = new SrTrainStep("realesrgan", g, new NativeGan.Optim.Adam(g.Parameters()), disc, new NativeGan.Optim.Adam(disc.Parameters()),
            pixelType: "l1", pixelWeight: 1f, perceptual: perceptual, gan: new SrGanLoss("vanilla", 0.1f));
        var rng = new Generator(3);
        var lq = Tensor.Rand([2, 3, 8, 8], d, rng);
        var l1Gt = Tensor.Rand([2, 3, 32, 32], d, rng);
        var percepGt = Tensor.Rand([2, 3, 32, 32], d, rng);
        var ganGt = Tensor.Rand([2, 3, 32, 32], d, rng);
        float expectPix, expectPercep;
        using (Tensor.NoGrad())
        {
            g.Train();
            var output = g.Forward(lq);
            expectPix = Losses.L1(output, l1Gt).Item();
            expectPercep = perceptual.Compute(output, percepGt).Perceptual!.Item();
        }
        var r = step.Step(lq, l1Gt, percepGt, ganGt);
        Assert.Equal(expectPix, r.GPix!.Value, 6);
        Assert.Equal(expectPercep, r.GPercep!.Value, 5);
        Assert.NotNull(r.GGan);
        // Real-ESRGAN's G-step rule is esrgan's (1-based current_iter).
        Assert.True(step.RunsGeneratorStep(0));
        vgg.Dispose();
    }

    [Fact]
    public void StageTwoStartsFromStageOnesEmaWeights()
    {
        using var dir = new TempDir();
        string train = CopyImages(dir, "train", "astronaut.png", "chelsea.png");
        string stage1 = Path.Combine(dir.Path, "stage1");
        using (var t = new SrTrainer(SrConfig.Parse(Yaml("realesrnet", train, total: 2, checkpointEvery: 2), "net.yml"), stage1))
            t.Run(cancellation: TestContext.Current.CancellationToken);
        var checkpoint = Safetensors.Read(Path.Combine(stage1, "checkpoints", "iter_000002.safetensors"));
        var ema = checkpoint.Tensors.Where(kv => kv.Key.StartsWith("params_ema.")).ToDictionary(kv => kv.Key["params_ema.".Length..], kv => kv.Value.Data);
        var raw = checkpoint.Tensors.Where(kv => kv.Key.StartsWith("params.")).ToDictionary(kv => kv.Key["params.".Length..], kv => kv.Value.Data);
        Assert.NotEmpty(ema);
        Assert.Contains(ema, kv => !kv.Value.AsSpan().SequenceEqual(raw[kv.Key]));   // EMA and G differ: the test can tell them apart

        string vgg = WriteEarlyVggWeights(dir);
        foreach (string file in new[] { Path.Combine(stage1, "checkpoints", "iter_000002.safetensors"), Path.Combine(stage1, "models", "net_g_latest.safetensors") })
        {
            var config = SrConfig.Parse(Yaml("realesrgan", train, vgg, extra: $"pretrain_network_g: {Q(file)}\nparam_key_g: params_ema"), "gan.yml");
            using var t = new SrTrainer(config, Path.Combine(dir.Path, "stage2_" + Path.GetFileNameWithoutExtension(file)));
            var loaded = t.G.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
            Assert.Equal(ema.Keys.OrderBy(k => k), loaded.Keys.OrderBy(k => k));
            foreach (var (k, v) in ema) Assert.Equal(v, loaded[k]);
        }

        // The released file holds the EMA weights: asking it for 'params' is refused, naming both.
        var wrong = SrConfig.Parse(Yaml("realesrgan", train, vgg,
            extra: $"pretrain_network_g: {Q(Path.Combine(stage1, "models", "net_g_latest.safetensors"))}\nparam_key_g: params"), "gan.yml");
        var e = Assert.Throws<ConfigException>(() => new SrTrainer(wrong, Path.Combine(dir.Path, "stage2_wrong")));
        Assert.Contains("param_key_g params", e.Message);
        Assert.Contains("params_ema", e.Message);
    }

    [Fact]
    public void ResumeAfterThreeOfSixStepsEqualsSixUninterruptedSteps()
    {
        using var dir = new TempDir();
        string train = CopyImages(dir, "train", "astronaut.png", "chelsea.png", "coffee.png");
        string vgg = WriteEarlyVggWeights(dir);
        // queue 4 = two batches: the pool is full from step 3 on, so the resumed run must restore its contents.
        string yaml = Yaml("realesrgan", train, vgg, total: 6, checkpointEvery: 3);
        string straight = Path.Combine(dir.Path, "straight"), split = Path.Combine(dir.Path, "split");
        using (var t = new SrTrainer(SrConfig.Parse(yaml, "a.yml"), straight)) t.Run(cancellation: TestContext.Current.CancellationToken);
        using (var t = new SrTrainer(SrConfig.Parse(yaml, "a.yml"), split))
        {
            t.Run(untilIteration: 3, cancellation: TestContext.Current.CancellationToken);
            Assert.Equal(4, t.PairPool!.Count);
        }
        using (var t = SrTrainer.Resume(split))
        {
            Assert.Equal(3, t.Iteration);
            Assert.Equal(4, t.PairPool!.Count);
            t.Run(cancellation: TestContext.Current.CancellationToken);
        }
        var a = File.ReadAllLines(Path.Combine(straight, "log.csv"));
        var b = File.ReadAllLines(Path.Combine(split, "log.csv"));
        Assert.Equal(7, a.Length);
        Assert.Equal(a, b);
        foreach (var name in new[] { "iter_000006.safetensors" })
        {
            var ca = Safetensors.Read(Path.Combine(straight, "checkpoints", name));
            var cb = Safetensors.Read(Path.Combine(split, "checkpoints", name));
            foreach (var (k, e) in ca.Tensors) Assert.Equal(e.Data, cb.Tensors[k].Data);
        }
    }

    [Fact]
    public void QueueSizeNotAMultipleOfTheBatchIsRefusedNamingBoth()
    {
        using var dir = new TempDir();
        string train = CopyImages(dir, "train", "astronaut.png", "chelsea.png");
        var e = Assert.Throws<ConfigException>(() => SrConfig.Parse(Yaml("realesrnet", train, queue: 5), "q.yml"));
        Assert.Contains("q.yml", e.Message);
        Assert.Contains("queue_size", e.Message);
        Assert.Contains("5", e.Message);
        Assert.Contains("batch", e.Message);
        Assert.Contains("4 or 6", e.Message);
    }

    [Fact]
    public void UnknownDegradationKeyIsRefusedNamingKeyAndFile()
    {
        using var dir = new TempDir();
        string train = CopyImages(dir, "train", "astronaut.png");
        var e = Assert.Throws<ConfigException>(() => SrConfig.Parse(Yaml("realesrnet", train).Replace("queue_size: 4", "queue_size: 4\n  jpeg_rnage: [30, 95]"), "k.yml"));
        Assert.Contains("k.yml", e.Message);
        Assert.Contains("degradation.jpeg_rnage", e.Message);
    }

    [Fact]
    public void ConfigRoundTripsThroughToYaml()
    {
        using var dir = new TempDir();
        string train = CopyImages(dir, "train", "astronaut.png");
        var a = SrConfig.Parse(Yaml("realesrgan", train, extra: "gan_gt_usm: true\nparam_key_g: params").Replace("queue_size: 4", "queue_size: 4\n  jpeg_range2: [40, 90]\n  second_blur_prob: 0.5"), "a.yml");
        a.Text = null;
        var b = SrConfig.Parse(a.ToYaml(), "b.yml");
        Assert.Equal(a.ToYaml(), b.ToYaml());
        Assert.True(b.GanGtUsm);
        Assert.Equal("params", b.ParamKeyG);
        Assert.Equal(new[] { 40.0, 90.0 }, b.Degradation!.jpeg_range2);
        Assert.Equal(0.5, b.Degradation.second_blur_prob);
        Assert.Equal(48, b.Train.CropPadSize);
        Assert.Equal("UNetDiscriminatorSN", b.NetworkD.Type);
    }

    // ---------------------------------------------------------------- the GT source

    [Fact]
    public void GtSourceListsMetaInfoPadsSmallImagesAndCropsLargeOnes()
    {
        using var dir = new TempDir();
        string root = CopyImages(dir, "gt", "astronaut.png", "chelsea.png", "coffee.png");   // 96x96, 96x80, 90x75
        string meta = dir.File("meta_info.txt");
        File.WriteAllText(meta, "coffee.png (75,90,3)\n\nastronaut.png\n");
        var source = new RealEsrganGtSource(root, meta, cropPadSize: 88, enlargeRatio: 2);
        Assert.Equal(2, source.Files);
        Assert.Equal(4, source.Count);
        Assert.EndsWith("coffee.png", source.Name(0));
        Assert.EndsWith("astronaut.png", source.Name(3));
        var random = new SrRandom(1);
        var coffee = source.ReadRandomPatch(0, 88, ref random);   // 75 rows < 88: padded by reflection; 90 columns > 88: cropped
        Assert.Equal((88, 88), (coffee.GtHeight, coffee.GtWidth));
        var whole = source.Read(0);
        int h = whole.GtHeight, w = whole.GtWidth;
        // Row 75 of the padded image is row 73 of the photo (reflect-101), in the same cropped columns.
        int left = -1;
        for (int l = 0; l <= w - 88 && left < 0; l++)
            if (Enumerable.Range(0, 88).All(x => coffee.Gt[x] == whole.Gt[l + x])) left = l;
        Assert.True(left >= 0, "the patch's first row is a window of the photo's first row");
        for (int x = 0; x < 88; x++) Assert.Equal(whole.Gt[73 * w + left + x], coffee.Gt[75 * 88 + x]);

        File.WriteAllText(meta, "coffee.png\nmissing.png\n");
        var e = Assert.Throws<FileNotFoundException>(() => new RealEsrganGtSource(root, meta));
        Assert.Contains("line 2", e.Message);
        Assert.Contains("missing.png", e.Message);
        Assert.Contains(meta, e.Message);
    }
}
