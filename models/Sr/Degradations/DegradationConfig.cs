using NativeGan.Models.Training;
using YamlDotNet.RepresentationModel;

namespace NativeGan.Models.Sr.Degradations;

/// <summary>
/// Reads <see cref="DegradationOptions"/> from a Real-ESRGAN option file: the kernel keys under
/// <c>datasets.train</c> and the resize / noise / JPEG / queue keys at the top level (as in
/// options/train_realesrnet_x4plus.yml). The other keys Real-ESRGAN's files hold in those two sections are accepted
/// and not used here; any other key is an error naming the key and the file. Other sections are not read.
/// </summary>
public static class DegradationConfig
{
    private static readonly string[] TrainKeys =
    {
        "blur_kernel_size", "kernel_list", "kernel_prob", "sinc_prob", "blur_sigma", "betag_range", "betap_range",
        "blur_kernel_size2", "kernel_list2", "kernel_prob2", "sinc_prob2", "blur_sigma2", "betag_range2", "betap_range2",
        "final_sinc_prob", "gt_size",
    };

    private static readonly string[] TrainOtherKeys =
    {
        "name", "type", "dataroot_gt", "meta_info", "io_backend", "use_hflip", "use_rot", "use_shuffle",
        "num_worker_per_gpu", "batch_size_per_gpu", "dataset_enlarge_ratio", "prefetch_mode", "phase", "scale",
    };

    private static readonly string[] TopKeys =
    {
        "resize_prob", "resize_range", "gaussian_noise_prob", "noise_range", "poisson_scale_range", "gray_noise_prob", "jpeg_range",
        "second_blur_prob", "resize_prob2", "resize_range2", "gaussian_noise_prob2", "noise_range2", "poisson_scale_range2",
        "gray_noise_prob2", "jpeg_range2", "gt_size", "queue_size", "scale",
    };

    private static readonly string[] TopOtherKeys =
    {
        "name", "model_type", "num_gpu", "manual_seed", "l1_gt_usm", "percep_gt_usm", "gan_gt_usm", "high_order_degradation",
        "datasets", "network_g", "network_d", "path", "train", "val", "logger", "dist_params", "is_train", "dist", "rank", "world_size", "auto_resume", "gt_usm",
    };

    /// <summary>True for an option file with Real-ESRGAN's second-stage degradation keys (second_blur_prob or resize_prob2 at the top level).</summary>
    public static bool IsDegradationConfigFile(string path)
    {
        try
        {
            return File.Exists(path) && ConfigYaml.LoadRoot(File.ReadAllText(path), path) is YamlMappingNode m
                && (m.Children.ContainsKey(new YamlScalarNode("second_blur_prob")) || m.Children.ContainsKey(new YamlScalarNode("resize_prob2")));
        }
        catch (ConfigException) { return false; }
    }

