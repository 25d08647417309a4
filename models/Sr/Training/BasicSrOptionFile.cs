using NativeGan.Models.Sr.Degradations;
using NativeGan.Models.Training;
using YamlDotNet.RepresentationModel;
using static NativeGan.Models.Training.ConfigYaml;

namespace NativeGan.Models.Sr.Training;

/// <summary>
/// Reads an option file in BasicSR's layout (the one Real-ESRGAN's options/train_realesrnet_x4plus.yml and
/// train_realesrgan_x4plus.yml use: <c>model_type</c>, <c>network_g</c>, <c>network_d</c>, <c>datasets</c>, <c>path</c>,
/// <c>train</c> with <c>*_opt</c> losses, <c>val</c>, <c>logger</c>, <c>dist_params</c>, and Real-ESRGAN's degradation keys)
/// into an <see cref="SrConfig"/>, so those files run after changing only their paths. Every key BasicSR or
/// Real-ESRGAN defines there is read or, where it only concerns their runtime (io_backend, workers, tensorboard,
/// wandb, the distributed backend), accepted; a value NativeGan cannot honour is refused with the reason; any other
/// key is an error naming the key, its line and the file. Loss terms exist only where the file has their
/// <c>*_opt</c>, and <c>ema_decay</c> defaults to 0, as in BasicSR. The EMA's decay warms up to <c>ema_decay</c> as
/// everywhere in NativeGan (<see cref="SrConfig.EmaWarmup"/>; <c>train.ema_warmup: false</c> gives BasicSR's constant
/// decay): over Real-ESRGAN's 400k / 1M iterations the two averages differ by less than float32 can hold.
/// </summary>
public static class BasicSrOptionFile
{
    /// <summary>BasicSR / Real-ESRGAN model_type -> NativeGan model.</summary>
    public static readonly IReadOnlyDictionary<string, string> ModelTypes = new Dictionary<string, string>
    {
        ["RealESRNetModel"] = "realesrnet",
        ["RealESRGANModel"] = "realesrgan",
        ["SRModel"] = "rrdbnet_psnr",
        ["ESRGANModel"] = "esrgan",
    };

    /// <summary>Where BasicSR's VGGFeatureExtractor looks for torchvision's VGG19 before downloading it (NativeGan never downloads).</summary>
    public const string DefaultVggPath = "experiments/pretrained_models/vgg19-dcbb9e9d.pth";

    private static readonly string[] TopKeys =
    {
        "name", "model_type", "scale", "num_gpu", "manual_seed", "is_train", "dist", "rank", "world_size", "auto_resume",
        "l1_gt_usm", "percep_gt_usm", "gan_gt_usm", "gt_usm", "high_order_degradation",
        "datasets", "network_g", "network_d", "path", "train", "val", "logger", "dist_params",
    };

    private static readonly string[] TrainDataKeys =
    {
        "name", "type", "dataroot_gt", "dataroot_lq", "meta_info", "io_backend", "filename_tmpl", "gt_size", "use_hflip", "use_flip",
        "use_rot", "use_shuffle", "num_worker_per_gpu", "batch_size_per_gpu", "dataset_enlarge_ratio", "prefetch_mode", "pin_memory",
        "phase", "scale", "crop_pad_size",
    };

    /// <summary>Whether a YAML mapping is in BasicSR's layout (it has <c>model_type</c>).</summary>
    public static bool IsBasicSrLayout(YamlMappingNode map) => map.Children.ContainsKey(new YamlScalarNode("model_type"));

    /// <summary>The NativeGan model a BasicSR layout names, or null when it has no model_type.</summary>
    public static string? PeekModel(YamlMappingNode map) =>
        map.Children.TryGetValue(new YamlScalarNode("model_type"), out var v) && v is YamlScalarNode { Value: { } t } && ModelTypes.TryGetValue(t.Trim(), out var m) ? m : null;

