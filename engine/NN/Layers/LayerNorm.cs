namespace NativeGan.NN;

/// <summary>
/// torch.nn.LayerNorm over the trailing dims <see cref="NormalizedShape"/>. With elementwise affine, parameters
/// weight (ones) and bias (zeros, unless bias is false) of that shape.
/// </summary>
public sealed class LayerNorm : Module
{
    public LayerNorm(int normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true, bool bias = true, Device? device = null)
        : this(new[] { normalizedShape }, eps, elementwiseAffine, bias, device)
    {
    }

    public LayerNorm(int[] normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true, bool bias = true, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d <= 0))
            throw new ArgumentException($"LayerNorm: normalized_shape must be a non-empty list of positive sizes, got {ShapeUtil.Format(normalizedShape)}.");
        if (!(eps > 0f)) throw new ArgumentException($"LayerNorm: eps must be positive, got {eps}.");
        NormalizedShape = (int[])normalizedShape.Clone();
        Eps = eps;
        ElementwiseAffine = elementwiseAffine;
        var dev = device ?? Device.Default;
        RegisterParameter("weight", elementwiseAffine ? Tensor.Ones(NormalizedShape, dev).DetachFromScope() : null);
        RegisterParameter("bias", elementwiseAffine && bias ? Tensor.Zeros(NormalizedShape, dev).DetachFromScope() : null);
    }

    public int[] NormalizedShape { get; }
    public float Eps { get; }
    public bool ElementwiseAffine { get; }
    public Tensor? Weight => Param("weight");
    public Tensor? Bias => Param("bias");

    public override Tensor Forward(Tensor x) => Tensor.LayerNorm(x, NormalizedShape, Weight, Bias, Eps);

    protected override string ExtraRepr() => $"{ShapeUtil.Format(NormalizedShape)}, eps={Eps}, elementwise_affine={ElementwiseAffine}";
}
