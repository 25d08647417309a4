using System.Globalization;
using System.Text;
using NativeGan.Models.Training;
using YamlDotNet.RepresentationModel;
using static NativeGan.Models.Training.ConfigYaml;

namespace NativeGan.Models.Sr.Training;

/// <summary>The generator: BasicSR's network_g (type and arguments).</summary>
public sealed class SrNetworkGConfig
{
    public static readonly IReadOnlyList<string> Types = new[] { "RRDBNet", "MSRResNet", "SRResNet" };

    /// <summary>RRDBNet, MSRResNet (BasicSR, no BN) or SRResNet (SRGAN: BN + PReLU).</summary>
    public string Type { get; set; } = "RRDBNet";
    public int NumInCh { get; set; } = 3;
    public int NumOutCh { get; set; } = 3;
    public int NumFeat { get; set; } = 64;
    /// <summary>RRDB blocks (RRDBNet) or residual blocks (MSRResNet / SRResNet).</summary>
    public int NumBlock { get; set; } = 23;
    /// <summary>RRDBNet's growth channels.</summary>
    public int NumGrowCh { get; set; } = 32;
}

/// <summary>The discriminator: BasicSR's network_d (VGGStyleDiscriminator for 128x128 patches).</summary>
public sealed class SrNetworkDConfig
{
    public static readonly IReadOnlyList<string> Types = new[] { "VGGStyleDiscriminator", "UNetDiscriminatorSN" };
    /// <summary>VGGStyleDiscriminator (esrgan, srgan) or UNetDiscriminatorSN (realesrgan).</summary>
    public string Type { get; set; } = "VGGStyleDiscriminator";
    public int NumInCh { get; set; } = 3;
    public int NumFeat { get; set; } = 64;
    /// <summary>UNetDiscriminatorSN's skip_connection.</summary>
    public bool SkipConnection { get; set; } = true;
}

/// <summary>Training pairs: an HR folder (LR made by MATLAB-style bicubic) or paired LR / HR folders.</summary>
public sealed class SrTrainDataConfig
{
    /// <summary>The HR (ground truth) image folder; required.</summary>
    public string? DatarootGt { get; set; }
    /// <summary>The LR folder of a paired data set; null: LR made from the HR images on the fly.</summary>
    public string? DatarootLq { get; set; }
    /// <summary>Side of the HR crops (the LR crops are gt_size / scale).</summary>
    public int GtSize { get; set; } = 128;
    public bool UseHFlip { get; set; } = true;
    public bool UseRot { get; set; } = true;
    public int BatchSize { get; set; } = 16;
    /// <summary>BasicSR's meta_info file: one path per line, relative to dataroot_gt (realesrnet / realesrgan); null: every image of dataroot_gt.</summary>
    public string? MetaInfo { get; set; }
    /// <summary>RealESRGANDataset's crop_pad_size (400 in Real-ESRGAN): GT images are reflect-padded or randomly cropped to it before the degradations.</summary>
    public int CropPadSize { get; set; } = 400;
    /// <summary>BasicSR's dataset_enlarge_ratio: the image list repeated this many times per epoch.</summary>
    public int DatasetEnlargeRatio { get; set; } = 1;
}

/// <summary>Validation images: whole LR / HR pairs, PSNR and SSIM as BasicSR's calculate_psnr / calculate_ssim.</summary>
public sealed class SrValDataConfig
{
    public string? DatarootGt { get; set; }
    public string? DatarootLq { get; set; }
    /// <summary>Pixels cropped from each border before the metrics; null: the scale.</summary>
    public int? CropBorder { get; set; }
    /// <summary>Metrics on the Y channel of YCbCr (BT.601) rather than on RGB.</summary>
    public bool TestYChannel { get; set; } = true;
}

/// <summary>BasicSR's pixel_opt (L1Loss / MSELoss).</summary>
public sealed class SrPixelLossConfig
{
    public static readonly IReadOnlyList<string> Types = new[] { "l1", "l2" };
    public string Type { get; set; } = "l1";
    public float LossWeight { get; set; } = 1f;
}

