using NativeGan.Backends.Cpu;
using NativeGan.Kernels.Conv;
using NativeGan.Models.Sr;
using NativeGan.Tests.Sr;

namespace NativeGan.Tests.Ops;

/// <summary>
/// The CPU backend's Winograd F(4x4, 3x3) convolution against a float64 direct convolution at every stride-1 3x3
/// shape of RRDBNet, SRVGGNetCompact and the DCGAN heads (tile remainders, padding 0 and 1, bias or none, batches),
/// its dispatch (inference only, off under <see cref="Device.ExactConvolution"/>, never while recording) and whole
/// networks against PyTorch's float64 forward. The flag is process-wide, so every test that reads or sets it is here
/// (one class: its tests run one after another).
/// </summary>
public class WinogradConvTests(ITestOutputHelper output)
{
    /// <summary>Largest error allowed, relative to the largest magnitude of the exact output.</summary>
    private const double RelativeBound = 1e-4;

    private static float[] Uniform(int seed, int count, double scale)
    {
        var r = new Random(seed);
        var a = new float[count];
        for (int i = 0; i < count; i++) a[i] = (float)((r.NextDouble() * 2 - 1) * scale);
        return a;
    }

    private static Conv2dGeometry Geometry(int n, int cin, int h, int w, int cout, int pad)
    {
        int outH = h + 2 * pad - 2, outW = w + 2 * pad - 2;
        return new Conv2dGeometry
        {
            N = n, Cin = cin, H = h, W = w, Cout = cout, KH = 3, KW = 3, OutH = outH, OutW = outW,
            StrideH = 1, StrideW = 1, PadH = pad, PadW = pad, DilH = 1, DilW = 1, Groups = 1,
            XBatchStride = cin * h * w, YBatchStride = cout * outH * outW,
        };
    }

    /// <summary>The direct convolution in double: the reference both float32 paths are measured against.</summary>
    private static double[] DirectInDouble(in Conv2dGeometry g, float[] x, float[] w, float[]? b)
    {
        var y = new double[g.N * g.Cout * g.OutH * g.OutW];
        for (int n = 0; n < g.N; n++)
            for (int co = 0; co < g.Cout; co++)
                for (int oh = 0; oh < g.OutH; oh++)
                    for (int ow = 0; ow < g.OutW; ow++)
                    {
                        double s = b?[co] ?? 0;
                        for (int ci = 0; ci < g.Cin; ci++)
                            for (int kh = 0; kh < 3; kh++)
                            {
                                int ih = oh - g.PadH + kh;
                                if (ih < 0 || ih >= g.H) continue;
                                for (int kw = 0; kw < 3; kw++)
                                {
                                    int iw = ow - g.PadW + kw;
                                    if (iw < 0 || iw >= g.W) continue;
                                    s += (double)x[((n * g.Cin + ci) * g.H + ih) * g.W + iw] * w[((co * g.Cin + ci) * 3 + kh) * 3 + kw];
                                }
                            }
                        y[((n * g.Cout + co) * g.OutH + oh) * g.OutW + ow] = s;
                    }
        return y;
    }

    private static double RelativeError(float[] actual, double[] exact)
    {
        double maxErr = 0, maxRef = 0;
        for (int i = 0; i < exact.Length; i++)
        {
            maxErr = Math.Max(maxErr, Math.Abs(actual[i] - exact[i]));
            maxRef = Math.Max(maxRef, Math.Abs(exact[i]));
        }
        return maxErr / Math.Max(maxRef, 1e-30);
    }

