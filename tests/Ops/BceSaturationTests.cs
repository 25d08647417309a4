using NativeGan.Models.Gans;
using NativeGan.Verification;

namespace NativeGan.Tests.Ops;

/// <summary>
/// binary_cross_entropy where a sigmoid saturates: p exactly 0 or 1 must give PyTorch's finite loss and gradient,
/// not the NaN of 0 times the infinite slope of log. The PyTorch values at p = 0 and 1 are in the fixtures
/// bce_saturated_* (tools/make_bce_fixtures.py), checked by OpFixtureTests on every device.
/// </summary>
public class BceSaturationTests
{
    public static TheoryData<string> Devices() => new() { "cpu", "ilgpu-cpu" };

    private static Device DeviceNamed(string name) => name == "cpu" ? Device.Cpu : Device.IlgpuCpu;

    [Theory]
    [MemberData(nameof(Devices))]
    public void SaturatedSigmoid_GivesPyTorchsLossAndAFiniteGradient(string deviceName)
    {
        var device = DeviceNamed(deviceName);
        using var scope = Tensor.Scope();
        var logits = Tensor.FromArray(new[] { 0f, 5f, 17f, 20f }, new[] { 4 }, device, requiresGrad: true);
        var p = logits.Sigmoid();
        var loss = Losses.Bce(p, Tensor.OnesLike(p));
        loss.Backward();
        // torch 1.13, float32: sigmoid(17) and sigmoid(20) round to 1, and the gradient there is 0.
        Assert.Equal(0.17496562f, loss.Item(), 6);
        var grad = logits.Grad!.ToArray();
        Assert.All(grad, g => Assert.True(float.IsFinite(g), $"gradient {string.Join(", ", grad)}"));
        Assert.Equal(-0.125f, grad[0], 6);
        Assert.Equal(-0.0016732068f, grad[1], 6);
        Assert.InRange(grad[2], -2e-8f, 0f);
        Assert.InRange(grad[3], -2e-8f, 0f);
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public void ExactZeroAndOne_MatchPyTorchForEveryTargetKind(string deviceName)
    {
        var device = DeviceNamed(deviceName);
        using var scope = Tensor.Scope();
        float[] ps = { 0f, 0f, 0f, 1f, 1f, 1f };
        float[] ts = { 0f, 1f, 0.25f, 0f, 1f, 0.75f };
        var p = Tensor.FromArray(ps, new[] { 6 }, device, requiresGrad: true);
        var t = Tensor.FromArray(ts, new[] { 6 }, device);
        var loss = Losses.Bce(p, t, Reduction.None);
        Assert.Equal(new[] { 0f, 100f, 25f, 100f, 0f, 25f }, loss.ToArray());
        loss.Sum().Backward();
        // (p - t) / max(p (1 - p), 1e-12), as torch.nn.functional.binary_cross_entropy's backward.
        var expected = ps.Zip(ts, (pv, tv) => (pv - tv) / 1e-12f).ToArray();
        var grad = p.Grad!.ToArray();
        for (int i = 0; i < grad.Length; i++)
            Assert.True(Math.Abs(grad[i] - expected[i]) <= 1e-6 * Math.Abs(expected[i]), $"p={ps[i]} t={ts[i]}: expected {expected[i]}, got {grad[i]}");
    }

    [Fact]
    public void TargetGradient_IsTheSlopeOfTheClampedLoss_EvenAtZeroAndOne()
    {
        // The loss is linear in t, so a central difference in t is exact up to rounding; PyTorch's -logit(p) is
        // infinite here, which no caller can use.
        using var scope = Tensor.Scope();
        float[] ps = { 0f, 1f, 0.3f, 1e-30f };
        float[] ts = { 0.5f, 0.5f, 0.2f, 1f };
        var p = Tensor.FromArray(ps, new[] { 4 }, Device.Cpu);
        var t = Tensor.FromArray(ts, new[] { 4 }, Device.Cpu, requiresGrad: true);
        Losses.Bce(p, t, Reduction.Sum).Backward();
        var grad = t.Grad!.ToArray();
        for (int i = 0; i < ps.Length; i++)
        {
            double LossAt(float tv)
            {
                using var s = Tensor.Scope();
                var pi = Tensor.FromArray(new[] { ps[i] }, new[] { 1 }, Device.Cpu);
                var ti = Tensor.FromArray(new[] { tv }, new[] { 1 }, Device.Cpu);
                return Losses.Bce(pi, ti, Reduction.Sum).Item();
            }
            double numeric = (LossAt(ts[i] + 0.125f) - LossAt(ts[i] - 0.125f)) / 0.25;
            Assert.True(float.IsFinite(grad[i]), $"p={ps[i]}: target gradient {grad[i]}");
            Assert.True(Math.Abs(grad[i] - numeric) <= 1e-4 * Math.Max(1, Math.Abs(numeric)), $"p={ps[i]}: analytic {grad[i]}, numeric {numeric}");
        }
    }

    [Theory]
    [InlineData("bce")]
    [InlineData("bce_of_sigmoid")]
    public void SecondDerivative_MatchesFiniteDifferences(string op)
    {
        // The backward is written in engine ops, so a gradient penalty can differentiate it again.
        foreach (int seed in new[] { 4, 5, 6 })
        {
            var result = GradCheckCases.Find(op)!.RunSecondOrder(Device.Cpu, seed);
            Assert.True(result.Checked > 0, $"{op}: nothing checked");
            Assert.True(result.Passed, $"{op} seed {seed}: {result.Detail} (max abs error {result.MaxAbsError:G3})");
        }
    }

    [Fact]
    public void GradientOfTheGradient_AtExactSaturation_IsFinite()
    {
        using var scope = Tensor.Scope();
        var p = Tensor.FromArray(new[] { 0f, 1f, 1f, 0f, 0.5f }, new[] { 5 }, Device.Cpu, requiresGrad: true);
        var t = Tensor.FromArray(new[] { 0f, 1f, 0f, 0.5f, 1f }, new[] { 5 }, Device.Cpu);
        var loss = Losses.Bce(p, t);
        var g = NativeGan.Autograd.Grad(loss, p, createGraph: true);
        Assert.True(g.RequiresGrad, "the gradient must carry a graph under createGraph");
        var gg = NativeGan.Autograd.Grad(g.Square().Sum(), p).ToArray();
        Assert.All(gg, v => Assert.True(float.IsFinite(v), $"second-order gradient {string.Join(", ", gg)}"));
    }

    [Fact]
    public void VanillaGanAtAHighLearningRate_SaturatesDWithoutNaNGradients()
    {
        // lr 8e-3 with 40 D-only steps on all-white images: D's sigmoid on the real batch rounds to exactly 1 within
        // ten steps, where BCE used to hand back NaN gradients at a finite loss and Adam spread them into every weight;
        // then G's steps push it the other way, to exactly 0 (measured: D(real) = 1 from step 10, 0 at step 128).
        const float lr = 8e-3f;
        const string model = "vanilla";
        var init = new Generator(21);
        using var generator = new VanillaGenerator(device: Device.Cpu, generator: init);
        using var discriminator = new VanillaDiscriminator(device: Device.Cpu, generator: init);
        using var step = new VanillaGanStep(generator, discriminator, lr, dInitSteps: 40, rng: new Generator(22));
        using var real = Tensor.Full(new[] { 8, 1, 28, 28 }, 1f, Device.Cpu);
        bool saturated = false;
        step.AfterGeneratorBackward = s =>
        {
            foreach (var (name, parameter) in s.G.NamedParameters())
                Assert.True(parameter.Grad!.ToArray().All(float.IsFinite), $"{model} lr {lr}: G's gradient of {name} is not finite at iteration {s.Iteration}");
        };
        const int steps = 135;
        for (int i = 0; i < steps; i++)
        {
            var r = step.Step(real, null);
            Assert.True(r.AllFinite, $"{model} lr {lr}, step {i}: {r}");
            saturated |= r.DReal == 1f || r.DReal == 0f || r.DFake == 0f || r.DFake == 1f;
            foreach (var (name, parameter) in step.G.NamedParameters().Concat(step.D.NamedParameters()))
                Assert.True(parameter.ToArray().All(float.IsFinite), $"{model} lr {lr}, step {i}: {name} is not finite");
        }
        Assert.True(saturated, $"{model} lr {lr}: D never saturated, so the test did not reach p = 0 or 1");
    }
}
