using NativeGan.IO;
using NativeGan.NN;

namespace NativeGan.Tests.NN;

public class ModuleTests
{
    /// <summary>An RRDB-shaped nesting: Net{conv_first, body: Sequential[Block{rdb1: Inner{conv1, conv2}, scale buffer}], conv_last}.</summary>
    private sealed class Inner : Module
    {
        public Inner(Generator g)
        {
            RegisterModule("conv1", new Linear(3, 4, generator: g));
            RegisterModule("act", new LeakyReLU(0.2f));
            RegisterModule("conv2", new Linear(4, 3, bias: false, generator: g));
        }

        public override Tensor Forward(Tensor x) => Child("conv2").Forward(Child("act").Forward(Child("conv1").Forward(x)));
    }

    private sealed class Block : Module
    {
        public Block(Generator g)
        {
            RegisterModule("rdb1", new Inner(g));
            RegisterBuffer("running", Tensor.Zeros(new[] { 3 }, Device.Cpu));
            RegisterBuffer("scratch", Tensor.Zeros(new[] { 2 }, Device.Cpu), persistent: false);
        }

        public override Tensor Forward(Tensor x) => x.Add(Child("rdb1").Forward(x));
    }

    private sealed class Net : Module
    {
        public Net(ulong seed = 1)
        {
            var g = new Generator(seed);
            RegisterModule("conv_first", new Linear(2, 3, generator: g));
            RegisterModule("body", new Sequential(new Block(g), new Block(g)));
            RegisterModule("conv_last", new Linear(3, 2, generator: g));
        }

        public override Tensor Forward(Tensor x) => Child("conv_last").Forward(Child("body").Forward(Child("conv_first").Forward(x)));
    }