    /// <summary>(Cin, Cout) of every stride-1 3x3 convolution in RRDBNet (x4, x2 and x1 inputs), SRVGGNetCompact x4/x2 and DCGAN-style heads.</summary>
    private static readonly (int Cin, int Cout, string Where)[] LayerShapes =
    {
        (3, 64, "RRDBNet x4 / SRVGG conv_first"), (12, 64, "RRDBNet x2 conv_first"), (48, 64, "RRDBNet x1 conv_first"),
        (64, 64, "RRDBNet trunk, upsampling, conv_hr; SRVGG body"), (64, 32, "RDB conv1"), (96, 32, "RDB conv2"),
        (128, 32, "RDB conv3"), (160, 32, "RDB conv4"), (192, 64, "RDB conv5"), (64, 3, "RRDBNet conv_last / DCGAN to-RGB"),
        (64, 48, "SRVGG x4 last"), (64, 12, "SRVGG x2 last"), (128, 64, "DCGAN stride-1 3x3"), (32, 3, "small to-RGB"),
    };

    /// <summary>(H, W, padding, bias, batch): whole tiles, remainders in both directions, padding 0, a 1x1 image.</summary>
    private static readonly (int H, int W, int Pad, bool Bias, int N)[] Sizes =
    {
        (12, 12, 1, true, 2), (7, 9, 1, false, 1), (13, 5, 0, true, 2), (1, 1, 1, true, 1), (6, 10, 0, false, 1),
    };