    public static DegradationOptions Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"degradation config: file '{path}' does not exist.", path);
        var root = ConfigYaml.LoadRoot(File.ReadAllText(path), path) as YamlMappingNode
            ?? throw new ConfigException($"{path}: expected a mapping of Real-ESRGAN options at the top level.");
        var o = new DegradationOptions();
        foreach (var (k, v) in root.Children)
        {
            string key = ConfigYaml.Key(k, path, "");
            if (TopKeys.Contains(key)) o = Set(o, key, v, path, key);
            else if (!TopOtherKeys.Contains(key)) throw ConfigYaml.UnknownKey(path, key, k, TopKeys.Concat(TopOtherKeys));
        }
        if (root.Children.TryGetValue(new YamlScalarNode("datasets"), out var ds)
            && ConfigYaml.Mapping(ds, path, "datasets", "train: ...").Children.TryGetValue(new YamlScalarNode("train"), out var train))
        {
            foreach (var (k, v) in ConfigYaml.Mapping(train, path, "datasets.train", "blur_kernel_size: 21, ...").Children)
            {
                string key = ConfigYaml.Key(k, path, "datasets.train.");
                if (TrainKeys.Contains(key)) o = Set(o, key, v, path, "datasets.train." + key);
                else if (!TrainOtherKeys.Contains(key)) throw ConfigYaml.UnknownKey(path, "datasets.train." + key, k, TrainKeys.Concat(TrainOtherKeys));
            }
        }
        return o;
    }

    /// <summary>Every degradation key (Real-ESRGAN's names, first and second stage).</summary>
    public static IEnumerable<string> Keys => TrainKeys.Concat(TopKeys).Distinct();

    /// <summary>Reads one degradation key of a YAML mapping (<paramref name="full"/> names it in errors).</summary>
    public static DegradationOptions Apply(DegradationOptions o, string key, YamlNode v, string path, string full) =>
        Keys.Contains(key) ? Set(o, key, v, path, full) : throw new ConfigException($"{path}: key '{full}' is not a degradation option; expected one of {string.Join(", ", Keys)}.");

    /// <summary>The options as a YAML mapping under <paramref name="name"/> (what <see cref="Apply"/> reads back).</summary>
    public static string ToYamlMapping(DegradationOptions o, string name)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        string D(double d) => d.ToString("R", c);
        var sb = new System.Text.StringBuilder();
        sb.Append(name).AppendLine(":");
        foreach (var key in Keys)
        {
            object? v = typeof(DegradationOptions).GetProperty(key)!.GetValue(o);
            string text = v switch
            {
                int i => i.ToString(c),
                double d => D(d),
                double[] a => "[" + string.Join(", ", a.Select(D)) + "]",
                string[] a => "[" + string.Join(", ", a.Select(x => "'" + x + "'")) + "]",
                _ => throw new InvalidOperationException($"degradation option {key}: unexpected type {v?.GetType().Name}"),
            };
            sb.Append("  ").Append(key).Append(": ").AppendLine(text);
        }
        return sb.ToString();
    }

    /// <summary>A non-negative number, parsed in double precision (the options are Python floats).</summary>
    private static double Number(YamlNode v, string path, string key)
    {
        if (v is YamlScalarNode { Value: { } s } && double.TryParse(s.Trim(), System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) && d >= 0)
            return d;
        throw new ConfigException($"{path}: key '{key}' (line {v.Start.Line}): expected a number >= 0, got {ConfigYaml.Describe(v)}.");
    }

    private static DegradationOptions Set(DegradationOptions o, string key, YamlNode v, string path, string full)
    {
        double D() => Number(v, path, full);
        double[] L() => v is YamlSequenceNode list ? list.Children.Select((c, i) => Number(c, path, $"{full}[{i}]")).ToArray()
            : throw new ConfigException($"{path}: key '{full}' (line {v.Start.Line}): expected a list of numbers like [0.2, 3], got {ConfigYaml.Describe(v)}.");
        int I() => ConfigYaml.Int(v, path, full, 1);
        string[] S() => v is YamlSequenceNode seq ? seq.Children.Select(c => ConfigYaml.Str(c, path, full)).ToArray()
            : throw new ConfigException($"{path}: key '{full}' (line {v.Start.Line}): expected a list of kernel names like ['iso', 'aniso'], got {ConfigYaml.Describe(v)}.");
        return key switch
        {
            "blur_kernel_size" => o with { blur_kernel_size = I() },
            "kernel_list" => o with { kernel_list = S() },
            "kernel_prob" => o with { kernel_prob = L() },
            "sinc_prob" => o with { sinc_prob = D() },
            "blur_sigma" => o with { blur_sigma = L() },
            "betag_range" => o with { betag_range = L() },
            "betap_range" => o with { betap_range = L() },
            "blur_kernel_size2" => o with { blur_kernel_size2 = I() },
            "kernel_list2" => o with { kernel_list2 = S() },
            "kernel_prob2" => o with { kernel_prob2 = L() },
            "sinc_prob2" => o with { sinc_prob2 = D() },
            "blur_sigma2" => o with { blur_sigma2 = L() },
            "betag_range2" => o with { betag_range2 = L() },
            "betap_range2" => o with { betap_range2 = L() },
            "final_sinc_prob" => o with { final_sinc_prob = D() },
            "resize_prob" => o with { resize_prob = L() },
            "resize_range" => o with { resize_range = L() },
            "gaussian_noise_prob" => o with { gaussian_noise_prob = D() },
            "noise_range" => o with { noise_range = L() },
            "poisson_scale_range" => o with { poisson_scale_range = L() },
            "gray_noise_prob" => o with { gray_noise_prob = D() },
            "jpeg_range" => o with { jpeg_range = L() },
            "second_blur_prob" => o with { second_blur_prob = D() },
            "resize_prob2" => o with { resize_prob2 = L() },
            "resize_range2" => o with { resize_range2 = L() },
            "gaussian_noise_prob2" => o with { gaussian_noise_prob2 = D() },
            "noise_range2" => o with { noise_range2 = L() },
            "poisson_scale_range2" => o with { poisson_scale_range2 = L() },
            "gray_noise_prob2" => o with { gray_noise_prob2 = D() },
            "jpeg_range2" => o with { jpeg_range2 = L() },
            "gt_size" => o with { gt_size = I() },
            "queue_size" => o with { queue_size = I() },
            "scale" => o with { scale = I() },
            _ => throw new InvalidOperationException(key),
        };
    }
}