    internal static SrConfig Parse(YamlMappingNode map, string yaml, string source)
    {
        var typeNode = map.Children[new YamlScalarNode("model_type")];
        string modelType = Choice(typeNode, source, "model_type", ModelTypes.Keys.ToArray());
        var cfg = SrConfig.Defaults(ModelTypes[modelType]);
        cfg.Source = source;
        cfg.Text = yaml;
        // BasicSR builds a loss only when its *_opt is present, and EMA only with ema_decay.
        cfg.PixelLoss = null;
        cfg.PerceptualLoss = null;
        cfg.EmaDecay = 0;
        cfg.ValFreq = 0;
        var degradation = cfg.Degradation;
        int? topGtSize = null, trainGtSize = null;
        bool hasGan = false;

        foreach (var (k, v) in map.Children)
        {
            string key = Key(k, source, "");
            switch (key)
            {
                case "model_type": break;
                case "name": cfg.Name = IsNull(v) ? null : Str(v, source, key); break;
                case "scale": cfg.Scale = Int(v, source, key, 1, 16); break;
                case "num_gpu":
                    // NativeGan trains on one device; batch_size_per_gpu is that device's batch.
                    if (!(v is YamlScalarNode { Value: "auto" })) Int(v, source, key, 0);
                    break;
                case "manual_seed": cfg.Seed = IsNull(v) ? 0 : ULong(v, source, key); break;
                case "is_train" or "dist" or "auto_resume": Bool(v, source, key); break;
                case "rank" or "world_size": Int(v, source, key, 0); break;
                case "l1_gt_usm": cfg.L1GtUsm = Bool(v, source, key); break;
                case "percep_gt_usm": cfg.PercepGtUsm = Bool(v, source, key); break;
                case "gan_gt_usm": cfg.GanGtUsm = Bool(v, source, key); break;
                case "gt_usm": cfg.GtUsm = Bool(v, source, key); break;
                case "high_order_degradation":
                    if (!cfg.IsRealEsrgan)
                        throw new ConfigException($"{source}: key '{key}' (line {k.Start.Line}): only RealESRNetModel and RealESRGANModel degrade; remove the key for {modelType}.");
                    cfg.HighOrderDegradation = Bool(v, source, key);
                    break;
                case "gt_size": topGtSize = Int(v, source, key, 1, ConfigYaml.MaxImageSize); break;
                case "datasets": ParseDatasets(cfg, v, source, ref degradation, ref trainGtSize); break;
                case "network_g": SrConfig.ParseNetworkG(cfg.NetworkG, v, source); break;
                case "network_d": SrConfig.ParseNetworkD(cfg.NetworkD, v, source); break;
                case "path": ParsePath(cfg, v, source); break;
                case "train": hasGan = ParseTrain(cfg, v, source); break;
                case "val": ParseVal(cfg, v, source); break;
                case "logger": ParseLogger(cfg, v, source); break;
                case "dist_params": Mapping(v, source, key, "backend: nccl, port: 29500"); break;
                default:
                    if (DegradationConfig.Keys.Contains(key))
                    {
                        if (degradation == null)
                            throw new ConfigException($"{source}: key '{key}' (line {k.Start.Line}): a degradation option, but model_type {modelType} trains on given LR images; only RealESRNetModel and RealESRGANModel degrade.");
                        degradation = DegradationConfig.Apply(degradation, key, v, source, key);
                        break;
                    }
                    throw UnknownKey(source, key, k, TopKeys.Concat(cfg.IsRealEsrgan ? DegradationConfig.Keys : Array.Empty<string>()));
            }
        }

        CheckPairedTraining(cfg, source);
        if (topGtSize is int g1 && trainGtSize is int g2 && g1 != g2)
            throw new ConfigException($"{source}: key 'gt_size' is {g1} but 'datasets.train.gt_size' is {g2}; Real-ESRGAN crops the pairs at the top-level gt_size, make them equal.");
        if ((topGtSize ?? trainGtSize) is int gt) cfg.Train.GtSize = gt;
        cfg.Degradation = degradation;
        if (cfg.HasDiscriminator && !hasGan)
            throw new ConfigException($"{source}: key 'train.gan_opt' is missing: {modelType} trains a discriminator and needs a GAN loss (type: GANLoss, gan_type: vanilla, loss_weight: ...).");
        if (cfg.PerceptualLoss is { VggWeights: null } p) p.VggWeights = DefaultVggPath;
        cfg.Validate();
        return cfg;
    }

