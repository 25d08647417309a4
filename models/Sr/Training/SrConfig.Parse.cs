using System.Globalization;
using System.Text;
using NativeGan.Models.Training;
using YamlDotNet.RepresentationModel;
using static NativeGan.Models.Training.ConfigYaml;

namespace NativeGan.Models.Sr.Training;

public sealed partial class SrConfig
{
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
                case "scale": cfg.Scale = Int(v, source, key, 1, 16); break;
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
                case "ema_warmup": cfg.EmaWarmup = Bool(v, source, key); break;
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
        var keys = new[] { "type", "num_in_ch", "num_out_ch", "num_feat", "num_block", "num_grow_ch", "num_conv", "act_type", "scale", "upscale" };
        foreach (var (k, v) in Mapping(node, source, prefix, string.Join(", ", keys)).Children)
        {
            string key = Key(k, source, prefix + "."), full = prefix + "." + key;
            switch (key)
            {
                case "type": g.Type = Choice(v, source, full, SrNetworkGConfig.Types); break;
                case "num_in_ch": g.NumInCh = Int(v, source, full, 1, 64); break;
                case "num_out_ch": g.NumOutCh = Int(v, source, full, 1, 64); break;
                case "num_feat": g.NumFeat = Int(v, source, full, 1, ConfigYaml.MaxWidth); break;
                case "num_block": g.NumBlock = Int(v, source, full, 1, 1024); break;
                case "num_grow_ch": g.NumGrowCh = Int(v, source, full, 1, ConfigYaml.MaxWidth); break;
                case "num_conv": g.NumConv = Int(v, source, full, 0, 1024); break;
                case "act_type": g.ActType = Choice(v, source, full, SRVGGNetCompact.ActTypes); break;
                case "scale" or "upscale": g.Scale = Int(v, source, full, 1, 16); break;
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
                case "num_in_ch": d.NumInCh = Int(v, source, full, 1, 64); break;
                case "num_feat": d.NumFeat = Int(v, source, full, 1, ConfigYaml.MaxWidth); break;
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
                case "gt_size": t.GtSize = Int(v, source, full, 1, ConfigYaml.MaxImageSize); break;
                case "use_hflip" or "use_flip": t.UseHFlip = Bool(v, source, full); break;
                case "use_rot": t.UseRot = Bool(v, source, full); break;
                case "batch_size" or "batch_size_per_gpu": t.BatchSize = Int(v, source, full, 1, ConfigYaml.MaxBatchSize); break;
                case "meta_info": t.MetaInfo = IsNull(v) ? null : Str(v, source, full); break;
                case "crop_pad_size": t.CropPadSize = Int(v, source, full, 1, ConfigYaml.MaxImageSize); break;
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
}
