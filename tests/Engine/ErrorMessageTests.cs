namespace NativeGan.Tests.Engine;

/// <summary>Bad input is refused with a sentence that names the op and what arrived.</summary>
public class ErrorMessageTests
{
    private static Tensor T(params int[] shape) => Tensor.Zeros(shape, Device.Cpu);

    [Theory]
    [InlineData("add")]
    [InlineData("sub")]
    [InlineData("mul")]
    [InlineData("div")]
    public void BroadcastMismatchNamesTheOpAndBothShapes(string op)
    {
        using var s = Tensor.Scope();
        var a = T(2, 3);
        var b = T(4, 3);
        var e = Assert.Throws<ArgumentException>(() => op switch
        {
            "add" => a.Add(b),
            "sub" => a.Sub(b),
            "mul" => a.Mul(b),
            _ => a.Div(b),
        });
        Assert.Contains(op, e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 3]", e.Message);
    }

    [Fact]
    public void MatmulInnerDimensionMismatch()
    {
        using var s = Tensor.Scope();
        var e = Assert.Throws<ArgumentException>(() => T(2, 3).Matmul(T(4, 5)));
        Assert.Contains("matmul", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 5]", e.Message);
    }

    [Fact]
    public void LinearFeatureMismatch()
    {
        using var s = Tensor.Scope();
        var e = Assert.Throws<ArgumentException>(() => Tensor.Linear(T(2, 3), T(4, 5)));
        Assert.Contains("linear", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 5]", e.Message);
    }

    [Fact]
    public void CatMismatch()
    {
        using var s = Tensor.Scope();
        var e = Assert.Throws<ArgumentException>(() => Tensor.Cat(new[] { T(2, 3), T(3, 4) }, 1));
        Assert.Contains("cat", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[3, 4]", e.Message);
    }

    [Fact]
    public void ReshapeToAWrongSize()
    {
        using var s = Tensor.Scope();
        var e = Assert.Throws<ArgumentException>(() => T(2, 3).Reshape(4, 2));
        Assert.Contains("reshape", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 2]", e.Message);
    }

    [Fact]
    public void LossShapeMismatch()
    {
        using var s = Tensor.Scope();
        var e = Assert.Throws<ArgumentException>(() => Losses.Mse(T(2, 3), T(3, 2)));
        Assert.Contains("mse_loss", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[3, 2]", e.Message);
    }

    [Fact]
    public void OperandsOnDifferentDevices()
    {
        using var s = Tensor.Scope();
        var e = Assert.Throws<ArgumentException>(() => T(2).Add(Tensor.Zeros(new[] { 2 }, Device.IlgpuCpu)));
        Assert.Contains("different devices", e.Message);
    }

    [Fact]
    public void BackwardOfANonScalarNeedsAGradient()
    {
        using var s = Tensor.Scope();
        var x = T(3).RequireGrad();
        var e = Assert.Throws<ArgumentException>(() => x.Exp().Backward());
        Assert.Contains("[3]", e.Message);
    }

    [Fact]
    public void EmbeddingIndexOutOfRange()
    {
        using var s = Tensor.Scope();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Embedding(Tensor.FromArray(new[] { 0f, 5f }, new[] { 2 }, Device.Cpu), T(4, 2)));
        Assert.Contains("embedding", e.Message);
        Assert.Contains("[0, 4)", e.Message);
    }

    [Fact]
    public void InPlaceUpdateOfAParameterOutsideNoGradIsRefused()
    {
        using var s = Tensor.Scope();
        var p = T(3).RequireGrad();
        Assert.Throws<InvalidOperationException>(() => p.AddInPlace(T(3)));
    }
}
