namespace NativeGan.NN;

/// <summary>x where x &gt; 0, else a x, with one learned a or one per channel (torch.nn.PReLU). Key: weight [numParameters].</summary>
public sealed class PReLU : Module
{
    public PReLU(int numParameters = 1, float init = 0.25f, Device? device = null)
    {
        if (numParameters <= 0) throw new ArgumentException($"PReLU: num_parameters must be positive, got {numParameters}.");
        NumParameters = numParameters;
        RegisterParameter("weight", Tensor.Full(new[] { numParameters }, init, device).DetachFromScope());
    }

    public int NumParameters { get; }
    public Tensor Weight => Param("weight")!;

    public override Tensor Forward(Tensor x) => x.Prelu(Weight);

    protected override string ExtraRepr() => $"num_parameters={NumParameters}";
}
