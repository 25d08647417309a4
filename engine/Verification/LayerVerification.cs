namespace NativeGan.Verification;

/// <summary>
/// Fixture entries and finite-difference checks of the layer ops: pixel shuffle, interpolate, pooling, the
/// normalisations, minibatch stddev and spectral norm. Registered when the engine assembly loads.
/// </summary>
public static class LayerVerification
{
    private static bool registered;

    // Registration must happen before any test or CLI enumerates FixtureOps / GradCheckCases, whichever type they touch first.
#pragma warning disable CA2255
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Init() => Register();
#pragma warning restore CA2255

    public static void Register()
    {
        if (registered) return;
        registered = true;
        RegisterFixtures();
        RegisterGradChecks();
    }

    private static Dictionary<string, Tensor> Out(Tensor t) => new() { ["out"] = t };

    private static void RegisterFixtures()
    {
        FixtureOps.Register("pixel_shuffle", c => Out(c["x"].PixelShuffle(c.Int("r", 2))));
        FixtureOps.Register("pixel_unshuffle", c => Out(c["x"].PixelUnshuffle(c.Int("r", 2))));
        FixtureOps.Register("interpolate", c =>
        {
            int scale = c.Int("scale", 2);
            var mode = (c.String("mode") ?? "nearest") switch
            {
                "nearest" => InterpolationMode.Nearest,
                "bilinear" => InterpolationMode.Bilinear,
                var m => throw new NotSupportedException($"interpolate: mode '{m}' is not implemented"),
            };
            return Out(c["x"].Interpolate(scale, scale, mode, c.Bool("align_corners", false)));
        });
        FixtureOps.Register("avg_pool2d", c =>
        {
            int k = c.Int("k", 2);
            return Out(c["x"].AvgPool2d(k, c.Int("s", k), c.Int("p", 0), c.Bool("count_include_pad", true)));
        });
        FixtureOps.Register("max_pool2d", c =>
        {
            int k = c.Int("k", 2);
            return Out(c["x"].MaxPool2d(k, c.Int("s", k), c.Int("p", 0)));
        });
        FixtureOps.Register("adaptive_avg_pool2d", c =>
        {
            var size = c.Ints("out") ?? new[] { 1 };
            return Out(c["x"].AdaptiveAvgPool2d(size[0], size.Length > 1 ? size[1] : size[0]));
        });
        FixtureOps.Register("batch_norm", c =>
        {
            bool training = c.Bool("training", true);
            float eps = c.Float("eps", 1e-5f), momentum = c.Float("momentum", 0.1f);
            Tensor? W(string name) => c.Has(name) ? c[name] : null;
            if (!training)
                return Out(Tensor.BatchNorm(c["x"], c["running_mean"], c["running_var"], W("weight"), W("bias"), false, momentum, eps));
            Tensor runningMean, runningVar;
            using (Tensor.NoGrad())
            {
                runningMean = c["running_mean0"].Mul(1f);
                runningVar = c["running_var0"].Mul(1f);
            }
            var y = Tensor.BatchNorm(c["x"], runningMean, runningVar, W("weight"), W("bias"), true, momentum, eps);
            return new() { ["out"] = y, ["running_mean"] = runningMean, ["running_var"] = runningVar };
        });
        FixtureOps.Register("instance_norm", c => Out(Tensor.InstanceNorm(c["x"], c.Has("weight") ? c["weight"] : null, c.Has("bias") ? c["bias"] : null, c.Float("eps", 1e-5f))));
        FixtureOps.Register("layer_norm", c =>
        {
            var shape = c.Ints("normalized_shape") ?? new[] { c["x"].Size(-1) };
            return Out(Tensor.LayerNorm(c["x"], shape, c.Has("weight") ? c["weight"] : null, c.Has("bias") ? c["bias"] : null, c.Float("eps", 1e-5f)));
        });
        FixtureOps.Register("pixel_norm", c => Out(Tensor.PixelNorm(c["x"], c.Float("eps", 1e-8f))));
        FixtureOps.Register("minibatch_std", c =>
        {
            int group = c.Int("group", 0);
            return Out(Tensor.MinibatchStddev(c["x"], group > 0 ? group : null, c.Float("eps", 1e-8f)));
        });
        FixtureOps.Register("spectral_norm", c =>
        {
            var r = Tensor.SpectralNorm(c["weight"], c["u0"], c.Int("n_power_iterations", 1), c.Float("eps", 1e-12f));
            return new() { ["out"] = r.Weight, ["u"] = r.U, ["sigma"] = r.Sigma };
        });
    }