    /// <summary>
    /// Real-ESRGAN pairs high_order_degradation with its dataset: true with RealESRGANDataset (GT only, LR made by the
    /// degradations), false with RealESRGANPairedDataset (given LR / GT pairs: dataroot_lq, and a meta_info of pairs or
    /// the two folders).
    /// </summary>
    private static void CheckPairedTraining(SrConfig cfg, string source)
    {
        string? type = cfg.Train.DatasetType;
        if (!cfg.IsRealEsrgan || type == null) return;
        string wanted = cfg.HighOrderDegradation ? "RealESRGANDataset" : "RealESRGANPairedDataset";
        if (type != wanted)
            throw new ConfigException($"{source}: key 'datasets.train.type': {type} with high_order_degradation: {(cfg.HighOrderDegradation ? "true" : "false")}; " +
                $"Real-ESRGAN trains {(cfg.HighOrderDegradation ? "degraded GT images with RealESRGANDataset" : "given pairs with RealESRGANPairedDataset")}, expected {wanted}.");
        if (cfg.HighOrderDegradation && cfg.Train.DatarootLq != null)
            throw new ConfigException($"{source}: key 'datasets.train.dataroot_lq': {cfg.Model} makes its LR images by degrading the GT; remove dataroot_lq (or set high_order_degradation: false for paired data).");
        if (!cfg.HighOrderDegradation && cfg.Train.DatarootLq == null)
            throw new ConfigException($"{source}: key 'datasets.train.dataroot_lq' is missing: RealESRGANPairedDataset reads LR / GT pairs.");
    }

    private static void ParseDatasets(SrConfig cfg, YamlNode node, string source, ref DegradationOptions? degradation, ref int? gtSize)
    {
        foreach (var (k, v) in Mapping(node, source, "datasets", "train: ..., val: ...").Children)
        {
            string key = Key(k, source, "datasets.");
            if (key == "train") ParseTrainData(cfg, v, source, ref degradation, ref gtSize);
            else if (key.StartsWith("val", StringComparison.Ordinal)) ParseValData(cfg, v, source, "datasets." + key);
            else throw UnknownKey(source, "datasets." + key, k, new[] { "train", "val" });
        }
    }

    private static void ParseTrainData(SrConfig cfg, YamlNode node, string source, ref DegradationOptions? degradation, ref int? gtSize)
    {
        var t = cfg.Train;
        var wanted = cfg.IsRealEsrgan ? new[] { "RealESRGANDataset", "RealESRGANPairedDataset" } : new[] { "PairedImageDataset" };
        foreach (var (k, v) in Mapping(node, source, "datasets.train", "type: " + wanted[0] + ", dataroot_gt: ...").Children)
        {
            string key = Key(k, source, "datasets.train."), full = "datasets.train." + key;
            switch (key)
            {
                case "name" or "filename_tmpl" or "prefetch_mode": break;
                case "phase": Choice(v, source, full, new[] { "train" }); break;
                case "scale": if (Int(v, source, full, 1) != cfg.Scale) throw new ConfigException($"{source}: key '{full}' (line {v.Start.Line}): {Str(v, source, full)} differs from scale {cfg.Scale}."); break;
                case "type": t.DatasetType = Choice(v, source, full, wanted); break;
                case "io_backend": ParseIoBackend(v, source, full); break;
                case "dataroot_gt": t.DatarootGt = IsNull(v) ? null : Str(v, source, full); break;
                case "dataroot_lq": t.DatarootLq = IsNull(v) ? null : Str(v, source, full); break;
                case "meta_info": t.MetaInfo = IsNull(v) ? null : Str(v, source, full); break;
                case "gt_size": gtSize = Int(v, source, full, 1, ConfigYaml.MaxImageSize); break;
                case "use_hflip" or "use_flip": t.UseHFlip = Bool(v, source, full); break;
                case "use_rot": t.UseRot = Bool(v, source, full); break;
                case "use_shuffle":
                    if (!Bool(v, source, full)) throw new ConfigException($"{source}: key '{full}' (line {v.Start.Line}): NativeGan's training loader always shuffles; remove use_shuffle: false.");
                    break;
                case "num_worker_per_gpu": Int(v, source, full, 0); break;
                case "pin_memory": Bool(v, source, full); break;
                case "batch_size_per_gpu": t.BatchSize = Int(v, source, full, 1, ConfigYaml.MaxBatchSize); break;
                case "dataset_enlarge_ratio": t.DatasetEnlargeRatio = Int(v, source, full, 1); break;
                case "crop_pad_size": t.CropPadSize = Int(v, source, full, 1, ConfigYaml.MaxImageSize); break;
                default:
                    if (degradation != null && DegradationConfig.Keys.Contains(key))
                    {
                        degradation = DegradationConfig.Apply(degradation, key, v, source, full);
                        break;
                    }
                    throw UnknownKey(source, full, k, TrainDataKeys.Concat(degradation != null ? DegradationConfig.Keys : Array.Empty<string>()));
            }
        }
    }

