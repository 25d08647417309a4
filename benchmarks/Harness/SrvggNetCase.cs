using System.Globalization;
using NativeGan.IO;
using NativeGan.Models.Sr;

namespace NativeGan.Benchmarks.Harness;

/// <summary>
/// Real-ESRGAN's realesr-general-x4v3 (SRVGGNetCompact: 64 features, 32 body convolutions, PReLU, x4) on one image,
/// the network people run on a CPU. FLOPs are the convolutions' multiply-adds x 2. Before timing, the tiny
/// srvgg_tiny_x4_conv2 fixture runs through the same code and is compared with PyTorch's float64 output.
/// </summary>
internal sealed class SrvggNetCase(int size) : KernelCase
{
    private const int NumFeat = 64, NumConv = 32, Scale = 4;
    private Device? device;
    private SRVGGNetCompact? net;
    private Tensor? x;

    public override string Name => $"srvgg_infer_{size}";
    public override string Shape => $"SRVGGNetCompact x4 (realesr-general-x4v3), 1x3x{size}x{size} -> {size * Scale}x{size * Scale}";
    public override double Flops => 2.0 * 9 * size * size * (3.0 * NumFeat + NumConv * (double)NumFeat * NumFeat + NumFeat * 3.0 * Scale * Scale);
    public override bool RecordsGraph => false;

    public override void Setup(Device d)
    {
        device = d;
        var g = new NativeGan.Generator(0x5EED);
        net = new SRVGGNetCompact(3, 3, NumFeat, NumConv, Scale, "prelu", d, g);
        net.Eval();
        net.RequiresGrad(false);
        x = Tensor.Rand(new[] { 1, 3, size, size }, d, g);
    }

    public override void Call()
    {
        using var scope = Tensor.Scope();
        using var noGrad = Tensor.NoGrad();
        net!.Forward(x!);
    }

    public override Validation Validate()
    {
        var weights = Safetensors.Read(Path.Combine(AppContext.BaseDirectory, "fixtures", "srvgg_tiny_x4_conv2.weights.safetensors"));
        var io = Safetensors.Read(Path.Combine(AppContext.BaseDirectory, "fixtures", "srvgg_tiny_x4_conv2.io.safetensors")).Tensors;
        var (tiny, _) = SrArchitecture.CreateFromStateDict(weights.Tensors, device!, "srvgg_tiny_x4_conv2");
        float[] y, full;
        using (tiny)
        using (Tensor.Scope())
        using (Tensor.NoGrad())
        {
            y = tiny.Forward(Tensor.FromArray(io["input"].Data, io["input"].Shape, device!)).ToArray();
            full = net!.Forward(x!).ToArray();
        }
        var expected = io["output"].Data;
        double maxErr = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs((double)y[i] - expected[i]);
            maxErr = Math.Max(maxErr, err);
            if (!(err <= 1e-5 + 1e-3 * Math.Abs(expected[i])))
                return new Validation(false, err, string.Create(CultureInfo.InvariantCulture, $"output[{i}] = {y[i]}, PyTorch {expected[i]}"));
        }
        int bad = Array.FindIndex(full, v => !float.IsFinite(v));
        return bad >= 0
            ? new Validation(false, double.NaN, $"non-finite value at {bad} of the full-size result")
            : new Validation(true, maxErr, $"tiny SRVGGNetCompact x4 output matches PyTorch ({expected.Length} values)");
    }

    public override void Dispose()
    {
        net?.Dispose();
        x?.Dispose();
        net = null;
        x = null;
    }
}
