using NativeGan.Models.Gans;
using NativeGan.NN;

namespace NativeGan.Tests.Gans;

/// <summary>One training step of every GAN model on tiny CPU batches; WGAN clipping; the WGAN-GP penalty.</summary>
public class GanStepTests
{
    private static readonly Device Cpu = Device.Cpu;

    private static Dictionary<string, float[]> Params(Module m) => m.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor.ToArray());

    private static bool Changed(Dictionary<string, float[]> before, Module m) =>
        m.NamedParameters().Any(p => !before[p.Name].SequenceEqual(p.Tensor.ToArray()));

    /// <summary>Runs one Step and checks finite losses, G and D both updated, D gradient-free (and frozen) during the G step.</summary>
    private static StepResult RunOneStep(GanStep step, Tensor real, Tensor? labels)
    {
        var gBefore = Params(step.G);
        var dBefore = Params(step.D);
        bool hookRan = false;
        step.AfterGeneratorBackward = s =>
        {
            hookRan = true;
            Assert.All(s.D.Parameters(), p => Assert.Null(p.Grad));
            Assert.All(s.D.Parameters(), p => Assert.False(p.RequiresGrad));
            Assert.Contains(s.G.Parameters(), p => p.Grad != null && p.Grad.ToArray().Any(v => v != 0f));
        };
        var result = step.Step(real, labels);
        Assert.True(hookRan, "the first call must run a G step");
        Assert.True(result.AllFinite, $"losses not finite: {result}");
        Assert.True(result.GeneratorStepped);
        Assert.True(Changed(gBefore, step.G), "G's parameters did not change");
        Assert.True(Changed(dBefore, step.D), "D's parameters did not change");
        Assert.All(step.D.Parameters(), p => Assert.True(p.RequiresGrad, "D's parameters must require grad again after the step"));
        Assert.All(step.G.Parameters().Concat(step.D.Parameters()), p => Assert.Null(p.Grad));
        Assert.Equal(1, step.Iteration);
        return result;
    }

    private static Tensor Images(Generator g, params int[] shape) => Tensor.Rand(shape, Cpu, g, -1f, 1f);

    [Fact]
    public void VanillaGanStepRuns()
    {
        var g = new Generator(10);
        using var gen = new VanillaGenerator(device: Cpu, generator: g);
        using var disc = new VanillaDiscriminator(device: Cpu, generator: g);
        using var step = new VanillaGanStep(gen, disc, rng: new Generator(11));
        using var real = Images(g, 4, 1, 28, 28);
        var r = RunOneStep(step, real, null);
        Assert.InRange(r.DReal, 0f, 1f);
        Assert.InRange(r.DFake, 0f, 1f);
        Assert.Equal(3e-4f, step.OptimizerG.Lr);
        Assert.IsType<NativeGan.Optim.Adam>(step.OptimizerD);
    }

    [Theory]
    [InlineData(28, 1)]
    [InlineData(64, 3)]
    public void DcganStepRuns(int size, int channels)
    {
        var g = new Generator(12);
        using var gen = new DcganGenerator(size, channels, latentDim: 16, ngf: 4, device: Cpu, generator: g);
        using var disc = new DcganDiscriminator(size, channels, ndf: 4, device: Cpu, generator: g);
        using var step = new DcganStep(gen, disc, rng: new Generator(13));
        using var real = Images(g, 3, channels, size, size);
        RunOneStep(step, real, null);
        var adam = Assert.IsType<NativeGan.Optim.Adam>(step.OptimizerG);
        Assert.Equal((2e-4f, 0.5f, 0.999f), (adam.Lr, adam.Beta1, adam.Beta2));
    }

    [Fact]
    public void WganStepClipsAndRunsGEveryFifthCall()
    {
        var g = new Generator(14);
        using var gen = new WganGenerator(channels: 1, imageSize: 8, latentDim: 16, width: 8, device: Cpu, generator: g);
        using var critic = new WganCritic(channels: 1, imageSize: 8, width: 32, device: Cpu, generator: g);
        using var step = new WganStep(gen, critic, rng: new Generator(15));
        Assert.IsType<NativeGan.Optim.RMSprop>(step.OptimizerD);
        Assert.Equal(5e-5f, step.OptimizerD.Lr);
        using var real = Images(g, 4, 1, 8, 8);
        RunOneStep(step, real, null);
        Assert.All(critic.Parameters(), p => Assert.All(p.ToArray(), v => Assert.InRange(v, -0.01f, 0.01f)));
        var stepped = new List<bool>();
        step.AfterGeneratorBackward = null;
        for (int i = 1; i < 11; i++) stepped.Add(step.Step(real).GeneratorStepped);
        Assert.Equal(new[] { false, false, false, false, true, false, false, false, false, true }, stepped);
        Assert.All(critic.Parameters(), p => Assert.All(p.ToArray(), v => Assert.InRange(v, -0.01f, 0.01f)));
    }

    [Fact]
    public void WganGpStepRuns()
    {
        var g = new Generator(16);
        using var gen = new WganGenerator(channels: 1, imageSize: 8, latentDim: 16, width: 8, device: Cpu, generator: g);
        using var critic = new WganCritic(channels: 1, imageSize: 8, width: 32, device: Cpu, generator: g);
        using var step = new WganGpStep(gen, critic, rng: new Generator(17));
        var adam = Assert.IsType<NativeGan.Optim.Adam>(step.OptimizerD);
        Assert.Equal((1e-4f, 0f, 0.9f), (adam.Lr, adam.Beta1, adam.Beta2));
        Assert.Equal(5, step.DSteps);
        using var real = Images(g, 4, 1, 8, 8);
        var r = RunOneStep(step, real, null);
        Assert.NotNull(r.GradientPenalty);
        Assert.True(r.GradientPenalty > 0f);
    }

    [Fact]
    public void CganStepRuns()
    {
        var g = new Generator(18);
        using var gen = new CganGenerator(classes: 10, imageSize: 8, latentDim: 16, width: 8, device: Cpu, generator: g);
        using var disc = new CganDiscriminator(classes: 10, imageSize: 8, width: 16, device: Cpu, generator: g);
        using var step = new CganStep(gen, disc, rng: new Generator(19));
        using var real = Images(g, 4, 1, 8, 8);
        using var labels = Tensor.FromArray(new float[] { 1, 5, 9, 0 }, new[] { 4 }, Cpu);
        RunOneStep(step, real, labels);
        var e = Assert.Throws<ArgumentException>(() => step.Step(real, null));
        Assert.Contains("labels", e.Message);
    }

    [Fact]
    public void InfoGanStepRuns()
    {
        var g = new Generator(20);
        using var gen = new InfoGanGenerator(channels: 1, imageSize: 8, device: Cpu, generator: g);
        using var disc = new InfoGanDiscriminator(channels: 1, imageSize: 8, device: Cpu, generator: g);
        using var step = new InfoGanStep(gen, disc, rng: new Generator(21));
        using var real = Images(g, 4, 1, 8, 8);
        var r = RunOneStep(step, real, null);
        Assert.NotNull(r.InfoLoss);
        Assert.True(r.InfoLoss > 0f);
    }

    [Fact]
    public void InformationLossIsCrossEntropyPlusWeightedMse()
    {
        using var scope = Tensor.Scope();
        var logits = Tensor.FromArray(new float[] { 2f, 0f, -1f, 0.5f, 0.5f, 3f }, new[] { 2, 3 }, Cpu);
        var category = Tensor.FromArray(new float[] { 0f, 2f }, new[] { 2 }, Cpu);
        var predicted = Tensor.FromArray(new float[] { 0.1f, -0.2f, 0.3f, 0.4f }, new[] { 2, 2 }, Cpu);
        var sampled = Tensor.FromArray(new float[] { 0.5f, 0.5f, -0.5f, 0f }, new[] { 2, 2 }, Cpu);
        float loss = InfoGanStep.InformationLoss(logits, category, predicted, sampled, 1f, 0.1f).Item();
        double ce0 = -(2 - Math.Log(Math.Exp(2) + 1 + Math.Exp(-1)));
        double ce1 = -(3 - Math.Log(2 * Math.Exp(0.5) + Math.Exp(3)));
        double mse = (0.16 + 0.49 + 0.64 + 0.16) / 4;
        Assert.Equal((ce0 + ce1) / 2 + 0.1 * mse, loss, 4);
    }

    [Fact]
    public void GradientPenaltyReachesTheCriticAndMatchesFiniteDifferences()
    {
        var g = new Generator(22);
        using var critic = new WganCritic(channels: 1, imageSize: 4, width: 16, device: Cpu, generator: g);
        using var real = Images(g, 3, 1, 4, 4);
        using var fake = Images(g, 3, 1, 4, 4);
        using var alpha = Tensor.Rand(new[] { 3, 1, 1, 1 }, Cpu, g);

        float Penalty()
        {
            using var scope = Tensor.Scope();
            return Wasserstein.GradientPenalty(critic.Forward, real, fake, alpha).Item();
        }

        using (Tensor.Scope())
        {
            var gp = Wasserstein.GradientPenalty(critic.Forward, real, fake, alpha);
            Assert.True(gp.Item() > 0f);
            gp.Backward();
        }
        foreach (var (name, p) in critic.NamedParameters().Where(p => p.Name.EndsWith("weight", StringComparison.Ordinal)))
        {
            Assert.NotNull(p.Grad);
            Assert.True(p.Grad!.ToArray().Any(v => v != 0f), $"{name} got a zero gradient from the penalty");
        }

        // finite differences on the entry of model.2.weight with the largest analytic gradient
        var w = critic.StateDict()["model.2.weight"];
        var grads = w.Grad!.ToArray();
        int index = Enumerable.Range(0, grads.Length).MaxBy(i => Math.Abs(grads[i]));
        critic.ZeroGrad();
        var values = w.ToArray();
        const float h = 1e-3f;
        float Eval(float value)
        {
            var copy = (float[])values.Clone();
            copy[index] = value;
            using (Tensor.NoGrad()) w.CopyFrom(copy);
            return Penalty();
        }
        float plus = Eval(values[index] + h), minus = Eval(values[index] - h);
        Eval(values[index]);
        double numeric = (plus - (double)minus) / (2 * h);
        Assert.True(Math.Abs(numeric - grads[index]) <= 0.03 * Math.Abs(grads[index]) + 1e-3,
            $"analytic {grads[index]} vs finite difference {numeric}");
    }

    [Fact]
    public void GradientPenaltyUsesOneAlphaPerSample()
    {
        var g = new Generator(23);
        using var critic = new WganCritic(channels: 1, imageSize: 4, width: 8, device: Cpu, generator: g);
        using var scope = Tensor.Scope();
        var real = Images(g, 2, 1, 4, 4);
        var fake = Images(g, 2, 1, 4, 4);
        Assert.Throws<ArgumentException>(() => Wasserstein.GradientPenalty(critic.Forward, real, fake, Tensor.Rand(new[] { 2, 1, 4, 4 }, Cpu, g)));
        // alpha = 1 interpolates the real batch only: equal to a penalty computed on (real, anything)
        var ones = Tensor.Ones(new[] { 2, 1, 1, 1 }, Cpu);
        float a = Wasserstein.GradientPenalty(critic.Forward, real, fake, ones).Item();
        float b = Wasserstein.GradientPenalty(critic.Forward, real, real, Tensor.Rand(new[] { 2 }, Cpu, g)).Item();
        Assert.Equal(a, b, 4);
    }

    [Fact]
    public void DInitStepsAndDStepsFollowMmEditing()
    {
        var g = new Generator(24);
        using var gen = new VanillaGenerator(latentDim: 4, hidden: 8, outFeatures: 2, device: Cpu, generator: g);
        using var disc = new VanillaDiscriminator(inFeatures: 2, hidden: 8, device: Cpu, generator: g);
        using var step = new VanillaGanStep(gen, disc, dSteps: 2, dInitSteps: 3, rng: new Generator(25));
        using var real = Images(g, 4, 2);
        var stepped = Enumerable.Range(0, 8).Select(_ => step.Step(real).GeneratorStepped).ToArray();
        Assert.Equal(new[] { false, false, false, false, true, false, true, false }, stepped);
    }
}

