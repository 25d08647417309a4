using NativeGan.Models.Sr.Training;
using NativeGan.Models.Training;
using NativeGan.Tests.Data;

namespace NativeGan.Tests.Sr.Training;

/// <summary>Real-ESRGAN's own option files (tests/fixtures/realesrgan_options, verbatim) and the shipped configs.</summary>
public class BasicSrOptionFileTests
{
    private static string Upstream(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "realesrgan_options", name);

    private static string Shipped(string name) => Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "configs", name);

    [Fact]
    public void RealEsrNetOptionFileReadsAsRealEsrganWroteIt()
    {
        foreach (var path in new[] { Upstream("train_realesrnet_x4plus.yml"), Shipped("realesrnet_x4plus.yml") })
        {
            Assert.True(SrConfig.IsSrConfigFile(path), path);
            var c = SrConfig.Load(path);
            Assert.Equal("realesrnet", c.Model);
            Assert.Equal(4, c.Scale);
            Assert.True(c.GtUsm);
            Assert.Equal(256, c.Train.GtSize);
            Assert.Equal(12, c.Train.BatchSize);
            Assert.False(c.Train.UseRot);
            Assert.Equal(400, c.Train.CropPadSize);
            Assert.EndsWith("meta_info_DF2Kmultiscale+OST_sub.txt", c.Train.MetaInfo);
            Assert.Equal("l1", c.PixelLoss!.Type);
            Assert.Equal(1f, c.PixelLoss.LossWeight);
            Assert.Null(c.PerceptualLoss);
            Assert.False(c.HasDiscriminator);
            Assert.Equal(2e-4f, c.OptimG.Lr);
            Assert.Equal((0.9f, 0.99f), c.OptimG.Betas);
            Assert.Equal(new[] { 1000000 }, c.Scheduler.Milestones);
            Assert.Equal(1000000, c.TotalIter);
            Assert.Equal(0.999f, c.EmaDecay);
            Assert.True(c.EmaWarmup);   // NativeGan's default here too: ema_decay is the cap, reached after 8990 of the 1M updates
            Assert.Equal("params_ema", c.ParamKeyG);
            Assert.Equal(5000, c.SaveCheckpointFreq);
            Assert.Equal(100, c.PrintFreq);
            Assert.Equal(0, c.ValFreq);
            var d = c.Degradation!;
            Assert.Equal(180, d.queue_size);
            Assert.Equal(new[] { 0.2, 0.7, 0.1 }, d.resize_prob);
            Assert.Equal(new[] { 0.2, 1.5 }, d.blur_sigma2);
            Assert.Equal(0.8, d.final_sinc_prob);
            Assert.Equal(new[] { 0.45, 0.25, 0.12, 0.03, 0.12, 0.03 }, d.kernel_prob2);
        }
    }

    [Fact]
    public void RealEsrganOptionFileReadsAsRealEsrganWroteIt()
    {
        foreach (var path in new[] { Upstream("train_realesrgan_x4plus.yml"), Shipped("realesrgan_x4plus.yml") })
        {
            var c = SrConfig.Load(path);
            Assert.Equal("realesrgan", c.Model);
            Assert.True(c.L1GtUsm);
            Assert.True(c.PercepGtUsm);
            Assert.False(c.GanGtUsm);
            Assert.Equal("UNetDiscriminatorSN", c.NetworkD.Type);
            Assert.Equal(64, c.NetworkD.NumFeat);
            Assert.True(c.NetworkD.SkipConnection);
            Assert.Equal(new Dictionary<string, float> { ["conv1_2"] = 0.1f, ["conv2_2"] = 0.1f, ["conv3_4"] = 1f, ["conv4_4"] = 1f, ["conv5_4"] = 1f },
                c.PerceptualLoss!.LayerWeights);
            Assert.Equal(1f, c.PerceptualLoss.PerceptualWeight);
            Assert.Equal(0f, c.PerceptualLoss.StyleWeight);
            Assert.Equal(BasicSrOptionFile.DefaultVggPath, c.PerceptualLoss.VggWeights);
            Assert.Equal("vanilla", c.GanLoss.Type);
            Assert.Equal(0.1f, c.GanLoss.LossWeight);
            Assert.Equal(1e-4f, c.OptimG.Lr);
            Assert.Equal(1e-4f, c.OptimD.Lr);
            Assert.Equal((0.9f, 0.99f), c.OptimD.Betas);
            Assert.Equal("MultiStepLR", c.Scheduler.Type);
            Assert.Equal(new[] { 400000 }, c.Scheduler.Milestones);
            Assert.Equal(0.5f, c.Scheduler.Gamma);
            Assert.Equal(0.999f, c.EmaDecay);
            Assert.True(c.EmaWarmup);
            Assert.Equal(1, c.NetDIters);
            Assert.Equal(0, c.NetDInitIters);
            Assert.Equal("params_ema", c.ParamKeyG);
        }
        Assert.Equal("runs/realesrnet_x4plus/models/net_g_latest.safetensors", SrConfig.Load(Shipped("realesrgan_x4plus.yml")).PretrainNetworkG);
    }

    [Fact]
    public void ValidationMetricsSetCropBorderAndChannel()
    {
        string text = File.ReadAllText(Upstream("train_realesrgan_x4plus.yml")) + """

            val:
              val_freq: !!float 5e3
              save_img: True
              metrics:
                psnr:
                  type: calculate_psnr
                  crop_border: 4
                  test_y_channel: false
            """;
        text = text.Replace("  # val:\n  #   name: validation", "  val:\n    name: validation\n    type: PairedImageDataset\n    dataroot_gt: val/gt\n    dataroot_lq: val/lq\n  # x:");
        var c = SrConfig.Parse(text, "v.yml");
        Assert.Equal(5000, c.ValFreq);
        Assert.Equal(4, c.Val!.CropBorder);
        Assert.False(c.Val.TestYChannel);
        Assert.Equal("val/gt", c.Val.DatarootGt);
        Assert.Equal("val/lq", c.Val.DatarootLq);
    }

    [Theory]
    [InlineData("  use_tb_logger: true", "  use_tb_logger: true\n  use_tb_loger: false", "logger.use_tb_loger")]
    [InlineData("    use_rot: False", "    use_rot: False\n    use_rotation: True", "datasets.train.use_rotation")]
    [InlineData("gt_size: 256\nqueue_size: 180", "gt_size: 256\nqueue_size: 180\nqueue_sise: 12", "queue_sise")]
    [InlineData("  net_d_iters: 1", "  net_d_iters: 1\n  net_d_iter: 2", "train.net_d_iter")]
    public void UnknownKeyIsAnErrorNamingKeyLineAndFile(string anchor, string replacement, string key)
    {
        string text = File.ReadAllText(Upstream("train_realesrgan_x4plus.yml"));
        Assert.Contains(anchor, text);
        var e = Assert.Throws<ConfigException>(() => SrConfig.Parse(text.Replace(anchor, replacement), "user.yml"));
        Assert.Contains("user.yml", e.Message);
        Assert.Contains($"'{key}'", e.Message);
        Assert.Contains("line", e.Message);
    }

    [Fact]
    public void QueueSizeNotAMultipleOfTheBatchFailsNamingBoth()
    {
        string text = File.ReadAllText(Upstream("train_realesrnet_x4plus.yml")).Replace("queue_size: 180", "queue_size: 181");
        var e = Assert.Throws<ConfigException>(() => SrConfig.Parse(text, "q.yml"));
        Assert.Contains("q.yml", e.Message);
        Assert.Contains("queue_size", e.Message);
        Assert.Contains("181", e.Message);
        Assert.Contains("batch_size_per_gpu 12", e.Message);
        Assert.Contains("180 or 192", e.Message);
    }

    [Fact]
    public void EmaWarmupCanBeTurnedOffInTheTrainSectionForBasicSrsConstantDecay()
    {
        string text = File.ReadAllText(Upstream("train_realesrgan_x4plus.yml"));
        const string anchor = "  ema_decay: 0.999";
        Assert.Contains(anchor, text);
        var off = SrConfig.Parse(text.Replace(anchor, anchor + "\n  ema_warmup: false"), "off.yml");
        Assert.Equal((0.999f, false), (off.EmaDecay, off.EmaWarmup));
        var e = Assert.Throws<ConfigException>(() => SrConfig.Parse(text.Replace(anchor, anchor + "\n  ema_warmup: maybe"), "m.yml"));
        Assert.Contains("m.yml: key 'train.ema_warmup'", e.Message);
        Assert.Contains("expected true or false, got 'maybe'", e.Message);
    }

    [Theory]
    [InlineData("  warmup_iter: -1", "  warmup_iter: 1000", "warm-up")]
    [InlineData("  resume_state: ~", "  resume_state: experiments/x/training_states/5000.state", "--auto-resume")]
    [InlineData("    reduction: mean", "    reduction: sum", "train.pixel_opt.reduction")]
    [InlineData("    type: RealESRGANDataset", "    type: PairedImageDataset", "datasets.train.type")]
    public void UnsupportedValuesAreRefusedWithTheReason(string anchor, string replacement, string expected)
    {
        string text = File.ReadAllText(Upstream("train_realesrgan_x4plus.yml"));
        Assert.Contains(anchor, text);
        var e = Assert.Throws<ConfigException>(() => SrConfig.Parse(text.Replace(anchor, replacement), "u.yml"));
        Assert.Contains(expected, e.Message);
        Assert.Contains("u.yml", e.Message);
    }

    [Fact]
    public void ATrainingRunOfTheUpstreamLayoutResumesFromItsStoredText()
    {
        // The stored config is the file's own text: a tiny run in the BasicSR layout checkpoints and re-parses it.
        using var dir = new TempDir();
        string train = SrTrainingTestUtil.CopyImages(dir, "train", "astronaut.png", "chelsea.png");
        string text = File.ReadAllText(Upstream("train_realesrnet_x4plus.yml"))
            .Replace("dataroot_gt: datasets/DF2K", $"dataroot_gt: {SrTrainingTestUtil.Q(train)}\n    crop_pad_size: 48")
            .Replace("meta_info: datasets/DF2K/meta_info/meta_info_DF2Kmultiscale+OST_sub.txt", "meta_info: ~")
            .Replace("gt_size: 256", "gt_size: 32").Replace("queue_size: 180", "queue_size: 4").Replace("batch_size_per_gpu: 12", "batch_size_per_gpu: 2")
            .Replace("pretrain_network_g: experiments/pretrained_models/ESRGAN_SRx4_DF2KOST_official-ff704c30.pth", "pretrain_network_g: ~")
            .Replace("num_feat: 64", "num_feat: 8").Replace("num_block: 23", "num_block: 1").Replace("num_grow_ch: 32", "num_grow_ch: 4")
            .Replace("total_iter: 1000000", "total_iter: 2").Replace("save_checkpoint_freq: !!float 5e3", "save_checkpoint_freq: 1");
        string config = dir.File("realesrnet.yml");
        File.WriteAllText(config, text);
        string run = Path.Combine(dir.Path, "run");
        using (var t = new SrTrainer(SrConfig.Load(config), run)) t.Run(untilIteration: 1, cancellation: TestContext.Current.CancellationToken);
        using (var t = SrTrainer.Resume(run))
        {
            Assert.Equal("realesrnet", t.Config.Model);
            Assert.Equal(48, t.Config.Train.CropPadSize);
            Assert.Equal(1, t.Iteration);
            t.Run(cancellation: TestContext.Current.CancellationToken);
            Assert.Equal(2, t.Iteration);
        }
    }
}