    private static void ParseValData(SrConfig cfg, YamlNode node, string source, string prefix)
    {
        var val = cfg.Val ??= new SrValDataConfig { TestYChannel = false };
        foreach (var (k, v) in Mapping(node, source, prefix, "type: PairedImageDataset, dataroot_gt: ..., dataroot_lq: ...").Children)
        {
            string key = Key(k, source, prefix + "."), full = prefix + "." + key;
            switch (key)
            {
                case "name" or "filename_tmpl": break;
                case "type": Choice(v, source, full, new[] { "PairedImageDataset" }); break;
                case "phase": Choice(v, source, full, new[] { "val", "test" }); break;
                case "scale": Int(v, source, full, 1); break;
                case "io_backend": ParseIoBackend(v, source, full); break;
                case "dataroot_gt": val.DatarootGt = IsNull(v) ? null : Str(v, source, full); break;
                case "dataroot_lq": val.DatarootLq = IsNull(v) ? null : Str(v, source, full); break;
                default: throw UnknownKey(source, full, k, new[] { "name", "type", "phase", "scale", "io_backend", "dataroot_gt", "dataroot_lq", "filename_tmpl" });
            }
        }
    }

    private static void ParseIoBackend(YamlNode node, string source, string prefix)
    {
        foreach (var (k, v) in Mapping(node, source, prefix, "type: disk").Children)
        {
            string key = Key(k, source, prefix + ".");
            if (key != "type") throw UnknownKey(source, prefix + "." + key, k, new[] { "type" });
            Choice(v, source, prefix + ".type", new[] { "disk" });
        }
    }

    private static void ParsePath(SrConfig cfg, YamlNode node, string source)
    {
        var keys = new[] { "pretrain_network_g", "param_key_g", "strict_load_g", "resume_state", "pretrain_network_d", "param_key_d", "strict_load_d",
            "experiments_root", "models", "training_states", "log", "visualization", "results_root" };
        foreach (var (k, v) in Mapping(node, source, "path", "pretrain_network_g: ..., param_key_g: params_ema").Children)
        {
            string key = Key(k, source, "path."), full = "path." + key;
            switch (key)
            {
                case "pretrain_network_g": cfg.PretrainNetworkG = IsNull(v) ? null : Str(v, source, full); break;
                case "param_key_g": cfg.ParamKeyG = IsNull(v) ? null : Str(v, source, full); break;
                case "strict_load_g": cfg.StrictLoadG = Bool(v, source, full); break;
                case "pretrain_network_d": cfg.PretrainNetworkD = IsNull(v) ? null : Str(v, source, full); break;
                case "param_key_d": cfg.ParamKeyD = IsNull(v) ? null : Str(v, source, full); break;
                case "strict_load_d": cfg.StrictLoadD = Bool(v, source, full); break;
                case "resume_state":
                    if (!IsNull(v))
                        throw new ConfigException($"{source}: key '{full}' (line {v.Start.Line}): NativeGan resumes its own run folders: use `nativegan train --config FILE --auto-resume` " +
                            "(or `--resume RUN_FOLDER`) and leave this key empty (~).");
                    break;
                case "experiments_root" or "models" or "training_states" or "log" or "visualization" or "results_root": break;
                default: throw UnknownKey(source, full, k, keys);
            }
        }
    }