/// <summary>A WGAN-GP step (double backward included) through the ILGPU backend, whose CPU accelerator emulates the CUDA kernels.</summary>
public class GanIlgpuTests
{
    [Fact]
    public void WganGpStepRunsOnIlgpu()
    {
        var device = Device.IlgpuCpu;
        var g = new Generator(50);
        using var wgen = new WganGenerator(channels: 1, imageSize: 4, latentDim: 4, width: 4, device: device, generator: g);
        using var critic = new WganCritic(channels: 1, imageSize: 4, width: 8, device: device, generator: g);
        using var wstep = new WganGpStep(wgen, critic, rng: new Generator(52));
        using var wreal = Tensor.Rand(new[] { 3, 1, 4, 4 }, device, g, -1f, 1f);
        var r = wstep.Step(wreal);
        Assert.True(r.AllFinite && r.GradientPenalty > 0f, r.ToString());
    }
}

/// <summary>InfoGAN's information step trains both networks: G and D's body and Q heads all move.</summary>
public class InfoGanInformationStepTests
{
    [Fact]
    public void InformationStepUpdatesQHeadsAndGenerator()
    {
        var cpu = Device.Cpu;
        var g = new Generator(70);
        using var gen = new InfoGanGenerator(channels: 1, imageSize: 8, latentDim: 8, device: cpu, generator: g);
        using var disc = new InfoGanDiscriminator(channels: 1, imageSize: 8, device: cpu, generator: g);
        using var step = new InfoGanStep(gen, disc, rng: new Generator(71));
        using var real = Tensor.Rand(new[] { 4, 1, 8, 8 }, cpu, g, -1f, 1f);
        var aux = disc.StateDict()["aux_layer.0.weight"].ToArray();
        var latent = disc.StateDict()["latent_layer.0.weight"].ToArray();
        var r = step.Step(real);
        Assert.NotNull(r.InfoLoss);
        // the adversarial D step leaves the Q heads alone; only the information step moves them
        Assert.False(aux.SequenceEqual(disc.StateDict()["aux_layer.0.weight"].ToArray()));
        Assert.False(latent.SequenceEqual(disc.StateDict()["latent_layer.0.weight"].ToArray()));
        Assert.Equal(1, step.OptimizerInfo.StepCount(disc.StateDict()["aux_layer.0.weight"]));
        Assert.Equal(1, step.OptimizerInfo.StepCount(gen.StateDict()["l1.0.weight"]));
        Assert.Equal(0, step.OptimizerD.StepCount(disc.StateDict()["aux_layer.0.weight"]));
    }
}
