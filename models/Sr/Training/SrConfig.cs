using System.Globalization;
using System.Text;
using NativeGan.Models.Training;
using YamlDotNet.RepresentationModel;
using static NativeGan.Models.Training.ConfigYaml;

namespace NativeGan.Models.Sr.Training;

/// <summary>
/// A super-resolution training run (<c>nativegan train --config configs/esrgan_x4.yml</c>). Two layouts: a file with
/// <c>model_type</c> is read as BasicSR / Real-ESRGAN write their option files (<see cref="BasicSrOptionFile"/>);
/// otherwise the keys of BasicSR's option files, flattened a little (see models/Sr/Training/README.md). Every key has a default, and the defaults
/// depend on <c>model</c> (read first): rrdbnet_psnr = train_RRDBNet_PSNR_x4.yml, esrgan = train_ESRGAN_x4.yml,
/// srgan = MMEditing's srgan_x4c64b16 with an SRResNet and VGG54 (relu5_4). Unknown keys and bad values throw
/// <see cref="ConfigException"/> naming the file, the key and its line.
/// </summary>
public sealed partial class SrConfig
{
    public static readonly IReadOnlyList<string> Models = new[] { "rrdbnet_psnr", "esrgan", "srgan", "realesrnet", "realesrgan" };

    private static readonly string[] TopKeys =
    {
        "model", "scale", "seed", "device", "network_g", "network_d", "pretrain_network_g", "strict_load_g", "datasets", "losses",
        "optimizers", "scheduler", "ema_decay", "ema_warmup", "net_d_iters", "net_d_init_iters", "disc_steps", "disc_init_steps",
        "total_iter", "val_freq", "save_checkpoint_freq", "print_freq",
        "name", "degradation", "gt_usm", "l1_gt_usm", "percep_gt_usm", "gan_gt_usm", "param_key_g",
    };

    /// <summary>rrdbnet_psnr (L1 pre-training, BasicSR SRModel), esrgan (BasicSR ESRGANModel), srgan (MMEditing SRGAN).</summary>
    public string Model { get; set; } = "esrgan";
    public int Scale { get; set; } = 4;
    public ulong Seed { get; set; }
    /// <summary>cpu | cuda | cuda:N | ilgpu-cpu | auto; null: <see cref="NativeGan.Device.Default"/>.</summary>
    public string? Device { get; set; }
    public SrNetworkGConfig NetworkG { get; set; } = new();
    public SrNetworkDConfig NetworkD { get; set; } = new();
    /// <summary>Initial G weights (.pth or .safetensors, BasicSR / old ESRGAN keys), e.g. the PSNR model for ESRGAN.</summary>
    public string? PretrainNetworkG { get; set; }
    public bool StrictLoadG { get; set; } = true;
    /// <summary>BasicSR's path.pretrain_network_d: the discriminator's starting weights (Real-ESRGAN's fine-tuning); null: initialised.</summary>
    public string? PretrainNetworkD { get; set; }
    /// <summary>BasicSR's path.param_key_d (params in Real-ESRGAN's netD files); null: the first found.</summary>
    public string? ParamKeyD { get; set; }
    public bool StrictLoadD { get; set; } = true;
    /// <summary>
    /// Real-ESRGAN's high_order_degradation: true makes the LR inputs from the GT with the second-order degradation;
    /// false trains realesrnet / realesrgan on given LR / GT pairs (RealESRGANPairedDataset, fine-tuning on pair data).
    /// </summary>
    public bool HighOrderDegradation { get; set; } = true;
    public SrTrainDataConfig Train { get; set; } = new();
    /// <summary>Validation pairs; null: no validation.</summary>
    public SrValDataConfig? Val { get; set; }
    public SrPixelLossConfig? PixelLoss { get; set; } = new() { LossWeight = 1e-2f };
    public SrPerceptualLossConfig? PerceptualLoss { get; set; } = new();
    public SrGanLossConfig GanLoss { get; set; } = new();
    public SrOptimConfig OptimG { get; set; } = new();
    public SrOptimConfig OptimD { get; set; } = new();
    public SrSchedulerConfig Scheduler { get; set; } = new();
    /// <summary>EMA of G's weights (BasicSR's net_g_ema); 0: off. With <see cref="EmaWarmup"/> the decay it warms up to.</summary>
    public float EmaDecay { get; set; } = 0.999f;
    /// <summary>The EMA's decay after n updates is min(ema_decay, (1 + n) / (10 + n)) (TensorFlow's num_updates), so a
    /// short run's EMA does not keep the initial weights; false: BasicSR's constant ema_decay.</summary>
    public bool EmaWarmup { get; set; } = true;
    /// <summary>G steps on iterations where iteration % net_d_iters == 0 (BasicSR net_d_iters = MMEditing disc_steps).</summary>
    public int NetDIters { get; set; } = 1;
    /// <summary>Iterations at the start that train D only (net_d_init_iters = disc_init_steps).</summary>
    public int NetDInitIters { get; set; }
    public int TotalIter { get; set; } = 400000;
    /// <summary>Validate every this many iterations (and at the last); 0: never.</summary>
    public int ValFreq { get; set; } = 5000;
    /// <summary>Checkpoint every this many iterations; 0: only at the end.</summary>
    public int SaveCheckpointFreq { get; set; } = 5000;
    /// <summary>Progress lines every this many iterations when stdout is not a terminal.</summary>
    public int PrintFreq { get; set; } = 100;

