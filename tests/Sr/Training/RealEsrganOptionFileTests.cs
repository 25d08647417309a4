using NativeGan.IO;
using NativeGan.Models.Imaging;
using NativeGan.Models.Sr;
using NativeGan.Models.Sr.Training;
using NativeGan.Models.Training;
using NativeGan.NN;
using NativeGan.Tests.Data;
using static NativeGan.Tests.Sr.Training.SrTrainingTestUtil;

namespace NativeGan.Tests.Sr.Training;

/// <summary>
/// Real-ESRGAN's x2, fine-tuning and pair-data option files (tests/fixtures/realesrgan_options, verbatim) read as they
/// are, and one tiny CPU step of each model they describe (paths and sizes changed, as a user would change paths),
/// plus SRVGGNetCompact trained as Real-ESRGAN trains realesr-animevideov3.
/// </summary>
[Collection(nameof(NativeGan.Tests.Engine.MemoryTests))]
public class RealEsrganOptionFileTests
{
    private static string Upstream(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "realesrgan_options", name);

    private static Dictionary<string, float[]> Snapshot(Module m) => m.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor.ToArray());

    private static bool Same(Dictionary<string, float[]> a, Dictionary<string, float[]> b) => a.All(kv => kv.Value.AsSpan().SequenceEqual(b[kv.Key]));

    /// <summary>An upstream file shrunk to a one-step CPU run: tiny networks, 32-pixel GT, batch 2, no VGG (perceptual weight 0).</summary>
    private static string Shrink(string file, TempDir dir, params (string From, string To)[] more)
    {
        string text = File.ReadAllText(Upstream(file));
        foreach (var (from, to) in more)
        {
            Assert.Contains(from, text);
            text = text.Replace(from, to);
        }
        // The sizes every file shares (the x4 fine-tuning files have no num_block once network_g is replaced, hence no Contains).
        foreach (var (from, to) in new[]
        {
            ("gt_size: 256", "gt_size: 32"), ("queue_size: 180", "queue_size: 4"), ("batch_size_per_gpu: 12", "batch_size_per_gpu: 2"),
            ("num_feat: 64", "num_feat: 8"), ("num_block: 23", "num_block: 1"), ("num_grow_ch: 32", "num_grow_ch: 4"),
            ("perceptual_weight: !!float 1.0", "perceptual_weight: 0"), ("save_checkpoint_freq: !!float 5e3", "save_checkpoint_freq: 1"),
            ("total_iter: 1000000", "total_iter: 1"), ("total_iter: 400000", "total_iter: 1"),
        })
            text = text.Replace(from, to);
        string path = dir.File(file);
        File.WriteAllText(path, text);
        return path;
    }

    private static (string From, string To) GtOnly(string train) =>
        ("dataroot_gt: datasets/DF2K\n    meta_info: datasets/DF2K/meta_info/meta_info_DF2Kmultiscale+OST_sub.txt", $"dataroot_gt: {Q(train)}\n    meta_info: ~\n    crop_pad_size: 48");

    /// <summary>Weights of a network written as a released file holding <paramref name="key"/> (Real-ESRGAN's .pth as safetensors).</summary>
    private static Dictionary<string, float[]> WriteWeights(Module net, string path, string key)
    {
        var state = net.StateDictArrays();
        Safetensors.Write(path, net.StateDict().Select(kv => (kv.Key, kv.Value.Shape.ToArray(), state[kv.Key])),
            new Dictionary<string, string> { ["weights"] = key });
        return state;
    }

    [Fact]
    public void TheFourOptionFilesReadAsRealEsrganWroteThem()
    {
        var net2 = SrConfig.Load(Upstream("train_realesrnet_x2plus.yml"));
        Assert.Equal(("realesrnet", 2, 2, 256, 12), (net2.Model, net2.Scale, net2.NetworkG.Scale, net2.Train.GtSize, net2.Train.BatchSize));
        Assert.Equal(("experiments/pretrained_models/RealESRGAN_x4plus.pth", "params_ema", false), (net2.PretrainNetworkG, net2.ParamKeyG, net2.StrictLoadG));
        Assert.True(net2.DegradesGt);

        var gan2 = SrConfig.Load(Upstream("train_realesrgan_x2plus.yml"));
        Assert.Equal(("realesrgan", 2, "UNetDiscriminatorSN", true), (gan2.Model, gan2.Scale, gan2.NetworkD.Type, gan2.StrictLoadG));
        Assert.Equal("experiments/pretrained_models/RealESRNet_x2plus.pth", gan2.PretrainNetworkG);
        Assert.Equal(0.1f, gan2.GanLoss.LossWeight);

        var fine = SrConfig.Load(Upstream("finetune_realesrgan_x4plus.yml"));
        Assert.Equal(("realesrgan", 4, null), (fine.Model, fine.Scale, fine.NetworkG.Scale));
        Assert.Equal(("experiments/pretrained_models/RealESRGAN_x4plus_netD.pth", "params", true), (fine.PretrainNetworkD, fine.ParamKeyD, fine.StrictLoadD));

        var pair = SrConfig.Load(Upstream("finetune_realesrgan_x4plus_pairdata.yml"));
        Assert.Equal(("realesrgan", false, false, "RealESRGANPairedDataset"), (pair.Model, pair.HighOrderDegradation, pair.DegradesGt, pair.Train.DatasetType));
        Assert.Equal(("datasets/DF2K", "datasets/DF2K", "datasets/DF2K/meta_info/meta_info_DIV2K_sub_pair.txt"),
            (pair.Train.DatarootGt, pair.Train.DatarootLq, pair.Train.MetaInfo));
        Assert.Equal((256, true, false, true, true, false), (pair.Train.GtSize, pair.Train.UseHFlip, pair.Train.UseRot, pair.L1GtUsm, pair.PercepGtUsm, pair.GanGtUsm));
        Assert.Equal("experiments/pretrained_models/RealESRGAN_x4plus_netD.pth", pair.PretrainNetworkD);
    }

    [Theory]
    [InlineData("high_order_degradation: False", "high_order_degradation: True", "expected RealESRGANDataset")]
    [InlineData("    dataroot_lq: datasets/DF2K\n", "", "'datasets.train.dataroot_lq' is missing")]
    public void PairDataMismatchesAreRefusedWithTheReason(string from, string to, string expected)
    {
        string text = File.ReadAllText(Upstream("finetune_realesrgan_x4plus_pairdata.yml"));
        Assert.Contains(from, text);
        var e = Assert.Throws<ConfigException>(() => SrConfig.Parse(text.Replace(from, to), "pair.yml"));
        Assert.Contains(expected, e.Message);
        Assert.Contains("pair.yml", e.Message);
    }

    [Fact]
    public void RealEsrNetX2StartsFromTheX4ModelSkippingWhatDoesNotFit()
    {
        using var dir = new TempDir();
        string train = CopyImages(dir, "train", "astronaut.png", "chelsea.png");
        using var x4 = new RRDBNet(3, 3, 4, 8, 1, 4, Device.Cpu, new Generator(21));
        var x4State = WriteWeights(x4, dir.File("RealESRGAN_x4plus.safetensors"), "params_ema");
        string config = Shrink("train_realesrnet_x2plus.yml", dir, GtOnly(train),
            ("pretrain_network_g: experiments/pretrained_models/RealESRGAN_x4plus.pth", $"pretrain_network_g: {Q(dir.File("RealESRGAN_x4plus.safetensors"))}"));
        using var t = new SrTrainer(SrConfig.Load(config), Path.Combine(dir.Path, "run"));
        var g0 = Snapshot(t.G);
        // BasicSR's strict_load_g: false skips the keys whose shapes differ: conv_first reads 3 * 2^2 channels at x2.
        Assert.Equal(new[] { 8, 12, 3, 3 }, t.G.StateDict()["conv_first.weight"].Shape);
        Assert.False(g0["conv_first.weight"].AsSpan().SequenceEqual(x4State["conv_first.weight"]));
        Assert.Equal(x4State["body.0.rdb2.conv3.weight"], g0["body.0.rdb2.conv3.weight"]);
        Assert.Equal(x4State["conv_last.bias"], g0["conv_last.bias"]);
        t.Run(cancellation: TestContext.Current.CancellationToken);
        Assert.Equal(1, t.Iteration);
        Assert.False(Same(g0, Snapshot(t.G)));
    }

    [Fact]
    public void RealEsrganX2TrainsBothNetworks()
    {
        using var dir = new TempDir();
        string train = CopyImages(dir, "train", "astronaut.png", "chelsea.png");
        string config = Shrink("train_realesrgan_x2plus.yml", dir, GtOnly(train),
            ("pretrain_network_g: experiments/pretrained_models/RealESRNet_x2plus.pth", "pretrain_network_g: ~"));
        using var t = new SrTrainer(SrConfig.Load(config), Path.Combine(dir.Path, "run"));
        Assert.Equal(2, ((RRDBNet)t.G).Scale);
        var (g0, d0) = (Snapshot(t.G), Snapshot(t.D!));
        t.Run(cancellation: TestContext.Current.CancellationToken);
        Assert.False(Same(g0, Snapshot(t.G)));
        Assert.False(Same(d0, Snapshot(t.D!)));
    }

    [Fact]
    public void FinetuningStartsBothNetworksFromTheirFiles()
    {
        using var dir = new TempDir();
        string train = CopyImages(dir, "train", "astronaut.png", "chelsea.png");
        using var g = new RRDBNet(3, 3, 4, 8, 1, 4, Device.Cpu, new Generator(31));
        using var d = new UNetDiscriminatorSN(3, 8, true, Device.Cpu, new Generator(32));
        var gState = WriteWeights(g, dir.File("RealESRNet_x4plus.safetensors"), "params_ema");
        var dState = WriteWeights(d, dir.File("netD.safetensors"), "params");
        string config = Shrink("finetune_realesrgan_x4plus.yml", dir, GtOnly(train),
            ("pretrain_network_g: experiments/pretrained_models/RealESRNet_x4plus.pth", $"pretrain_network_g: {Q(dir.File("RealESRNet_x4plus.safetensors"))}"),
            ("pretrain_network_d: experiments/pretrained_models/RealESRGAN_x4plus_netD.pth", $"pretrain_network_d: {Q(dir.File("netD.safetensors"))}"));
        using var t = new SrTrainer(SrConfig.Load(config), Path.Combine(dir.Path, "run"));
        var (g0, d0) = (Snapshot(t.G), Snapshot(t.D!));
        Assert.True(Same(gState.Where(kv => g0.ContainsKey(kv.Key)).ToDictionary(), g0));
        Assert.True(Same(dState.Where(kv => d0.ContainsKey(kv.Key)).ToDictionary(), d0), "the discriminator starts from pretrain_network_d");
        t.Run(cancellation: TestContext.Current.CancellationToken);
        Assert.False(Same(d0, Snapshot(t.D!)));
    }

    [Fact]
    public void PairDataTrainsOnTheListedPairs()
    {
        using var dir = new TempDir();
        string gt = CopyImages(dir, "gt", "astronaut.png", "chelsea.png");
        foreach (var name in new[] { "astronaut", "chelsea" })
        {
            var hr = ImageIO.Read(Path.Combine(gt, name + ".png"));
            ImageIO.Write(dir.File($"lq/{name}x4.png"), PilResample.Lanczos(hr, hr.Width / 4, hr.Height / 4));
        }
        File.WriteAllText(dir.File("pairs.txt"), "astronaut.png, astronaut" + "x4.png\nchelsea.png, chelsea" + "x4.png\n");
        string config = Shrink("finetune_realesrgan_x4plus_pairdata.yml", dir,
            ("dataroot_gt: datasets/DF2K", $"dataroot_gt: {Q(gt)}"), ("dataroot_lq: datasets/DF2K", $"dataroot_lq: {Q(Path.Combine(dir.Path, "lq"))}"),
            ("meta_info: datasets/DF2K/meta_info/meta_info_DIV2K_sub_pair.txt", $"meta_info: {Q(dir.File("pairs.txt"))}"),
            ("pretrain_network_g: experiments/pretrained_models/RealESRNet_x4plus.pth", "pretrain_network_g: ~"),
            ("pretrain_network_d: experiments/pretrained_models/RealESRGAN_x4plus_netD.pth", "pretrain_network_d: ~"));
        using var t = new SrTrainer(SrConfig.Load(config), Path.Combine(dir.Path, "run"));
        var source = Assert.IsType<NativeGan.Models.Sr.Data.MetaInfoPairSource>(t.TrainSource);
        Assert.Equal((2, 4), (source.Count, source.Scale));
        Assert.EndsWith("chelseax4.png", source.LqFile(1));
        var (g0, d0) = (Snapshot(t.G), Snapshot(t.D!));
        t.Run(cancellation: TestContext.Current.CancellationToken);
        Assert.False(Same(g0, Snapshot(t.G)));
        Assert.False(Same(d0, Snapshot(t.D!)));
    }

    [Fact]
    public void CompactNetworkTrainsFromTheRealEsrNetFileAndUpscalesFromItsRunFolder()
    {
        using var dir = new TempDir();
        string train = CopyImages(dir, "train", "astronaut.png", "chelsea.png");
        string config = Shrink("train_realesrnet_x4plus.yml", dir, GtOnly(train),
            ("pretrain_network_g: experiments/pretrained_models/ESRGAN_SRx4_DF2KOST_official-ff704c30.pth", "pretrain_network_g: ~"),
            ("type: RRDBNet\n  num_in_ch: 3\n  num_out_ch: 3\n  num_feat: 64\n  num_block: 23\n  num_grow_ch: 32",
             "type: SRVGGNetCompact\n  num_in_ch: 3\n  num_out_ch: 3\n  num_feat: 8\n  num_conv: 2\n  upscale: 4\n  act_type: prelu"));
        string run = Path.Combine(dir.Path, "run");
        using (var t = new SrTrainer(SrConfig.Load(config), run))
        {
            var g = Assert.IsType<SRVGGNetCompact>(t.G);
            Assert.Equal((8, 2, 4, "prelu"), (g.NumFeat, g.NumConv, g.Upscale, g.ActType));
            var g0 = Snapshot(t.G);
            t.Run(cancellation: TestContext.Current.CancellationToken);
            Assert.False(Same(g0, Snapshot(t.G)));
        }
        // The released generator holds the EMA weights under BasicSR's keys; -m RUN picks the checkpoint's params_ema.
        var released = Safetensors.Read(Path.Combine(run, "models", "net_g_latest.safetensors"));
        Assert.Equal("params_ema", released.Metadata["weights"]);
        Assert.Contains("body.1.weight", released.Tensors.Keys);
        // The same release as BasicSR writes it (.pth, params and params_ema), for Real-ESRGAN's own scripts.
        string pth = Path.Combine(run, "models", SrTrainer.ReleasedPthName);
        Assert.Equal(WeightsFormat.Pth, WeightsFile.Detect(pth));
        var pthEma = PthReader.ReadStateDict(pth, out string? pthKey);
        Assert.Equal("params_ema", pthKey);
        Assert.Equal(released.Tensors.Keys.Order(StringComparer.Ordinal), pthEma.Keys.Order(StringComparer.Ordinal));
        foreach (var (k, e) in released.Tensors) Assert.Equal(e.Data, pthEma[k].Data);
        Assert.Equal(pthEma.Keys.Order(StringComparer.Ordinal), PthReader.ReadStateDict(pth, "params").Keys.Order(StringComparer.Ordinal));
        using var fromRun = SrModelFile.Load(run, Device.Cpu);
        Assert.Equal(new SrArchitecture("SRVGGNetCompact", 4, 3, 3, 8, 2, 0, "prelu"), fromRun.Architecture);
        foreach (var (k, t) in fromRun.Model.StateDict()) Assert.Equal(released.Tensors[k].Data, t.ToArray());

        string output = Path.Combine(dir.Path, "up.png");
        var (code, stdout, stderr) = NativeGan.Tests.Cli.RealEsrganZooVerbTests.Run("upscale", "-i", Path.Combine(train, "chelsea.png"), "-o", output, "-m", run, "--device", "cpu");
        Assert.True(code == NativeGan.Cli.ExitCodes.Ok, stderr + stdout);
        Assert.Contains("SRVGGNetCompact x4", stdout);
        var up = ImageIO.Read(output);
        Assert.Equal((96 * 4, 80 * 4), (up.Width, up.Height));
    }

    [Fact]
    public void CompactNetworkWithReluTrainsAsRealEsrganAndRecordsItsActivation()
    {
        using var dir = new TempDir();
        string train = CopyImages(dir, "train", "astronaut.png", "chelsea.png");
        string yaml = $"""
            model: realesrgan
            scale: 2
            seed: 5
            device: cpu
            network_g: {"{type: SRVGGNetCompact, num_feat: 8, num_conv: 1, upscale: 2, act_type: relu}"}
            network_d: {"{type: UNetDiscriminatorSN, num_feat: 8, skip_connection: true}"}
            datasets:
              train: {"{"}dataroot_gt: {Q(train)}, gt_size: 32, crop_pad_size: 48, batch_size: 2, use_hflip: true, use_rot: false{"}"}
            degradation:
              queue_size: 4
            losses:
              perceptual: ~
            ema_decay: 0.999
            total_iter: 1
            val_freq: 0
            save_checkpoint_freq: 1
            print_freq: 1
            """;
        string run = Path.Combine(dir.Path, "run");
        using (var t = new SrTrainer(SrConfig.Parse(yaml, "compact.yml"), run))
        {
            Assert.Equal("relu", ((SRVGGNetCompact)t.G).ActType);
            var (g0, d0) = (Snapshot(t.G), Snapshot(t.D!));
            t.Run(cancellation: TestContext.Current.CancellationToken);
            Assert.False(Same(g0, Snapshot(t.G)));
            Assert.False(Same(d0, Snapshot(t.D!)));
        }
        string released = Path.Combine(run, "models", "net_g_latest.safetensors");
        Assert.Equal("relu", Safetensors.Read(released).Metadata["act_type"]);
        using var net = SrModelFile.Load(released, Device.Cpu);
        Assert.Equal(("SRVGGNetCompact", 2, "relu"), (net.Architecture.Kind, net.Scale, net.Architecture.ActType));

        var bad = Assert.Throws<ConfigException>(() => SrConfig.Parse(yaml.Replace("upscale: 2", "upscale: 4"), "compact.yml"));
        Assert.Contains("network_g.upscale", bad.Message);
    }
}
