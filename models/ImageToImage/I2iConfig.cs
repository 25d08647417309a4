using System.Globalization;
using System.Text;
using NativeGan.Models.Training;
using YamlDotNet.RepresentationModel;
using static NativeGan.Models.Training.ConfigYaml;

namespace NativeGan.Models.ImageToImage;

/// <summary>
/// A Pix2Pix or CycleGAN training run (YAML; every key optional, unknown keys are an error naming the file and key).
/// Names follow the reference's options (netG, ngf, ndf, n_layers_D, norm, no_dropout, gan_mode as gan_type, lambda_L1,
/// lambda_A / lambda_B / lambda_identity, pool_size, lr, beta1, n_epochs, n_epochs_decay, load_size, crop_size, no_flip,
/// direction) in snake_case. Defaults depend on the model: pix2pix = unet, batch norm, dropout, vanilla, pool 0;
/// cyclegan = resnet, instance norm, no dropout, lsgan, pool 50.
/// </summary>
public sealed class I2iConfig
{
    public static readonly IReadOnlyList<string> ModelNames = new[] { "pix2pix", "cyclegan" };
    public static readonly IReadOnlyList<string> DatasetKinds = new[] { "aligned", "folders", "edges", "unaligned", "color2gray" };

    public string Model { get; set; } = "pix2pix";
    /// <summary>aligned (A|B files in path), folders (path_a / path_b, names match), edges (photos in path, A = their edges),
    /// unaligned (path/trainA, path/trainB), color2gray (photos in path: color half vs gray half).</summary>
    public string? DatasetKind { get; set; }
    public string? Path { get; set; }
    public string? PathA { get; set; }
    public string? PathB { get; set; }
    public string Direction { get; set; } = "AtoB";
    public int CropSize { get; set; } = 256;
    /// <summary>null: crop * 286 / 256 rounded (286 at 256, 72 at 64).</summary>
    public int? LoadSize { get; set; }
    public bool NoFlip { get; set; }
    public int? MaxSamples { get; set; }
    public int InputNc { get; set; } = 3;
    public int OutputNc { get; set; } = 3;
    public string? NetG { get; set; }
    public int Ngf { get; set; } = 64;
    public int Ndf { get; set; } = 64;
    public int NLayersD { get; set; } = 3;
    public string? Norm { get; set; }
    public bool? NoDropout { get; set; }
    public int? NumDowns { get; set; }
    public int? NBlocks { get; set; }
    public string? GanType { get; set; }
    public float LambdaL1 { get; set; } = 100f;
    public float LambdaA { get; set; } = 10f;
    public float LambdaB { get; set; } = 10f;
    public float LambdaIdentity { get; set; } = 0.5f;
    public int? PoolSize { get; set; }
    public float Lr { get; set; } = 2e-4f;
    public float Beta1 { get; set; } = 0.5f;
    public int BatchSize { get; set; } = 1;
    public int NEpochs { get; set; } = 100;
    public int NEpochsDecay { get; set; } = 100;
    /// <summary>null: (n_epochs + n_epochs_decay) epochs of the data.</summary>
    public int? Iterations { get; set; }
    public ulong Seed { get; set; }
    public int SampleEvery { get; set; } = 200;
    public int CheckpointEvery { get; set; } = 1000;
    public int LogEvery { get; set; } = 10;
    public string? Device { get; set; }

    public string Source { get; set; } = "<config>";
    public string? Text { get; set; }

    public bool IsCycleGan => Model == "cyclegan";
    public string ResolvedDatasetKind => DatasetKind ?? (IsCycleGan ? "unaligned" : "aligned");
    public int ResolvedLoadSize => LoadSize ?? (int)Math.Round(CropSize * 286.0 / 256.0, MidpointRounding.AwayFromZero);
    public string ResolvedNetG => NetG ?? (IsCycleGan ? "resnet" : "unet");
    public I2iNorm ResolvedNorm => I2iLayers.ParseNorm(Norm ?? (IsCycleGan ? "instance" : "batch"));
    public bool ResolvedDropout => !(NoDropout ?? IsCycleGan);
    public int ResolvedNumDowns => NumDowns ?? UnetGenerator.NumDownsFor(CropSize);
    public int ResolvedNBlocks => NBlocks ?? ResnetGenerator.BlocksFor(CropSize);
    public string ResolvedGanType => GanType ?? (IsCycleGan ? "lsgan" : "vanilla");
    public int ResolvedPoolSize => PoolSize ?? (IsCycleGan ? 50 : 0);

