using NativeGan.NN;
using static NativeGan.Tests.Fixtures.Assertions;

namespace NativeGan.Tests.NN;

/// <summary>The SpectralNorm wrapper: PyTorch's state-dict keys, power iteration, gradients, loading by name.</summary>
public class SpectralNormModuleTests
{
    private static readonly Device Cpu = Device.Cpu;

    /// <summary>state_dict() keys with their shapes, "name[d0, d1]" as torch prints them.</summary>
    private static string[] Keys(Module m) => m.StateDict().Select(kv => $"{kv.Key}{ShapeUtil.Format(kv.Value.ShapeArray)}").ToArray();

    private static Tensor Rand(Generator g, params int[] shape) => Tensor.Randn(shape, Cpu, g);

    [Fact]
    public void SpectralNormHasPyTorchKeysAndMatchesTheFunctionalOp()
    {
        using var seq = new Sequential(SpectralNorm.Apply(new Conv2d(4, 8, 3, padding: 1, device: Cpu, generator: new Generator(1)), generator: new Generator(2)));
        Assert.Equal(new[] { "0.bias[8]", "0.weight_orig[8, 4, 3, 3]", "0.weight_u[8]", "0.weight_v[36]" }, Keys(seq));
        Assert.Equal(new[] { "0.bias", "0.weight_orig" }, seq.NamedParameters().Select(p => p.Name));
        var conv = (Conv2d)seq[0];
        var u = conv.Buffer("weight_u")!;
        Assert.Equal(1f, MathF.Sqrt(u.ToArray().Sum(v => v * v)), 5);
        Assert.Contains("already", Assert.Throws<ArgumentException>(() => SpectralNorm.Apply(conv)).Message);
        Assert.Contains("weight", Assert.Throws<ArgumentException>(() => SpectralNorm.Apply(new ReLU())).Message);

        using var scope = Tensor.Scope();
        // One training read = one power iteration from the stored u, exactly what Tensor.SpectralNorm computes.
        var u0 = Tensor.FromArray(u.ToArray(), new[] { 8 }, Cpu);
        var expected = Tensor.SpectralNorm(conv.Param("weight_orig")!, u0, 1);
        var w = conv.Weight;
        AssertClose(expected.Weight.ToArray(), w.ToArray(), 1e-5, 1e-6, "spectral norm weight");
        AssertClose(expected.U.ToArray(), u.ToArray(), 1e-5, 1e-6, "updated u");

        // Forward uses the normalised weight.
        var x = Rand(new Generator(3), 2, 4, 5, 5);
        var uBefore = u.ToArray();
        var vBefore = conv.Buffer("weight_v")!.ToArray();
        conv.Eval();
        var wEval = conv.Weight.ToArray();
        AssertClose(Tensor.Conv2d(x, Tensor.FromArray(wEval, new[] { 8, 4, 3, 3 }, Cpu), conv.Bias, 1, 1).ToArray(), seq.Forward(x).ToArray(), 1e-5, 1e-6, "forward");
        // Eval reads do not iterate.
        Assert.Equal(uBefore, u.ToArray());
        Assert.Equal(vBefore, conv.Buffer("weight_v")!.ToArray());
        conv.Train();
        seq.Forward(x);
        Assert.NotEqual(uBefore, u.ToArray());
    }

