using System.Globalization;
using System.Text;
using NativeGan.Models.Data;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using static NativeGan.Models.Training.ConfigYaml;

namespace NativeGan.Models.Training;

/// <summary>A config file (or YAML text) that does not describe a valid training run. The message names the file,
/// the key and what was expected.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>Where the training images come from.</summary>
public sealed class DatasetConfig
{
    /// <summary>fashion_mnist (idx files) or image_folder (PNG/JPEG files, resized / cropped).</summary>
    public string Kind { get; set; } = "fashion_mnist";

    /// <summary>The idx directory or the image folder; null: <see cref="MnistDataset.DebianFashionMnistDirectory"/>.</summary>
    public string? Path { get; set; }

    /// <summary>Side of the square images; null: 28 for fashion_mnist, 64 for image_folder.</summary>
    public int? ImageSize { get; set; }

    /// <summary>Image channels; null: 1 for fashion_mnist, 3 for image_folder.</summary>
    public int? Channels { get; set; }

    /// <summary>Use only the first N samples (tests, quick runs); null: all.</summary>
    public int? MaxSamples { get; set; }

    public string ResolvedPath => Path ?? (Kind == "fashion_mnist" ? MnistDataset.DebianFashionMnistDirectory : "");
    public int ResolvedImageSize => ImageSize ?? (Kind == "fashion_mnist" ? 28 : 64);
    public int ResolvedChannels => Channels ?? (Kind == "fashion_mnist" ? 1 : 3);
}

/// <summary>
/// A training run: model, data, schedule and device. Every field has a default, so an empty file is a valid DCGAN
/// run on Fashion-MNIST. Keys are snake_case in YAML (<c>batch_size</c>, <c>dataset: {kind, path, ...}</c>).
/// </summary>
public sealed class GanConfig
{
    public static readonly IReadOnlyList<string> Models = new[] { "gan", "dcgan", "wgan", "wgan_gp", "cgan", "infogan" };
    public static readonly IReadOnlyList<string> DatasetKinds = new[] { "fashion_mnist", "image_folder" };

    /// <summary>gan | dcgan | wgan | wgan_gp | cgan | infogan.</summary>
    public string Model { get; set; } = "dcgan";
    public DatasetConfig Dataset { get; set; } = new();
    public int BatchSize { get; set; } = 64;
    public int Iterations { get; set; } = 1000;
    public ulong Seed { get; set; }
    /// <summary>Learning rate of every optimizer; null: the model's default.</summary>
    public float? Lr { get; set; }
    /// <summary>Adam betas; null: the model's default (ignored by WGAN's RMSprop).</summary>
    public (float, float)? Betas { get; set; }
    /// <summary>D steps per G step; null: the model's default (5 for wgan / wgan_gp, else 1).</summary>
    public int? DSteps { get; set; }
    public int DInitSteps { get; set; }
    /// <summary>DCGAN generator width (ngf of the PyTorch example); null: 64.</summary>
    public int? Ngf { get; set; }
    /// <summary>DCGAN discriminator width (ndf); null: 64.</summary>
    public int? Ndf { get; set; }
    public int SampleEvery { get; set; } = 200;
    public int CheckpointEvery { get; set; } = 500;
    public int LogEvery { get; set; } = 10;
    /// <summary>cpu | cuda | cuda:N | ilgpu-cpu | auto; null: <see cref="Device.Default"/>.</summary>
    public string? Device { get; set; }

    /// <summary>Where the config came from (for messages).</summary>
    public string Source { get; set; } = "<config>";

    /// <summary>The YAML text it was read from (stored in checkpoints); <see cref="ToYaml"/> when built in code.</summary>
    public string? Text { get; set; }

    public int ResolvedDSteps => DSteps ?? (Model is "wgan" or "wgan_gp" ? 5 : 1);

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
    public static GanConfig Load(string path)
    {
        if (!File.Exists(path))
            throw new ConfigException($"{path}: config file not found" + (Directory.Exists(path) ? " (it is a directory)" : "") + ".");
        var cfg = Parse(File.ReadAllText(path), path);
        var paths = new ConfigPaths(path);
        cfg.Dataset.Path = paths.Resolve("dataset.path", cfg.Dataset.Path);
        cfg.MissingPaths = paths.Missing;
        return cfg;
    }

