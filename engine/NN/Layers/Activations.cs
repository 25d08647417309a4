namespace NativeGan.NN;

public sealed class ReLU : Module
{
    public override Tensor Forward(Tensor x) => x.Relu();
}

public sealed class LeakyReLU : Module
{
    public LeakyReLU(float negativeSlope = 0.01f) => NegativeSlope = negativeSlope;

    public float NegativeSlope { get; }

    public override Tensor Forward(Tensor x) => x.LeakyRelu(NegativeSlope);

    protected override string ExtraRepr() => $"negative_slope={NegativeSlope}";
}

public sealed class Tanh : Module
{
    public override Tensor Forward(Tensor x) => x.Tanh();
}

public sealed class Sigmoid : Module
{
    public override Tensor Forward(Tensor x) => x.Sigmoid();
}

/// <summary>Returns its input unchanged (torch.nn.Identity).</summary>
public sealed class Identity : Module
{
    public override Tensor Forward(Tensor x) => x;
}
