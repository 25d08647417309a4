using NativeGan.Kernels.Random;

namespace NativeGan.Verification;

/// <summary>One input of a gradient check: host values and whether its gradient is checked.</summary>
public sealed record GradCheckInput(string Name, float[] Data, int[] Shape, bool Differentiable = true);

public sealed record GradCheckResult(string Name, int Checked, double MaxAbsError, double WorstRatio, string? Detail)
{
    public bool Passed => Detail == null && WorstRatio <= 1.0;
}

/// <summary>
/// Finite-difference gradient checks. The scalar checked is sum(w * f(x)) for a fixed random w, so every output
/// element matters; the numerical side evaluates f on the device and sums in double on the host, with central
/// differences. Second-order checks differentiate the first gradient (built with createGraph) the same way.
/// </summary>
public static class GradCheck
{
    public const double DefaultEps = 1e-3, DefaultAtol = 3e-3, DefaultRtol = 2e-2;

    /// <summary>Most elements perturbed per input; larger inputs are sampled at random positions.</summary>
    public const int MaxProbes = 48;

    public static GradCheckResult Check(string name, Func<Tensor[], Tensor> f, IReadOnlyList<GradCheckInput> inputs, Device device,
        ulong seed = 1, double eps = DefaultEps, double atol = DefaultAtol, double rtol = DefaultRtol)
    {
        using var scope = Tensor.Scope();
        float[] weights;
        Tensor?[] analytic;
        {
            var xs = Make(inputs, device, requiresGrad: true);
            var y = f(xs);
            weights = RandomWeights(y.NumEl, seed);
            var loss = y.Mul(Tensor.FromArray(weights, y.ShapeArray, device)).Sum();
            analytic = Autograd.Grad(new[] { loss }, Differentiable(xs, inputs));
        }
        double Scalar(float[][] values)
        {
            using var s = Tensor.Scope();
            using var ng = Tensor.NoGrad();
            var xs = new Tensor[inputs.Count];
            for (int i = 0; i < xs.Length; i++) xs[i] = Tensor.FromArray(values[i], inputs[i].Shape, device);
            var y = f(xs).ToArray();
            double acc = 0;
            for (int i = 0; i < y.Length; i++) acc += (double)weights[i] * y[i];
            return acc;
        }
        return Compare(name, inputs, analytic, Scalar, seed, eps, atol, rtol);
    }

    /// <summary>
    /// Checks the gradient of the gradient: h(x) = sum(v * d/dx sum(w * f(x))) is differentiated with a graph
    /// built by createGraph (what a gradient penalty does) and compared with finite differences of h.
    /// </summary>
    public static GradCheckResult CheckSecondOrder(string name, Func<Tensor[], Tensor> f, IReadOnlyList<GradCheckInput> inputs, Device device,
        ulong seed = 1, double eps = DefaultEps, double atol = DefaultAtol, double rtol = DefaultRtol)
    {
        using var scope = Tensor.Scope();
        float[] weights = Array.Empty<float>();
        var directions = inputs.Select((inp, i) => RandomWeights(inp.Data.Length, seed + 100 + (ulong)i)).ToArray();
        Tensor H(Tensor[] xs, bool createGraph)
        {
            var y = f(xs);
            if (weights.Length == 0) weights = RandomWeights(y.NumEl, seed);
            var loss = y.Mul(Tensor.FromArray(weights, y.ShapeArray, device)).Sum();
            var diff = Differentiable(xs, inputs);
            var grads = Autograd.Grad(new[] { loss }, diff, createGraph: createGraph);
            Tensor? h = null;
            int k = 0;
            for (int i = 0; i < inputs.Count; i++)
            {
                if (!inputs[i].Differentiable) continue;
                var g = grads[k++];
                if (g == null) continue;
                var term = g.Mul(Tensor.FromArray(directions[i], inputs[i].Shape, device)).Sum();
                h = h == null ? term : h.Add(term);
            }
            return h ?? throw new InvalidOperationException($"{name}: the function does not depend on its inputs.");
        }
        Tensor?[] analytic;
        {
            var xs = Make(inputs, device, requiresGrad: true);
            var h = H(xs, createGraph: true);
            if (!h.RequiresGrad)
                return new GradCheckResult(name, 0, 0, 0, "the first gradient does not depend on the inputs (second derivative is zero everywhere); nothing to check");
            analytic = Autograd.Grad(new[] { h }, Differentiable(xs, inputs));
        }
        double Scalar(float[][] values)
        {
            using var s = Tensor.Scope();
            var xs = new Tensor[inputs.Count];
            for (int i = 0; i < xs.Length; i++) xs[i] = Tensor.FromArray(values[i], inputs[i].Shape, device, inputs[i].Differentiable);
            return H(xs, createGraph: false).Item();
        }
        return Compare(name, inputs, analytic, Scalar, seed, eps, atol, rtol);
    }

    private static GradCheckResult Compare(string name, IReadOnlyList<GradCheckInput> inputs, Tensor?[] analytic,
        Func<float[][], double> scalar, ulong seed, double eps, double atol, double rtol)
    {
        var values = inputs.Select(i => (float[])i.Data.Clone()).ToArray();
        var rng = new System.Random((int)(seed % int.MaxValue));
        double maxAbs = 0, worst = 0;
        int count = 0;
        string? detail = null;
        int k = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            if (!inputs[i].Differentiable) continue;
            var a = analytic[k++]?.ToArray() ?? new float[inputs[i].Data.Length];
            var probes = Enumerable.Range(0, values[i].Length).ToArray();
            if (probes.Length > MaxProbes) probes = probes.OrderBy(_ => rng.Next()).Take(MaxProbes).ToArray();
            foreach (int j in probes)
            {
                float original = values[i][j];
                values[i][j] = (float)(original + eps);
                double plus = scalar(values);
                values[i][j] = (float)(original - eps);
                double minus = scalar(values);
                values[i][j] = original;
                double step = ((double)(float)(original + eps) - (float)(original - eps));
                double numeric = (plus - minus) / step;
                double err = Math.Abs(numeric - a[j]);
                if (double.IsNaN(err)) err = double.PositiveInfinity;
                double ratio = err / (atol + rtol * Math.Abs(numeric));
                maxAbs = Math.Max(maxAbs, err);
                if (ratio > worst)
                {
                    worst = ratio;
                    if (ratio > 1) detail = $"{inputs[i].Name}[{j}]: analytic {a[j]:G6}, numeric {numeric:G6}";
                }
                count++;
            }
        }
        if (worst <= 1) detail = null;
        return new GradCheckResult(name, count, maxAbs, worst, detail);
    }

    private static Tensor[] Make(IReadOnlyList<GradCheckInput> inputs, Device device, bool requiresGrad) =>
        inputs.Select(i => Tensor.FromArray(i.Data, i.Shape, device, requiresGrad && i.Differentiable)).ToArray();

    private static Tensor[] Differentiable(Tensor[] xs, IReadOnlyList<GradCheckInput> inputs) =>
        xs.Where((_, i) => inputs[i].Differentiable).ToArray();

    private static float[] RandomWeights(int n, ulong seed)
    {
        var w = new float[n];
        for (int i = 0; i < n; i++) w[i] = Philox.Normal(seed, (ulong)i);
        return w;
    }
}