    /// <summary>Relative paths of the file <see cref="Load"/> read that exist neither from the current directory nor from
    /// the file's folder (<see cref="Validate"/>, which the trainer calls, refuses them naming both places).</summary>
    public IReadOnlyList<MissingConfigPath> MissingPaths { get; private set; } = Array.Empty<MissingConfigPath>();

    /// <summary>Parses and validates YAML text; <paramref name="source"/> names it in errors.</summary>
    public static GanConfig Parse(string yaml, string source = "<config>")
    {
        var cfg = new GanConfig { Source = source, Text = yaml };
        var stream = LoadStream(yaml, source);
        if (stream.Documents.Count == 0) { cfg.Validate(); return cfg; }
        if (stream.Documents.Count > 1) throw new ConfigException($"{source}: expected one YAML document, found {stream.Documents.Count}.");
        var root = stream.Documents[0].RootNode;
        if (root is YamlScalarNode { Value: null or "" or "~" or "null" }) { cfg.Validate(); return cfg; }
        if (root is not YamlMappingNode map)
            throw new ConfigException($"{source}: expected a mapping of keys (model, dataset, batch_size, ...) at the top level, got {Describe(root)}.");

        foreach (var (k, v) in map.Children)
        {
            string key = Key(k, source, "");
            switch (key)
            {
                case "model":
                    cfg.Model = Choice(v, source, key, Models);
                    break;
                case "dataset":
                    ParseDataset(cfg.Dataset, v, source);
                    break;
                case "batch_size": cfg.BatchSize = Int(v, source, key, 1, ConfigYaml.MaxBatchSize); break;
                case "iterations": cfg.Iterations = Int(v, source, key, 0); break;
                case "seed": cfg.Seed = ULong(v, source, key); break;
                case "lr": cfg.Lr = IsNull(v) ? null : Float(v, source, key, positive: true); break;
                case "betas": cfg.Betas = IsNull(v) ? null : ParseBetas(v, source, key); break;
                case "d_steps": cfg.DSteps = IsNull(v) ? null : Int(v, source, key, 1); break;
                case "d_init_steps": cfg.DInitSteps = Int(v, source, key, 0); break;
                case "ngf": cfg.Ngf = IsNull(v) ? null : Int(v, source, key, 1); break;
                case "ndf": cfg.Ndf = IsNull(v) ? null : Int(v, source, key, 1); break;
                case "sample_every": cfg.SampleEvery = Int(v, source, key, 0); break;
                case "checkpoint_every": cfg.CheckpointEvery = Int(v, source, key, 0); break;
                case "log_every": cfg.LogEvery = Int(v, source, key, 1); break;
                case "device": cfg.Device = DeviceSpec(v, source, key); break;
                default:
                    throw new ConfigException($"{source}: unknown key '{key}' (line {k.Start.Line}); expected one of: model, dataset, batch_size, iterations, seed, lr, betas, d_steps, d_init_steps, ngf, ndf, sample_every, checkpoint_every, log_every, device.");
            }
        }
        cfg.Validate();
        return cfg;
    }

    private static void ParseDataset(DatasetConfig d, YamlNode node, string source)
    {
        if (IsNull(node)) return;
        if (node is not YamlMappingNode map)
            throw new ConfigException($"{source}: key 'dataset' (line {node.Start.Line}): expected a mapping {{kind, path, image_size, channels, max_samples}}, got {Describe(node)}.");
        foreach (var (k, v) in map.Children)
        {
            string key = Key(k, source, "dataset.");
            string full = "dataset." + key;
            switch (key)
            {
                case "kind": d.Kind = Choice(v, source, full, DatasetKinds); break;
                case "path": d.Path = IsNull(v) ? null : Str(v, source, full); break;
                case "image_size": d.ImageSize = IsNull(v) ? null : Int(v, source, full, 1, 1024); break;
                case "channels": d.Channels = IsNull(v) ? null : Int(v, source, full, 1, 4); break;
                case "max_samples": d.MaxSamples = IsNull(v) ? null : Int(v, source, full, 1); break;
                default:
                    throw new ConfigException($"{source}: unknown key '{full}' (line {k.Start.Line}); expected one of: kind, path, image_size, channels, max_samples.");
            }
        }
    }

