using System.Globalization;
using System.Text;
using NativeGan.Models.Training;
using YamlDotNet.RepresentationModel;
using static NativeGan.Models.Training.ConfigYaml;

namespace NativeGan.Models.Gans;

/// <summary>
/// A ProGAN training run (YAML, every key optional except <c>dataset.path</c>): <c>model: progan</c>, the final
/// <c>resolution</c>, the growth schedule in images (<c>fade_images</c>, <c>stable_images</c>), the batch size per
/// resolution (<c>batch_sizes: {4: 16, 128: 8}</c>, <c>batch_size</c> for the others), the loss (<c>gan_type</c>),
/// the network widths (<c>fmap_base</c>, <c>fmap_max</c>, <c>latent_dim</c>) and the run's bookkeeping.
/// Unknown keys and bad values throw <see cref="ConfigException"/> naming the file and the key.
/// </summary>
public sealed class ProGanConfig
{
    public const string ModelName = "progan";

    private static readonly string[] TopKeys =
    {
        "model", "dataset", "resolution", "latent_dim", "fmap_base", "fmap_max", "mbstd_group_size", "gan_type", "gp_lambda", "drift",
        "lr", "betas", "batch_size", "batch_sizes", "fade_images", "stable_images", "iterations", "seed", "sample_every",
        "checkpoint_every", "log_every", "sample_count", "device",
    };

    public static readonly IReadOnlyList<string> DatasetKinds = new[] { "image_folder", "shapes" };

    private static readonly string[] DatasetKeys = { "kind", "path", "channels", "max_samples" };

    public string Model { get; set; } = ModelName;
    /// <summary>image_folder (PNG / JPEG files, resized and centre-cropped to <see cref="Resolution"/>) or shapes
    /// (the built-in procedural shapes, 28x28 grayscale resized to <see cref="Resolution"/>; no files needed).</summary>
    public string DatasetKind { get; set; } = "image_folder";
    public string? DatasetPath { get; set; }
    public int Channels { get; set; } = 3;
    public int? MaxSamples { get; set; }
    /// <summary>The final resolution (a power of two >= 4).</summary>
    public int Resolution { get; set; } = 128;
    /// <summary>Latent size; null: the 4x4 width.</summary>
    public int? LatentDim { get; set; }
    public int FmapBase { get; set; } = 8192;
    public int FmapMax { get; set; } = 512;
    public int MbstdGroupSize { get; set; } = 4;
    /// <summary>wgan-gp | lsgan | vanilla | hinge.</summary>
    public string GanType { get; set; } = "wgan-gp";
    public float GpLambda { get; set; } = 10f;
    public float Drift { get; set; } = 0.001f;
    public float Lr { get; set; } = ProGanStep.DefaultLr;
    public (float, float) Betas { get; set; } = ProGanStep.DefaultBetas;
    /// <summary>Batch size of the resolutions <see cref="BatchSizes"/> does not list.</summary>
    public int BatchSize { get; set; } = 16;
    /// <summary>Batch size by resolution (4, 8, ...).</summary>
    public SortedDictionary<int, int> BatchSizes { get; set; } = new();
    public long FadeImages { get; set; } = 600_000;
    public long StableImages { get; set; } = 600_000;
    /// <summary>Total iterations; null: until the last stage's stable phase ends.</summary>
    public long? Iterations { get; set; }
    public ulong Seed { get; set; }
    public int SampleEvery { get; set; } = 500;
    public int CheckpointEvery { get; set; } = 2000;
    public int LogEvery { get; set; } = 10;
    public int SampleCount { get; set; } = 64;
    public string? Device { get; set; }

    public string Source { get; set; } = "<config>";
    public string? Text { get; set; }

    public int StageCount => ProGanShapes.Stages(Resolution);
    public ProGanSchedule Schedule => new(StageCount, FadeImages, StableImages);

    /// <summary>The batch size of stage <paramref name="stage"/>.</summary>
    public int BatchSizeAt(int stage) => BatchSizes.TryGetValue(ProGanShapes.Resolution(stage), out int b) ? b : BatchSize;

    public long ResolvedIterations => Iterations ?? Schedule.TotalIterations(BatchSizeAt);

    public Device ResolveDevice()
    {
        if (string.IsNullOrWhiteSpace(Device)) return NativeGan.Device.Default;
        try { return NativeGan.Device.Parse(Device); }
        catch (Exception e) when (e is not ConfigException)
        {
            throw new ConfigException($"{Source}: key 'device': {e.Message}", e);
        }
    }

