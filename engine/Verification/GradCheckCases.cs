namespace NativeGan.Verification;

/// <summary>A registered finite-difference check: builds inputs of random shapes and the function under test.</summary>
/// <param name="Eps">
/// The finite-difference step. Ops that are polynomials of low degree in their inputs (convolutions, matmul) have no
/// truncation error in central differences, only float32 rounding, which a larger step divides down.
/// </param>
public sealed record GradCheckCase(string Op, bool SecondOrder, Func<System.Random, (GradCheckInput[] Inputs, Func<Tensor[], Tensor> F)> Make,
    double Eps = GradCheck.DefaultEps)
{
    public GradCheckResult Run(Device device, int seed)
    {
        var (inputs, f) = Make(new System.Random(seed));
        return GradCheck.Check(Op, f, inputs, device, (ulong)seed, Eps);
    }

    public GradCheckResult RunSecondOrder(Device device, int seed)
    {
        var (inputs, f) = Make(new System.Random(seed));
        // Squared, so that ops that are linear (whose own second derivative is zero) still have their backward
        // differentiated: d2/dx2 of op(x)^2 runs through the graph recorded by the op's backward rule.
        return GradCheck.CheckSecondOrder(Op + " (second order)", x => f(x).Square(), inputs, device, (ulong)seed, Eps);
    }
}

/// <summary>
/// The finite-difference checks of every op, with randomised shapes. Inputs keep clear of kinks (0 for relu and
/// abs, clamp bounds, ties for max) by more than the step, where the derivative is not defined.
/// </summary>
public static class GradCheckCases
{
    private static readonly List<GradCheckCase> Registered = new();

    public static IReadOnlyList<GradCheckCase> All => Registered;

    /// <summary>Lets later op families add their checks.</summary>
    public static void Register(GradCheckCase c) => Registered.Add(c);

    public static GradCheckCase? Find(string op) => Registered.FirstOrDefault(c => c.Op == op);