/// <summary>BasicSR's perceptual_opt (VGG19 features; the weights are the user's torchvision vgg19 file).</summary>
public sealed class SrPerceptualLossConfig
{
    public static readonly IReadOnlyList<string> Criteria = new[] { "l1", "l2", "fro" };
    /// <summary>VGG19 layer (conv1_1 .. conv5_4, relu1_1 .. relu5_4, pool1 .. pool5) to weight; layers past the last
    /// one named are never built, so a config that stops early needs only the first layers' weights.</summary>
    public Dictionary<string, float> LayerWeights { get; set; } = new() { ["conv5_4"] = 1f };
    /// <summary>torchvision's vgg19 state dict (.pth or .safetensors; e.g. vgg19-dcbb9e9d.pth); required.</summary>
    public string? VggWeights { get; set; }
    public bool UseInputNorm { get; set; } = true;
    public bool RangeNorm { get; set; }
    public float PerceptualWeight { get; set; } = 1f;
    public float StyleWeight { get; set; }
    public string Criterion { get; set; } = "l1";
}

/// <summary>BasicSR's gan_opt (GANLoss): the loss on D's logits; loss_weight scales only G's term.</summary>
public sealed class SrGanLossConfig
{
    public static readonly IReadOnlyList<string> Types = new[] { "vanilla", "ragan", "lsgan", "wgan", "wgan_softplus", "hinge" };
    /// <summary>vanilla (BCE on logits), lsgan, wgan, wgan_softplus, hinge; "ragan" is vanilla for esrgan (whose
    /// relativistic average form is the model's, as BasicSR's ESRGANModel).</summary>
    public string Type { get; set; } = "vanilla";
    public float LossWeight { get; set; } = 5e-3f;
}

/// <summary>Adam for one network (BasicSR's optim_g / optim_d).</summary>
public sealed class SrOptimConfig
{
    public float Lr { get; set; } = 1e-4f;
    public (float, float) Betas { get; set; } = (0.9f, 0.99f);
    public float WeightDecay { get; set; }
}

/// <summary>The learning-rate schedule of both optimizers, stepped once per iteration before it (BasicSR).</summary>
public sealed class SrSchedulerConfig
{
    public static readonly IReadOnlyList<string> Types = new[] { "MultiStepLR", "CosineAnnealingRestartLR", "none" };
    public string Type { get; set; } = "MultiStepLR";
    public int[] Milestones { get; set; } = { 50000, 100000, 200000, 300000 };
    public float Gamma { get; set; } = 0.5f;
    public int[] Periods { get; set; } = { 250000, 250000, 250000, 250000 };
    public float[] RestartWeights { get; set; } = { 1, 1, 1, 1 };
    public float EtaMin { get; set; } = 1e-7f;
}

/// <summary>
/// A super-resolution training run (<c>nativegan train --config configs/esrgan_x4.yml</c>). Two layouts: a file with
/// <c>model_type</c> is read as BasicSR / Real-ESRGAN write their option files (<see cref="BasicSrOptionFile"/>);
/// otherwise the keys of BasicSR's option files, flattened a little (see models/Sr/Training/README.md). Every key has a default, and the defaults
/// depend on <c>model</c> (read first): rrdbnet_psnr = train_RRDBNet_PSNR_x4.yml, esrgan = train_ESRGAN_x4.yml,
/// srgan = MMEditing's srgan_x4c64b16 with an SRResNet and VGG54 (relu5_4). Unknown keys and bad values throw
/// <see cref="ConfigException"/> naming the file, the key and its line.
/// </summary>
public sealed class SrConfig
{
    public static readonly IReadOnlyList<string> Models = new[] { "rrdbnet_psnr", "esrgan", "srgan", "realesrnet", "realesrgan" };

