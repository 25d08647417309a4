using NativeGan.Verification;

namespace NativeGan.Tests.Ops;

/// <summary>
/// conv2d / conv_transpose2d beyond the PyTorch fixtures (which OpFixtureTests runs): argument errors, channel-prefix
/// views read in place, and the CPU backend against the ILGPU kernels on configurations the fixtures do not cover.
/// </summary>
public class Conv2dTests
{
    static Conv2dTests() => Conv2dVerification.Register();

    private static Tensor Rand(int seed, params int[] shape)
    {
        var r = new System.Random(seed);
        int n = shape.Aggregate(1, (a, b) => a * b);
        return Tensor.FromArray(Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray(), shape, Device.Cpu);
    }

    public static TheoryData<string, string, string> BadConv2dArguments() => new()
    {
        { "negative padding", "padding", "-1" },
        { "stride 0", "stride", "0" },
        { "dilation 0", "dilation", "0" },
        { "cin not divisible by groups", "input channels 3", "groups=2" },
        { "cout not divisible by groups", "output channels 3", "groups=2" },
        { "weight cin mismatch", "[4, 2, 3, 3]", "3" },
        { "kernel larger than padded input", "kernel size 5x5", "4x4" },
        { "bias shape", "bias", "[3]" },
    };

    [Theory]
    [MemberData(nameof(BadConv2dArguments))]
    public void Conv2dRejectsBadArguments(string what, string mention1, string mention2)
    {
        using var scope = Tensor.Scope();
        Action call = what switch
        {
            "negative padding" => () => Tensor.Conv2d(Rand(1, 1, 2, 5, 5), Rand(2, 4, 2, 3, 3), padding: -1),
            "stride 0" => () => Tensor.Conv2d(Rand(1, 1, 2, 5, 5), Rand(2, 4, 2, 3, 3), stride: 0),
            "dilation 0" => () => Tensor.Conv2d(Rand(1, 1, 2, 5, 5), Rand(2, 4, 2, 3, 3), dilation: 0),
            "cin not divisible by groups" => () => Tensor.Conv2d(Rand(1, 1, 3, 5, 5), Rand(2, 4, 1, 3, 3), groups: 2),
            "cout not divisible by groups" => () => Tensor.Conv2d(Rand(1, 1, 4, 5, 5), Rand(2, 3, 2, 3, 3), groups: 2),
            "weight cin mismatch" => () => Tensor.Conv2d(Rand(1, 1, 3, 5, 5), Rand(2, 4, 2, 3, 3)),
            "kernel larger than padded input" => () => Tensor.Conv2d(Rand(1, 1, 2, 4, 4), Rand(2, 4, 2, 5, 5)),
            "bias shape" => () => Tensor.Conv2d(Rand(1, 1, 2, 5, 5), Rand(2, 4, 2, 3, 3), Rand(3, 3)),
            _ => throw new InvalidOperationException(what),
        };
        var e = Assert.ThrowsAny<ArgumentException>(call);
        Assert.Contains("conv2d", e.Message);
        Assert.Contains(mention1, e.Message);
        Assert.Contains(mention2, e.Message);
    }