    static GradCheckCases()
    {
        Add("add", true, r => { var s = Shape(r, 3); return (new[] { In("a", Normal(r, s), s), In("b", Normal(r, s[1], 1), s[1], 1) }, x => x[0].Add(x[1])); });
        Add("sub", false, r => { var s = Shape(r, 3); return (new[] { In("a", Normal(r, s), s), In("b", Normal(r, s[2]), s[2]) }, x => x[0].Sub(x[1])); });
        Add("mul", true, r => { var s = Shape(r, 3); return (new[] { In("a", Normal(r, s[0], 1, s[2]), s[0], 1, s[2]), In("b", Normal(r, s[1], 1), s[1], 1) }, x => x[0].Mul(x[1])); });
        Add("div", true, r => { var s = Shape(r, 3); return (new[] { In("a", Normal(r, s), s), In("b", AwayFromZero(r, 0.5f, 1, s[1], 1), 1, s[1], 1) }, x => x[0].Div(x[1])); });
        Add("neg", false, r => Unary(r, Normal, x => x.Neg()));
        Add("exp", true, r => Unary(r, Normal, x => x.Exp()));
        Add("log", true, r => Unary(r, Positive, x => x.Log()));
        Add("sqrt", true, r => Unary(r, Positive, x => x.Sqrt()));
        Add("rsqrt", true, r => Unary(r, Positive, x => x.Rsqrt()));
        Add("abs", false, r => Unary(r, (rr, s) => AwayFromZero(rr, 0.05f, s), x => x.Abs()));
        Add("pow", true, r => Unary(r, (rr, s) => Uniform(rr, 0.5f, 1.3f, s), x => x.Pow(3f)));
        Add("pow_sqrt", false, r => Unary(r, Positive, x => x.Pow(0.5f)));
        Add("pow_tensor", true, r => { var s = Shape(r, 2); return (new[] { In("a", Positive(r, s), s), In("b", Normal(r, s), s) }, x => x[0].Pow(x[1])); });
        Add("clamp", false, r => Unary(r, (rr, s) => AwayFrom(rr, new[] { -0.5f, 0.5f }, 0.02f, s), x => x.Clamp(-0.5f, 0.5f)));
        Add("where", false, r =>
        {
            var s = Shape(r, 2);
            var cond = Normal(r, s).Select(v => v > 0 ? 1f : 0f).ToArray();
            return (new[] { In("cond", cond, s, false), In("a", Normal(r, s), s), In("b", Normal(r, s[1]), s[1]) }, x => Tensor.Where(x[0], x[1], x[2]));
        });
        Add("relu", false, r => Unary(r, (rr, s) => AwayFromZero(rr, 0.05f, s), x => x.Relu()));
        Add("leaky_relu", true, r => Unary(r, (rr, s) => AwayFromZero(rr, 0.05f, s), x => x.LeakyRelu(0.2f)));
        Add("prelu", false, r =>
        {
            int c = r.Next(1, 4);
            var s = new[] { r.Next(1, 3), c, r.Next(1, 4), r.Next(1, 4) };
            return (new[] { In("x", AwayFromZero(r, 0.05f, s), s), In("weight", Normal(r, c), c) }, x => x[0].Prelu(x[1]));
        });
        Add("tanh", true, r => Unary(r, Normal, x => x.Tanh()));
        Add("sigmoid", true, r => Unary(r, Normal, x => x.Sigmoid()));
        Add("softplus", true, r => Unary(r, Normal, x => x.Softplus()));
        Add("sum", true, r => Unary(r, Normal, x => x.Sum(new[] { 0, 2 }, keepDim: r.Next(2) == 0)));
        Add("mean", true, r => Unary(r, Normal, x => x.Mean(new[] { 1 })));
        Add("var", true, r => Unary(r, Normal, x => x.Var(new[] { 0, 1 }, unbiased: true)));
        Add("max", false, r => Unary(r, Distinct, x => x.Max(new[] { 1 })));
        Add("log_softmax", true, r => Unary(r, Normal, x => x.LogSoftmax(-1)));
        Add("matmul", true, r =>
        {
            int m = r.Next(1, 5), k = r.Next(1, 5), n = r.Next(1, 5);
            return (new[] { In("a", Normal(r, m, k), m, k), In("b", Normal(r, k, n), k, n) }, x => x[0].Matmul(x[1]));
        });
        Add("matmul_batched", false, r =>
        {
            int b = r.Next(1, 3), m = r.Next(1, 4), k = r.Next(1, 4), n = r.Next(1, 4);
            return (new[] { In("a", Normal(r, b, m, k), b, m, k), In("b", Normal(r, b, k, n), b, k, n) }, x => x[0].Matmul(x[1]));
        });
        Add("linear", true, r =>
        {
            int batch = r.Next(1, 4), fin = r.Next(1, 6), fout = r.Next(1, 4);
            return (new[] { In("x", Normal(r, batch, fin), batch, fin), In("weight", Normal(r, fout, fin), fout, fin), In("bias", Normal(r, fout), fout) },
                x => Tensor.Linear(x[0], x[1], x[2]));
        });
        Add("embedding", true, r =>
        {
            int rows = r.Next(2, 6), dim = r.Next(1, 4), count = r.Next(1, 6);
            var idx = Enumerable.Range(0, count).Select(_ => (float)r.Next(rows)).ToArray();
            return (new[] { In("indices", idx, new[] { count }, false), In("weight", Normal(r, rows, dim), rows, dim) }, x => Tensor.Embedding(x[0], x[1]));
        });
        Add("cat", true, r =>
        {
            var s1 = Shape(r, 3);
            var s2 = (int[])s1.Clone();
            s2[1] = r.Next(1, 4);
            return (new[] { In("a", Normal(r, s1), s1), In("b", Normal(r, s2), s2) }, x => Tensor.Cat(new[] { x[0], x[1] }, 1));
        });
        Add("slice", true, r =>
        {
            var s = Shape(r, 3);
            s[1] = r.Next(2, 6);
            int start = r.Next(0, s[1] - 1), length = r.Next(1, s[1] - start + 1);
            return (new[] { In("x", Normal(r, s), s) }, x => x[0].Narrow(1, start, length).Square());
        });
        Add("permute", true, r => Unary(r, Normal, x => x.Permute(2, 0, 1).Mul(x.Permute(2, 0, 1))));
        Add("transpose", false, r => Unary(r, Normal, x => x.Transpose(0, 2).Exp()));
        Add("reshape_expand", true, r =>
        {
            var s = Shape(r, 2);
            return (new[] { In("x", Normal(r, s[0], 1), s[0], 1) }, x => x[0].Expand(s[0], s[1]).Reshape(-1).Square());
        });
        Add("bce", true, r =>
        {
            var s = Shape(r, 2);
            return (new[] { In("x", Uniform(r, 0.1f, 0.9f, s), s), In("target", Uniform(r, 0f, 1f, s), s, false) }, x => Losses.Bce(x[0], x[1]));
        });
        // Within 0.02 of 0 and 1, where the slope is up to 200 and a composition of clamped logs lost it; a small
        // step keeps the central difference's truncation error (~eps^2 / (1 - p)^3) far below the tolerance.
        Register(new GradCheckCase("bce_near_saturation", false, r =>
        {
            var s = Shape(r, 2);
            var p = Uniform(r, 0.005f, 0.02f, s).Select(v => r.Next(2) == 0 ? v : 1f - v).ToArray();
            var t = Uniform(r, 0f, 1f, s).Select(v => r.Next(3) switch { 0 => 0f, 1 => 1f, _ => v }).ToArray();
            return (new[] { In("x", p, s), In("target", t, s, false) }, x => Losses.Bce(x[0], x[1]));
        }, Eps: 1e-4));
        // A sigmoid discriminator's output fed to BCE, logits 3..6 from 0: saturating, yet float32 still resolves
        // 1 - sigmoid(x) there (beyond |x| ~ 8 it holds a few ulps, which is what BCE with logits is for).
        Register(new GradCheckCase("bce_of_sigmoid", true, r =>
        {
            var s = Shape(r, 2);
            var logits = Uniform(r, 3f, 6f, s).Select(v => r.Next(2) == 0 ? v : -v).ToArray();
            var t = Uniform(r, 0f, 1f, s).Select(v => r.Next(3) switch { 0 => 0f, 1 => 1f, _ => v }).ToArray();
            return (new[] { In("x", logits, s), In("target", t, s, false) }, x => Losses.Bce(x[0].Sigmoid(), x[1]));
        }, Eps: 1e-2));
        Add("bce_with_logits", true, r =>
        {
            var s = Shape(r, 2);
            return (new[] { In("x", Normal(r, s), s), In("target", Uniform(r, 0f, 1f, s), s, false) }, x => Losses.BceWithLogits(x[0], x[1]));
        });
        Add("mse", true, r => { var s = Shape(r, 2); return (new[] { In("x", Normal(r, s), s), In("target", Normal(r, s), s) }, x => Losses.Mse(x[0], x[1])); });
        Add("l1", false, r =>
        {
            var s = Shape(r, 2);
            var t = Normal(r, s);
            var diff = AwayFromZero(r, 0.05f, s);
            var xv = t.Zip(diff, (a, b) => a + b).ToArray();
            return (new[] { In("x", xv, s), In("target", t, s, false) }, x => Losses.L1(x[0], x[1]));
        });
        Add("cross_entropy", true, r =>
        {
            int n = r.Next(1, 5), c = r.Next(2, 5);
            var target = Enumerable.Range(0, n).Select(_ => (float)r.Next(c)).ToArray();
            return (new[] { In("x", Normal(r, n, c), n, c), In("target", target, new[] { n }, false) }, x => Losses.CrossEntropy(x[0], x[1]));
        });
        Add("ragan_d", true, r =>
        {
            int n = r.Next(2, 5);
            return (new[] { In("real", Normal(r, n, 1), n, 1), In("fake", Normal(r, n, 1), n, 1) }, x => Losses.RelativisticDiscriminator(x[0], x[1]));
        });
        Add("ragan_g", false, r =>
        {
            int n = r.Next(2, 5);
            return (new[] { In("real", Normal(r, n, 1), n, 1), In("fake", Normal(r, n, 1), n, 1) }, x => Losses.RelativisticGenerator(x[0], x[1]));
        });
    }