    private static readonly string[] TopKeys =
    {
        "model", "scale", "seed", "device", "network_g", "network_d", "pretrain_network_g", "strict_load_g", "datasets", "losses",
        "optimizers", "scheduler", "ema_decay", "net_d_iters", "net_d_init_iters", "disc_steps", "disc_init_steps",
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
    public SrTrainDataConfig Train { get; set; } = new();
    /// <summary>Validation pairs; null: no validation.</summary>
    public SrValDataConfig? Val { get; set; }
    public SrPixelLossConfig? PixelLoss { get; set; } = new() { LossWeight = 1e-2f };
    public SrPerceptualLossConfig? PerceptualLoss { get; set; } = new();
    public SrGanLossConfig GanLoss { get; set; } = new();
    public SrOptimConfig OptimG { get; set; } = new();
    public SrOptimConfig OptimD { get; set; } = new();
    public SrSchedulerConfig Scheduler { get; set; } = new();
    /// <summary>EMA of G's weights (BasicSR's net_g_ema); 0: off.</summary>
    public float EmaDecay { get; set; } = 0.999f;
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

    /// <summary>Whether the LR inputs come from Real-ESRGAN's degradations (realesrnet, realesrgan).</summary>
    public bool IsRealEsrgan => Model is "realesrnet" or "realesrgan";

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
        return Parse(File.ReadAllText(path), path);
    }

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

    /// <summary>Parses and validates YAML text; <paramref name="source"/> names it in errors.</summary>
    public static SrConfig Parse(string yaml, string source = "<config>")
    {
        var root = LoadRoot(yaml, source);
        if (root == null)
        {
            var empty = Defaults("esrgan");
            empty.Source = source;
            empty.Text = yaml;
            empty.Validate();
            return empty;
        }
        if (root is not YamlMappingNode map)
            throw new ConfigException($"{source}: expected a mapping of keys (model, network_g, datasets, losses, ...) at the top level, got {Describe(root)}.");
        if (BasicSrOptionFile.IsBasicSrLayout(map)) return BasicSrOptionFile.Parse(map, yaml, source);
        string model = "esrgan";
        foreach (var (k, v) in map.Children)
            if (k is YamlScalarNode { Value: "model" }) model = Choice(v, source, "model", Models);
        var cfg = Defaults(model);
        cfg.Source = source;
        cfg.Text = yaml;

        foreach (var (k, v) in map.Children)
        {
            string key = Key(k, source, "");
            switch (key)
            {
                case "model": break;
                case "scale": cfg.Scale = Int(v, source, key, 1); break;
                case "seed": cfg.Seed = ULong(v, source, key); break;
                case "device": cfg.Device = DeviceSpec(v, source, key); break;
                case "network_g": ParseNetworkG(cfg.NetworkG, v, source); break;
                case "network_d": ParseNetworkD(cfg.NetworkD, v, source); break;
                case "pretrain_network_g": cfg.PretrainNetworkG = IsNull(v) ? null : Str(v, source, key); break;
                case "strict_load_g": cfg.StrictLoadG = Bool(v, source, key); break;
                case "datasets": ParseDatasets(cfg, v, source); break;
                case "losses": ParseLosses(cfg, v, source); break;
                case "optimizers": ParseOptimizers(cfg, v, source); break;
                case "scheduler": ParseScheduler(cfg.Scheduler, v, source); break;
                case "ema_decay": cfg.EmaDecay = Float(v, source, key, min: 0f, max: 1f); break;
                case "net_d_iters" or "disc_steps": cfg.NetDIters = Int(v, source, key, 1); break;
                case "net_d_init_iters" or "disc_init_steps": cfg.NetDInitIters = Int(v, source, key, 0); break;
                case "total_iter": cfg.TotalIter = Int(v, source, key, 0); break;
                case "val_freq": cfg.ValFreq = Int(v, source, key, 0); break;
                case "save_checkpoint_freq": cfg.SaveCheckpointFreq = Int(v, source, key, 0); break;
                case "print_freq": cfg.PrintFreq = Int(v, source, key, 1); break;
                case "name": cfg.Name = IsNull(v) ? null : Str(v, source, key); break;
                case "degradation": cfg.Degradation = ParseDegradation(v, source); break;
                case "gt_usm": cfg.GtUsm = Bool(v, source, key); break;
                case "l1_gt_usm": cfg.L1GtUsm = Bool(v, source, key); break;
                case "percep_gt_usm": cfg.PercepGtUsm = Bool(v, source, key); break;
                case "gan_gt_usm": cfg.GanGtUsm = Bool(v, source, key); break;
                case "param_key_g": cfg.ParamKeyG = IsNull(v) ? null : Str(v, source, key); break;
                default: throw UnknownKey(source, key, k, TopKeys);
            }
        }
        cfg.Validate();
        return cfg;
    }