    private static void RegisterGradChecks()
    {
        Add("pixel_shuffle_2", false, r =>
        {
            var s = new[] { r.Next(1, 3), 4 * r.Next(1, 3), r.Next(1, 4), r.Next(1, 4) };
            return (new[] { In("x", Normal(r, s), s) }, x => x[0].PixelShuffle(2));
        });
        Add("pixel_shuffle_3", false, r =>
        {
            var s = new[] { 1, 9 * r.Next(1, 3), r.Next(1, 3), r.Next(1, 3) };
            return (new[] { In("x", Normal(r, s), s) }, x => x[0].PixelShuffle(3));
        });
        Add("pixel_unshuffle_2", false, r =>
        {
            var s = new[] { r.Next(1, 3), r.Next(1, 3), 2 * r.Next(1, 3), 2 * r.Next(1, 3) };
            return (new[] { In("x", Normal(r, s), s) }, x => x[0].PixelUnshuffle(2));
        });
        Add("interpolate_nearest", false, r =>
        {
            var s = Plane(r, 1, 4);
            int sh = r.Next(1, 4), sw = r.Next(1, 4);
            return (new[] { In("x", Normal(r, s), s) }, x => x[0].Interpolate(sh, sw, InterpolationMode.Nearest));
        });
        Add("interpolate_bilinear", true, r =>
        {
            var s = Plane(r, 1, 5);
            int sh = r.Next(1, 4), sw = r.Next(1, 4);
            return (new[] { In("x", Normal(r, s), s) }, x => x[0].Interpolate(sh, sw, InterpolationMode.Bilinear));
        });
        Add("interpolate_bilinear_align_corners", false, r =>
        {
            var s = Plane(r, 2, 5);
            return (new[] { In("x", Normal(r, s), s) }, x => x[0].Interpolate(2, 3, InterpolationMode.Bilinear, alignCorners: true));
        });
        Add("avg_pool2d_include_pad", true, r =>
        {
            var s = Plane(r, 3, 7);
            int stride = r.Next(1, 3);
            return (new[] { In("x", Normal(r, s), s) }, x => x[0].AvgPool2d(3, stride, 1, countIncludePad: true));
        });
        Add("avg_pool2d_exclude_pad", false, r =>
        {
            var s = Plane(r, 3, 7);
            return (new[] { In("x", Normal(r, s), s) }, x => x[0].AvgPool2d(3, 2, 1, countIncludePad: false));
        });
        Add("max_pool2d", true, r =>
        {
            var s = Plane(r, 2, 6);
            int stride = r.Next(1, 3);
            return (new[] { In("x", Distinct(r, s), s) }, x => x[0].MaxPool2d(3, stride, 1));
        });
        Add("adaptive_avg_pool2d", true, r =>
        {
            var s = Plane(r, 3, 8);
            int oh = r.Next(1, s[2] + 1), ow = r.Next(1, s[3] + 1);
            return (new[] { In("x", Normal(r, s), s) }, x => x[0].AdaptiveAvgPool2d(oh, ow));
        });
        Add("batch_norm_train", true, r =>
        {
            int c = r.Next(1, 4);
            var s = new[] { r.Next(2, 4), c, r.Next(1, 3), r.Next(2, 4) };
            return (new[] { In("x", Normal(r, s), s), In("weight", Normal(r, c), c), In("bias", Normal(r, c), c) },
                x => Tensor.BatchNorm(x[0], null, null, x[1], x[2], training: true));
        });
        Add("batch_norm_train_2d", false, r =>
        {
            int c = r.Next(1, 4);
            var s = new[] { r.Next(3, 6), c };
            return (new[] { In("x", Normal(r, s), s), In("weight", Normal(r, c), c), In("bias", Normal(r, c), c) },
                x => Tensor.BatchNorm(x[0], null, null, x[1], x[2], training: true));
        });
        Add("instance_norm", true, r =>
        {
            int c = r.Next(1, 4);
            var s = new[] { r.Next(1, 3), c, r.Next(2, 4), r.Next(2, 4) };
            return (new[] { In("x", Normal(r, s), s), In("weight", Normal(r, c), c), In("bias", Normal(r, c), c) },
                x => Tensor.InstanceNorm(x[0], x[1], x[2]));
        });
        Add("layer_norm", true, r =>
        {
            var s = new[] { r.Next(1, 3), r.Next(2, 4), r.Next(2, 4) };
            var ns = new[] { s[1], s[2] };
            return (new[] { In("x", Normal(r, s), s), In("weight", Normal(r, ns), ns), In("bias", Normal(r, ns), ns) },
                x => Tensor.LayerNorm(x[0], ns, x[1], x[2]));
        });
        Add("pixel_norm", true, r =>
        {
            var s = new[] { r.Next(1, 3), r.Next(1, 5), r.Next(1, 3), r.Next(1, 3) };
            return (new[] { In("x", Normal(r, s), s) }, x => Tensor.PixelNorm(x[0]));
        });
        Add("minibatch_std", false, r =>
        {
            var s = new[] { 2 * r.Next(1, 3), r.Next(1, 3), r.Next(1, 3), r.Next(1, 3) };
            int? group = r.Next(2) == 0 ? null : 2;
            return (new[] { In("x", Normal(r, s), s) }, x => Tensor.MinibatchStddev(x[0], group));
        });
        Add("spectral_norm", false, r =>
        {
            var s = new[] { r.Next(2, 5), r.Next(1, 3), 3, 3 };
            var u = Normal(r, s[0]);
            return (new[] { In("weight", Normal(r, s), s), In("u", u, new[] { s[0] }, false) },
                // u and v are constants for the gradient (as PyTorch), which is the true derivative only once the power
                // iteration has converged: iterate until it has, so finite differences agree.
                x => Tensor.SpectralNorm(x[0], x[1], nPowerIterations: 200).Weight);
        });
    }

    private static void Add(string op, bool secondOrder, Func<System.Random, (GradCheckInput[], Func<Tensor[], Tensor>)> make) =>
        GradCheckCases.Register(new GradCheckCase(op, secondOrder, make));

    private static GradCheckInput In(string name, float[] data, params int[] shape) => new(name, data, shape);
    private static GradCheckInput In(string name, float[] data, int[] shape, bool differentiable) => new(name, data, shape, differentiable);

    /// <summary>[N, C, H, W] with N, C in 1..2 and H, W in [lo, hi).</summary>
    private static int[] Plane(System.Random r, int lo, int hi) => new[] { r.Next(1, 3), r.Next(1, 3), r.Next(lo, hi), r.Next(lo, hi) };

    private static float[] Normal(System.Random r, params int[] shape) =>
        Enumerable.Range(0, ShapeUtil.NumEl(shape)).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble()))).ToArray();

    /// <summary>Values 0.05 apart, shuffled: no near-ties for max.</summary>
    private static float[] Distinct(System.Random r, int[] shape) =>
        Enumerable.Range(0, ShapeUtil.NumEl(shape)).Select(i => -1f + 0.05f * i).OrderBy(_ => r.Next()).ToArray();
}
