namespace NativeGan.NN;

/// <summary>torch.nn.AvgPool2d with a square window (ceil_mode off); stride defaults to the window.</summary>
public sealed class AvgPool2d : Module
{
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool countIncludePad = true)
    {
        Pools.Check("AvgPool2d", kernelSize, stride, padding);
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        CountIncludePad = countIncludePad;
    }

    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public bool CountIncludePad { get; }

    public override Tensor Forward(Tensor x) => x.AvgPool2d(KernelSize, Stride, Padding, CountIncludePad);

    protected override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}";
}

/// <summary>torch.nn.MaxPool2d with a square window (ceil_mode off, dilation 1); stride defaults to the window.</summary>
public sealed class MaxPool2d : Module
{
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0)
    {
        Pools.Check("MaxPool2d", kernelSize, stride, padding);
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
    }

    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }

    public override Tensor Forward(Tensor x) => x.MaxPool2d(KernelSize, Stride, Padding);

    protected override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}";
}

/// <summary>torch.nn.AdaptiveAvgPool2d to a fixed output size (outputH x outputW).</summary>
public sealed class AdaptiveAvgPool2d : Module
{
    public AdaptiveAvgPool2d(int outputSize) : this(outputSize, outputSize)
    {
    }

    public AdaptiveAvgPool2d(int outputH, int outputW)
    {
        if (outputH <= 0 || outputW <= 0)
            throw new ArgumentException($"AdaptiveAvgPool2d: output_size must be positive, got ({outputH}, {outputW}).");
        OutputSize = (outputH, outputW);
    }

    public (int H, int W) OutputSize { get; }

    public override Tensor Forward(Tensor x) => x.AdaptiveAvgPool2d(OutputSize.H, OutputSize.W);

    protected override string ExtraRepr() => $"output_size=({OutputSize.H}, {OutputSize.W})";
}

internal static class Pools
{
    public static void Check(string op, int kernelSize, int? stride, int padding)
    {
        if (kernelSize <= 0) throw new ArgumentException($"{op}: kernel_size must be positive, got {kernelSize}.");
        if (stride is int s && s <= 0) throw new ArgumentException($"{op}: stride must be positive, got {s}.");
        if (padding < 0 || padding > kernelSize / 2)
            throw new ArgumentException($"{op}: padding must be between 0 and half the kernel size ({kernelSize / 2}), got {padding}.");
    }
}