    [Fact]
    public void ParameterNamesMatchPyTorch()
    {
        using var net = new Net();
        // named_parameters() of the equivalent torch module.
        string[] expected =
        {
            "conv_first.weight", "conv_first.bias",
            "body.0.rdb1.conv1.weight", "body.0.rdb1.conv1.bias", "body.0.rdb1.conv2.weight",
            "body.1.rdb1.conv1.weight", "body.1.rdb1.conv1.bias", "body.1.rdb1.conv2.weight",
            "conv_last.weight", "conv_last.bias",
        };
        Assert.Equal(expected, net.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(new[] { "body.0.running", "body.0.scratch", "body.1.running", "body.1.scratch" }, net.NamedBuffers().Select(b => b.Name).ToArray());
        // state_dict(): per module params, then persistent buffers, then children.
        string[] state =
        {
            "conv_first.weight", "conv_first.bias",
            "body.0.running", "body.0.rdb1.conv1.weight", "body.0.rdb1.conv1.bias", "body.0.rdb1.conv2.weight",
            "body.1.running", "body.1.rdb1.conv1.weight", "body.1.rdb1.conv1.bias", "body.1.rdb1.conv2.weight",
            "conv_last.weight", "conv_last.bias",
        };
        Assert.Equal(state, net.StateDict().Keys.ToArray());
        Assert.Equal(new[] { 3, 2 }, net.StateDict()["conv_first.weight"].Shape);
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad && p.IsLeaf));
        Assert.Equal(6 + 3 + 2 * (12 + 4 + 12) + 6 + 2, net.ParameterCount());
    }

    [Fact]
    public void SequentialIndexesAndAdds()
    {
        using var seq = new Sequential(new Linear(2, 3), new ReLU());
        seq.Add(new Linear(3, 1));
        Assert.Equal(3, seq.Count);
        Assert.IsType<ReLU>(seq[1]);
        Assert.Equal(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }, seq.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => seq[3]);
        using var x = Tensor.Ones(new[] { 5, 2 }, Device.Cpu);
        Assert.Equal(new[] { 5, 1 }, seq.Forward(x).Shape);
    }

    [Fact]
    public void LinearInitIsPyTorchsBoundAndReproducible()
    {
        using var a = new Linear(16, 8, generator: new Generator(7));
        using var b = new Linear(16, 8, generator: new Generator(7));
        Assert.Equal(a.Weight.ToArray(), b.Weight.ToArray());
        float bound = 1f / MathF.Sqrt(16);
        Assert.All(a.Weight.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.All(a.Bias!.ToArray(), v => Assert.InRange(v, -bound, bound));
        // Spread: the std of U(-b, b) is b / sqrt(3).
        var w = a.Weight.ToArray();
        double std = Math.Sqrt(w.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.6 * bound / Math.Sqrt(3), 1.4 * bound / Math.Sqrt(3));
    }

    [Fact]
    public void InitIsTheSameOnCpuAndIlgpu()
    {
        using var c = Tensor.Zeros(new[] { 8, 4, 3, 3 }, Device.Cpu);
        using var i = Tensor.Zeros(new[] { 8, 4, 3, 3 }, Device.IlgpuCpu);
        Init.KaimingNormal(c, 0.2f, FanMode.FanIn, "leaky_relu", new Generator(3));
        Init.KaimingNormal(i, 0.2f, FanMode.FanIn, "leaky_relu", new Generator(3));
        Fixtures.Assertions.AssertClose(c.ToArray(), i.ToArray(), 1e-5, 1e-6, "kaiming_normal cpu vs ilgpu");
        Assert.Equal((36, 72), Init.Fans(new[] { 8, 4, 3, 3 }));
        Assert.Equal((4, 8), Init.Fans(new[] { 8, 4 }));
        Assert.Equal(MathF.Sqrt(2f / (1 + 0.04f)), Init.CalculateGain("leaky_relu", 0.2f), 6);
        var v = c.ToArray();
        double std = Math.Sqrt(v.Select(x => (double)x * x).Average());
        double expected = Math.Sqrt(2.0 / 1.04) / Math.Sqrt(36);
        Assert.InRange(std, 0.8 * expected, 1.2 * expected);
        using var x = Tensor.Zeros(new[] { 10, 20 }, Device.Cpu);
        Init.XavierUniform(x, 1f, new Generator(1));
        float bound = MathF.Sqrt(6f / 30f);
        Assert.All(x.ToArray(), e => Assert.InRange(e, -bound, bound));
        Init.Constant(x, 0.5f);
        Assert.All(x.ToArray(), e => Assert.Equal(0.5f, e));
    }

    [Fact]
    public void StateDictRoundTripsThroughSafetensors()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nativegan-module-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var a = new Net(seed: 1);
            using (Tensor.NoGrad()) ((Block)((Sequential)a.Child("body"))[1]).StateDict()["running"].FillInPlace(3f);
            a.SaveSafetensors(path, new Dictionary<string, string> { ["arch"] = "test" });
            var file = Safetensors.Read(path);
            Assert.Equal("test", file.Metadata["arch"]);
            Assert.Equal(a.StateDict().Keys.Order(StringComparer.Ordinal), file.Tensors.Keys.Order(StringComparer.Ordinal));

            using var b = new Net(seed: 2);
            Assert.NotEqual(a.StateDict()["conv_last.weight"].ToArray(), b.StateDict()["conv_last.weight"].ToArray());
            var result = b.LoadSafetensors(path);
            Assert.Empty(result.MissingKeys);
            foreach (var (k, t) in a.StateDict()) Assert.Equal(t.ToArray(), b.StateDict()[k].ToArray());
            Assert.Equal(new[] { 3f, 3f, 3f }, b.StateDict()["body.1.running"].ToArray());
            using var x = Tensor.Randn(new[] { 4, 2 }, Device.Cpu, new Generator(5));
            Assert.Equal(a.Forward(x).ToArray(), b.Forward(x).ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void StrictLoadNamesMissingUnexpectedAndShapes()
    {
        using var net = new Net();
        var state = net.StateDictArrays().ToDictionary(kv => kv.Key, kv => Tensor.FromArray(kv.Value, net.StateDict()[kv.Key].ShapeArray, Device.Cpu));
        try
        {
            var before = net.StateDict()["conv_last.weight"].ToArray();
            state.Remove("conv_last.bias");
            state["extra.weight"] = Tensor.Zeros(new[] { 1 }, Device.Cpu);
            state["conv_first.weight"] = Tensor.Zeros(new[] { 6, 2 }, Device.Cpu);
            state["conv_last.weight"].Dispose();
            state["conv_last.weight"] = Tensor.Full(new[] { 2, 3 }, 9f, Device.Cpu);

            var e = Assert.Throws<ArgumentException>(() => net.LoadStateDict(state));
            Assert.Contains("missing keys: conv_last.bias", e.Message);
            Assert.Contains("unexpected keys: extra.weight", e.Message);
            Assert.Contains("expected [3, 2], got [6, 2] for conv_first.weight".Split(" for ")[0], e.Message);
            Assert.Contains("conv_first.weight", e.Message);
            // Nothing was written.
            Assert.Equal(before, net.StateDict()["conv_last.weight"].ToArray());

            // Non-strict still refuses a shape mismatch ...
            Assert.Contains("[6, 2]", Assert.Throws<ArgumentException>(() => net.LoadStateDict(state, strict: false)).Message);
            // ... and without it reports what it skipped.
            state["conv_first.weight"].Dispose();
            state.Remove("conv_first.weight");
            var r = net.LoadStateDict(state, strict: false);
            Assert.Equal(new[] { "conv_first.weight", "conv_last.bias" }, r.MissingKeys);
            Assert.Equal(new[] { "extra.weight" }, r.UnexpectedKeys);
            Assert.All(net.StateDict()["conv_last.weight"].ToArray(), v => Assert.Equal(9f, v));

            var arrays = net.StateDictArrays();
            arrays["body.0.running"] = new float[5];
            Assert.Contains("body.0.running: expected 3 values ([3]), got 5", Assert.Throws<ArgumentException>(() => net.LoadStateDict(arrays)).Message);
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    [Fact]
    public void ShapeMismatchMessageHasBothShapesAndTheKey()
    {
        using var small = new Sequential(new Linear(3, 32));
        using var big = new Sequential(new Linear(3, 64));
        var e = Assert.Throws<ArgumentException>(() => big.LoadStateDict(small.StateDict()));
        Assert.Contains("size mismatch for 0.weight: expected [64, 3], got [32, 3]", e.Message);
    }

    [Fact]
    public void TrainEvalPropagates()
    {
        using var net = new Net();
        Assert.True(net.IsTraining);
        net.Eval();
        Assert.All(net.NamedModules(), m => Assert.False(m.Module.IsTraining));
        net.Child("body").Train();
        Assert.True(((Sequential)net.Child("body"))[0].Child("rdb1").IsTraining);
        Assert.False(net.IsTraining);
        net.Train();
        Assert.All(net.NamedModules(), m => Assert.True(m.Module.IsTraining));
    }

    [Fact]
    public void RequiresGradFalseFreezesTheModule()
    {
        using var d = new Sequential(new Linear(4, 3), new LeakyReLU(0.2f), new Linear(3, 1));
        using var g = new Linear(2, 4);
        using var z = Tensor.Randn(new[] { 5, 2 }, Device.Cpu, new Generator(1));
        d.RequiresGrad(false);
        using (Tensor.Scope())
        {
            var loss = d.Forward(g.Forward(z)).Mean();
            loss.Backward();
        }
        Assert.All(d.Parameters(), p => Assert.Null(p.Grad));
        Assert.All(g.Parameters(), p => Assert.NotNull(p.Grad));
        g.ZeroGrad();
        Assert.All(g.Parameters(), p => Assert.Null(p.Grad));

        d.RequiresGrad(true);
        using (Tensor.Scope()) d.Forward(g.Forward(z)).Mean().Backward();
        Assert.All(d.Parameters(), p => Assert.NotNull(p.Grad));
        d.ZeroGrad();
        g.ZeroGrad();
    }

    [Fact]
    public void DropoutIsIdentityInEvalAndDropsAboutPInTraining()
    {
        using var drop = new Dropout(0.3f, new Generator(11));
        using var x = Tensor.Ones(new[] { 100, 100 }, Device.Cpu);
        drop.Eval();
        Assert.Same(x, drop.Forward(x));
        drop.Train();
        using var scope = Tensor.Scope();
        var y = drop.Forward(x).ToArray();
        int zeros = y.Count(v => v == 0f);
        Assert.InRange(zeros / 10000.0, 0.27, 0.33);
        Assert.All(y.Where(v => v != 0f), v => Assert.Equal(1f / 0.7f, v, 5));
        // The mask is drawn from the generator: same seed, same mask; a gradient flows through the kept elements.
        using var drop2 = new Dropout(0.3f, new Generator(11));
        Assert.Equal(y, drop2.Forward(x).ToArray());
        using var w = Tensor.Ones(new[] { 100, 100 }, Device.Cpu).RequireGrad();
        drop.Forward(w).Sum().Backward();
        Assert.True(w.Grad!.ToArray().Count(v => v == 0f) > 0);
        w.ZeroGrad();
    }

    [Fact]
    public void SmallLayersForward()
    {
        using var scope = Tensor.Scope();
        using var prelu = new PReLU(2);
        Assert.Equal(new[] { 0.25f, 0.25f }, prelu.Weight.ToArray());
        var x = Tensor.FromArray(new[] { -4f, 2f, -8f, 1f }, new[] { 1, 2, 2 }, Device.Cpu);
        Assert.Equal(new[] { -1f, 2f, -2f, 1f }, prelu.Forward(x).ToArray());
        Assert.Equal(new[] { 1, 4 }, new Flatten().Forward(x).Shape);
        Assert.Equal(new[] { 4 }, new Flatten(0).Forward(x).Shape);
        Assert.Same(x, new Identity().Forward(x));
        Assert.Equal(new[] { 0f, 2f, 0f, 1f }, new ReLU().Forward(x).ToArray());
        using var emb = new Embedding(5, 3, Device.Cpu, new Generator(2));
        var idx = Tensor.FromArray(new[] { 4f, 0f }, new[] { 2 }, Device.Cpu);
        var rows = emb.Forward(idx).ToArray();
        Assert.Equal(emb.Weight.ToArray().Skip(12).Take(3), rows.Take(3));
        using var eq = new EqualizedLinear(8, 2, generator: new Generator(3));
        Assert.Equal(MathF.Sqrt(2f) / MathF.Sqrt(8f), eq.Scale, 6);
        Assert.Equal(new[] { "weight", "bias" }, eq.NamedParameters().Select(p => p.Name));
        Assert.Equal(new[] { 3, 2 }, eq.Forward(Tensor.Ones(new[] { 3, 8 }, Device.Cpu)).Shape);
        Assert.Contains("Linear(in_features=2", new Sequential(new Linear(2, 2)).ToString());
    }

    [Fact]
    public void RegistrationErrorsAreClear()
    {
        Assert.Contains("already registered", Assert.Throws<ArgumentException>(() => new Duplicate()).Message);
    }

    private sealed class Duplicate : Module
    {
        public Duplicate()
        {
            RegisterParameter("w", Tensor.Zeros(new[] { 1 }, Device.Cpu));
            RegisterBuffer("w", Tensor.Zeros(new[] { 1 }, Device.Cpu));
        }

        public override Tensor Forward(Tensor x) => x;
    }

    [Fact]
    public void ToMovesParametersAndKeepsValues()
    {
        using var m = new Linear(3, 2, device: Device.Cpu, generator: new Generator(4));
        var w = m.Weight.ToArray();
        m.To(Device.IlgpuCpu);
        Assert.Same(Device.IlgpuCpu, m.Weight.Device);
        Assert.True(m.Weight.RequiresGrad);
        Assert.Equal(w, m.Weight.ToArray());
    }

    [Fact]
    public void DisposeFreesParameters()
    {
        var m = new Linear(3, 2);
        var w = m.Weight;
        m.Dispose();
        Assert.True(w.IsDisposed);
    }
}

public class ParametrizationTests
{
    /// <summary>What the spectral-norm wrapper does to a conv: weight becomes computed from weight_orig and a u buffer.</summary>
    [Fact]
    public void ComputedParameterReplacesWeightWithPyTorchKeys()
    {
        using var seq = new Sequential(new Linear(3, 2, generator: new NativeGan.Generator(1)));
        var inner = seq[0];
        var w = inner.RemoveParameter("weight")!;
        inner.RegisterParameter("weight_orig", w);
        inner.RegisterBuffer("weight_u", Tensor.Ones(new[] { 2 }, Device.Cpu));
        inner.SetComputedParameter("weight", () => inner.Param("weight_orig")!.Mul(2f));
        Assert.Equal(new[] { "0.bias", "0.weight_orig", "0.weight_u" }, seq.StateDict().Keys.ToArray());

        using var scope = Tensor.Scope();
        var x = Tensor.Ones(new[] { 1, 3 }, Device.Cpu);
        var wv = w.ToArray();
        var b = inner.Param("bias")!.ToArray();
        var y = seq.Forward(x).ToArray();
        for (int o = 0; o < 2; o++) Assert.Equal(2f * (wv[3 * o] + wv[3 * o + 1] + wv[3 * o + 2]) + b[o], y[o], 5);
        seq.Forward(x).Sum().Backward();
        Assert.NotNull(w.Grad);
        seq.ZeroGrad();
        Assert.Throws<InvalidOperationException>(() => inner.SetComputedParameter("bias", () => x));
    }
}
