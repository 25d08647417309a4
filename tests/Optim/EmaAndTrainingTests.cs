using NativeGan.NN;
using NativeGan.Optim;

namespace NativeGan.Tests.Optim;

public class EmaAndTrainingTests
{
    private sealed class WithBuffer : Module
    {
        public WithBuffer()
        {
            RegisterModule("fc", new Linear(2, 2, generator: new Generator(1)));
            RegisterBuffer("stat", Tensor.Zeros(new[] { 2 }, Device.Cpu));
        }

        public Tensor Stat => Buffer("stat")!;

        public override Tensor Forward(Tensor x) => Child("fc").Forward(x);
    }

    [Fact]
    public void EmaFollowsBasicSrFormulaAndCopiesBuffers()
    {
        using var model = new WithBuffer();
        using var ema = new ModuleEma(model, decay: 0.9f, warmup: false);
        var w0 = model.StateDict()["fc.weight"].ToArray();
        Assert.Equal(w0, ema.StateDict()["fc.weight"].ToArray());

        using (Tensor.NoGrad())
        {
            model.StateDict()["fc.weight"].FillInPlace(1f);
            model.Stat.FillInPlace(5f);
        }
        ema.Update();
        var expected = w0.Select(v => 0.9f * v + 0.1f * 1f).ToArray();
        Fixtures.Assertions.AssertClose(expected, ema.StateDict()["fc.weight"].ToArray(), 1e-6, 1e-7, "ema weight");
        Assert.Equal(new[] { 5f, 5f }, ema.StateDict()["stat"].ToArray());

        ema.Update(decay: 0f); // BasicSR's model_ema(0): a plain copy
        Assert.All(ema.StateDict()["fc.weight"].ToArray(), v => Assert.Equal(1f, v));

        using var target = new WithBuffer();
        ema.CopyTo(target);
        Assert.All(target.StateDict()["fc.weight"].ToArray(), v => Assert.Equal(1f, v));

        using var other = new ModuleEma(new WithBuffer());
        other.LoadStateDict(ema.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()));
        Assert.Equal(ema.StateDict()["fc.bias"].ToArray(), other.StateDict()["fc.bias"].ToArray());
        Assert.Contains("missing keys: fc.bias", Assert.Throws<ArgumentException>(() =>
            other.LoadStateDict(new Dictionary<string, float[]> { ["fc.weight"] = new float[4], ["stat"] = new float[2] })).Message);
    }

    [Fact]
    public void EmaWarmsUpByDefaultAndCountsItsUpdates()
    {
        using var model = new WithBuffer();
        using var ema = new ModuleEma(model);
        Assert.Equal((0.999f, true, 0L, 0.1f), (ema.Decay, ema.Warmup, ema.Updates, ema.NextDecay));
        var w0 = model.StateDict()["fc.weight"].ToArray();
        using (Tensor.NoGrad()) model.StateDict()["fc.weight"].FillInPlace(1f);
        ema.Update();   // d_0 = (1 + 0) / (10 + 0): a tenth of the initial weights stays, not 0.999 of them
        Fixtures.Assertions.AssertClose(w0.Select(v => 0.1f * v + 0.9f).ToArray(), ema.StateDict()["fc.weight"].ToArray(), 1e-6, 1e-7, "first update");
        Assert.Equal((1L, 2f / 11f), (ema.Updates, ema.NextDecay));
        ema.Update(decay: 0f);   // an explicit decay is an update too
        Assert.Equal(2L, ema.Updates);
        ema.Updates = 8990;      // a resumed count: the warm-up has reached the cap
        Assert.Equal(0.999f, ema.NextDecay);
        Assert.Throws<ArgumentOutOfRangeException>(() => ema.Updates = -1);
    }

    // CPU only for now: the ILGPU GEMM is not wired yet (IlgpuGemm.Launch throws); add Device.IlgpuCpu once it is.
    [Fact]
    public void TinyMlpRegressionLossDropsTenfold()
    {
        var device = Device.Cpu;
        var g = new Generator(42);
        using var net = new Sequential(new Linear(2, 32, device: device, generator: g), new LeakyReLU(0.2f), new Linear(32, 1, device: device, generator: g));
        using var opt = new Adam(net.Parameters(), lr: 1e-2f);

        // Target: y = sin(x0) + 0.5 x1 on 64 fixed points in [-2, 2]^2.
        using var x = Tensor.Rand(new[] { 64, 2 }, device, new Generator(7), -2f, 2f);
        var xs = x.ToArray();
        var ys = Enumerable.Range(0, 64).Select(i => MathF.Sin(xs[2 * i]) + 0.5f * xs[2 * i + 1]).ToArray();
        using var y = Tensor.FromArray(ys, new[] { 64, 1 }, device);

        float Loss()
        {
            using var scope = Tensor.Scope();
            using var noGrad = Tensor.NoGrad();
            return Losses.Mse(net.Forward(x), y).Item();
        }

        float first = Loss();
        const int steps = 300;
        for (int i = 0; i < steps; i++)
        {
            using var scope = Tensor.Scope();
            opt.ZeroGrad();
            Losses.Mse(net.Forward(x), y).Backward();
            opt.Step();
        }
        float last = Loss();
        Assert.True(last < first / 10f, $"loss went from {first} to {last} on {device}");
    }
}
