namespace NativeGan.Models.Sr;

/// <summary>
/// BasicSR's PerceptualLoss (basicsr/losses/basic_loss.py) over a <see cref="Vgg19FeatureExtractor"/>:
/// perceptual = perceptualWeight * sum_k w_k * d(phi_k(x), phi_k(gt)) and
/// style = styleWeight * sum_k w_k * d(G(phi_k(x)), G(phi_k(gt))), over the layers k of layerWeights, where G is the
/// Gram matrix divided by C*H*W (BasicSR's _gram_mat, <see cref="Tensor.Gram"/>) and d is the criterion: "l1" (mean
/// absolute error), "l2" (mean squared error) or "fro" (Frobenius norm of the difference, unaveraged).
/// A term whose weight is 0 is not computed and comes back null. The ground truth's features are computed without
/// a graph (BasicSR detaches gt). The extractor belongs to the caller and must hold every layer of layerWeights.
/// </summary>
public sealed class PerceptualLoss
{
    private readonly KeyValuePair<string, float>[] weights;

    public PerceptualLoss(Vgg19FeatureExtractor vgg, IReadOnlyDictionary<string, float> layerWeights, float perceptualWeight = 1f,
        float styleWeight = 0f, string criterion = "l1")
    {
        ArgumentNullException.ThrowIfNull(vgg);
        ArgumentNullException.ThrowIfNull(layerWeights);
        ArgumentNullException.ThrowIfNull(criterion);
        if (layerWeights.Count == 0)
            throw new ArgumentException("PerceptualLoss: layer_weights is empty; give at least one VGG layer and its weight, e.g. conv5_4: 1.0.");
        var missing = layerWeights.Keys.Where(k => !vgg.RequestedLayers.Contains(k)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"PerceptualLoss: layer_weights names {string.Join(", ", missing)}, which the VGG feature extractor does not extract (it extracts {string.Join(", ", vgg.RequestedLayers)}).");
        if (criterion != "l1" && criterion != "l2" && criterion != "fro")
            throw new ArgumentException($"PerceptualLoss: unknown criterion '{criterion}'; expected 'l1', 'l2' or 'fro'.");
        if (!(perceptualWeight >= 0f) || !(styleWeight >= 0f))
            throw new ArgumentException($"PerceptualLoss: perceptual_weight and style_weight must not be negative, got {perceptualWeight} and {styleWeight}.");
        Vgg = vgg;
        // Network order, as BasicSR sums over the extractor's output dict.
        weights = vgg.RequestedLayers.Where(layerWeights.ContainsKey).Select(k => new KeyValuePair<string, float>(k, layerWeights[k])).ToArray();
        PerceptualWeight = perceptualWeight;
        StyleWeight = styleWeight;
        Criterion = criterion;
    }

    public Vgg19FeatureExtractor Vgg { get; }
    public IReadOnlyList<KeyValuePair<string, float>> LayerWeights => weights;
    public float PerceptualWeight { get; }
    public float StyleWeight { get; }
    public string Criterion { get; }

    /// <summary>The perceptual and style terms for output x and target gt ([N, 3, H, W], same shape); null where the weight is 0.</summary>
    public (Tensor? Perceptual, Tensor? Style) Compute(Tensor x, Tensor gt)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(gt);
        if (!x.Shape.SequenceEqual(gt.Shape))
            throw new ArgumentException($"PerceptualLoss: x {SrShapes.Format(x)} and gt {SrShapes.Format(gt)} must have the same shape.");
        if (PerceptualWeight <= 0f && StyleWeight <= 0f) return (null, null);
        var xf = Vgg.Extract(x);
        IReadOnlyDictionary<string, Tensor> gf;
        using (Tensor.NoGrad()) gf = Vgg.Extract(gt);

        Tensor? perceptual = null, style = null;
        if (PerceptualWeight > 0f)
        {
            foreach (var (k, w) in weights)
                perceptual = Accumulate(perceptual, Distance(xf[k], gf[k]).Mul(w));
            perceptual = perceptual!.Mul(PerceptualWeight);
        }
        if (StyleWeight > 0f)
        {
            foreach (var (k, w) in weights)
            {
                Tensor gg;
                using (Tensor.NoGrad()) gg = Tensor.Gram(gf[k]);
                style = Accumulate(style, Distance(Tensor.Gram(xf[k]), gg).Mul(w));
            }
            style = style!.Mul(StyleWeight);
        }
        return (perceptual, style);
    }

    private static Tensor Accumulate(Tensor? sum, Tensor term) => sum == null ? term : sum.Add(term);

    private Tensor Distance(Tensor a, Tensor b) => Criterion switch
    {
        "l1" => Losses.L1(a, b),
        "l2" => Losses.Mse(a, b),
        // torch.norm(a - b, 'fro'). The 1e-24 under the root keeps the gradient finite (0, as PyTorch's) when
        // a == b; it moves the value only when the squared distance itself is below ~1e-17.
        _ => a.Sub(b).Square().Sum().Add(1e-24f).Sqrt(),
    };
}