    [Fact]
    public void SpectralNormConvergesToUnitSigmaAndGradientsReachWeightOrig()
    {
        using var conv = SpectralNorm.Apply(new Conv2d(6, 8, 3, padding: 1, device: Cpu, generator: new Generator(4)), generator: new Generator(5));
        var x = Rand(new Generator(6), 2, 6, 5, 5);
        // Each training forward (or weight read) is one power-iteration round; the estimate converges at the rate
        // (sigma2 / sigma1)^2, slow for a random 8 x 54 matrix whose singular values are close.
        for (int i = 0; i < 10; i++)
            using (Tensor.Scope()) conv.Forward(x);
        for (int i = 0; i < 300; i++)
            using (Tensor.Scope()) _ = conv.Weight;

        conv.Eval();
        float[] w;
        using (Tensor.Scope()) w = conv.Weight.ToArray();
        double sigma = LargestSingularValue(w, 8, 54);
        Assert.InRange(sigma, 0.995, 1.005);
        // The original weight is untouched and not itself normalised.
        Assert.True(LargestSingularValue(conv.Param("weight_orig")!.ToArray(), 8, 54) > 0.1);

        conv.Train();
        using (Tensor.Scope()) conv.Forward(x).Square().Sum().Backward();
        var wo = conv.Param("weight_orig")!;
        Assert.NotNull(wo.Grad);
        Assert.Contains(wo.Grad!.ToArray(), v => v != 0f);
        Assert.NotNull(conv.Bias!.Grad);
        Assert.Null(conv.Buffer("weight_u")!.Grad);
        conv.ZeroGrad();

        // The gradient through sigma (u, v constants): d/dW sum(W / s * G) = G / s - sum(W * G) / s^2 * u v^T, s = u . W v.
        using (Tensor.Scope())
        {
            conv.Eval();
            var gw = Rand(new Generator(7), 8, 6, 3, 3);
            conv.Weight.Mul(gw).Sum().Backward();
            var grad = wo.Grad!.ToArray();
            var W = wo.ToArray();
            var G = gw.ToArray();
            var u = conv.Buffer("weight_u")!.ToArray();
            var v = conv.Buffer("weight_v")!.ToArray();
            double s = 0, wg = 0;
            for (int r = 0; r < 8; r++)
                for (int c = 0; c < 54; c++) s += u[r] * W[r * 54 + c] * v[c];
            for (int i = 0; i < W.Length; i++) wg += W[i] * G[i];
            var expected = new float[W.Length];
            for (int r = 0; r < 8; r++)
                for (int c = 0; c < 54; c++) expected[r * 54 + c] = (float)(G[r * 54 + c] / s - wg / (s * s) * u[r] * v[c]);
            AssertClose(expected, grad, 1e-4, 1e-5, "grad through sigma");
            conv.ZeroGrad();
        }
    }

    [Fact]
    public void SpectralNormOnConvTransposeUsesDimOne()
    {
        using var t = SpectralNorm.Apply(new ConvTranspose2d(4, 6, 4, stride: 2, padding: 1, device: Cpu, generator: new Generator(8)), generator: new Generator(9));
        Assert.Equal(new[] { "bias[6]", "weight_orig[4, 6, 4, 4]", "weight_u[6]", "weight_v[64]" }, Keys(t));
        var x = Rand(new Generator(10), 1, 4, 3, 3);
        for (int i = 0; i < 5; i++)
            using (Tensor.Scope()) t.Forward(x);
        for (int i = 0; i < 300; i++)
            using (Tensor.Scope()) _ = t.Weight;
        t.Eval();
        using var scope = Tensor.Scope();
        // sigma of the weight viewed as [out, in * k * k].
        var w = t.Weight.Transpose(0, 1).Contiguous().ToArray();
        Assert.InRange(LargestSingularValue(w, 6, 64), 0.995, 1.005);
        Assert.Equal(new[] { 1, 6, 6, 6 }, t.Forward(x).Shape);
    }

    /// <summary>Largest singular value of a rows x cols row-major matrix by power iteration on W^T W in double.</summary>
    private static double LargestSingularValue(float[] w, int rows, int cols)
    {
        var v = Enumerable.Range(0, cols).Select(i => 1.0 + 0.01 * i).ToArray();
        double s = 0;
        for (int it = 0; it < 500; it++)
        {
            var u = new double[rows];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) u[r] += w[r * cols + c] * v[c];
            var nv = new double[cols];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) nv[c] += w[r * cols + c] * u[r];
            double norm = Math.Sqrt(nv.Sum(e => e * e));
            s = Math.Sqrt(norm);
            v = nv.Select(e => e / norm).ToArray();
        }
        return s;
    }


    [Fact]
    public void SpectralNormStateDictLoadsByName()
    {
        using var a = new Sequential(SpectralNorm.Apply(new Conv2d(3, 4, 3, device: Cpu, generator: new Generator(1)), generator: new Generator(2)));
        using var b = new Sequential(SpectralNorm.Apply(new Conv2d(3, 4, 3, device: Cpu, generator: new Generator(3)), generator: new Generator(4)));
        using (Tensor.Scope()) a.Forward(Rand(new Generator(5), 1, 3, 5, 5));
        b.LoadStateDict(a.StateDict());
        a.Eval();
        b.Eval();
        using var scope = Tensor.Scope();
        Assert.Equal(((Conv2d)a[0]).Weight.ToArray(), ((Conv2d)b[0]).Weight.ToArray());
    }

}
