using NativeGan.Models.Sr.Training;
using NativeGan.Models.Training;

namespace NativeGan.Tests.Sr.Training;

public class SrConfigTests
{
    [Fact]
    public void EmptyConfigIsBasicSrsEsrganX4()
    {
        var c = SrConfig.Parse("", "empty.yml");
        Assert.Equal(("esrgan", 4, "RRDBNet", 64, 23, 32), (c.Model, c.Scale, c.NetworkG.Type, c.NetworkG.NumFeat, c.NetworkG.NumBlock, c.NetworkG.NumGrowCh));
        Assert.Equal((128, 16, true, true), (c.Train.GtSize, c.Train.BatchSize, c.Train.UseHFlip, c.Train.UseRot));
        Assert.Equal(("l1", 1e-2f), (c.PixelLoss!.Type, c.PixelLoss.LossWeight));
        Assert.Equal(1f, c.PerceptualLoss!.LayerWeights["conv5_4"]);
        Assert.Equal(("vanilla", 5e-3f), (c.GanLoss.Type, c.GanLoss.LossWeight));
        Assert.Equal((1e-4f, (0.9f, 0.99f)), (c.OptimG.Lr, c.OptimG.Betas));
        Assert.Equal(new[] { 50000, 100000, 200000, 300000 }, c.Scheduler.Milestones);
        Assert.Equal((0.5f, 0.999f, 400000), (c.Scheduler.Gamma, c.EmaDecay, c.TotalIter));
        Assert.True(c.EmaWarmup);
        Assert.Equal(4, c.ResolvedCropBorder);
    }

    [Fact]
    public void DefaultsDependOnTheModel()
    {
        var psnr = SrConfig.Parse("model: rrdbnet_psnr");
        Assert.Null(psnr.PerceptualLoss);
        Assert.Equal((1f, 2e-4f, "CosineAnnealingRestartLR", 1000000), (psnr.PixelLoss!.LossWeight, psnr.OptimG.Lr, psnr.Scheduler.Type, psnr.TotalIter));
        var srgan = SrConfig.Parse("model: srgan");
        Assert.Equal(("SRResNet", 16), (srgan.NetworkG.Type, srgan.NetworkG.NumBlock));
        Assert.Equal(1f, srgan.PerceptualLoss!.LayerWeights["relu5_4"]);
        Assert.Equal((0.9f, 0.999f), srgan.OptimD.Betas);
        // A section given for a model whose default is off starts from the generic defaults.
        var p = SrConfig.Parse("model: rrdbnet_psnr\nlosses: {perceptual: {layer_weights: {relu2_2: 0.5}}}");
        Assert.Equal(0.5f, p.PerceptualLoss!.LayerWeights["relu2_2"]);
        Assert.Equal("l1", p.PerceptualLoss.Criterion);
    }

    [Fact]
    public void ReadsEveryKeyAndRoundTrips()
    {
        var c = SrConfig.Parse("""
            model: srgan
            scale: 2
            seed: 9
            device: cpu
            network_g: {type: MSRResNet, num_in_ch: 3, num_out_ch: 3, num_feat: 32, num_block: 4}
            network_d: {type: VGGStyleDiscriminator, num_in_ch: 3, num_feat: 16}
            pretrain_network_g: /w/net_g.pth
            strict_load_g: false
            datasets:
              train: {dataroot_gt: /d/hr, dataroot_lq: /d/lr, gt_size: 256, use_flip: false, use_rot: false, batch_size_per_gpu: 4}
              val: {dataroot_gt: /v/hr, dataroot_lq: /v/lr, crop_border: 3, test_y_channel: false}
            losses:
              pixel: {type: MSELoss, loss_weight: 0.5}
              perceptual: {layer_weights: {conv3_4: 0.5, relu5_4: 1}, vgg_weights: /w/vgg19.pth, use_input_norm: false, range_norm: true,
                           perceptual_weight: 2, style_weight: 0.1, criterion: fro}
              gan: {type: hinge, loss_weight: 0.01}
            optimizers:
              g: {type: Adam, lr: 2e-4, betas: [0.5, 0.9], weight_decay: 0.001}
              d: {lr: 3e-4}
            scheduler: {type: CosineAnnealingRestartLR, periods: [10, 20], restart_weights: [1, 0.5], eta_min: 1e-6}
            ema_decay: 0
            ema_warmup: false
            disc_steps: 2
            disc_init_steps: 5
            total_iter: !!float 1e3
            val_freq: !!float 5e2
            save_checkpoint_freq: 250
            print_freq: 10
            """, "all.yml");
        Assert.Equal(("srgan", 2, 9UL, "cpu"), (c.Model, c.Scale, c.Seed, c.Device));
        Assert.Equal(("MSRResNet", 32, 4, 16), (c.NetworkG.Type, c.NetworkG.NumFeat, c.NetworkG.NumBlock, c.NetworkD.NumFeat));
        Assert.Equal(("/w/net_g.pth", false), (c.PretrainNetworkG, c.StrictLoadG));
        Assert.Equal(("/d/hr", "/d/lr", 256, false, false, 4), (c.Train.DatarootGt, c.Train.DatarootLq, c.Train.GtSize, c.Train.UseHFlip, c.Train.UseRot, c.Train.BatchSize));
        Assert.Equal(("/v/hr", "/v/lr", 3, false), (c.Val!.DatarootGt, c.Val.DatarootLq, c.Val.CropBorder!.Value, c.Val.TestYChannel));
        Assert.Equal(("l2", 0.5f), (c.PixelLoss!.Type, c.PixelLoss.LossWeight));
        var p = c.PerceptualLoss!;
        Assert.Equal((0.5f, 1f, "/w/vgg19.pth", false, true, 2f, 0.1f, "fro"),
            (p.LayerWeights["conv3_4"], p.LayerWeights["relu5_4"], p.VggWeights, p.UseInputNorm, p.RangeNorm, p.PerceptualWeight, p.StyleWeight, p.Criterion));
        Assert.Equal(("hinge", 0.01f), (c.GanLoss.Type, c.GanLoss.LossWeight));
        Assert.Equal((2e-4f, (0.5f, 0.9f), 0.001f, 3e-4f), (c.OptimG.Lr, c.OptimG.Betas, c.OptimG.WeightDecay, c.OptimD.Lr));
        Assert.Equal(("CosineAnnealingRestartLR", 1e-6f), (c.Scheduler.Type, c.Scheduler.EtaMin));
        Assert.Equal(new[] { 10, 20 }, c.Scheduler.Periods);
        Assert.Equal(new[] { 1f, 0.5f }, c.Scheduler.RestartWeights);
        Assert.False(c.EmaWarmup);
        Assert.Equal((0f, 2, 5, 1000, 500, 250, 10), (c.EmaDecay, c.NetDIters, c.NetDInitIters, c.TotalIter, c.ValFreq, c.SaveCheckpointFreq, c.PrintFreq));
        var back = SrConfig.Parse(c.ToYaml(), "back.yml");
        Assert.Equal(c.ToYaml(), back.ToYaml());
    }