    /// <summary>Whether the YAML file names <c>model: progan</c> (the train verb's dispatch).</summary>
    public static bool IsProGanConfigFile(string path)
    {
        try
        {
            if (!File.Exists(path) || LoadRoot(File.ReadAllText(path), path) is not YamlMappingNode map) return false;
            return map.Children.Any(kv => kv.Key is YamlScalarNode { Value: "model" } && kv.Value is YamlScalarNode { Value: { } m } && m.Trim() == ModelName);
        }
        catch (Exception e) when (e is ConfigException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static ProGanConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"{path}: config file not found.");
        var cfg = Parse(File.ReadAllText(path), path);
        var paths = new ConfigPaths(path);
        cfg.DatasetPath = paths.Resolve("dataset.path", cfg.DatasetPath);
        cfg.MissingPaths = paths.Missing;
        return cfg;
    }

    /// <summary>Relative paths of the file <see cref="Load"/> read that exist neither from the current directory nor from
    /// the file's folder (<see cref="Validate"/>, which the trainer calls, refuses them naming both places).</summary>
    public IReadOnlyList<MissingConfigPath> MissingPaths { get; private set; } = Array.Empty<MissingConfigPath>();

    public static ProGanConfig Parse(string yaml, string source = "<config>")
    {
        var cfg = new ProGanConfig { Source = source, Text = yaml };
        var root = LoadRoot(yaml, source);
        if (root == null) { cfg.Validate(); return cfg; }
        if (root is not YamlMappingNode map)
            throw new ConfigException($"{source}: expected a mapping of keys ({string.Join(", ", TopKeys.Take(4))}, ...) at the top level, got {Describe(root)}.");
        foreach (var (k, v) in map.Children)
        {
            string key = Key(k, source, "");
            switch (key)
            {
                case "model": cfg.Model = Choice(v, source, key, new[] { ModelName }); break;
                case "dataset": ParseDataset(cfg, v, source); break;
                case "resolution": cfg.Resolution = Int(v, source, key, 4, 1024); break;
                case "latent_dim": cfg.LatentDim = IsNull(v) ? null : Int(v, source, key, 1, ConfigYaml.MaxWidth); break;
                case "fmap_base": cfg.FmapBase = Int(v, source, key, 1, 1 << 20); break;
                case "fmap_max": cfg.FmapMax = Int(v, source, key, 1, ConfigYaml.MaxWidth); break;
                case "mbstd_group_size": cfg.MbstdGroupSize = Int(v, source, key, 1); break;
                case "gan_type": cfg.GanType = Choice(v, source, key, ProGanLossTypes.All); break;
                case "gp_lambda": cfg.GpLambda = Float(v, source, key, min: 0f); break;
                case "drift": cfg.Drift = Float(v, source, key, min: 0f); break;
                case "lr": cfg.Lr = Float(v, source, key, positive: true); break;
                case "betas": cfg.Betas = ParseBetas(v, source, key); break;
                case "batch_size": cfg.BatchSize = Int(v, source, key, 1, ConfigYaml.MaxBatchSize); break;
                case "batch_sizes": cfg.BatchSizes = ParseBatchSizes(v, source, key); break;
                case "fade_images": cfg.FadeImages = Long(v, source, key); break;
                case "stable_images": cfg.StableImages = Long(v, source, key); break;
                case "iterations": cfg.Iterations = IsNull(v) ? null : Long(v, source, key); break;
                case "seed": cfg.Seed = ULong(v, source, key); break;
                case "sample_every": cfg.SampleEvery = Int(v, source, key, 0); break;
                case "checkpoint_every": cfg.CheckpointEvery = Int(v, source, key, 0); break;
                case "log_every": cfg.LogEvery = Int(v, source, key, 1); break;
                case "sample_count": cfg.SampleCount = Int(v, source, key, 1, 1024); break;
                case "device": cfg.Device = DeviceSpec(v, source, key); break;
                default: throw UnknownKey(source, key, k, TopKeys);
            }
        }
        cfg.Validate();
        return cfg;
    }

    private static void ParseDataset(ProGanConfig cfg, YamlNode node, string source)
    {
        if (IsNull(node)) return;
        var map = Mapping(node, source, "dataset", string.Join(", ", DatasetKeys));
        foreach (var (k, v) in map.Children)
        {
            string key = Key(k, source, "dataset.");
            string full = "dataset." + key;
            switch (key)
            {
                case "kind": cfg.DatasetKind = Choice(v, source, full, DatasetKinds); break;
                case "path": cfg.DatasetPath = IsNull(v) ? null : Str(v, source, full); break;
                case "channels": cfg.Channels = Int(v, source, full, 1, 4); break;
                case "max_samples": cfg.MaxSamples = IsNull(v) ? null : Int(v, source, full, 1); break;
                default: throw UnknownKey(source, full, k, DatasetKeys);
            }
        }
    }

    private static SortedDictionary<int, int> ParseBatchSizes(YamlNode v, string source, string key)
    {
        var result = new SortedDictionary<int, int>();
        if (IsNull(v)) return result;
        var map = Mapping(v, source, key, "resolution: batch size, ...");
        foreach (var (k, b) in map.Children)
        {
            int res = Int(k, source, key + " (a resolution)", 4);
            if ((res & (res - 1)) != 0)
                throw new ConfigException($"{source}: key '{key}' (line {k.Start.Line}): expected resolutions that are powers of two >= 4, got {res}.");
            result[res] = Int(b, source, $"{key}.{res}", 1);
        }
        return result;
    }