    /// <summary>Real-ESRGAN's degradation keys (blur_kernel_size ... queue_size) as one mapping.</summary>
    private static NativeGan.Models.Sr.Degradations.DegradationOptions ParseDegradation(YamlNode node, string source)
    {
        var o = new NativeGan.Models.Sr.Degradations.DegradationOptions();
        if (IsNull(node)) return o;
        foreach (var (k, v) in Mapping(node, source, "degradation", "resize_prob: [0.2, 0.7, 0.1], ...").Children)
        {
            string key = Key(k, source, "degradation.");
            o = NativeGan.Models.Sr.Degradations.DegradationConfig.Apply(o, key, v, source, "degradation." + key);
        }
        return o;
    }

    internal static void ParseNetworkG(SrNetworkGConfig g, YamlNode node, string source, string prefix = "network_g")
    {
        var keys = new[] { "type", "num_in_ch", "num_out_ch", "num_feat", "num_block", "num_grow_ch" };
        foreach (var (k, v) in Mapping(node, source, prefix, string.Join(", ", keys)).Children)
        {
            string key = Key(k, source, prefix + "."), full = prefix + "." + key;
            switch (key)
            {
                case "type": g.Type = Choice(v, source, full, SrNetworkGConfig.Types); break;
                case "num_in_ch": g.NumInCh = Int(v, source, full, 1); break;
                case "num_out_ch": g.NumOutCh = Int(v, source, full, 1); break;
                case "num_feat": g.NumFeat = Int(v, source, full, 1); break;
                case "num_block": g.NumBlock = Int(v, source, full, 1); break;
                case "num_grow_ch": g.NumGrowCh = Int(v, source, full, 1); break;
                default: throw UnknownKey(source, full, k, keys);
            }
        }
    }

    internal static void ParseNetworkD(SrNetworkDConfig d, YamlNode node, string source, string prefix = "network_d")
    {
        var keys = new[] { "type", "num_in_ch", "num_feat", "skip_connection" };
        foreach (var (k, v) in Mapping(node, source, prefix, string.Join(", ", keys)).Children)
        {
            string key = Key(k, source, prefix + "."), full = prefix + "." + key;
            switch (key)
            {
                case "type": d.Type = Choice(v, source, full, SrNetworkDConfig.Types); break;
                case "skip_connection": d.SkipConnection = Bool(v, source, full); break;
                case "num_in_ch": d.NumInCh = Int(v, source, full, 1); break;
                case "num_feat": d.NumFeat = Int(v, source, full, 1); break;
                default: throw UnknownKey(source, full, k, keys);
            }
        }
    }

    private static void ParseDatasets(SrConfig cfg, YamlNode node, string source)
    {
        foreach (var (k, v) in Mapping(node, source, "datasets", "train, val").Children)
        {
            string key = Key(k, source, "datasets.");
            switch (key)
            {
                case "train": ParseTrain(cfg.Train, v, source); break;
                case "val":
                    if (IsNull(v)) { cfg.Val = null; break; }
                    cfg.Val ??= new SrValDataConfig();
                    ParseVal(cfg.Val, v, source);
                    break;
                default: throw UnknownKey(source, "datasets." + key, k, new[] { "train", "val" });
            }
        }
    }