    [Fact]
    public void ConvTranspose2dRejectsBadArguments()
    {
        using var scope = Tensor.Scope();
        var x = Rand(1, 1, 4, 3, 3);
        var w = Rand(2, 4, 2, 3, 3);
        void Expect(Action call, string mention)
        {
            var e = Assert.ThrowsAny<ArgumentException>(call);
            Assert.Contains("conv_transpose2d", e.Message);
            Assert.Contains(mention, e.Message);
        }
        Expect(() => Tensor.ConvTranspose2d(x, w, stride: 2, outputPadding: 2), "output_padding (2, 2)");
        Expect(() => Tensor.ConvTranspose2d(x, w, padding: -1), "-1");
        Expect(() => Tensor.ConvTranspose2d(x, w, stride: 0), "stride");
        Expect(() => Tensor.ConvTranspose2d(x, Rand(3, 3, 2, 3, 3)), "[3, 2, 3, 3]");
        Expect(() => Tensor.ConvTranspose2d(Rand(4, 1, 3, 3, 3), Rand(5, 3, 2, 3, 3), groups: 2), "groups=2");
        Expect(() => Tensor.ConvTranspose2d(x, w, Rand(6, 4)), "[4]");
        // output_padding below dilation is allowed (PyTorch's rule: smaller than stride or dilation).
        Assert.Equal(new[] { 1, 2, 8, 8 }, Tensor.ConvTranspose2d(x, w, stride: 1, outputPadding: 1, dilation: 2).Shape);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void ChannelPrefixViewMatchesContiguousCopy(string deviceName)
    {
        var device = deviceName == "cpu" ? Device.Cpu : Device.IlgpuCpu;
        using var scope = Tensor.Scope();
        var wide = Rand(1, 2, 7, 5, 4).To(device).RequireGrad();
        var weight = Rand(2, 3, 4, 3, 3).To(device).RequireGrad();
        var bias = Rand(3, 3).To(device);

        var view = wide.Narrow(1, 0, 4);
        Assert.False(view.IsContiguous);
        var y1 = Tensor.Conv2d(view, weight, bias, padding: 1);
        var gWide1 = NativeGan.Autograd.Grad(new[] { y1.Square().Sum() }, new[] { wide, weight });

        var copy = wide.Detach().Narrow(1, 0, 4).Contiguous().RequireGrad();
        var y2 = Tensor.Conv2d(copy, weight, bias, padding: 1);
        var g2 = NativeGan.Autograd.Grad(new[] { y2.Square().Sum() }, new[] { copy, weight });

        AssertClose(y2.ToArray(), y1.ToArray());
        AssertClose(g2[1]!.ToArray(), gWide1[1]!.ToArray());
        var gx1 = gWide1[0]!;
        AssertClose(g2[0]!.ToArray(), gx1.Narrow(1, 0, 4).Contiguous().ToArray());
        Assert.All(gx1.Narrow(1, 4, 3).Contiguous().ToArray(), v => Assert.Equal(0f, v));
    }

    public static TheoryData<string> Configs() => new() { "s2p1", "d2g2", "k1", "t_s2op1", "t_g2d2op1", "t_k1" };

    /// <summary>The managed CPU path (im2col + SGEMM) against the ILGPU gather kernels, forward and both gradients.</summary>
    [Theory]
    [MemberData(nameof(Configs))]
    public void CpuBackendMatchesIlgpuKernels(string config)
    {
        using var scope = Tensor.Scope();
        float[][] Run(Device device)
        {
            var x = (config.StartsWith("t_") ? Rand(10, 2, 4, 3, 4) : Rand(10, 2, 4, 7, 6)).To(device).RequireGrad();
            Tensor w, y;
            switch (config)
            {
                case "s2p1": w = Rand(11, 3, 4, 3, 2).To(device).RequireGrad(); y = Tensor.Conv2d(x, w, null, (2, 1), (1, 0), (1, 1)); break;
                case "d2g2": w = Rand(11, 6, 2, 3, 3).To(device).RequireGrad(); y = Tensor.Conv2d(x, w, null, 1, 2, 2, 2); break;
                case "k1": w = Rand(11, 5, 4, 1, 1).To(device).RequireGrad(); y = Tensor.Conv2d(x, w); break;
                case "t_s2op1": w = Rand(11, 4, 3, 3, 3).To(device).RequireGrad(); y = Tensor.ConvTranspose2d(x, w, null, 2, 1, 1); break;
                case "t_g2d2op1": w = Rand(11, 4, 1, 3, 2).To(device).RequireGrad(); y = Tensor.ConvTranspose2d(x, w, null, (1, 2), (1, 0), (1, 1), 2, (2, 1)); break;
                default: w = Rand(11, 4, 2, 1, 1).To(device).RequireGrad(); y = Tensor.ConvTranspose2d(x, w); break;
            }
            var gout = Rand(12, y.ShapeArray).To(device);
            var grads = NativeGan.Autograd.Grad(new[] { y }, new[] { x, w }, new[] { gout });
            return new[] { y.ToArray(), grads[0]!.ToArray(), grads[1]!.ToArray() };
        }
        var cpu = Run(Device.Cpu);
        var ilgpu = Run(Device.IlgpuCpu);
        for (int i = 0; i < cpu.Length; i++) AssertClose(ilgpu[i], cpu[i]);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 + 1e-4 * Math.Abs(expected[i]), $"element {i}: expected {expected[i]}, got {actual[i]}");
    }
}
