using NativeGan.Tests.Fixtures;
namespace NativeGan.Tests.Ops;

/// <summary>An RRDB-style dense block through the shared channel buffer equals the cat-then-conv block.</summary>
public class DenseConcatTests
{
    private const int N = 2, F = 4, G = 3, H = 5, W = 4;

    private static float[] Values(int seed, int n)
    {
        var r = new System.Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
    }

    private static (Tensor[] Weights, Tensor[] Biases) Parameters(Device device)
    {
        var ws = new Tensor[5];
        var bs = new Tensor[5];
        for (int i = 0; i < 5; i++)
        {
            int cin = F + i * G, cout = i == 4 ? F : G;
            ws[i] = Tensor.FromArray(Values(10 + i, cout * cin * 9), new[] { cout, cin, 3, 3 }, device, true);
            bs[i] = Tensor.FromArray(Values(20 + i, cout), new[] { cout }, device, true);
        }
        return (ws, bs);
    }

    private static Tensor WithCat(Tensor x, Tensor[] w, Tensor[] b)
    {
        var features = new List<Tensor> { x };
        for (int i = 0; i < 4; i++)
            features.Add(Tensor.Conv2d(Tensor.Cat(features, 1), w[i], b[i], padding: 1).LeakyRelu(0.2f));
        return Tensor.Conv2d(Tensor.Cat(features, 1), w[4], b[4], padding: 1).Mul(0.2f).Add(x);
    }

    private static Tensor WithBuffer(Tensor x, Tensor[] w, Tensor[] b)
    {
        var dense = new DenseConcat(N, F + 4 * G, H, W, x.Device);
        dense.Append(x);
        for (int i = 0; i < 4; i++)
        {
            // The activation is applied in place of the slice by the block in practice; here the conv writes raw
            // features and the activation is a separate op, so append the activated copy.
            var raw = Tensor.Conv2d(dense.Prefix(), w[i], b[i], padding: 1);
            dense.Append(raw.LeakyRelu(0.2f));
        }
        return Tensor.Conv2d(dense.Prefix(), w[4], b[4], padding: 1).Mul(0.2f).Add(x);
    }

    private static Tensor WithConvWrites(Tensor x, Tensor[] w, Tensor[] b)
    {
        // Convolutions write straight into their slices (no activation between, so the comparison is to a
        // linear dense block).
        var dense = new DenseConcat(N, F + 4 * G, H, W, x.Device);
        dense.Append(x);
        for (int i = 0; i < 4; i++) dense.AppendConv2d(dense.Prefix(), w[i], b[i], padding: 1);
        return Tensor.Conv2d(dense.Prefix(), w[4], b[4], padding: 1);
    }

    private static Tensor LinearWithCat(Tensor x, Tensor[] w, Tensor[] b)
    {
        var features = new List<Tensor> { x };
        for (int i = 0; i < 4; i++) features.Add(Tensor.Conv2d(Tensor.Cat(features, 1), w[i], b[i], padding: 1));
        return Tensor.Conv2d(Tensor.Cat(features, 1), w[4], b[4], padding: 1);
    }


    [Theory]
    [Devices("cpu", "ilgpu-cpu")]
    public void BufferBlockEqualsCatThenConv(string deviceName) =>
        Compare(Device.Parse(deviceName), WithCat, WithBuffer);

    [Theory]
    [Devices("cpu", "ilgpu-cpu")]
    public void ConvolutionsWritingTheirSlicesEqualCatThenConv(string deviceName) =>
        Compare(Device.Parse(deviceName), LinearWithCat, WithConvWrites);

    private static void Compare(Device device, Func<Tensor, Tensor[], Tensor[], Tensor> reference, Func<Tensor, Tensor[], Tensor[], Tensor> candidate)
    {
        using var s = Tensor.Scope();
        var x = Tensor.FromArray(Values(1, N * F * H * W), new[] { N, F, H, W }, device, true);
        var gout = Tensor.FromArray(Values(2, N * F * H * W), new[] { N, F, H, W }, device);
        var (w, b) = Parameters(device);
        var inputs = new[] { x }.Concat(w).Concat(b).ToArray();

        var yRef = reference(x, w, b);
        var gRef = NativeGan.Autograd.Grad(new[] { yRef }, inputs, new[] { gout });
        var y = candidate(x, w, b);
        var g = NativeGan.Autograd.Grad(new[] { y }, inputs, new[] { gout });

        Fixtures.Assertions.AssertClose(yRef.ToArray(), y.ToArray(), 1e-5, 1e-6, "output");
        for (int i = 0; i < inputs.Length; i++)
            Fixtures.Assertions.AssertClose(gRef[i]!.ToArray(), g[i]!.ToArray(), 1e-5, 1e-6, $"gradient {i}");
    }

    [Fact]
    public void RefusesWritesPastItsCapacityAndPrefixesThatSplitASegment()
    {
        using var s = Tensor.Scope();
        var dense = new DenseConcat(1, 5, 2, 2, Device.Cpu);
        dense.Append(Tensor.Zeros(new[] { 1, 3, 2, 2 }, Device.Cpu));
        Assert.Contains("split", Assert.Throws<ArgumentException>(() => dense.Prefix(2)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => dense.Prefix(4));
        var e = Assert.Throws<ArgumentException>(() => dense.Append(Tensor.Zeros(new[] { 1, 3, 2, 2 }, Device.Cpu)));
        Assert.Contains("only 2 of 5", e.Message);
    }
}