    // ---- Real-ESRGAN (realesrnet / realesrgan, read from Real-ESRGAN's option-file layout: model_type RealESRNetModel / RealESRGANModel)

    /// <summary>The run's name (BasicSR's <c>name</c>); null when the file has none.</summary>
    public string? Name { get; set; }
    /// <summary>The second-order degradation that makes the LR inputs (realesrnet / realesrgan); null for the other models.</summary>
    public NativeGan.Models.Sr.Degradations.DegradationOptions? Degradation { get; set; }
    /// <summary>realesrnet's gt_usm: the GT is USM-sharpened before the degradations and is the L1 target.</summary>
    public bool GtUsm { get; set; } = true;
    /// <summary>realesrgan: which losses take the USM-sharpened GT (Real-ESRGAN: L1 and perceptual yes, GAN no).</summary>
    public bool L1GtUsm { get; set; } = true;
    public bool PercepGtUsm { get; set; } = true;
    public bool GanGtUsm { get; set; }
    /// <summary>BasicSR's path.param_key_g: the key of pretrain_network_g's state dict (params_ema, params); null: the first found.</summary>
    public string? ParamKeyG { get; set; }

    /// <summary>Where the config came from (for messages).</summary>
    public string Source { get; set; } = "<config>";
    /// <summary>The YAML text it was read from (stored in checkpoints); <see cref="ToYaml"/> when built in code.</summary>
    public string? Text { get; set; }

    /// <summary>Whether the model trains a discriminator.</summary>
    public bool HasDiscriminator => Model is "esrgan" or "srgan" or "realesrgan";

    /// <summary>Whether the model is one of Real-ESRGAN's (realesrnet, realesrgan).</summary>
    public bool IsRealEsrgan => Model is "realesrnet" or "realesrgan";

    /// <summary>Whether the LR inputs come from Real-ESRGAN's degradations of GT images (rather than given pairs).</summary>
    public bool DegradesGt => IsRealEsrgan && HighOrderDegradation;

    /// <summary>The metric crop border (default: the scale).</summary>
    public int ResolvedCropBorder => Val?.CropBorder ?? Scale;

