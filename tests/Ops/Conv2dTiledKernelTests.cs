using ILGPU;
using NativeGan.Backends.Ilgpu;
using NativeGan.Kernels.Conv;
using NativeGan.Tests.Fixtures;

namespace NativeGan.Tests.Ops;

/// <summary>
/// The implicit-GEMM conv kernels (Conv2dKernels.ForwardTiled / BackwardInputTiled) against the direct kernels on
/// ILGPU's CPU accelerator (edge tiles, stride, padding, dilation, groups, bias, batch-strided x and y), and the
/// conv ops on ilgpu-cpu (which pick the tiled kernels at these shapes) against the CPU backend.
/// </summary>
public class Conv2dTiledKernelTests
{
    private const double Rtol = 1e-4, Atol = 1e-5;
    private const float Sentinel = -12345f;

    private static float[] Values(int seed, int n)
    {
        var r = new System.Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>A convolution case: x is a channel prefix of xChannels >= cin channels, y a channel slice at yStart of yChannels.</summary>
    public sealed record Case(string Name, int N, int Cin, int H, int W, int Cout, int KH, int KW,
        int Stride = 1, int Pad = 0, int Dil = 1, int Groups = 1, bool Bias = true, int XChannels = 0, int YChannels = 0, int YStart = 0)
    {
        public override string ToString() => Name;

        public Conv2dGeometry Geometry()
        {
            int outH = (H + 2 * Pad - Dil * (KH - 1) - 1) / Stride + 1;
            int outW = (W + 2 * Pad - Dil * (KW - 1) - 1) / Stride + 1;
            return new Conv2dGeometry
            {
                N = N, Cin = Cin, H = H, W = W, Cout = Cout, KH = KH, KW = KW, OutH = outH, OutW = outW,
                StrideH = Stride, StrideW = Stride, PadH = Pad, PadW = Pad, DilH = Dil, DilW = Dil, Groups = Groups,
                XBatchStride = Math.Max(XChannels, Cin) * H * W, YBatchStride = Math.Max(YChannels, Cout) * outH * outW,
            };
        }
    }

    public static TheoryData<Case> Cases() => new()
    {
        // Cout 17 (one partial row tile), N*OutH*OutW = 126 (partial column tile), K = 72 (partial k step).
        new Case("cout17-pad1-bias", 2, 8, 9, 7, 17, 3, 3, Pad: 1),
        new Case("cout40-stride2-pad1", 2, 24, 9, 8, 40, 3, 3, Stride: 2, Pad: 1),
        new Case("cout33-pad0-dil2-nobias", 2, 10, 9, 9, 33, 3, 3, Dil: 2, Bias: false),
        new Case("groups2-coutG17-nobias", 2, 16, 8, 8, 34, 3, 3, Pad: 1, Groups: 2, Bias: false),
        new Case("cout70-two-row-tiles", 2, 8, 8, 8, 70, 3, 3, Pad: 1),
        new Case("1x1", 2, 20, 7, 9, 24, 1, 1),
        new Case("3x2-kernel-stride2-pad2", 2, 9, 8, 7, 18, 3, 2, Stride: 2, Pad: 2),
        // x a channel prefix of 30 channels, y the slice [7, 7 + 20) of 31.
        new Case("batch-strided-x-and-y", 2, 12, 8, 8, 20, 3, 3, Pad: 1, XChannels: 30, YChannels: 31, YStart: 7),
        new Case("batch-strided-groups2-stride2", 2, 16, 9, 9, 18, 3, 3, Stride: 2, Pad: 1, Groups: 2, XChannels: 20, YChannels: 25, YStart: 3),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardTiledMatchesDirectKernel(Case c)
    {
        var g = c.Geometry();
        var backend = (IlgpuBackend)Device.IlgpuCpu.Backend;
        int xLen = g.N * g.XBatchStride, yLen = g.N * g.YBatchStride;
        int wLen = g.Cout * g.KernelVolume;
        int yOffset = c.YStart * g.OutH * g.OutW;
        var expected = Run(backend, Values(1, xLen), Values(2, wLen), Values(3, g.Cout), yLen, c.Bias,
            (k, x, w, b, y, hb) => k.Get(KernelCatalog.ConvForward)(backend.Stream, k.For((long)g.N * g.Cout * g.OutH * g.OutW), x, w, b, y.SubView(yOffset), g, hb));
        var actual = Run(backend, Values(1, xLen), Values(2, wLen), Values(3, g.Cout), yLen, c.Bias,
            (k, x, w, b, y, hb) => k.Get(KernelCatalog.ConvForwardTiled)(backend.Stream, Conv2dLaunch.ForwardTiled(g), x, w, b, y.SubView(yOffset), g, hb));
        Assertions.AssertClose(expected, actual, Rtol, Atol, $"{c} forward");
        if (yOffset > 0) Assert.Equal(Sentinel, actual[0]);   // outside the slice: untouched
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardInputTiledMatchesDirectKernel(Case c)
    {
        var g = c.Geometry();
        var backend = (IlgpuBackend)Device.IlgpuCpu.Backend;
        // gy is read with YBatchStride (a slice at YStart of a wider buffer), gx written with XBatchStride.
        int gyLen = g.N * g.YBatchStride, gxLen = g.N * g.XBatchStride;
        int wLen = g.Cout * g.KernelVolume;
        int gyOffset = c.YStart * g.OutH * g.OutW;
        var expected = Run(backend, Values(4, gyLen), Values(5, wLen), Values(6, g.Cin), gxLen, c.Bias,
            (k, gy, w, b, gx, hb) => k.Get(KernelCatalog.ConvBackwardInput)(backend.Stream, k.For((long)g.N * g.Cin * g.H * g.W), gy.SubView(gyOffset), w, b, gx, g, hb));
        var actual = Run(backend, Values(4, gyLen), Values(5, wLen), Values(6, g.Cin), gxLen, c.Bias,
            (k, gy, w, b, gx, hb) => k.Get(KernelCatalog.ConvBackwardInputTiled)(backend.Stream, Conv2dLaunch.BackwardInputTiled(g), gy.SubView(gyOffset), w, b, gx, g, hb));
        Assertions.AssertClose(expected, actual, Rtol, Atol, $"{c} grad-input");
        if (g.XBatchStride > g.Cin * g.H * g.W) Assert.Equal(Sentinel, actual[g.Cin * g.H * g.W]);
    }

    [Fact]
    public void TransposedConvolutionOutputPaddingMatchesDirectKernel()
    {
        // conv_transpose2d forward geometry: the conv "input" (here gx) is larger than the conv would need
        // (output padding), so some gx rows see no tap at all and get only the bias.
        var g = new Conv2dGeometry
        {
            N = 2, Cin = 20, H = 10, W = 11, Cout = 12, KH = 3, KW = 3, OutH = 4, OutW = 5,
            StrideH = 2, StrideW = 2, PadH = 1, PadW = 0, DilH = 1, DilW = 1, Groups = 1,
            XBatchStride = 20 * 10 * 11, YBatchStride = 12 * 4 * 5,
        };
        var backend = (IlgpuBackend)Device.IlgpuCpu.Backend;
        int gyLen = g.N * g.YBatchStride, gxLen = g.N * g.XBatchStride, wLen = g.Cout * g.KernelVolume;
        var expected = Run(backend, Values(7, gyLen), Values(8, wLen), Values(9, g.Cin), gxLen, true,
            (k, gy, w, b, gx, hb) => k.Get(KernelCatalog.ConvBackwardInput)(backend.Stream, k.For(gxLen), gy, w, b, gx, g, hb));
        var actual = Run(backend, Values(7, gyLen), Values(8, wLen), Values(9, g.Cin), gxLen, true,
            (k, gy, w, b, gx, hb) => k.Get(KernelCatalog.ConvBackwardInputTiled)(backend.Stream, Conv2dLaunch.BackwardInputTiled(g), gy, w, b, gx, g, hb));
        Assertions.AssertClose(expected, actual, Rtol, Atol, "transposed conv with output padding");
    }

    private delegate void Launch(IlgpuKernels k, ArrayView<float> a, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> y, int hasBias);

    /// <summary>Runs one kernel on ilgpu-cpu over fresh buffers (the output pre-filled with a sentinel) and returns the whole output buffer.</summary>
    private static float[] Run(IlgpuBackend backend, float[] a, float[] w, float[] bias, int outLen, bool hasBias, Launch launch)
    {
        using var scope = Tensor.Scope();
        var d = Device.IlgpuCpu;
        var ta = Tensor.FromArray(a, new[] { a.Length }, d);
        var tw = Tensor.FromArray(w, new[] { w.Length }, d);
        var tb = Tensor.FromArray(bias, new[] { bias.Length }, d);
        var ty = Tensor.Full(new[] { outLen }, Sentinel, d);
        backend.Synchronize();
        launch(backend.Kernels, View(ta), View(tw), hasBias ? View(tb) : View(tw), View(ty), hasBias ? 1 : 0);
        backend.Synchronize();
        return ty.ToArray();
    }

    /// <summary>A weight [cout, cinG, kh, kw] scaled by 1/sqrt(fan-in), as initialised, so stacked convs stay O(1).</summary>
    private static Tensor Weight(int seed, int cout, int cinG, int k, Device d)
    {
        float scale = 1f / MathF.Sqrt(cinG * k * k);
        return Tensor.FromArray(Values(seed, cout * cinG * k * k).Select(v => v * scale).ToArray(), new[] { cout, cinG, k, k }, d, true);
    }

    private static ArrayView<float> View(Tensor t) => ((IlgpuStorage)t.Storage).View.SubView(t.Offset, t.NumEl);

    // ---- The ops on ilgpu-cpu (tiled kernels chosen) against the CPU backend ----

    [Fact]
    public void SelectionRuleTakesTheTiledKernelsAtTheOpShapes()
    {
        var acc = ((IlgpuBackend)Device.IlgpuCpu.Backend).Accelerator;
        var big = new Case("op", 2, 24, 12, 12, 17, 3, 3, Pad: 1).Geometry();
        Assert.True(Conv2dLaunch.UseForwardTiled(acc, big));
        Assert.True(Conv2dLaunch.UseBackwardInputTiled(acc, big));
        var narrow = new Case("narrow", 2, 24, 12, 12, 8, 3, 3, Pad: 1).Geometry();
        Assert.False(Conv2dLaunch.UseForwardTiled(acc, narrow));
        var tiny = new Case("tiny", 1, 24, 8, 8, 32, 3, 3, Pad: 1).Geometry();
        Assert.False(Conv2dLaunch.UseForwardTiled(acc, tiny));
    }

    public static TheoryData<string, int, int, int, int, int, int, bool> OpCases() => new()
    {
        // name, cin, hw, cout, stride, pad, dil, bias (N = 2). Every case takes the tiled forward; grad-input is tiled for cin >= 16.
        { "pad1-bias", 24, 12, 17, 1, 1, 1, true },
        { "pad0-dil2-nobias", 16, 13, 20, 1, 0, 2, false },
        { "stride2-pad1", 18, 23, 17, 2, 1, 1, true },
    };

    [Theory]
    [MemberData(nameof(OpCases))]
    public void Conv2dAndGradientsMatchCpu(string name, int cin, int hw, int cout, int stride, int pad, int dil, bool bias)
    {
        const int n = 2;
        Func<Device, Tensor[]> run = d =>
        {
            var x = Tensor.FromArray(Values(11, n * cin * hw * hw), new[] { n, cin, hw, hw }, d, true);
            var w = Weight(12, cout, cin, 3, d);
            var b = bias ? Tensor.FromArray(Values(13, cout), new[] { cout }, d, true) : null;
            var y = Tensor.Conv2d(x, w, b, stride, pad, dil);
            var gout = Tensor.FromArray(Values(14, y.NumEl), y.ShapeArray, d);
            var inputs = b != null ? new[] { x, w, b } : new[] { x, w };
            var grads = NativeGan.Autograd.Grad(new[] { y }, inputs, new[] { gout });
            return new[] { y }.Concat(grads.Select(t => t!)).ToArray();
        };
        CompareWithCpu(name, run);
    }

    [Fact]
    public void GroupedConvAndTransposedConvMatchCpu()
    {
        Func<Device, Tensor[]> run = d =>
        {
            var x = Tensor.FromArray(Values(21, 2 * 32 * 10 * 10), new[] { 2, 32, 10, 10 }, d, true);
            var w = Weight(22, 34, 16, 3, d);
            var y = Tensor.Conv2d(x, w, null, padding: 1, groups: 2);
            // Transposed conv, stride 2 with output padding and bias: the tiled grad-input kernel as a forward.
            var wt = Weight(23, 34, 18, 3, d);
            var bt = Tensor.FromArray(Values(24, 18), new[] { 18 }, d, true);
            var z = Tensor.ConvTranspose2d(y, wt, bt, stride: 2, padding: 1, outputPadding: 1);
            var gout = Tensor.FromArray(Values(25, z.NumEl), z.ShapeArray, d);
            var grads = NativeGan.Autograd.Grad(new[] { z }, new[] { x, w, wt, bt }, new[] { gout });
            return new[] { y, z }.Concat(grads.Select(t => t!)).ToArray();
        };
        CompareWithCpu("groups2 + transposed", run);
    }

    [Fact]
    public void ChannelPrefixInputAndDenseConcatSliceOutputMatchCpu()
    {
        // x read as a channel prefix of the dense buffer (batch-strided), each conv written into its slice.
        const int n = 2, f = 16, gc = 17, h = 12, w = 11;
        Func<Device, Tensor[]> run = d =>
        {
            var x = Tensor.FromArray(Values(31, n * f * h * w), new[] { n, f, h, w }, d, true);
            var w0 = Weight(32, gc, f, 3, d);
            var b0 = Tensor.FromArray(Values(33, gc), new[] { gc }, d, true);
            var w1 = Weight(34, gc, f + gc, 3, d);
            var w2 = Weight(35, 20, f + 2 * gc, 3, d);
            using var dense = new DenseConcat(n, f + 2 * gc, h, w, d);
            dense.Append(x);
            dense.AppendConv2d(dense.Prefix(), w0, b0, padding: 1);
            dense.AppendConv2d(dense.Prefix(), w1, null, padding: 1);
            var y = Tensor.Conv2d(dense.Prefix(), w2, null, padding: 1);
            var gout = Tensor.FromArray(Values(36, y.NumEl), y.ShapeArray, d);
            var grads = NativeGan.Autograd.Grad(new[] { y }, new[] { x, w0, b0, w1, w2 }, new[] { gout });
            return new[] { y }.Concat(grads.Select(t => t!)).ToArray();
        };
        CompareWithCpu("dense concat", run);
    }

    private static void CompareWithCpu(string name, Func<Device, Tensor[]> run)
    {
        using var scope = Tensor.Scope();
        var expected = run(Device.Cpu).Select(t => t.ToArray()).ToArray();
        var actual = run(Device.IlgpuCpu).Select(t => t.ToArray()).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assertions.AssertClose(expected[i], actual[i], Rtol, Atol, $"{name}: output {i}");
    }
}
