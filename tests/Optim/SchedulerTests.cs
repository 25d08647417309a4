using NativeGan.Optim;

namespace NativeGan.Tests.Optim;

/// <summary>The schedulers against values worked out by hand from BasicSR's lr_scheduler.py formulas.</summary>
public class SchedulerTests
{
    private static (Tensor P, Optimizer Opt) Make(float lr)
    {
        var p = Tensor.Zeros(new[] { 1 }, Device.Cpu).RequireGrad().DetachFromScope();
        return (p, new Adam(new[] { p }, lr));
    }

    [Fact]
    public void MultiStepDecaysAtMilestonesWithRepeats()
    {
        var (p, opt) = Make(1e-4f);
        using var _ = p;
        using var __ = opt;
        var s = new MultiStepLR(opt, new[] { 2, 4, 4 }, gamma: 0.5f);
        Assert.Equal(0, s.LastEpoch);
        var seen = new List<float> { opt.Lr };
        for (int i = 0; i < 5; i++) { s.Step(); seen.Add(opt.Lr); }
        // epochs 0..5: 1e-4, 1e-4, 5e-5 (milestone 2), 5e-5, 1.25e-5 (milestone 4 listed twice: gamma^2), 1.25e-5
        float[] expected = { 1e-4f, 1e-4f, 5e-5f, 5e-5f, 1.25e-5f, 1.25e-5f };
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], seen[i], 1e-10f);
    }

    [Fact]
    public void MultiStepRestartResetsToWeightedInitialLr()
    {
        var (p, opt) = Make(2e-4f);
        using var _ = p;
        using var __ = opt;
        var s = new MultiStepLR(opt, new[] { 2 }, 0.5f, restarts: new[] { 0, 3 }, restartWeights: new[] { 1f, 0.5f });
        var seen = new List<float> { opt.Lr };
        for (int i = 0; i < 4; i++) { s.Step(); seen.Add(opt.Lr); }
        float[] expected = { 2e-4f, 2e-4f, 1e-4f, 1e-4f /* restart: 2e-4 * 0.5 */, 1e-4f };
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], seen[i], 1e-10f);
    }

    [Fact]
    public void CosineAnnealingRestartFollowsBasicSrFormula()
    {
        var (p, opt) = Make(1e-3f);
        using var _ = p;
        using var __ = opt;
        const double baseLr = 1e-3, etaMin = 1e-7;
        int[] periods = { 4, 6 };
        float[] weights = { 1f, 0.5f };
        var s = new CosineAnnealingRestartLR(opt, periods, weights, (float)etaMin);
        for (int t = 0; t <= 10; t++)
        {
            if (t > 0) s.Step();
            Assert.Equal(t, s.LastEpoch);
            // t in [0, 4] is cycle 0 (weight 1, start 0, period 4); t in (4, 10] cycle 1 (weight 0.5, start 4, period 6).
            double expected = t <= 4
                ? etaMin + 1.0 * 0.5 * (baseLr - etaMin) * (1 + Math.Cos(Math.PI * t / 4.0))
                : etaMin + 0.5 * 0.5 * (baseLr - etaMin) * (1 + Math.Cos(Math.PI * (t - 4) / 6.0));
            Assert.Equal(expected, opt.Lr, 1e-9);
        }
        // Spot values: t=2 gives eta + (base-eta)/2; t=4 ends cycle 0 at eta_min; t=7 is half-way down cycle 1.
        Assert.Throws<InvalidOperationException>(() => s.Step());
    }

    [Fact]
    public void CosineSpotValues()
    {
        var (p, opt) = Make(1e-3f);
        using var _ = p;
        using var __ = opt;
        var s = new CosineAnnealingRestartLR(opt, new[] { 4, 6 }, new[] { 1f, 0.5f }, 0f);
        Assert.Equal(1e-3, opt.Lr, 1e-9);
        s.Step(); s.Step();
        Assert.Equal(5e-4, opt.Lr, 1e-9); // cos(pi/2) = 0
        s.Step(); s.Step();
        Assert.Equal(0, opt.Lr, 1e-9); // end of cycle 0
        s.Step(); s.Step(); s.Step();
        Assert.Equal(0.5 * 0.5 * 1e-3, opt.Lr, 1e-9); // t=7: restart weight 0.5, half-way
    }

    [Fact]
    public void StateRoundTripResumesTheSchedule()
    {
        var (p, opt) = Make(1e-3f);
        using var _ = p;
        using var __ = opt;
        var s = new CosineAnnealingRestartLR(opt, new[] { 10 }, null, 1e-6f);
        for (int i = 0; i < 3; i++) s.Step();
        var st = s.StateDict();
        var optState = opt.StateDict();

        var (p2, opt2) = Make(1e-3f);
        using var ___ = p2;
        using var ____ = opt2;
        var s2 = new CosineAnnealingRestartLR(opt2, new[] { 10 }, null, 1e-6f);
        s2.LoadStateDict(st);
        opt2.LoadStateDict(optState);
        Assert.Equal(3, s2.LastEpoch);
        Assert.Equal(opt.Lr, opt2.Lr);
        s.Step();
        s2.Step();
        Assert.Equal(opt.Lr, opt2.Lr);
    }
}
