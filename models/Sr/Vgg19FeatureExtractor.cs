using NativeGan.IO;
using NativeGan.NN;

namespace NativeGan.Models.Sr;

/// <summary>
/// VGG19 features for perceptual losses, as BasicSR's VGGFeatureExtractor (basicsr/archs/vgg_arch.py) over
/// torchvision's vgg19().features: layers named conv1_1, relu1_1, conv1_2, relu1_2, pool1, ..., conv5_4, relu5_4,
/// pool5, where a layer's position in that list is its torchvision index (conv1_1 = features.0, conv5_4 =
/// features.34). Only the layers up to the last requested one are built. A conv layer's output is taken before its
/// ReLU (BasicSR clones it before torchvision's in-place ReLU). Pools are MaxPool2d(2, 2).
/// The input [N, 3, H, W] is mapped from [-1, 1] to [0, 1] when rangeNorm, then normalised with ImageNet's mean
/// (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225) when useInputNorm. The network is frozen (parameters do not
/// require grad, eval mode); gradients still flow to the input.
/// The ImageNet weights are not bundled and never downloaded: <see cref="LoadTorchvisionWeights"/> takes torchvision's
/// vgg19 state dict (keys features.N.weight / features.N.bias, e.g. from vgg19-dcbb9e9d.pth), and
/// <see cref="Extract"/> refuses to run before that. State-dict keys of this module are BasicSR's: vgg_net.conv1_1.weight, ..., mean, std.
/// </summary>
public sealed class Vgg19FeatureExtractor : Module
{
    /// <summary>torchvision's file name for the ImageNet VGG19 weights.</summary>
    public const string TorchvisionWeightsFile = "vgg19-dcbb9e9d.pth";

    /// <summary>Where PyTorch publishes <see cref="TorchvisionWeightsFile"/>.</summary>
    public const string TorchvisionWeightsUrl = "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth";

    /// <summary>The YAML key that names the weights file in a training config.</summary>
    public const string ConfigKey = "perceptual.vgg_weights";

    /// <summary>BasicSR's VGG19 layer names; the index in this list is the torchvision features index.</summary>
    public static IReadOnlyList<string> LayerNames { get; } = new[]
    {
        "conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1",
        "conv2_1", "relu2_1", "conv2_2", "relu2_2", "pool2",
        "conv3_1", "relu3_1", "conv3_2", "relu3_2", "conv3_3", "relu3_3", "conv3_4", "relu3_4", "pool3",
        "conv4_1", "relu4_1", "conv4_2", "relu4_2", "conv4_3", "relu4_3", "conv4_4", "relu4_4", "pool4",
        "conv5_1", "relu5_1", "conv5_2", "relu5_2", "conv5_3", "relu5_3", "conv5_4", "relu5_4", "pool5",
    };

    private static readonly int[] DefaultWidths = { 64, 128, 256, 512, 512 };
    private static readonly float[] ImageNetMean = { 0.485f, 0.456f, 0.406f };
    private static readonly float[] ImageNetStd = { 0.229f, 0.224f, 0.225f };

    private readonly List<(string Name, int Index, Module Layer)> layers = new();
    private readonly HashSet<string> requested;