    private static void ParseTrain(SrTrainDataConfig t, YamlNode node, string source)
    {
        var keys = new[] { "dataroot_gt", "dataroot_lq", "gt_size", "use_hflip", "use_rot", "batch_size", "meta_info", "crop_pad_size", "dataset_enlarge_ratio" };
        foreach (var (k, v) in Mapping(node, source, "datasets.train", string.Join(", ", keys)).Children)
        {
            string key = Key(k, source, "datasets.train."), full = "datasets.train." + key;
            switch (key)
            {
                case "dataroot_gt": t.DatarootGt = IsNull(v) ? null : Str(v, source, full); break;
                case "dataroot_lq": t.DatarootLq = IsNull(v) ? null : Str(v, source, full); break;
                case "gt_size": t.GtSize = Int(v, source, full, 1); break;
                case "use_hflip" or "use_flip": t.UseHFlip = Bool(v, source, full); break;
                case "use_rot": t.UseRot = Bool(v, source, full); break;
                case "batch_size" or "batch_size_per_gpu": t.BatchSize = Int(v, source, full, 1); break;
                case "meta_info": t.MetaInfo = IsNull(v) ? null : Str(v, source, full); break;
                case "crop_pad_size": t.CropPadSize = Int(v, source, full, 1); break;
                case "dataset_enlarge_ratio": t.DatasetEnlargeRatio = Int(v, source, full, 1); break;
                default: throw UnknownKey(source, full, k, keys);
            }
        }
    }

    internal static void ParseVal(SrValDataConfig t, YamlNode node, string source, string prefix = "datasets.val")
    {
        var keys = new[] { "dataroot_gt", "dataroot_lq", "crop_border", "test_y_channel" };
        foreach (var (k, v) in Mapping(node, source, prefix, string.Join(", ", keys)).Children)
        {
            string key = Key(k, source, prefix + "."), full = prefix + "." + key;
            switch (key)
            {
                case "dataroot_gt": t.DatarootGt = IsNull(v) ? null : Str(v, source, full); break;
                case "dataroot_lq": t.DatarootLq = IsNull(v) ? null : Str(v, source, full); break;
                case "crop_border": t.CropBorder = IsNull(v) ? null : Int(v, source, full, 0); break;
                case "test_y_channel": t.TestYChannel = Bool(v, source, full); break;
                default: throw UnknownKey(source, full, k, keys);
            }
        }
    }

    private static void ParseLosses(SrConfig cfg, YamlNode node, string source)
    {
        var sections = new[] { "pixel", "perceptual", "gan" };
        foreach (var (k, v) in Mapping(node, source, "losses", string.Join(", ", sections)).Children)
        {
            string key = Key(k, source, "losses.");
            switch (key)
            {
                case "pixel":
                    if (IsNull(v)) { cfg.PixelLoss = null; break; }
                    cfg.PixelLoss ??= new SrPixelLossConfig();
                    ParsePixel(cfg.PixelLoss, v, source);
                    break;
                case "perceptual":
                    if (IsNull(v)) { cfg.PerceptualLoss = null; break; }
                    cfg.PerceptualLoss ??= new SrPerceptualLossConfig();
                    ParsePerceptual(cfg.PerceptualLoss, v, source);
                    break;
                case "gan": ParseGan(cfg.GanLoss, v, source); break;
                default: throw UnknownKey(source, "losses." + key, k, sections);
            }
        }
    }

    internal static void ParsePixel(SrPixelLossConfig p, YamlNode node, string source, string prefix = "losses.pixel")
    {
        var keys = new[] { "type", "loss_weight" };
        foreach (var (k, v) in Mapping(node, source, prefix, string.Join(", ", keys)).Children)
        {
            string key = Key(k, source, prefix + "."), full = prefix + "." + key;
            switch (key)
            {
                case "type":
                    string t = v is YamlScalarNode { Value: { } s } ? s.Trim() : "";
                    p.Type = t switch
                    {
                        "L1Loss" => "l1",
                        "MSELoss" => "l2",
                        _ => Choice(v, source, full, SrPixelLossConfig.Types),
                    };
                    break;
                case "loss_weight": p.LossWeight = Float(v, source, full, min: 0f); break;
                default: throw UnknownKey(source, full, k, keys);
            }
        }
    }