    /// <summary>Whether a YAML file is an image-to-image config (its <c>model</c> is pix2pix or cyclegan).</summary>
    public static bool IsI2iConfigFile(string path)
    {
        if (!File.Exists(path)) return false;
        try
        {
            return LoadRoot(File.ReadAllText(path), path) is YamlMappingNode map
                && map.Children.Any(kv => kv.Key is YamlScalarNode { Value: "model" } && kv.Value is YamlScalarNode { Value: { } m } && ModelNames.Contains(m.Trim()));
        }
        catch (ConfigException) { return false; }
    }

    public Device ResolveDevice()
    {
        if (string.IsNullOrWhiteSpace(Device)) return NativeGan.Device.Default;
        try { return NativeGan.Device.Parse(Device); }
        catch (Exception e) { throw new ConfigException($"{Source}: key 'device': {e.Message}", e); }
    }

    public static I2iConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"{path}: config file not found.");
        var cfg = Parse(File.ReadAllText(path), path);
        var paths = new ConfigPaths(path);
        cfg.Path = paths.Resolve("dataset.path", cfg.Path);
        cfg.PathA = paths.Resolve("dataset.path_a", cfg.PathA);
        cfg.PathB = paths.Resolve("dataset.path_b", cfg.PathB);
        cfg.MissingPaths = paths.Missing;
        return cfg;
    }

    /// <summary>Relative paths of the file <see cref="Load"/> read that exist neither from the current directory nor from
    /// the file's folder (<see cref="Validate"/>, which the trainer calls, refuses the ones its dataset kind reads).</summary>
    public IReadOnlyList<MissingConfigPath> MissingPaths { get; private set; } = Array.Empty<MissingConfigPath>();

    private static readonly string[] TopKeys =
    {
        "model", "dataset", "input_nc", "output_nc", "net_g", "ngf", "ndf", "n_layers_d", "norm", "no_dropout", "num_downs", "n_blocks",
        "gan_type", "lambda_l1", "lambda_a", "lambda_b", "lambda_identity", "pool_size", "lr", "beta1", "batch_size", "n_epochs",
        "n_epochs_decay", "iterations", "seed", "sample_every", "checkpoint_every", "log_every", "device",
    };

    private static readonly string[] DatasetKeys = { "kind", "path", "path_a", "path_b", "direction", "crop_size", "load_size", "no_flip", "max_samples" };

    public static I2iConfig Parse(string yaml, string source = "<config>")
    {
        var c = new I2iConfig { Source = source, Text = yaml };
        var root = LoadRoot(yaml, source);
        if (root != null)
        {
            if (root is not YamlMappingNode map) throw new ConfigException($"{source}: expected a mapping of keys at the top level, got {Describe(root)}.");
            foreach (var (k, v) in map.Children)
            {
                string key = Key(k, source, "");
                switch (key)
                {
                    case "model": c.Model = Choice(v, source, key, ModelNames); break;
                    case "dataset": ParseDataset(c, v, source); break;
                    case "input_nc": c.InputNc = Channels(v, source, key); break;
                    case "output_nc": c.OutputNc = Channels(v, source, key); break;
                    case "net_g": c.NetG = IsNull(v) ? null : Choice(v, source, key, new[] { "unet", "resnet" }); break;
                    case "ngf": c.Ngf = Int(v, source, key, 1, ConfigYaml.MaxWidth); break;
                    case "ndf": c.Ndf = Int(v, source, key, 1, ConfigYaml.MaxWidth); break;
                    case "n_layers_d": c.NLayersD = Int(v, source, key, 1, 12); break;
                    case "norm": c.Norm = IsNull(v) ? null : Choice(v, source, key, new[] { "batch", "instance", "none" }); break;
                    case "no_dropout": c.NoDropout = IsNull(v) ? null : Bool(v, source, key); break;
                    case "num_downs": c.NumDowns = IsNull(v) ? null : Int(v, source, key, 5, 12); break;
                    case "n_blocks": c.NBlocks = IsNull(v) ? null : Int(v, source, key, 0, 1024); break;
                    case "gan_type": c.GanType = IsNull(v) ? null : Choice(v, source, key, I2iGanLoss.Types); break;
                    case "lambda_l1": c.LambdaL1 = Float(v, source, key, min: 0f); break;
                    case "lambda_a": c.LambdaA = Float(v, source, key, min: 0f); break;
                    case "lambda_b": c.LambdaB = Float(v, source, key, min: 0f); break;
                    case "lambda_identity": c.LambdaIdentity = Float(v, source, key, min: 0f); break;
                    case "pool_size": c.PoolSize = IsNull(v) ? null : Int(v, source, key, 0); break;
                    case "lr": c.Lr = Float(v, source, key, positive: true); break;
                    case "beta1": c.Beta1 = Float(v, source, key, min: 0f, max: 0.999999f); break;
                    case "batch_size": c.BatchSize = Int(v, source, key, 1, ConfigYaml.MaxBatchSize); break;
                    case "n_epochs": c.NEpochs = Int(v, source, key, 0); break;
                    case "n_epochs_decay": c.NEpochsDecay = Int(v, source, key, 0); break;
                    case "iterations": c.Iterations = IsNull(v) ? null : Int(v, source, key, 0); break;
                    case "seed": c.Seed = ULong(v, source, key); break;
                    case "sample_every": c.SampleEvery = Int(v, source, key, 0); break;
                    case "checkpoint_every": c.CheckpointEvery = Int(v, source, key, 0); break;
                    case "log_every": c.LogEvery = Int(v, source, key, 1); break;
                    case "device": c.Device = DeviceSpec(v, source, key); break;
                    default: throw UnknownKey(source, key, k, TopKeys);
                }
            }
        }
        c.Validate();
        return c;
    }

    private static int Channels(YamlNode v, string source, string key)
    {
        int n = Int(v, source, key, 1);
        if (n != 1 && n != 3) throw new ConfigException($"{source}: key '{key}' (line {v.Start.Line}): expected 1 or 3 channels, got {n}.");
        return n;
    }

    private static void ParseDataset(I2iConfig c, YamlNode node, string source)
    {
        if (IsNull(node)) return;
        var map = Mapping(node, source, "dataset", string.Join(", ", DatasetKeys));
        foreach (var (k, v) in map.Children)
        {
            string key = Key(k, source, "dataset.");
            string full = "dataset." + key;
            switch (key)
            {
                case "kind": c.DatasetKind = Choice(v, source, full, DatasetKinds); break;
                case "path": c.Path = IsNull(v) ? null : Str(v, source, full); break;
                case "path_a": c.PathA = IsNull(v) ? null : Str(v, source, full); break;
                case "path_b": c.PathB = IsNull(v) ? null : Str(v, source, full); break;
                case "direction": c.Direction = Choice(v, source, full, new[] { "AtoB", "BtoA" }); break;
                case "crop_size": c.CropSize = Int(v, source, full, 4, ConfigYaml.MaxImageSize); break;
                case "load_size": c.LoadSize = IsNull(v) ? null : Int(v, source, full, 4, ConfigYaml.MaxImageSize); break;
                case "no_flip": c.NoFlip = Bool(v, source, full); break;
                case "max_samples": c.MaxSamples = IsNull(v) ? null : Int(v, source, full, 1); break;
                default: throw UnknownKey(source, full, k, DatasetKeys);
            }
        }
    }

    /// <summary>Cross-field checks.</summary>
    public void Validate()
    {
        string kind = ResolvedDatasetKind;
        ConfigPaths.ThrowIfMissing(Source, MissingPaths, key => key == "dataset.path" ? kind != "folders" : kind == "folders");
        bool pairedKind = kind is "aligned" or "folders" or "edges";
        if (!IsCycleGan && !pairedKind)
            throw new ConfigException($"{Source}: key 'dataset.kind': pix2pix needs paired data (aligned, folders or edges), got '{kind}'.");
        if (IsCycleGan && pairedKind)
            throw new ConfigException($"{Source}: key 'dataset.kind': cyclegan reads unpaired data (unaligned or color2gray), got '{kind}'.");
        if (kind == "folders" ? (PathA == null || PathB == null) : Path == null)
            throw new ConfigException($"{Source}: key 'dataset.{(kind == "folders" ? "path_a' / 'path_b" : "path")}': the {kind} dataset needs {(kind == "folders" ? "both folders" : "its folder")}.");
        if (ResolvedLoadSize < CropSize)
            throw new ConfigException($"{Source}: key 'dataset.load_size': must be >= crop_size {CropSize}, got {ResolvedLoadSize}.");
        if (ResolvedNetG == "unet")
        {
            int m = 1 << ResolvedNumDowns;
            if (CropSize % m != 0)
                throw new ConfigException($"{Source}: key 'dataset.crop_size': the U-Net with num_downs {ResolvedNumDowns} needs a multiple of {m}, got {CropSize}.");
        }
        else if (CropSize % 4 != 0)
            throw new ConfigException($"{Source}: key 'dataset.crop_size': the ResNet generator needs a multiple of 4, got {CropSize}.");
        if (IsCycleGan && LambdaIdentity > 0 && InputNc != OutputNc)
            throw new ConfigException($"{Source}: key 'lambda_identity': the identity loss feeds B to G_A, so input_nc and output_nc must match (got {InputNc} and {OutputNc}); set lambda_identity: 0.");
        if (kind == "color2gray" && (InputNc != 3 || OutputNc != 3))
            throw new ConfigException($"{Source}: key 'input_nc' / 'output_nc': color2gray sets are 3-channel, got {InputNc} and {OutputNc}.");
    }

    /// <summary>Training iterations: the config's, else (n_epochs + n_epochs_decay) epochs of <paramref name="batchesPerEpoch"/>.</summary>
    public int ResolvedIterations(int batchesPerEpoch) => Iterations ?? (NEpochs + NEpochsDecay) * batchesPerEpoch;

    /// <summary>The config as YAML (read back to the same values).</summary>
    public string ToYaml()
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("model: ").AppendLine(Model);
        sb.AppendLine("dataset:");
        sb.Append("  kind: ").AppendLine(ResolvedDatasetKind);
        if (Path != null) sb.Append("  path: ").AppendLine(Quote(Path));
        if (PathA != null) sb.Append("  path_a: ").AppendLine(Quote(PathA));
        if (PathB != null) sb.Append("  path_b: ").AppendLine(Quote(PathB));
        sb.Append("  direction: ").AppendLine(Direction);
        sb.Append("  crop_size: ").AppendLine(CropSize.ToString(ci));
        sb.Append("  load_size: ").AppendLine(ResolvedLoadSize.ToString(ci));
        sb.Append("  no_flip: ").AppendLine(NoFlip ? "true" : "false");
        if (MaxSamples != null) sb.Append("  max_samples: ").AppendLine(MaxSamples.Value.ToString(ci));
        sb.Append("input_nc: ").AppendLine(InputNc.ToString(ci));
        sb.Append("output_nc: ").AppendLine(OutputNc.ToString(ci));
        sb.Append("net_g: ").AppendLine(ResolvedNetG);
        sb.Append("ngf: ").AppendLine(Ngf.ToString(ci));
        sb.Append("ndf: ").AppendLine(Ndf.ToString(ci));
        sb.Append("n_layers_d: ").AppendLine(NLayersD.ToString(ci));
        sb.Append("norm: ").AppendLine(I2iLayers.Name(ResolvedNorm));
        sb.Append("no_dropout: ").AppendLine(ResolvedDropout ? "false" : "true");
        if (ResolvedNetG == "unet") sb.Append("num_downs: ").AppendLine(ResolvedNumDowns.ToString(ci));
        else sb.Append("n_blocks: ").AppendLine(ResolvedNBlocks.ToString(ci));
        sb.Append("gan_type: ").AppendLine(ResolvedGanType);
        sb.Append("lambda_l1: ").AppendLine(LambdaL1.ToString("R", ci));
        sb.Append("lambda_a: ").AppendLine(LambdaA.ToString("R", ci));
        sb.Append("lambda_b: ").AppendLine(LambdaB.ToString("R", ci));
        sb.Append("lambda_identity: ").AppendLine(LambdaIdentity.ToString("R", ci));
        sb.Append("pool_size: ").AppendLine(ResolvedPoolSize.ToString(ci));
        sb.Append("lr: ").AppendLine(Lr.ToString("R", ci));
        sb.Append("beta1: ").AppendLine(Beta1.ToString("R", ci));
        sb.Append("batch_size: ").AppendLine(BatchSize.ToString(ci));
        sb.Append("n_epochs: ").AppendLine(NEpochs.ToString(ci));
        sb.Append("n_epochs_decay: ").AppendLine(NEpochsDecay.ToString(ci));
        if (Iterations != null) sb.Append("iterations: ").AppendLine(Iterations.Value.ToString(ci));
        sb.Append("seed: ").AppendLine(Seed.ToString(ci));
        sb.Append("sample_every: ").AppendLine(SampleEvery.ToString(ci));
        sb.Append("checkpoint_every: ").AppendLine(CheckpointEvery.ToString(ci));
        sb.Append("log_every: ").AppendLine(LogEvery.ToString(ci));
        if (Device != null) sb.Append("device: ").AppendLine(Device);
        return sb.ToString();
    }

    private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";
}
