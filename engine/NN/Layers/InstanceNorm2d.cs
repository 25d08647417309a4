namespace NativeGan.NN;

/// <summary>
/// torch.nn.InstanceNorm2d without running statistics (track_running_stats=False, PyTorch's default): each (n, c)
/// plane normalised over H, W. With affine, parameters weight (ones) and bias (zeros) [C].
/// </summary>
public sealed class InstanceNorm2d : Module
{
    public InstanceNorm2d(int numFeatures, float eps = 1e-5f, bool affine = false, Device? device = null)
    {
        if (numFeatures <= 0) throw new ArgumentException($"InstanceNorm2d: num_features must be positive, got {numFeatures}.");
        if (!(eps > 0f)) throw new ArgumentException($"InstanceNorm2d: eps must be positive, got {eps}.");
        NumFeatures = numFeatures;
        Eps = eps;
        Affine = affine;
        var dev = device ?? Device.Default;
        RegisterParameter("weight", affine ? Tensor.Ones(new[] { numFeatures }, dev).DetachFromScope() : null);
        RegisterParameter("bias", affine ? Tensor.Zeros(new[] { numFeatures }, dev).DetachFromScope() : null);
    }

    public int NumFeatures { get; }
    public float Eps { get; }
    public bool Affine { get; }
    public Tensor? Weight => Param("weight");
    public Tensor? Bias => Param("bias");

    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 4)
            throw new ArgumentException($"InstanceNorm2d: expected a 4-D [N, C, H, W] input, got {ShapeUtil.Format(x.ShapeArray)}.");
        if (Affine && x.ShapeArray[1] != NumFeatures)
            throw new ArgumentException($"InstanceNorm2d: expected {NumFeatures} channels (dim 1), got input {ShapeUtil.Format(x.ShapeArray)}.");
        return Tensor.InstanceNorm(x, Weight, Bias, Eps);
    }

    protected override string ExtraRepr() => $"{NumFeatures}, eps={Eps}, affine={Affine}";
}