    internal static void ParsePerceptual(SrPerceptualLossConfig p, YamlNode node, string source, string prefix = "losses.perceptual")
    {
        var keys = new[] { "layer_weights", "vgg_weights", "use_input_norm", "range_norm", "perceptual_weight", "style_weight", "criterion" };
        foreach (var (k, v) in Mapping(node, source, prefix, string.Join(", ", keys)).Children)
        {
            string key = Key(k, source, prefix + "."), full = prefix + "." + key;
            switch (key)
            {
                case "layer_weights":
                {
                    var m = Mapping(v, source, full, "conv5_4: 1, ...");
                    var weights = new Dictionary<string, float>();
                    foreach (var (lk, lv) in m.Children)
                    {
                        string layer = Key(lk, source, full + ".");
                        if (!Vgg19Layers.IsLayer(layer))
                            throw new ConfigException($"{source}: key '{full}.{layer}' (line {lk.Start.Line}): not a VGG19 layer; expected one of {string.Join(", ", Vgg19Layers.Names)}.");
                        weights[layer] = Float(lv, source, $"{full}.{layer}", min: 0f);
                    }
                    if (weights.Count == 0)
                        throw new ConfigException($"{source}: key '{full}' (line {v.Start.Line}): expected at least one layer, like {{conv5_4: 1}}.");
                    p.LayerWeights = weights;
                    break;
                }
                case "vgg_weights": p.VggWeights = IsNull(v) ? null : Str(v, source, full); break;
                case "use_input_norm": p.UseInputNorm = Bool(v, source, full); break;
                case "range_norm": p.RangeNorm = Bool(v, source, full); break;
                case "perceptual_weight": p.PerceptualWeight = Float(v, source, full, min: 0f); break;
                case "style_weight": p.StyleWeight = Float(v, source, full, min: 0f); break;
                case "criterion": p.Criterion = Choice(v, source, full, SrPerceptualLossConfig.Criteria); break;
                default: throw UnknownKey(source, full, k, keys);
            }
        }
    }

    internal static void ParseGan(SrGanLossConfig g, YamlNode node, string source, string prefix = "losses.gan")
    {
        var keys = new[] { "type", "loss_weight" };
        foreach (var (k, v) in Mapping(node, source, prefix, string.Join(", ", keys)).Children)
        {
            string key = Key(k, source, prefix + "."), full = prefix + "." + key;
            switch (key)
            {
                case "type": g.Type = Choice(v, source, full, SrGanLossConfig.Types); break;
                case "loss_weight": g.LossWeight = Float(v, source, full, min: 0f); break;
                default: throw UnknownKey(source, full, k, keys);
            }
        }
    }

    private static void ParseOptimizers(SrConfig cfg, YamlNode node, string source)
    {
        foreach (var (k, v) in Mapping(node, source, "optimizers", "g, d").Children)
        {
            string key = Key(k, source, "optimizers.");
            switch (key)
            {
                case "g": ParseOptim(cfg.OptimG, v, source, "optimizers.g"); break;
                case "d": ParseOptim(cfg.OptimD, v, source, "optimizers.d"); break;
                default: throw UnknownKey(source, "optimizers." + key, k, new[] { "g", "d" });
            }
        }
    }

    internal static void ParseOptim(SrOptimConfig o, YamlNode node, string source, string prefix)
    {
        var keys = new[] { "type", "lr", "betas", "weight_decay" };
        foreach (var (k, v) in Mapping(node, source, prefix, string.Join(", ", keys)).Children)
        {
            string key = Key(k, source, prefix + "."), full = prefix + "." + key;
            switch (key)
            {
                case "type": Choice(v, source, full, new[] { "Adam" }); break;
                case "lr": o.Lr = Float(v, source, full, positive: true); break;
                case "betas": o.Betas = ParseBetas(v, source, full); break;
                case "weight_decay": o.WeightDecay = Float(v, source, full, min: 0f); break;
                default: throw UnknownKey(source, full, k, keys);
            }
        }
    }