    /// <summary>Cross-field checks (the model's supported image sizes and channels).</summary>
    public void Validate()
    {
        ConfigPaths.ThrowIfMissing(Source, MissingPaths, _ => true);
        int size = Dataset.ResolvedImageSize, ch = Dataset.ResolvedChannels;
        if (Dataset.Kind == "fashion_mnist")
        {
            if (size != 28) throw new ConfigException($"{Source}: key 'dataset.image_size': fashion_mnist images are 28x28, got {size}.");
            if (ch != 1) throw new ConfigException($"{Source}: key 'dataset.channels': fashion_mnist images have 1 channel, got {ch}.");
        }
        else if (ch != 1 && ch != 3)
            throw new ConfigException($"{Source}: key 'dataset.channels': expected 1 or 3, got {ch}.");
        else if (Dataset.Path == null)
            throw new ConfigException($"{Source}: key 'dataset.path': an image_folder dataset needs the folder's path.");
        if (Model == "dcgan" && size != 28 && size != 64)
            throw new ConfigException($"{Source}: key 'dataset.image_size': dcgan supports 28 or 64, got {size}.");
        if (Model != "dcgan" && (Ngf != null || Ndf != null))
            throw new ConfigException($"{Source}: keys 'ngf' and 'ndf' set the dcgan widths; model {Model} has fixed widths.");
        if (Model == "infogan" && size % 4 != 0)
            throw new ConfigException($"{Source}: key 'dataset.image_size': infogan needs a multiple of 4, got {size}.");
    }

    /// <summary>The config as YAML (what <see cref="Parse"/> reads back to the same values).</summary>
    public string ToYaml()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("model: ").AppendLine(Model);
        sb.AppendLine("dataset:");
        sb.Append("  kind: ").AppendLine(Dataset.Kind);
        if (Dataset.Path != null) sb.Append("  path: ").AppendLine(Quote(Dataset.Path));
        if (Dataset.ImageSize != null) sb.Append("  image_size: ").AppendLine(Dataset.ImageSize.Value.ToString(c));
        if (Dataset.Channels != null) sb.Append("  channels: ").AppendLine(Dataset.Channels.Value.ToString(c));
        if (Dataset.MaxSamples != null) sb.Append("  max_samples: ").AppendLine(Dataset.MaxSamples.Value.ToString(c));
        sb.Append("batch_size: ").AppendLine(BatchSize.ToString(c));
        sb.Append("iterations: ").AppendLine(Iterations.ToString(c));
        sb.Append("seed: ").AppendLine(Seed.ToString(c));
        if (Lr != null) sb.Append("lr: ").AppendLine(Lr.Value.ToString("R", c));
        if (Betas is var (b1, b2)) sb.Append("betas: [").Append(b1.ToString("R", c)).Append(", ").Append(b2.ToString("R", c)).AppendLine("]");
        if (DSteps != null) sb.Append("d_steps: ").AppendLine(DSteps.Value.ToString(c));
        sb.Append("d_init_steps: ").AppendLine(DInitSteps.ToString(c));
        if (Ngf != null) sb.Append("ngf: ").AppendLine(Ngf.Value.ToString(c));
        if (Ndf != null) sb.Append("ndf: ").AppendLine(Ndf.Value.ToString(c));
        sb.Append("sample_every: ").AppendLine(SampleEvery.ToString(c));
        sb.Append("checkpoint_every: ").AppendLine(CheckpointEvery.ToString(c));
        sb.Append("log_every: ").AppendLine(LogEvery.ToString(c));
        if (Device != null) sb.Append("device: ").AppendLine(Device);
        return sb.ToString();
    }

    private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";
}