    public static TheoryData<int, int, int, int, int, bool, int> Cases()
    {
        var data = new TheoryData<int, int, int, int, int, bool, int>();
        foreach (var (cin, cout, _) in LayerShapes)
            foreach (var (h, w, pad, bias, n) in Sizes)
                data.Add(cin, cout, h, w, pad, bias, n);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheDirectConvolutionInDouble(int cin, int cout, int h, int w, int pad, bool withBias, int n)
    {
        var g = Geometry(n, cin, h, w, cout, pad);
        // Kaiming-uniform weights and unit activations: the magnitudes of the trained networks' layers.
        var x = Uniform(1, n * cin * h * w, 1.0);
        var wt = Uniform(2, cout * cin * 9, 1.0 / Math.Sqrt(cin * 9) * Math.Sqrt(3));
        var b = withBias ? Uniform(3, cout, 0.1) : null;
        var exact = DirectInDouble(g, x, wt, b);

        var y = new float[exact.Length + 5];
        Array.Fill(y, float.NaN);
        CpuWinograd.Forward(g, x, 0, wt, 0, b, 0, y, 2);
        Assert.True(float.IsNaN(y[0]) && float.IsNaN(y[1]) && float.IsNaN(y[^3]), "Winograd wrote outside its output.");
        var winograd = y.AsSpan(2, exact.Length).ToArray();
        double err = RelativeError(winograd, exact);

        using var scope = Tensor.Scope();
        var direct = Tensor.Conv2d(Tensor.FromArray(x, new[] { n, cin, h, w }, Device.Cpu), Tensor.FromArray(wt, new[] { cout, cin, 3, 3 }, Device.Cpu, requiresGrad: true),
            b == null ? null : Tensor.FromArray(b, new[] { cout }, Device.Cpu), padding: pad).ToArray();
        double directErr = RelativeError(direct, exact);
        output.WriteLine($"{cin}->{cout} {n}x{h}x{w} pad {pad}: Winograd {err:E2}, direct {directErr:E2} of max |y|");
        Assert.True(err <= RelativeBound, $"Winograd {cin}->{cout} at {n}x{h}x{w}, padding {pad}: error {err:E3} of the largest output exceeds {RelativeBound:E0}.");
    }

    [Fact]
    public void RejectsGeometriesItCannotCompute()
    {
        var g = Geometry(1, 4, 8, 8, 4, 1);
        g.StrideH = g.StrideW = 2;
        g.OutH = g.OutW = 4;
        var e = Assert.Throws<ArgumentException>(() => CpuWinograd.Forward(g, new float[256], 0, new float[144], 0, null, 0, new float[64], 0));
        Assert.Contains("stride", e.Message);
        Assert.False(CpuWinograd.Applies(Geometry(1, 4, 8, 8, 4, 1) with { Groups = 2 }));
        Assert.False(CpuWinograd.Applies(Geometry(1, 4, 8, 8, 4, 1) with { DilH = 2 }));
    }

    private static (Tensor X, Tensor W, Tensor B) Operands(bool weightRequiresGrad)
    {
        var x = Tensor.FromArray(Uniform(4, 2 * 64 * 20 * 20, 1.0), new[] { 2, 64, 20, 20 }, Device.Cpu);
        var w = Tensor.FromArray(Uniform(5, 64 * 64 * 9, 0.07), new[] { 64, 64, 3, 3 }, Device.Cpu, requiresGrad: weightRequiresGrad);
        var b = Tensor.FromArray(Uniform(6, 64, 0.1), new[] { 64 }, Device.Cpu);
        return (x, w, b);
    }

    [Fact]
    public void InferenceTakesWinogradUnlessExactConvolutionIsSet()
    {
        bool saved = Device.ExactConvolution;
        try
        {
            using var scope = Tensor.Scope();
            var (x, w, b) = Operands(weightRequiresGrad: true);
            float[] recorded = Tensor.Conv2d(x, w, b, padding: 1).ToArray();

            Device.ExactConvolution = false;
            float[] fast;
            using (Tensor.NoGrad()) fast = Tensor.Conv2d(x, w, b, padding: 1).ToArray();
            var expected = new float[fast.Length];
            CpuWinograd.Forward(Geometry(2, 64, 20, 20, 64, 1), x.ToArray(), 0, w.ToArray(), 0, b.ToArray(), 0, expected, 0);
            Assert.Equal(expected, fast);
            Assert.NotEqual(recorded, fast);
            Fixtures.Assertions.AssertClose(recorded, fast, 1e-4, 1e-5, "Winograd against the direct path");

            // Nothing requires grad: nothing is recorded, so even with grad mode on inference may take Winograd.
            var xw = Tensor.FromArray(w.ToArray(), w.ShapeArray, Device.Cpu);
            Assert.Equal(fast, Tensor.Conv2d(x, xw, b, padding: 1).ToArray());

            Device.ExactConvolution = true;
            float[] exact;
            using (Tensor.NoGrad()) exact = Tensor.Conv2d(x, w, b, padding: 1).ToArray();
            Assert.Equal(recorded, exact);
        }
        finally
        {
            Device.ExactConvolution = saved;
        }
    }

    [Fact]
    public void RecordingKeepsTheDirectPathAndItsGradients()
    {
        bool saved = Device.ExactConvolution;
        try
        {
            Device.ExactConvolution = false;
            using var scope = Tensor.Scope();
            var (x, w, b) = Operands(weightRequiresGrad: true);
            var y = Tensor.Conv2d(x, w, b, padding: 1);
            float[] direct;
            Device.ExactConvolution = true;
            using (Tensor.NoGrad()) direct = Tensor.Conv2d(x, w, b, padding: 1).ToArray();
            Assert.Equal(direct, y.ToArray());
            var gw = NativeGan.Autograd.Grad(new[] { y.Sum() }, new[] { w })[0]!;
            // d sum(y) / d w[co, ci, kh, kw] is the sum of x over the window positions: the direct path's float32 sums.
            var xs = x.ToArray();
            var gws = gw.ToArray();
            for (int ci = 0; ci < 64; ci += 21)
                for (int kh = 0; kh < 3; kh++)
                    for (int kw = 0; kw < 3; kw++)
                    {
                        double s = 0;
                        for (int n = 0; n < 2; n++)
                            for (int oh = 0; oh < 20; oh++)
                                for (int ow = 0; ow < 20; ow++)
                                {
                                    int ih = oh - 1 + kh, iw = ow - 1 + kw;
                                    if (ih >= 0 && ih < 20 && iw >= 0 && iw < 20) s += xs[((n * 64 + ci) * 20 + ih) * 20 + iw];
                                }
                        Assert.Equal(s, gws[(5 * 64 + ci) * 9 + kh * 3 + kw], 1e-3);
                    }
        }
        finally
        {
            Device.ExactConvolution = saved;
        }
    }

    /// <summary>Peak signal-to-noise ratio of actual against the reference, the peak being the reference's range.</summary>
    private static double Psnr(float[] actual, float[] reference)
    {
        double mse = 0, lo = double.MaxValue, hi = double.MinValue;
        for (int i = 0; i < reference.Length; i++)
        {
            double d = actual[i] - (double)reference[i];
            mse += d * d;
            lo = Math.Min(lo, reference[i]);
            hi = Math.Max(hi, reference[i]);
        }
        mse /= reference.Length;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10((hi - lo) * (hi - lo) / mse);
    }

    [Theory]
    [InlineData("rrdbnet_tiny_x4")]
    [InlineData("rrdbnet_tiny_x2")]
    [InlineData("srvgg_tiny_x4_conv2")]
    [InlineData("srvgg_tiny_x2_conv5")]
    public void WholeNetworksStayAbove50DbAgainstPyTorchFloat64(string name)
    {
        var f = SrFixture.Load(name);
        using NativeGan.NN.Module model = name.StartsWith("rrdbnet", StringComparison.Ordinal)
            ? new RRDBNet(f.Int("num_in_ch"), f.Int("num_out_ch"), f.Int("scale"), f.Int("num_feat"), f.Int("num_block"), f.Int("num_grow_ch"), Device.Cpu)
            : new SRVGGNetCompact(f.Int("num_in_ch"), f.Int("num_out_ch"), f.Int("num_feat"), f.Int("num_conv"), f.Int("upscale"),
                f.Config.GetProperty("act_type").GetString()!, Device.Cpu);
        model.LoadStateDict(f.Weights);
        model.Eval();
        bool saved = Device.ExactConvolution;
        try
        {
            using var scope = Tensor.Scope();
            using var noGrad = Tensor.NoGrad();
            Device.ExactConvolution = true;
            float[] exact = model.Forward(f.Tensor("input", Device.Cpu)).ToArray();
            Device.ExactConvolution = false;
            // The fixtures' networks are narrower than Winograd pays for: force it onto every 3x3 convolution.
            CpuWinograd.t_forceWhereApplies = true;
            float[] winograd = model.Forward(f.Tensor("input", Device.Cpu)).ToArray();
            float[] reference = f.Data("output");
            double psnr = Psnr(winograd, reference), psnrExact = Psnr(exact, reference);
            output.WriteLine($"{name}: Winograd {psnr:F1} dB, direct {psnrExact:F1} dB against PyTorch float64");
            Assert.NotEqual(exact, winograd);
            Assert.True(psnr >= 50, $"{name}: Winograd output is {psnr:F1} dB from PyTorch's float64 forward, under 50 dB.");
            Fixtures.Assertions.AssertClose(reference, winograd, 1e-4, 1e-5, $"{name} with Winograd");
        }
        finally
        {
            CpuWinograd.t_forceWhereApplies = false;
            Device.ExactConvolution = saved;
        }
    }

    [Fact]
    public void FullWidthRrdbNetMatchesTheDirectPath()
    {
        bool saved = Device.ExactConvolution;
        try
        {
            using var model = new RRDBNet(3, 3, 4, 64, 1, 32, Device.Cpu);
            model.Eval();
            using var scope = Tensor.Scope();
            using var noGrad = Tensor.NoGrad();
            var x = Tensor.FromArray(Uniform(7, 3 * 16 * 16, 0.5).Select(v => v + 0.5f).ToArray(), new[] { 1, 3, 16, 16 }, Device.Cpu);
            Device.ExactConvolution = true;
            float[] exact = model.Forward(x).ToArray();
            Device.ExactConvolution = false;
            float[] winograd = model.Forward(x).ToArray();
            double psnr = Psnr(winograd, exact);
            output.WriteLine($"RRDBNet 64/32, 1 block, 16x16 x4: Winograd {psnr:F1} dB against the float32 direct path");
            Assert.NotEqual(exact, winograd);
            Assert.True(psnr >= 50, $"RRDBNet with Winograd is {psnr:F1} dB from the direct path, under 50 dB.");
        }
        finally
        {
            Device.ExactConvolution = saved;
        }
    }
}