    [Theory]
    [InlineData("modle: esrgan", "unknown key 'modle' (line 1)")]
    [InlineData("model: esrgan2", "key 'model' (line 1)")]
    [InlineData("scale: 5", "key 'scale'")]
    [InlineData("network_g: {type: EDSR}", "key 'network_g.type'")]
    [InlineData("network_g: {num_feats: 3}", "unknown key 'network_g.num_feats'")]
    [InlineData("datasets:\n  train:\n    gt_sise: 128", "unknown key 'datasets.train.gt_sise' (line 3)")]
    [InlineData("datasets: {train: {gt_size: 130}}", "key 'datasets.train.gt_size'")]
    [InlineData("datasets: {train: {use_rot: maybe}}", "key 'datasets.train.use_rot'")]
    [InlineData("losses: {pixel: {type: l3}}", "key 'losses.pixel.type'")]
    [InlineData("losses: {perceptual: {layer_weights: {conv6_1: 1}}}", "key 'losses.perceptual.layer_weights.conv6_1'")]
    [InlineData("losses: {gan: {type: ragann}}", "key 'losses.gan.type'")]
    [InlineData("model: srgan\nlosses: {gan: {type: ragan}}", "key 'losses.gan.type'")]
    [InlineData("optimizers: {g: {lr: -1}}", "key 'optimizers.g.lr'")]
    [InlineData("optimizers: {g: {type: SGD}}", "key 'optimizers.g.type'")]
    [InlineData("scheduler: {milestones: [a]}", "key 'scheduler.milestones[0]'")]
    [InlineData("ema_decay: 2", "key 'ema_decay'")]
    [InlineData("ema_warmup: maybe", "key 'ema_warmup' (line 1): expected true or false, got 'maybe'")]
    [InlineData("total_iter: 1.5", "key 'total_iter'")]
    [InlineData("device: tpu", "key 'device'")]
    [InlineData("model: [1, 2", "invalid YAML")]
    [InlineData("- a", "expected a mapping")]
    public void BadConfigsNameTheFileAndTheKey(string yaml, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => SrConfig.Parse(yaml, "sr.yml"));
        Assert.StartsWith("sr.yml: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ShippedSrConfigsParseWithBasicSrsValues()
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "configs");
        var esrgan = SrConfig.Load(Path.Combine(dir, "esrgan_x4.yml"));
        Assert.Equal(("esrgan", 16, 128, 1e-4f, 1e-2f, 1f, 5e-3f, 0.999f), (esrgan.Model, esrgan.Train.BatchSize, esrgan.Train.GtSize, esrgan.OptimG.Lr,
            esrgan.PixelLoss!.LossWeight, esrgan.PerceptualLoss!.LayerWeights["conv5_4"], esrgan.GanLoss.LossWeight, esrgan.EmaDecay));
        Assert.Equal(new[] { 50000, 100000, 200000, 300000 }, esrgan.Scheduler.Milestones);
        var psnr = SrConfig.Load(Path.Combine(dir, "rrdbnet_psnr_x4.yml"));
        Assert.Equal(("rrdbnet_psnr", 2e-4f, "CosineAnnealingRestartLR"), (psnr.Model, psnr.OptimG.Lr, psnr.Scheduler.Type));
        var srgan = SrConfig.Load(Path.Combine(dir, "srgan_x4.yml"));
        Assert.Equal(("srgan", "SRResNet"), (srgan.Model, srgan.NetworkG.Type));
        var compact = SrConfig.Load(Path.Combine(dir, "realesrnet_compact_x4.yml"));
        Assert.Equal(("realesrnet", "SRVGGNetCompact", 32, "prelu", 4), (compact.Model, compact.NetworkG.Type, compact.NetworkG.NumConv, compact.NetworkG.ActType, compact.Scale));
        Assert.True(SrConfig.IsSrConfigFile(Path.Combine(dir, "esrgan_x4.yml")));
        Assert.False(SrConfig.IsSrConfigFile(Path.Combine(dir, "dcgan_fashion.yml")));
    }
}