    /// <summary>The <c>train</c> section; returns whether it had a <c>gan_opt</c>.</summary>
    private static bool ParseTrain(SrConfig cfg, YamlNode node, string source)
    {
        var keys = new[] { "ema_decay", "ema_warmup", "optim_g", "optim_d", "scheduler", "total_iter", "warmup_iter", "pixel_opt", "perceptual_opt", "gan_opt",
            "net_d_iters", "net_d_init_iters" };
        bool hasGan = false;
        foreach (var (k, v) in Mapping(node, source, "train", "optim_g: ..., pixel_opt: ...").Children)
        {
            string key = Key(k, source, "train."), full = "train." + key;
            switch (key)
            {
                case "ema_decay": cfg.EmaDecay = Float(v, source, full, min: 0f, max: 1f); break;
                // NativeGan's key: the EMA warms up (the default, also for these files) unless it is false.
                case "ema_warmup": cfg.EmaWarmup = Bool(v, source, full); break;
                case "optim_g": SrConfig.ParseOptim(cfg.OptimG, v, source, full); break;
                case "optim_d": SrConfig.ParseOptim(cfg.OptimD, v, source, full); break;
                case "scheduler": SrConfig.ParseScheduler(cfg.Scheduler, v, source, full); break;
                case "total_iter": cfg.TotalIter = Int(v, source, full, 0); break;
                case "warmup_iter":
                    if (!IsNull(v) && !(v is YamlScalarNode { Value: { } w } && w.Trim() == "-1") && Int(v, source, full, 0) > 0)
                        throw new ConfigException($"{source}: key '{full}' (line {v.Start.Line}): learning-rate warm-up is not supported; use -1 (no warm-up) as Real-ESRGAN does.");
                    break;
                case "pixel_opt":
                    if (IsNull(v)) break;
                    cfg.PixelLoss = new SrPixelLossConfig();
                    SrConfig.ParsePixel(cfg.PixelLoss, Without(v, source, full, ("reduction", "mean")), source, full);
                    break;
                case "perceptual_opt":
                    if (IsNull(v)) break;
                    cfg.PerceptualLoss = new SrPerceptualLossConfig();
                    SrConfig.ParsePerceptual(cfg.PerceptualLoss, Without(v, source, full, ("type", "PerceptualLoss"), ("vgg_type", "vgg19")), source, full);
                    break;
                case "gan_opt":
                    hasGan = !IsNull(v);
                    if (hasGan)
                        SrConfig.ParseGan(cfg.GanLoss, Rename(Without(v, source, full, ("type", "GANLoss"), ("real_label_val", "1.0"), ("fake_label_val", "0.0")), "gan_type", "type"),
                            source, full);
                    break;
                case "net_d_iters": cfg.NetDIters = Int(v, source, full, 1); break;
                case "net_d_init_iters": cfg.NetDInitIters = Int(v, source, full, 0); break;
                default: throw UnknownKey(source, full, k, keys);
            }
        }
        return hasGan;
    }

    /// <summary>The top-level <c>val</c> section: val_freq and the psnr / ssim metrics' crop_border and test_y_channel.</summary>
    private static void ParseVal(SrConfig cfg, YamlNode node, string source)
    {
        var keys = new[] { "val_freq", "save_img", "suffix", "pbar", "metrics" };
        foreach (var (k, v) in Mapping(node, source, "val", "val_freq: 5000, metrics: {psnr: ...}").Children)
        {
            string key = Key(k, source, "val."), full = "val." + key;
            switch (key)
            {
                case "val_freq": cfg.ValFreq = Int(v, source, full, 0); break;
                case "save_img" or "pbar": Bool(v, source, full); break;
                case "suffix": break;
                case "metrics": ParseMetrics(cfg, v, source, full); break;
                default: throw UnknownKey(source, full, k, keys);
            }
        }
    }

