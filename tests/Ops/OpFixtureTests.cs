using NativeGan.Tests.Fixtures;
using NativeGan.Verification;

namespace NativeGan.Tests.Ops;

/// <summary>Every op the engine registers, against every PyTorch reference case for it, on every device.</summary>
public class OpFixtureTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in FixtureCase.All())
        {
            var c = FixtureCase.Load(file);
            if (FixtureOps.IsKnown(c.Op)) data.Add(file);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchOnCpu(string file) => Check(file, Device.Cpu, 1e-4, 1e-5);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchOnIlgpuKernels(string file) => Check(file, Device.IlgpuCpu, 1e-4, 1e-5);

    [Theory]
    [Trait("Category", "Cuda")]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchOnCuda(string file)
    {
        Assert.SkipUnless(Device.CudaAvailable, "no CUDA device on this machine");
        // fp32 SIMT without TF32: the reference README suggests about 1e-3 relative on CUDA.
        Check(file, Device.Cuda(0), 1e-3, 1e-5);
    }

    private static void Check(string file, Device device, double rtol, double atol)
    {
        var result = FixtureRunner.Run(Path.Combine(FixtureCase.Directory, file), device, rtol, atol);
        Assert.True(result.Error == null, $"{file}: {result.Error}");
        Assert.NotEmpty(result.Comparisons);
        foreach (var c in result.Comparisons)
            Assert.True(c.Passed, $"{file} {c.Name}: max abs error {c.MaxAbsError:G3}, max rel {c.MaxRelError:G3}; worst at {c.WorstIndex}: expected {c.Expected}, got {c.Actual}");
    }

    [Fact]
    public void EveryFoundationOpHasAFixture()
    {
        var ops = FixtureCase.All().Select(f => FixtureCase.Load(f).Op).ToHashSet();
        string[] required =
        {
            "add", "sub", "mul", "div", "neg", "pow", "pow_tensor", "sqrt", "rsqrt", "exp", "log", "abs", "clamp",
            "gt", "ge", "lt", "le", "eq", "where", "relu", "leaky_relu", "prelu", "tanh", "sigmoid", "softplus",
            "sum", "mean", "var", "max", "log_softmax", "matmul", "linear", "embedding", "cat", "slice", "permute",
            "transpose", "bce", "bce_with_logits", "mse", "l1", "cross_entropy", "ragan_loss",
        };
        foreach (var op in required)
        {
            Assert.Contains(op, ops);
            Assert.True(FixtureOps.IsKnown(op), $"op {op} has a fixture but no engine registration");
        }
    }
}
