namespace NativeGan.NN;

/// <summary>torch.nn.ReflectionPad2d: reflection padding of the last two dimensions (no parameters).</summary>
public sealed class ReflectionPad2d : Module
{
    public ReflectionPad2d(int padding) : this(padding, padding, padding, padding) { }

    public ReflectionPad2d(int left, int right, int top, int bottom)
    {
        if (left < 0 || right < 0 || top < 0 || bottom < 0)
            throw new ArgumentException($"ReflectionPad2d: pads must be >= 0, got ({left}, {right}, {top}, {bottom}).");
        Padding = (left, right, top, bottom);
    }

    /// <summary>(left, right, top, bottom), PyTorch's order.</summary>
    public (int Left, int Right, int Top, int Bottom) Padding { get; }

    public override Tensor Forward(Tensor x) => x.ReflectionPad2d(Padding.Left, Padding.Right, Padding.Top, Padding.Bottom);

    protected override string ExtraRepr() => $"({Padding.Left}, {Padding.Right}, {Padding.Top}, {Padding.Bottom})";
}