    private static void ParseMetrics(SrConfig cfg, YamlNode node, string source, string prefix)
    {
        var val = cfg.Val ??= new SrValDataConfig { TestYChannel = false };
        (int? Border, bool? Y)? first = null;
        foreach (var (k, v) in Mapping(node, source, prefix, "psnr: {type: calculate_psnr, crop_border: 4, test_y_channel: false}").Children)
        {
            string name = Key(k, source, prefix + "."), full = prefix + "." + name;
            int? border = null;
            bool? y = null;
            foreach (var (mk, mv) in Mapping(v, source, full, "type: calculate_psnr, crop_border: 4, test_y_channel: false").Children)
            {
                string key = Key(mk, source, full + "."), mfull = full + "." + key;
                switch (key)
                {
                    case "type": Choice(mv, source, mfull, new[] { "calculate_psnr", "calculate_ssim" }); break;
                    case "crop_border": border = Int(mv, source, mfull, 0); break;
                    case "test_y_channel": y = Bool(mv, source, mfull); break;
                    case "better": Choice(mv, source, mfull, new[] { "higher" }); break;
                    default: throw UnknownKey(source, mfull, mk, new[] { "type", "crop_border", "test_y_channel", "better" });
                }
            }
            // NativeGan computes PSNR and SSIM with one crop border and channel choice.
            if (first is { } f && (f.Border != border || f.Y != y))
                throw new ConfigException($"{source}: key '{full}': its crop_border / test_y_channel differ from the first metric's; NativeGan computes PSNR and SSIM with the same settings.");
            first ??= (border, y);
        }
        if (first is { } m)
        {
            val.CropBorder = m.Border;
            val.TestYChannel = m.Y ?? false;
        }
    }

    private static void ParseLogger(SrConfig cfg, YamlNode node, string source)
    {
        var keys = new[] { "print_freq", "save_checkpoint_freq", "use_tb_logger", "wandb" };
        foreach (var (k, v) in Mapping(node, source, "logger", "print_freq: 100, save_checkpoint_freq: 5000").Children)
        {
            string key = Key(k, source, "logger."), full = "logger." + key;
            switch (key)
            {
                case "print_freq": cfg.PrintFreq = Int(v, source, full, 1); break;
                case "save_checkpoint_freq": cfg.SaveCheckpointFreq = Int(v, source, full, 0); break;
                case "use_tb_logger": Bool(v, source, full); break;   // NativeGan writes log.csv and loss.png instead
                case "wandb": break;
                default: throw UnknownKey(source, full, k, keys);
            }
        }
    }

    /// <summary>A copy of a mapping without BasicSR-only keys, each of which must hold the one value NativeGan implements.</summary>
    private static YamlMappingNode Without(YamlNode node, string source, string prefix, params (string Key, string Value)[] fixedKeys)
    {
        var map = Mapping(node, source, prefix, "a mapping");
        var copy = new YamlMappingNode();
        foreach (var (k, v) in map.Children)
        {
            string key = Key(k, source, prefix + ".");
            var fixedKey = fixedKeys.FirstOrDefault(f => f.Key == key);
            if (fixedKey.Key == null) { copy.Add(k, v); continue; }
            string got = v is YamlScalarNode { Value: { } s } ? s.Trim() : "";
            bool same = got == fixedKey.Value || (double.TryParse(got, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double a)
                && double.TryParse(fixedKey.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double b) && a == b);
            if (!same)
                throw new ConfigException($"{source}: key '{prefix}.{key}' (line {v.Start.Line}): NativeGan supports only {fixedKey.Value}, got {Describe(v)}.");
        }
        return copy;
    }

    private static YamlMappingNode Rename(YamlMappingNode map, string from, string to)
    {
        var copy = new YamlMappingNode();
        foreach (var (k, v) in map.Children)
            copy.Add(k is YamlScalarNode { Value: { } s } && s == from ? new YamlScalarNode(to) : k, v);
        return copy;
    }
}