    /// <summary>The defaults of a model (BasicSR's / MMEditing's reference configs).</summary>
    public static SrConfig Defaults(string model)
    {
        var c = new SrConfig { Model = model };
        switch (model)
        {
            case "rrdbnet_psnr":
                c.PixelLoss = new SrPixelLossConfig { Type = "l1", LossWeight = 1f };
                c.PerceptualLoss = null;
                c.OptimG = new SrOptimConfig { Lr = 2e-4f, Betas = (0.9f, 0.99f) };
                c.Scheduler = new SrSchedulerConfig { Type = "CosineAnnealingRestartLR" };
                c.TotalIter = 1000000;
                break;
            case "esrgan":
                break;
            case "srgan":
                c.NetworkG = new SrNetworkGConfig { Type = "SRResNet", NumFeat = 64, NumBlock = 16 };
                c.PerceptualLoss = new SrPerceptualLossConfig { LayerWeights = new() { ["relu5_4"] = 1f } };
                c.OptimG = new SrOptimConfig { Lr = 1e-4f, Betas = (0.9f, 0.999f) };
                c.OptimD = new SrOptimConfig { Lr = 1e-4f, Betas = (0.9f, 0.999f) };
                c.TotalIter = 1000000;
                break;
            case "realesrnet":
                // Real-ESRGAN options/train_realesrnet_x4plus.yml
                c.Degradation = new NativeGan.Models.Sr.Degradations.DegradationOptions();
                c.Train = new SrTrainDataConfig { GtSize = 256, UseHFlip = true, UseRot = false, BatchSize = 12 };
                c.PixelLoss = new SrPixelLossConfig { Type = "l1", LossWeight = 1f };
                c.PerceptualLoss = null;
                c.OptimG = new SrOptimConfig { Lr = 2e-4f, Betas = (0.9f, 0.99f) };
                c.Scheduler = new SrSchedulerConfig { Milestones = new[] { 1000000 }, Gamma = 0.5f };
                c.TotalIter = 1000000;
                c.ParamKeyG = "params_ema";
                break;
            case "realesrgan":
                // Real-ESRGAN options/train_realesrgan_x4plus.yml
                c.Degradation = new NativeGan.Models.Sr.Degradations.DegradationOptions();
                c.Train = new SrTrainDataConfig { GtSize = 256, UseHFlip = true, UseRot = false, BatchSize = 12 };
                c.NetworkD = new SrNetworkDConfig { Type = "UNetDiscriminatorSN", NumInCh = 3, NumFeat = 64, SkipConnection = true };
                c.PixelLoss = new SrPixelLossConfig { Type = "l1", LossWeight = 1f };
                c.PerceptualLoss = new SrPerceptualLossConfig
                {
                    LayerWeights = new() { ["conv1_2"] = 0.1f, ["conv2_2"] = 0.1f, ["conv3_4"] = 1f, ["conv4_4"] = 1f, ["conv5_4"] = 1f },
                };
                c.GanLoss = new SrGanLossConfig { Type = "vanilla", LossWeight = 0.1f };
                c.Scheduler = new SrSchedulerConfig { Milestones = new[] { 400000 }, Gamma = 0.5f };
                c.TotalIter = 400000;
                c.ParamKeyG = "params_ema";
                break;
            default:
                throw new ArgumentException($"SrConfig.Defaults: expected one of {string.Join(", ", Models)}, got '{model}'.");
        }
        return c;
    }

    public Device ResolveDevice()
    {
        if (string.IsNullOrWhiteSpace(Device)) return NativeGan.Device.Default;
        try { return NativeGan.Device.Parse(Device); }
        catch (Exception e) when (e is not ConfigException)
        {
            throw new ConfigException($"{Source}: key 'device': {e.Message}", e);
        }
    }

    /// <summary>Reads and validates a config file.</summary>
    public static SrConfig Load(string path)
    {
        if (!File.Exists(path))
            throw new ConfigException($"{path}: config file not found" + (Directory.Exists(path) ? " (it is a directory)" : "") + ".");
        var cfg = Parse(File.ReadAllText(path), path);
        cfg.ResolvePaths(new ConfigPaths(path));
        return cfg;
    }

    /// <summary>Relative paths of the file <see cref="Load"/> read that exist neither from the current directory nor from
    /// the file's folder (<see cref="Validate"/>, which the trainer calls, refuses the ones the run reads).</summary>
    public IReadOnlyList<MissingConfigPath> MissingPaths { get; private set; } = Array.Empty<MissingConfigPath>();

    /// <summary>Every path of the config resolved as <see cref="ConfigPaths"/> says (the current directory, then the config's folder).</summary>
    private void ResolvePaths(ConfigPaths paths)
    {
        Train.DatarootGt = paths.Resolve("datasets.train.dataroot_gt", Train.DatarootGt);
        Train.DatarootLq = paths.Resolve("datasets.train.dataroot_lq", Train.DatarootLq);
        Train.MetaInfo = paths.Resolve("datasets.train.meta_info", Train.MetaInfo);
        if (Val != null)
        {
            Val.DatarootGt = paths.Resolve("datasets.val.dataroot_gt", Val.DatarootGt);
            Val.DatarootLq = paths.Resolve("datasets.val.dataroot_lq", Val.DatarootLq);
        }
        PretrainNetworkG = paths.Resolve("pretrain_network_g", PretrainNetworkG);
        PretrainNetworkD = paths.Resolve("pretrain_network_d", PretrainNetworkD);
        if (PerceptualLoss != null) PerceptualLoss.VggWeights = paths.Resolve("losses.perceptual.vgg_weights", PerceptualLoss.VggWeights);
        MissingPaths = paths.Missing;
    }