    private static void Add(string op, bool secondOrder, Func<System.Random, (GradCheckInput[], Func<Tensor[], Tensor>)> make) =>
        Registered.Add(new GradCheckCase(op, secondOrder, make));

    private static (GradCheckInput[], Func<Tensor[], Tensor>) Unary(System.Random r, Func<System.Random, int[], float[]> values, Func<Tensor, Tensor> f)
    {
        var s = Shape(r, 3);
        return (new[] { In("x", values(r, s), s) }, x => f(x[0]));
    }

    private static GradCheckInput In(string name, float[] data, params int[] shape) => new(name, data, shape);
    private static GradCheckInput In(string name, float[] data, int[] shape, bool differentiable) => new(name, data, shape, differentiable);

    private static int[] Shape(System.Random r, int rank) => Enumerable.Range(0, rank).Select(_ => r.Next(1, 5)).ToArray();

    private static int Count(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    private static float[] Normal(System.Random r, params int[] shape) =>
        Enumerable.Range(0, Count(shape)).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble()))).ToArray();

    private static float[] Uniform(System.Random r, float lo, float hi, int[] shape) =>
        Enumerable.Range(0, Count(shape)).Select(_ => lo + (hi - lo) * (float)r.NextDouble()).ToArray();

    private static float[] Positive(System.Random r, int[] shape) => Uniform(r, 0.5f, 2f, shape);

    private static float[] AwayFromZero(System.Random r, float margin, params int[] shape) =>
        Enumerable.Range(0, Count(shape)).Select(_ => (r.Next(2) == 0 ? -1f : 1f) * (margin + (float)r.NextDouble())).ToArray();

    private static float[] AwayFrom(System.Random r, float[] points, float margin, int[] shape)
    {
        var v = new float[Count(shape)];
        for (int i = 0; i < v.Length; i++)
        {
            float x;
            do x = (float)(r.NextDouble() * 2 - 1);
            while (points.Any(p => Math.Abs(x - p) < margin));
            v[i] = x;
        }
        return v;
    }

    /// <summary>Values at least 0.01 apart (well over the step), shuffled: max has no near-ties.</summary>
    private static float[] Distinct(System.Random r, int[] shape)
    {
        int n = Count(shape);
        return Enumerable.Range(0, n).Select(i => -1f + 0.05f * i).OrderBy(_ => r.Next()).ToArray();
    }
}
