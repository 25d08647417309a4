namespace NativeGan.Tests.Autograd;

public class AutogradTests
{
    private static Tensor V(params float[] v) => Tensor.FromArray(v, new[] { v.Length }, Device.Cpu);

    [Fact]
    public void GradientsAccumulateAcrossBackwardCalls()
    {
        using var s = Tensor.Scope();
        var x = V(1f, 2f).RequireGrad();
        x.Mul(3f).Sum().Backward();
        x.Mul(3f).Sum().Backward();
        Assert.Equal(new[] { 6f, 6f }, x.Grad!.ToArray());
        x.ZeroGrad();
        Assert.Null(x.Grad);
    }

    [Fact]
    public void ATensorUsedTwiceGetsBothContributions()
    {
        using var s = Tensor.Scope();
        var x = V(3f).RequireGrad();
        x.Mul(x).Add(x).Sum().Backward(); // d(x^2 + x) = 2x + 1
        Assert.Equal(7f, x.Grad!.Item());
        x.ZeroGrad();
    }

    [Fact]
    public void DetachAndNoGradCutTheGraph()
    {
        using var s = Tensor.Scope();
        var x = V(2f).RequireGrad();
        Assert.False(x.Detach().Mul(3f).RequiresGrad);
        using (Tensor.NoGrad()) Assert.False(x.Mul(3f).RequiresGrad);
        Assert.True(x.Mul(3f).RequiresGrad);
    }

    [Fact]
    public void FrozenParametersGetNoGradient()
    {
        using var s = Tensor.Scope();
        var w = V(2f).RequireGrad();
        var frozen = V(5f).RequireGrad();
        frozen.RequiresGrad = false;
        w.Mul(frozen).Sum().Backward();
        Assert.Equal(5f, w.Grad!.Item());
        Assert.Null(frozen.Grad);
        w.ZeroGrad();
    }

    [Fact]
    public void GradReturnsGradientsWithoutTouchingGradFields()
    {
        using var s = Tensor.Scope();
        var x = V(1f, 2f).RequireGrad();
        var y = V(3f).RequireGrad();
        var grads = NativeGan.Autograd.Grad(new[] { x.Square().Sum() }, new[] { x, y });
        Assert.Equal(new[] { 2f, 4f }, grads[0]!.ToArray());
        Assert.Null(grads[1]);
        Assert.Null(x.Grad);
    }

    [Fact]
    public void SecondDerivativeOfACube()
    {
        using var s = Tensor.Scope();
        var x = V(2f).RequireGrad();
        var dy = NativeGan.Autograd.Grad(x.Pow(3f).Sum(), x, createGraph: true); // 3x^2 = 12
        Assert.Equal(12f, dy.Item(), 4);
        var d2y = NativeGan.Autograd.Grad(dy.Sum(), x); // 6x = 12
        Assert.Equal(12f, d2y.Item(), 4);
    }

    [Fact]
    public void GradientsFlowThroughViews()
    {
        using var s = Tensor.Scope();
        var x = Tensor.FromArray(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, new[] { 2, 3 }, Device.Cpu, true);
        x.Transpose(0, 1).Narrow(0, 1, 2).Reshape(-1).Mul(V(1f, 2f, 3f, 4f)).Sum().Backward();
        // transpose -> [3,2]; rows 1..2 -> elements x[0,1], x[1,1], x[0,2], x[1,2]
        Assert.Equal(new[] { 0f, 1f, 3f, 0f, 2f, 4f }, x.Grad!.ToArray());
        x.ZeroGrad();
    }
}