    /// <param name="layerNames">The layers whose outputs <see cref="Extract"/> returns (BasicSR names).</param>
    /// <param name="useInputNorm">Normalise the input with ImageNet's mean and std (the input must be in [0, 1]).</param>
    /// <param name="rangeNorm">Map the input from [-1, 1] to [0, 1] first.</param>
    /// <param name="device">Where the parameters live.</param>
    /// <param name="stageWidths">Output channels of the five conv stages; torchvision's (64, 128, 256, 512, 512) by
    /// default. Narrower widths give a small VGG19-shaped network for tests.</param>
    public Vgg19FeatureExtractor(IReadOnlyList<string> layerNames, bool useInputNorm = true, bool rangeNorm = false, Device? device = null,
        IReadOnlyList<int>? stageWidths = null)
    {
        ArgumentNullException.ThrowIfNull(layerNames);
        if (layerNames.Count == 0)
            throw new ArgumentException("Vgg19FeatureExtractor: at least one layer name is needed.");
        var unknown = layerNames.Where(n => !LayerNames.Contains(n)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Vgg19FeatureExtractor: unknown layer name(s) {string.Join(", ", unknown.Select(n => $"'{n}'"))}; expected BasicSR's VGG19 names: {string.Join(", ", LayerNames)}.");
        var widths = (stageWidths ?? DefaultWidths).ToArray();
        if (widths.Length != 5 || widths.Any(w => w < 1))
            throw new ArgumentException($"Vgg19FeatureExtractor: stage widths must be five positive channel counts, got [{string.Join(", ", widths)}].");
        StageWidths = widths;
        UseInputNorm = useInputNorm;
        RangeNorm = rangeNorm;
        RequestedLayers = LayerNames.Where(layerNames.Contains).ToArray();
        requested = new HashSet<string>(RequestedLayers);
        int last = layerNames.Max(n => IndexOf(n));

        var dev = device ?? Device.Default;
        var net = RegisterModule("vgg_net", new NamedLayers());
        int channels = 3;
        for (int i = 0; i <= last; i++)
        {
            string name = LayerNames[i];
            Module layer;
            if (name.StartsWith("conv", StringComparison.Ordinal))
            {
                int stage = name[4] - '1';
                layer = new Conv2d(channels, widths[stage], 3, 1, 1, device: dev);
                channels = widths[stage];
            }
            else if (name.StartsWith("relu", StringComparison.Ordinal)) layer = new ReLU();
            else layer = new MaxPool2d(2, 2);
            net.Add(name, layer);
            layers.Add((name, i, layer));
        }
        RegisterBuffer("mean", Tensor.FromArray(ImageNetMean, new[] { 1, 3, 1, 1 }, dev).DetachFromScope());
        RegisterBuffer("std", Tensor.FromArray(ImageNetStd, new[] { 1, 3, 1, 1 }, dev).DetachFromScope());
        RequiresGrad(false);
        Eval();
    }

    public bool UseInputNorm { get; }
    public bool RangeNorm { get; }
    public IReadOnlyList<int> StageWidths { get; }

    /// <summary>The requested layers in network order.</summary>
    public IReadOnlyList<string> RequestedLayers { get; }

    /// <summary>Whether weights have been loaded (<see cref="LoadTorchvisionWeights"/>); <see cref="Extract"/> needs them.</summary>
    public bool HasWeights { get; private set; }

    /// <summary>The torchvision features index of a BasicSR layer name (conv5_4 -> 34).</summary>
    public static int IndexOf(string layerName)
    {
        for (int i = 0; i < LayerNames.Count; i++)
            if (LayerNames[i] == layerName) return i;
        throw new ArgumentException($"Vgg19FeatureExtractor: unknown layer name '{layerName}'; expected one of {string.Join(", ", LayerNames)}.");
    }

    /// <summary>The message of the refusal to run without weights.</summary>
    public static string MissingWeightsMessage =>
        "The VGG19 perceptual loss needs torchvision's ImageNet VGG19 weights, which NativeGan does not bundle or download. " +
        $"Download {TorchvisionWeightsFile} ({TorchvisionWeightsUrl}) yourself and give its path in the training config as " +
        $"`{ConfigKey}: path/to/{TorchvisionWeightsFile}` (a .pth or .safetensors state dict with keys features.N.weight / features.N.bias), " +
        "or pass the loaded state dict to Vgg19FeatureExtractor.LoadTorchvisionWeights.";

    /// <summary>
    /// Copies torchvision's vgg19 weights (features.N.weight [out, in, 3, 3] and features.N.bias [out]) into the conv
    /// layers that were built; other keys (deeper layers, classifier.*) are ignored. Every needed key and shape is
    /// checked before anything is written. A "module." prefix (DataParallel) is accepted, and so are BasicSR's own
    /// keys (vgg_net.conv1_1.weight, as this module's <see cref="Module.StateDict"/> writes them).
    /// </summary>
    public void LoadTorchvisionWeights(IReadOnlyDictionary<string, SafetensorsEntry> state, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        string from = source != null ? $" from {source}" : "";
        SafetensorsEntry? Find(string key) =>
            state.TryGetValue(key, out var e) ? e : state.TryGetValue("module." + key, out e) ? e : null;
        var problems = new List<string>();
        var plan = new List<(Tensor Target, SafetensorsEntry Source)>();
        foreach (var (name, index, layer) in layers)
        {
            if (layer is not Conv2d conv) continue;
            foreach (var (suffix, target) in new[] { ("weight", conv.Weight), ("bias", conv.Bias!) })
            {
                string key = $"features.{index}.{suffix}";
                var entry = Find(key) ?? Find($"vgg_net.{name}.{suffix}");
                if (entry == null) { problems.Add($"missing {key} ({name}.{suffix})"); continue; }
                if (!entry.Shape.SequenceEqual(target.Shape))
                    problems.Add($"{key} ({name}.{suffix}) has shape {SrShapes.Format(entry.Shape)}, expected {SrShapes.Format(target.Shape)}");
                else plan.Add((target, entry));
            }
        }
        if (problems.Count > 0)
        {
            var firstKeys = string.Join(", ", state.Keys.Take(6));
            throw new ArgumentException($"Vgg19FeatureExtractor: the state dict{from} is not torchvision's vgg19 (widths {string.Join("/", StageWidths)}): " +
                $"{string.Join("; ", problems.Take(8))}{(problems.Count > 8 ? $"; and {problems.Count - 8} more" : "")}. Its first keys: {firstKeys}.");
        }
        using (Tensor.NoGrad())
            foreach (var (target, entry) in plan) target.CopyFrom(entry.Data);
        HasWeights = true;
    }

    /// <summary>Features of the requested layers by name, in network order. Throws when no weights were loaded.</summary>
    public IReadOnlyDictionary<string, Tensor> Extract(Tensor x)
    {
        if (!HasWeights) throw new InvalidOperationException(MissingWeightsMessage);
        if (x.Rank != 4 || x.Size(1) != 3)
            throw new ArgumentException($"Vgg19FeatureExtractor: expected RGB input [N, 3, H, W], got {SrShapes.Format(x)}.");
        var h = x;
        if (RangeNorm) h = h.Affine(0.5f, 0.5f);
        if (UseInputNorm) h = h.Sub(Buffer("mean")!).Div(Buffer("std")!);
        var output = new Dictionary<string, Tensor>();
        foreach (var (name, _, layer) in layers)
        {
            h = layer.Forward(h);
            if (requested.Contains(name)) output[name] = h;
        }
        return output;
    }

    /// <summary>The deepest requested layer's features (Module's single-output forward).</summary>
    public override Tensor Forward(Tensor x) => Extract(x)[RequestedLayers[^1]];

    protected override string ExtraRepr() =>
        $"layers=[{string.Join(", ", RequestedLayers)}], use_input_norm={UseInputNorm}, range_norm={RangeNorm}";

    /// <summary>Children run in order under the given names (torch's Sequential over an OrderedDict).</summary>
    private sealed class NamedLayers : Module
    {
        private readonly List<Module> order = new();

        public void Add(string name, Module layer) => order.Add(RegisterModule(name, layer));

        public override Tensor Forward(Tensor x)
        {
            foreach (var m in order) x = m.Forward(x);
            return x;
        }
    }
}
