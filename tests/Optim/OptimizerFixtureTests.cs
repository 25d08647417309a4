using System.Text.Json;
using NativeGan.Optim;
using NativeGan.Tests.Fixtures;

namespace NativeGan.Tests.Optim;

/// <summary>
/// The optimizers against torch.optim: each fixture holds the initial parameter (in.p0), one gradient row per
/// step (in.grads, steps x n) and the parameter after those steps (out); the hyperparameters are in its args.
/// </summary>
public class OptimizerFixtureTests
{
    public static TheoryData<string> Files() => new()
    {
        "optim_adam_0.safetensors", "optim_adam_1.safetensors", "optim_adamw_0.safetensors",
        "optim_rmsprop_0.safetensors", "optim_sgd_0.safetensors",
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void MatchesTorchOnCpu(string file) => Check(file, Device.Cpu);

    [Theory]
    [MemberData(nameof(Files))]
    public void MatchesTorchOnIlgpuKernels(string file) => Check(file, Device.IlgpuCpu);

    [Theory]
    [Trait("Category", "Cuda")]
    [MemberData(nameof(Files))]
    public void MatchesTorchOnCuda(string file)
    {
        Assert.SkipUnless(Device.CudaAvailable, "no CUDA device on this machine");
        Check(file, Device.Cuda(0));
    }

    /// <summary>Builds the optimizer a fixture describes, with torch's defaults for the arguments it leaves out.</summary>
    internal static Optimizer Create(JsonElement args, Tensor p)
    {
        string name = args.GetProperty("name").GetString()!;
        float F(string key, float fallback) => args.TryGetProperty(key, out var v) ? v.GetSingle() : fallback;
        (float, float) Betas() => args.TryGetProperty("betas", out var b) ? (b[0].GetSingle(), b[1].GetSingle()) : (0.9f, 0.999f);
        return name switch
        {
            "adam" => new Adam(new[] { p }, F("lr", 1e-3f), Betas(), F("eps", 1e-8f), F("weight_decay", 0f)),
            "adamw" => new AdamW(new[] { p }, F("lr", 1e-3f), Betas(), F("eps", 1e-8f), F("weight_decay", 1e-2f)),
            "rmsprop" => new RMSprop(new[] { p }, F("lr", 1e-2f), F("alpha", 0.99f), F("eps", 1e-8f), F("weight_decay", 0f), F("momentum", 0f),
                args.TryGetProperty("centered", out var c) && c.GetBoolean()),
            "sgd" => new Sgd(new[] { p }, F("lr", 1e-3f), F("momentum", 0f), F("dampening", 0f), F("weight_decay", 0f),
                args.TryGetProperty("nesterov", out var n) && n.GetBoolean()),
            _ => throw new InvalidDataException($"unknown optimizer '{name}' in the fixture"),
        };
    }

    private static void Check(string file, Device device)
    {
        var c = FixtureCase.Load(file);
        Assert.Equal("optimizer", c.Op);
        float[] p0 = c.Data("in.p0"), grads = c.Data("in.grads");
        int n = p0.Length, steps = c.Args.GetProperty("steps").GetInt32();
        Assert.Equal(steps * n, grads.Length);

        using var p = Tensor.FromArray(p0, c.Shape("in.p0"), device, requiresGrad: true);
        using var opt = Create(c.Args, p);
        for (int s = 0; s < steps; s++)
        {
            p.Grad = Tensor.FromArray(grads.AsSpan(s * n, n).ToArray(), c.Shape("in.p0"), device).DetachFromScope();
            opt.Step();
            opt.ZeroGrad();
        }
        Assert.Equal(steps, opt.StepCount(p));
        Assertions.AssertClose(c.Data("out"), p.ToArray(), 1e-4, 1e-5, $"{file} on {device}");
    }

    [Fact]
    public void StateDictRoundTripContinuesIdentically()
    {
        var c = FixtureCase.Load("optim_adam_1.safetensors");
        float[] p0 = c.Data("in.p0"), grads = c.Data("in.grads");
        int n = p0.Length;
        var shape = c.Shape("in.p0");

        using var a = Tensor.FromArray(p0, shape, Device.Cpu, requiresGrad: true);
        using var optA = Create(c.Args, a);
        using var b = Tensor.FromArray(p0, shape, Device.Cpu, requiresGrad: true);
        using var optB = Create(c.Args, b);
        void StepWith(Tensor p, Optimizer o, int s)
        {
            p.Grad = Tensor.FromArray(grads.AsSpan(s * n, n).ToArray(), shape, Device.Cpu).DetachFromScope();
            o.Step();
            o.ZeroGrad();
        }
        for (int s = 0; s < 3; s++) StepWith(a, optA, s);

        // Resume: copy the parameter and the optimizer state into a fresh pair, then both take the last two steps.
        var state = optA.StateDict();
        Assert.Equal(new[] { 3f }, state["state.0.step"]);
        Assert.Equal(n, state["state.0.exp_avg"].Length);
        using (Tensor.NoGrad()) b.CopyFrom(a.ToArray());
        optB.LoadStateDict(state);
        for (int s = 3; s < 5; s++)
        {
            StepWith(a, optA, s);
            StepWith(b, optB, s);
        }
        Assert.Equal(a.ToArray(), b.ToArray());
        Assertions.AssertClose(c.Data("out"), b.ToArray(), 1e-4, 1e-5, "resumed Adam");
    }

    [Fact]
    public void LoadStateDictRejectsWrongSizesNamingTheKey()
    {
        using var p = Tensor.Zeros(new[] { 4 }, Device.Cpu).RequireGrad();
        using var opt = new Adam(new[] { p });
        var bad = new Dictionary<string, float[]>
        {
            ["state.0.step"] = new[] { 1f },
            ["state.0.exp_avg"] = new float[3],
            ["state.0.exp_avg_sq"] = new float[4],
        };
        var e = Assert.Throws<ArgumentException>(() => opt.LoadStateDict(bad));
        Assert.Contains("state.0.exp_avg: expected 4 values, got 3", e.Message);
        var unknown = new Dictionary<string, float[]> { ["state.7.step"] = new[] { 1f } };
        Assert.Contains("unexpected key state.7.step", Assert.Throws<ArgumentException>(() => opt.LoadStateDict(unknown)).Message);
    }

    [Fact]
    public void ParametersWithoutGradAreSkipped()
    {
        using var p = Tensor.FromArray(new[] { 1f, 2f }, new[] { 2 }, Device.Cpu, requiresGrad: true);
        using var opt = new Sgd(new[] { p }, lr: 0.1f, momentum: 0.9f);
        opt.Step();
        Assert.Equal(new[] { 1f, 2f }, p.ToArray());
        Assert.Equal(0, opt.StepCount(p));
    }

    [Fact]
    public void BadHyperparametersAreRejected()
    {
        using var p = Tensor.Zeros(new[] { 2 }, Device.Cpu).RequireGrad();
        Assert.Contains("beta1", Assert.Throws<ArgumentException>(() => new Adam(new[] { p }, betas: (1.5f, 0.9f))).Message);
        Assert.Contains("learning rate", Assert.Throws<ArgumentException>(() => new Sgd(new[] { p }, lr: -1f)).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => new Adam(Array.Empty<Tensor>())).Message);
    }
}