    /// <summary>Whether the run reads the path of <paramref name="key"/> (a discriminator's weights only with a
    /// discriminator, the VGG weights only with a perceptual or style loss, meta_info only for Real-ESRGAN).</summary>
    private bool ReadsPath(string key) => key switch
    {
        "pretrain_network_d" => HasDiscriminator,
        "losses.perceptual.vgg_weights" => PerceptualLoss is { } p && (p.PerceptualWeight > 0 || p.StyleWeight > 0),
        "datasets.train.meta_info" => IsRealEsrgan,
        _ => true,
    };

    /// <summary>The <c>model</c> value of a YAML text, or null when it has none (or is not a mapping). For dispatching
    /// between the GAN and SR trainers before a full parse.</summary>
    public static string? PeekModel(string yaml, string source = "<config>")
    {
        var root = LoadRoot(yaml, source);
        if (root is not YamlMappingNode map) return null;
        if (BasicSrOptionFile.IsBasicSrLayout(map)) return BasicSrOptionFile.PeekModel(map);
        foreach (var (k, v) in map.Children)
            if (k is YamlScalarNode { Value: "model" } && v is YamlScalarNode { Value: { } m }) return m.Trim();
        return null;
    }

    /// <summary>Whether a config file names one of the SR <see cref="Models"/> (false for a GAN config or an unreadable file).</summary>
    public static bool IsSrConfigFile(string path)
    {
        try { return File.Exists(path) && PeekModel(File.ReadAllText(path), path) is { } m && Models.Contains(m); }
        catch (ConfigException) { return false; }
    }

    /// <summary>Cross-field checks.</summary>
    public void Validate()
    {
        ConfigPaths.ThrowIfMissing(Source, MissingPaths, ReadsPath);
        if (!Models.Contains(Model)) throw new ConfigException($"{Source}: key 'model': expected one of {string.Join(", ", Models)}, got '{Model}'.");
        if (Scale is not (1 or 2 or 3 or 4 or 8))
            throw new ConfigException($"{Source}: key 'scale': expected 1, 2, 3, 4 or 8, got {Scale}.");
        if (NetworkG.Type == "RRDBNet" && Scale is not (1 or 2 or 4))
            throw new ConfigException($"{Source}: key 'scale': RRDBNet supports 1, 2 or 4 (pixel-unshuffle for 1 and 2), got {Scale}.");
        if (NetworkG.Type is "MSRResNet" or "SRResNet" && Scale is not (2 or 3 or 4))
            throw new ConfigException($"{Source}: key 'scale': {NetworkG.Type} supports 2, 3 or 4, got {Scale}.");
        if (NetworkG.Scale is int gs && gs != Scale)
            throw new ConfigException($"{Source}: key 'network_g.{(NetworkG.Type == "SRVGGNetCompact" ? "upscale" : "scale")}': {gs} differs from the top-level scale {Scale}; make them equal.");
        if (NetworkG.Type == "SRVGGNetCompact" && NetworkG.NumOutCh != NetworkG.NumInCh)
            throw new ConfigException($"{Source}: key 'network_g.num_out_ch': SRVGGNetCompact adds the upsampled input to its output, so num_out_ch must equal num_in_ch ({NetworkG.NumInCh}), got {NetworkG.NumOutCh}.");
        if (Train.GtSize % Scale != 0)
            throw new ConfigException($"{Source}: key 'datasets.train.gt_size': must be a multiple of the scale {Scale}, got {Train.GtSize}.");
        if (PixelLoss == null && PerceptualLoss == null && !HasDiscriminator)
            throw new ConfigException($"{Source}: key 'losses': {Model} needs a pixel or perceptual loss; both are off.");
        if (HasDiscriminator && NetworkD.Type == "VGGStyleDiscriminator" && Train.GtSize % 32 != 0)
            throw new ConfigException($"{Source}: key 'datasets.train.gt_size': the VGG-style discriminator needs a multiple of 32 (128 as BasicSR), got {Train.GtSize}.");
        if (HasDiscriminator && NetworkD.Type == "UNetDiscriminatorSN" && Train.GtSize % 8 != 0)
            throw new ConfigException($"{Source}: key 'datasets.train.gt_size': the U-Net discriminator halves the size three times and needs a multiple of 8 (256 as Real-ESRGAN), got {Train.GtSize}.");
        if (IsRealEsrgan && Degradation is { } dg && dg.queue_size % Train.BatchSize != 0)
            throw new ConfigException($"{Source}: key 'queue_size': {dg.queue_size} is not a multiple of the batch size (batch_size_per_gpu {Train.BatchSize}); " +
                $"Real-ESRGAN's training-pair pool needs one, e.g. {Math.Max(Train.BatchSize, dg.queue_size / Train.BatchSize * Train.BatchSize)} or {(dg.queue_size / Train.BatchSize + 1) * Train.BatchSize}.");
        if (GanLoss.Type == "ragan" && Model != "esrgan")
            throw new ConfigException($"{Source}: key 'losses.gan.type': ragan (relativistic average) is the esrgan model's loss; for {Model} choose vanilla, lsgan, wgan, wgan_softplus or hinge.");
        if (Scheduler.Type == "CosineAnnealingRestartLR" && Scheduler.Periods.Length != Scheduler.RestartWeights.Length)
            throw new ConfigException($"{Source}: key 'scheduler.restart_weights': {Scheduler.RestartWeights.Length} weights for {Scheduler.Periods.Length} periods; they must match.");
    }