    private static long Long(YamlNode v, string source, string key)
    {
        if (v is YamlScalarNode { Value: { } s })
        {
            string t = s.Trim().Replace("_", "");
            if (long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out long i) && i >= 0) return i;
            if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d == Math.Floor(d) && d >= 0 && d <= long.MaxValue)
                return (long)d;
        }
        throw new ConfigException($"{source}: key '{key}' (line {v.Start.Line}): expected an integer >= 0, got {Describe(v)}.");
    }

    /// <summary>Cross-field checks.</summary>
    public void Validate()
    {
        ConfigPaths.ThrowIfMissing(Source, MissingPaths, _ => DatasetKind != "shapes");
        if (Resolution < 4 || (Resolution & (Resolution - 1)) != 0)
            throw new ConfigException($"{Source}: key 'resolution': expected a power of two >= 4, got {Resolution}.");
        if (DatasetKind == "shapes" && Channels != 1)
            throw new ConfigException($"{Source}: key 'dataset.channels': the shapes data set is grayscale (1 channel), got {Channels}.");
        if (Channels != 1 && Channels != 3)
            throw new ConfigException($"{Source}: key 'dataset.channels': expected 1 or 3, got {Channels}.");
        foreach (var res in BatchSizes.Keys)
            if (res > Resolution)
                throw new ConfigException($"{Source}: key 'batch_sizes': resolution {res} is above the final resolution {Resolution}.");
        if (StageCount > 1 && FadeImages + StableImages == 0)
            throw new ConfigException($"{Source}: keys 'fade_images' and 'stable_images': a stage needs at least one image, got 0 and 0.");
        if (StableImages == 0 && StageCount > 0)
            throw new ConfigException($"{Source}: key 'stable_images': stage 0 (4x4) needs at least one image, got 0.");
        if (!ProGanLossTypes.All.Contains(GanType))
            throw new ConfigException($"{Source}: key 'gan_type': expected one of {string.Join(", ", ProGanLossTypes.All)}, got '{GanType}'.");
    }

    /// <summary>The config as YAML that <see cref="Parse"/> reads back to the same values.</summary>
    public string ToYaml()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("model: progan");
        sb.AppendLine("dataset:");
        sb.Append("  kind: ").AppendLine(DatasetKind);
        if (DatasetPath != null) sb.Append("  path: '").Append(DatasetPath.Replace("'", "''")).AppendLine("'");
        sb.Append("  channels: ").AppendLine(Channels.ToString(c));
        if (MaxSamples != null) sb.Append("  max_samples: ").AppendLine(MaxSamples.Value.ToString(c));
        sb.Append("resolution: ").AppendLine(Resolution.ToString(c));
        if (LatentDim != null) sb.Append("latent_dim: ").AppendLine(LatentDim.Value.ToString(c));
        sb.Append("fmap_base: ").AppendLine(FmapBase.ToString(c));
        sb.Append("fmap_max: ").AppendLine(FmapMax.ToString(c));
        sb.Append("mbstd_group_size: ").AppendLine(MbstdGroupSize.ToString(c));
        sb.Append("gan_type: ").AppendLine(GanType);
        sb.Append("gp_lambda: ").AppendLine(GpLambda.ToString("R", c));
        sb.Append("drift: ").AppendLine(Drift.ToString("R", c));
        sb.Append("lr: ").AppendLine(Lr.ToString("R", c));
        sb.Append("betas: [").Append(Betas.Item1.ToString("R", c)).Append(", ").Append(Betas.Item2.ToString("R", c)).AppendLine("]");
        sb.Append("batch_size: ").AppendLine(BatchSize.ToString(c));
        if (BatchSizes.Count > 0)
            sb.Append("batch_sizes: {").Append(string.Join(", ", BatchSizes.Select(kv => $"{kv.Key.ToString(c)}: {kv.Value.ToString(c)}"))).AppendLine("}");
        sb.Append("fade_images: ").AppendLine(FadeImages.ToString(c));
        sb.Append("stable_images: ").AppendLine(StableImages.ToString(c));
        if (Iterations != null) sb.Append("iterations: ").AppendLine(Iterations.Value.ToString(c));
        sb.Append("seed: ").AppendLine(Seed.ToString(c));
        sb.Append("sample_every: ").AppendLine(SampleEvery.ToString(c));
        sb.Append("checkpoint_every: ").AppendLine(CheckpointEvery.ToString(c));
        sb.Append("log_every: ").AppendLine(LogEvery.ToString(c));
        sb.Append("sample_count: ").AppendLine(SampleCount.ToString(c));
        if (Device != null) sb.Append("device: ").AppendLine(Device);
        return sb.ToString();
    }
}
