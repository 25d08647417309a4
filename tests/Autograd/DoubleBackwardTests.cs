namespace NativeGan.Tests.Autograd;

/// <summary>
/// A WGAN-GP style gradient penalty through a small MLP critic, differentiated with respect to the critic's
/// parameters, checked against finite differences of the penalty (whose inner gradient is a plain first-order
/// gradient). Guards against a penalty that silently does not backpropagate.
/// </summary>
public class DoubleBackwardTests
{
    private const int Batch = 4, Features = 3, Hidden = 5;

    private static float[] Values(int seed, int n, float scale = 1f)
    {
        var r = new System.Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1) * scale).ToArray();
    }

    /// <summary>mean over the batch of (||d critic / d x_i|| - 1)^2 at interpolates of real and fake.</summary>
    private static Tensor Penalty(float[][] p, Device device, bool createGraph, out Tensor[] parameters)
    {
        var real = Tensor.FromArray(Values(1, Batch * Features), new[] { Batch, Features }, device);
        var fake = Tensor.FromArray(Values(2, Batch * Features), new[] { Batch, Features }, device);
        var alpha = Tensor.FromArray(new[] { 0.1f, 0.5f, 0.8f, 0.3f }, new[] { Batch, 1 }, device);
        var x = alpha.Mul(real).Add(alpha.RSub(1f).Mul(fake)).Detach().RequireGrad();
        var w1 = Tensor.FromArray(p[0], new[] { Hidden, Features }, device, true);
        var b1 = Tensor.FromArray(p[1], new[] { Hidden }, device, true);
        var w2 = Tensor.FromArray(p[2], new[] { 1, Hidden }, device, true);
        var b2 = Tensor.FromArray(p[3], new[] { 1 }, device, true);
        parameters = new[] { w1, b1, w2, b2 };
        var critic = Tensor.Linear(Tensor.Linear(x, w1, b1).LeakyRelu(0.2f), w2, b2);
        var gradX = NativeGan.Autograd.Grad(critic, x, Tensor.OnesLike(critic), createGraph: createGraph);
        var norm = gradX.Square().Sum(1).Add(1e-12f).Sqrt();
        return norm.Sub(1f).Square().Mean();
    }

    [Fact]
    public void GradientPenaltyGradientMatchesFiniteDifferences()
    {
        var device = Device.Cpu;
        var p = new[] { Values(3, Hidden * Features), Values(4, Hidden, 0.1f), Values(5, Hidden), Values(6, 1) };
        // Keep pre-activations away from leaky_relu's kink so finite differences are meaningful.
        float[][] analytic;
        using (Tensor.Scope())
        {
            var gp = Penalty(p, device, createGraph: true, out var ps);
            gp.Backward();
            analytic = ps.Select(t => t.Grad?.ToArray() ?? new float[t.NumEl]).ToArray();
            foreach (var t in ps) t.ZeroGrad();
        }
        Assert.Contains(analytic[0], v => Math.Abs(v) > 1e-4); // the penalty does reach the first layer
        Assert.All(analytic[3], v => Assert.Equal(0f, v));      // the last bias cannot change d critic / d x

        const double eps = 1e-3;
        for (int k = 0; k < 3; k++)
            for (int j = 0; j < p[k].Length; j++)
            {
                float original = p[k][j];
                double Eval(float v)
                {
                    p[k][j] = v;
                    using var s = Tensor.Scope();
                    return Penalty(p, device, createGraph: false, out _).Item();
                }
                double numeric = (Eval((float)(original + eps)) - Eval((float)(original - eps))) / (2 * eps);
                p[k][j] = original;
                Assert.True(Math.Abs(numeric - analytic[k][j]) <= 2e-3 + 2e-2 * Math.Abs(numeric),
                    $"parameter {k}[{j}]: analytic {analytic[k][j]}, numeric {numeric}");
            }
    }

    [Fact]
    public void WithoutCreateGraphThePenaltyHasNoPathToTheParameters()
    {
        var p = new[] { Values(3, Hidden * Features), Values(4, Hidden, 0.1f), Values(5, Hidden), Values(6, 1) };
        using var s = Tensor.Scope();
        var gp = Penalty(p, Device.Cpu, createGraph: false, out _);
        Assert.False(gp.RequiresGrad);
        Assert.Throws<InvalidOperationException>(() => gp.Backward());
    }
}
