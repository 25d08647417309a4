using NativeGan.Verification;

namespace NativeGan.Tests.Ops;

/// <summary>Finite-difference checks of every registered op, at random shapes, first and second order.</summary>
public class GradCheckTests
{
    public static TheoryData<string, int> FirstOrder()
    {
        var d = new TheoryData<string, int>();
        foreach (var c in GradCheckCases.All)
            foreach (int seed in new[] { 1, 2 }) d.Add(c.Op, seed);
        return d;
    }

    public static TheoryData<string> SecondOrder()
    {
        var d = new TheoryData<string>();
        foreach (var c in GradCheckCases.All.Where(c => c.SecondOrder)) d.Add(c.Op);
        return d;
    }

    [Theory]
    [MemberData(nameof(FirstOrder))]
    public void GradientMatchesFiniteDifferences(string op, int seed)
    {
        var result = GradCheckCases.Find(op)!.Run(Device.Cpu, seed);
        Assert.True(result.Checked > 0, $"{op}: no element was checked");
        Assert.True(result.Passed, $"{op} seed {seed}: {result.Detail} (max abs error {result.MaxAbsError:G3})");
    }

    [Theory]
    [MemberData(nameof(SecondOrder))]
    public void SecondDerivativeMatchesFiniteDifferences(string op)
    {
        var result = GradCheckCases.Find(op)!.RunSecondOrder(Device.Cpu, 3);
        Assert.True(result.Passed, $"{op}: {result.Detail} (max abs error {result.MaxAbsError:G3})");
    }

    [Fact]
    public void GradCheckCatchesAWrongGradient()
    {
        // exp with the gradient of 2*exp: the check must fail, or it checks nothing.
        var input = new GradCheckInput("x", new[] { 0.1f, -0.3f, 0.7f }, new[] { 3 });
        var wrong = GradCheck.Check("wrong", x => x[0].Exp().Add(x[0].Exp().Detach().Mul(x[0]).Sub(x[0].Detach().Mul(x[0].Exp().Detach()))), new[] { input }, Device.Cpu);
        Assert.False(wrong.Passed);
    }
}