    /// <summary>The config as YAML (what <see cref="Parse"/> reads back to the same values).</summary>
    public string ToYaml()
    {
        var c = CultureInfo.InvariantCulture;
        string F(float f) => f.ToString("R", c);
        string Q(string s) => "'" + s.Replace("'", "''") + "'";
        var sb = new StringBuilder();
        sb.Append("model: ").AppendLine(Model);
        sb.Append("scale: ").AppendLine(Scale.ToString(c));
        sb.Append("seed: ").AppendLine(Seed.ToString(c));
        if (Device != null) sb.Append("device: ").AppendLine(Device);
        sb.AppendLine(string.Create(c, $"network_g: {{type: {NetworkG.Type}, num_in_ch: {NetworkG.NumInCh}, num_out_ch: {NetworkG.NumOutCh}, num_feat: {NetworkG.NumFeat}, num_block: {NetworkG.NumBlock}, num_grow_ch: {NetworkG.NumGrowCh}, num_conv: {NetworkG.NumConv}, act_type: {NetworkG.ActType}}}"));
        sb.AppendLine(string.Create(c, $"network_d: {{type: {NetworkD.Type}, num_in_ch: {NetworkD.NumInCh}, num_feat: {NetworkD.NumFeat}, skip_connection: {(NetworkD.SkipConnection ? "true" : "false")}}}"));
        if (Name != null) sb.Append("name: ").AppendLine(Q(Name));
        if (ParamKeyG != null) sb.Append("param_key_g: ").AppendLine(ParamKeyG);
        if (IsRealEsrgan)
        {
            sb.AppendLine($"gt_usm: {(GtUsm ? "true" : "false")}");
            sb.AppendLine($"l1_gt_usm: {(L1GtUsm ? "true" : "false")}");
            sb.AppendLine($"percep_gt_usm: {(PercepGtUsm ? "true" : "false")}");
            sb.AppendLine($"gan_gt_usm: {(GanGtUsm ? "true" : "false")}");
        }
        if (Degradation is { } dg) sb.Append(NativeGan.Models.Sr.Degradations.DegradationConfig.ToYamlMapping(dg, "degradation"));
        if (PretrainNetworkG != null) sb.Append("pretrain_network_g: ").AppendLine(Q(PretrainNetworkG));
        sb.Append("strict_load_g: ").AppendLine(StrictLoadG ? "true" : "false");
        sb.AppendLine("datasets:");
        sb.AppendLine("  train:");
        if (Train.DatarootGt != null) sb.Append("    dataroot_gt: ").AppendLine(Q(Train.DatarootGt));
        if (Train.DatarootLq != null) sb.Append("    dataroot_lq: ").AppendLine(Q(Train.DatarootLq));
        sb.AppendLine(string.Create(c, $"    gt_size: {Train.GtSize}"));
        sb.AppendLine($"    use_hflip: {(Train.UseHFlip ? "true" : "false")}");
        sb.AppendLine($"    use_rot: {(Train.UseRot ? "true" : "false")}");
        sb.AppendLine(string.Create(c, $"    batch_size: {Train.BatchSize}"));
        if (Train.MetaInfo != null) sb.Append("    meta_info: ").AppendLine(Q(Train.MetaInfo));
        sb.AppendLine(string.Create(c, $"    crop_pad_size: {Train.CropPadSize}"));
        sb.AppendLine(string.Create(c, $"    dataset_enlarge_ratio: {Train.DatasetEnlargeRatio}"));
        if (Val != null)
        {
            sb.AppendLine("  val:");
            if (Val.DatarootGt != null) sb.Append("    dataroot_gt: ").AppendLine(Q(Val.DatarootGt));
            if (Val.DatarootLq != null) sb.Append("    dataroot_lq: ").AppendLine(Q(Val.DatarootLq));
            if (Val.CropBorder != null) sb.AppendLine(string.Create(c, $"    crop_border: {Val.CropBorder}"));
            sb.AppendLine($"    test_y_channel: {(Val.TestYChannel ? "true" : "false")}");
        }
        sb.AppendLine("losses:");
        sb.AppendLine(PixelLoss == null ? "  pixel: ~" : $"  pixel: {{type: {PixelLoss.Type}, loss_weight: {F(PixelLoss.LossWeight)}}}");
        if (PerceptualLoss is { } p)
        {
            sb.AppendLine("  perceptual:");
            sb.AppendLine("    layer_weights: {" + string.Join(", ", p.LayerWeights.Select(kv => $"{kv.Key}: {F(kv.Value)}")) + "}");
            if (p.VggWeights != null) sb.Append("    vgg_weights: ").AppendLine(Q(p.VggWeights));
            sb.AppendLine($"    use_input_norm: {(p.UseInputNorm ? "true" : "false")}");
            sb.AppendLine($"    range_norm: {(p.RangeNorm ? "true" : "false")}");
            sb.AppendLine($"    perceptual_weight: {F(p.PerceptualWeight)}");
            sb.AppendLine($"    style_weight: {F(p.StyleWeight)}");
            sb.AppendLine($"    criterion: {p.Criterion}");
        }
        else sb.AppendLine("  perceptual: ~");
        sb.AppendLine($"  gan: {{type: {GanLoss.Type}, loss_weight: {F(GanLoss.LossWeight)}}}");
        sb.AppendLine("optimizers:");
        foreach (var (name, o) in new[] { ("g", OptimG), ("d", OptimD) })
            sb.AppendLine($"  {name}: {{type: Adam, lr: {F(o.Lr)}, betas: [{F(o.Betas.Item1)}, {F(o.Betas.Item2)}], weight_decay: {F(o.WeightDecay)}}}");
        var s = Scheduler;
        sb.AppendLine(s.Type switch
        {
            "MultiStepLR" => $"scheduler: {{type: MultiStepLR, milestones: [{string.Join(", ", s.Milestones)}], gamma: {F(s.Gamma)}}}",
            "CosineAnnealingRestartLR" => $"scheduler: {{type: CosineAnnealingRestartLR, periods: [{string.Join(", ", s.Periods)}], restart_weights: [{string.Join(", ", s.RestartWeights.Select(F))}], eta_min: {F(s.EtaMin)}}}",
            _ => "scheduler: {type: none}",
        });
        sb.Append("ema_decay: ").AppendLine(F(EmaDecay));
        sb.AppendLine($"ema_warmup: {(EmaWarmup ? "true" : "false")}");
        sb.AppendLine(string.Create(c, $"net_d_iters: {NetDIters}"));
        sb.AppendLine(string.Create(c, $"net_d_init_iters: {NetDInitIters}"));
        sb.AppendLine(string.Create(c, $"total_iter: {TotalIter}"));
        sb.AppendLine(string.Create(c, $"val_freq: {ValFreq}"));
        sb.AppendLine(string.Create(c, $"save_checkpoint_freq: {SaveCheckpointFreq}"));
        sb.AppendLine(string.Create(c, $"print_freq: {PrintFreq}"));
        return sb.ToString();
    }
}
