namespace NativeGan.Verification;

/// <summary>
/// The convolution family's PyTorch fixture ops (conv2d, conv_transpose2d, and the WGAN-GP gradient penalty
/// through a conv critic) and its finite-difference checks, first and second order.
/// </summary>
public static class Conv2dVerification
{
    private static bool registered;

    // CA2255 warns that a library's module initializer runs on load; that is the point here: the fixture and
    // gradcheck registries must hold this family before anyone enumerates them, whichever type they touch first.
#pragma warning disable CA2255
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Init() => Register();
#pragma warning restore CA2255

    /// <summary>Convolutions are bilinear in (input, weight): see GradCheckCase.Eps.</summary>
    private const double PolynomialStep = 1e-2;

    public static void Register()
    {
        if (registered) return;
        registered = true;

        FixtureOps.Register("conv2d", c => new()
        {
            ["out"] = Tensor.Conv2d(c["x"], c["weight"], c.Has("bias") ? c["bias"] : null,
                c.Int("s", 1), c.Int("p", 0), c.Int("d", 1), c.Int("g", 1)),
        });
        FixtureOps.Register("conv_transpose2d", c => new()
        {
            ["out"] = Tensor.ConvTranspose2d(c["x"], c["weight"], c.Has("bias") ? c["bias"] : null,
                c.Int("s", 1), c.Int("p", 0), c.Int("op", 0), c.Int("g", 1), c.Int("d", 1)),
        });
        FixtureOps.Register("gradient_penalty", c => new()
        {
            ["out"] = GradientPenalty(c["real"], c["fake"], c["alpha"], c["w1"], c["b1"], c["w2"], c["b2"], c.Float("lambda", 1f)),
        });

        GradCheckCases.Register(new GradCheckCase("conv2d", true, r =>
        {
            int n = r.Next(1, 3), cin = r.Next(1, 4), cout = r.Next(1, 4), h = r.Next(3, 6), w = r.Next(3, 6), k = r.Next(1, 4);
            int p = r.Next(0, 2);
            if (h + 2 * p < k) h = k;
            if (w + 2 * p < k) w = k;
            return (new[] { In("x", n, cin, h, w), In("weight", cout, cin, k, k), In("bias", cout) },
                x => Tensor.Conv2d(x[0], x[1], x[2], padding: p));
        }, PolynomialStep));
        GradCheckCases.Register(new GradCheckCase("conv2d_stride2_dilation2", true, r =>
        {
            int n = r.Next(1, 3), cin = r.Next(1, 3), cout = r.Next(1, 3), h = r.Next(5, 8), w = r.Next(5, 8);
            return (new[] { In("x", n, cin, h, w), In("weight", cout, cin, 3, 2) },
                x => Tensor.Conv2d(x[0], x[1], null, (2, 1), (1, 2), (2, 2)));
        }, PolynomialStep));
        GradCheckCases.Register(new GradCheckCase("conv2d_groups2", true, r =>
        {
            int n = r.Next(1, 3), cinG = r.Next(1, 3), coutG = r.Next(1, 3), h = r.Next(3, 6), w = r.Next(3, 6);
            return (new[] { In("x", n, 2 * cinG, h, w), In("weight", 2 * coutG, cinG, 3, 3), In("bias", 2 * coutG) },
                x => Tensor.Conv2d(x[0], x[1], x[2], stride: 2, padding: 1, groups: 2));
        }, PolynomialStep));
        GradCheckCases.Register(new GradCheckCase("conv_transpose2d", true, r =>
        {
            int n = r.Next(1, 3), cin = r.Next(1, 4), cout = r.Next(1, 4), h = r.Next(2, 5), w = r.Next(2, 5);
            return (new[] { In("x", n, cin, h, w), In("weight", cin, cout, 3, 3), In("bias", cout) },
                x => Tensor.ConvTranspose2d(x[0], x[1], x[2], stride: 2, padding: 1, outputPadding: 1));
        }, PolynomialStep));
        GradCheckCases.Register(new GradCheckCase("conv_transpose2d_groups2_dilation2", false, r =>
        {
            int n = r.Next(1, 3), cinG = r.Next(1, 3), coutG = r.Next(1, 3), h = r.Next(2, 5), w = r.Next(2, 5);
            return (new[] { In("x", n, 2 * cinG, h, w), In("weight", 2 * cinG, coutG, 2, 3) },
                x => Tensor.ConvTranspose2d(x[0], x[1], null, (1, 2), (0, 1), (1, 0), 2, (2, 1)));
        }, PolynomialStep));
    }

    /// <summary>
    /// WGAN-GP's penalty (PyTorch-GAN's compute_gradient_penalty) for the fixture's critic
    /// conv3x3(p=1)+bias, leaky_relu(0.2), flatten, linear: lambda * mean((||d critic / d x_hat||_2 - 1)^2) at
    /// x_hat = alpha * real + (1 - alpha) * fake; the inner gradient is taken with createGraph so the penalty
    /// backpropagates into the critic's parameters.
    /// </summary>
    public static Tensor GradientPenalty(Tensor real, Tensor fake, Tensor alpha, Tensor w1, Tensor b1, Tensor w2, Tensor b2, float lambda)
    {
        var xHat = alpha.Mul(real).Add(alpha.RSub(1f).Mul(fake)).Detach().RequireGrad();
        int n = xHat.Size(0);
        var critic = Tensor.Linear(Tensor.Conv2d(xHat, w1, b1, padding: 1).LeakyRelu(0.2f).Reshape(n, -1), w2, b2);
        var grad = Autograd.Grad(critic, xHat, Tensor.OnesLike(critic), createGraph: true);
        var norm = grad.Reshape(n, -1).Square().Sum(1).Sqrt();
        return norm.Sub(1f).Square().Mean().Mul(lambda);
    }

    private static GradCheckInput In(string name, params int[] shape)
    {
        // Deterministic per name and shape so a failing case reproduces; values in [-1, 1].
        int count = shape.Aggregate(1, (a, b) => a * b);
        var r = new System.Random(HashCode.Combine(name, count, shape.Length));
        return new GradCheckInput(name, Enumerable.Range(0, count).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray(), shape);
    }
}
