
namespace NativeGan.NN;

/// <summary>
/// y = x W^T + b (torch.nn.Linear). Keys: weight [out, in], bias [out]. Initialised as PyTorch: weight
/// kaiming_uniform(a = sqrt(5)) i.e. U(-1/sqrt(in), 1/sqrt(in)), bias U(-1/sqrt(in), 1/sqrt(in)).
/// </summary>
public sealed class Linear : Module
{
    public Linear(int inFeatures, int outFeatures, bool bias = true, Device? device = null, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentException($"Linear: features must be positive, got in_features={inFeatures}, out_features={outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var w = Tensor.Empty(new[] { outFeatures, inFeatures }, device ?? Device.Default).DetachFromScope();
        Init.KaimingUniform(w, MathF.Sqrt(5f), generator: generator);
        RegisterParameter("weight", w);
        if (bias)
        {
            var b = Tensor.Empty(new[] { outFeatures }, device ?? Device.Default).DetachFromScope();
            float bound = 1f / MathF.Sqrt(inFeatures);
            Init.Uniform(b, -bound, bound, generator);
            RegisterParameter("bias", b);
        }
        else RegisterParameter("bias", null);
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Tensor Weight => Param("weight")!;
    public Tensor? Bias => Param("bias");

    public override Tensor Forward(Tensor x) => Tensor.Linear(x, Weight, Bias);

    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={Bias != null}";
}