    internal static void ParseScheduler(SrSchedulerConfig s, YamlNode node, string source, string prefix = "scheduler")
    {
        var keys = new[] { "type", "milestones", "gamma", "periods", "restart_weights", "eta_min" };
        if (IsNull(node)) { s.Type = "none"; return; }
        foreach (var (k, v) in Mapping(node, source, prefix, string.Join(", ", keys)).Children)
        {
            string key = Key(k, source, prefix + "."), full = prefix + "." + key;
            switch (key)
            {
                case "type": s.Type = Choice(v, source, full, SrSchedulerConfig.Types); break;
                case "milestones": s.Milestones = IntList(v, source, full, 1); break;
                case "gamma": s.Gamma = Float(v, source, full, positive: true); break;
                case "periods": s.Periods = IntList(v, source, full, 1); break;
                case "restart_weights": s.RestartWeights = FloatList(v, source, full, 0f); break;
                case "eta_min": s.EtaMin = Float(v, source, full, min: 0f); break;
                default: throw UnknownKey(source, full, k, keys);
            }
        }
    }

    /// <summary>Cross-field checks.</summary>
    public void Validate()
    {
        if (!Models.Contains(Model)) throw new ConfigException($"{Source}: key 'model': expected one of {string.Join(", ", Models)}, got '{Model}'.");
        if (Scale is not (1 or 2 or 3 or 4 or 8))
            throw new ConfigException($"{Source}: key 'scale': expected 1, 2, 3, 4 or 8, got {Scale}.");
        if (NetworkG.Type == "RRDBNet" && Scale is not (1 or 2 or 4))
            throw new ConfigException($"{Source}: key 'scale': RRDBNet supports 1, 2 or 4 (pixel-unshuffle for 1 and 2), got {Scale}.");
        if (NetworkG.Type is "MSRResNet" or "SRResNet" && Scale is not (2 or 3 or 4))
            throw new ConfigException($"{Source}: key 'scale': {NetworkG.Type} supports 2, 3 or 4, got {Scale}.");
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
        sb.AppendLine(string.Create(c, $"network_g: {{type: {NetworkG.Type}, num_in_ch: {NetworkG.NumInCh}, num_out_ch: {NetworkG.NumOutCh}, num_feat: {NetworkG.NumFeat}, num_block: {NetworkG.NumBlock}, num_grow_ch: {NetworkG.NumGrowCh}}}"));
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
        sb.AppendLine(string.Create(c, $"net_d_iters: {NetDIters}"));
        sb.AppendLine(string.Create(c, $"net_d_init_iters: {NetDInitIters}"));
        sb.AppendLine(string.Create(c, $"total_iter: {TotalIter}"));
        sb.AppendLine(string.Create(c, $"val_freq: {ValFreq}"));
        sb.AppendLine(string.Create(c, $"save_checkpoint_freq: {SaveCheckpointFreq}"));
        sb.AppendLine(string.Create(c, $"print_freq: {PrintFreq}"));
        return sb.ToString();
    }
}

/// <summary>VGG19's layer names as BasicSR's VGGFeatureExtractor (torchvision's features indices 0..36).</summary>
public static class Vgg19Layers
{
    /// <summary>conv1_1, relu1_1, ..., conv5_4, relu5_4, pool5 in network order.</summary>
    public static readonly IReadOnlyList<string> Names = Build();

    private static string[] Build()
    {
        var names = new List<string>();
        int[] convs = { 2, 2, 4, 4, 4 };
        for (int b = 0; b < 5; b++)
        {
            for (int i = 1; i <= convs[b]; i++)
            {
                names.Add($"conv{b + 1}_{i}");
                names.Add($"relu{b + 1}_{i}");
            }
            names.Add($"pool{b + 1}");
        }
        return names.ToArray();
    }

    public static bool IsLayer(string name) => Names.Contains(name);
}
