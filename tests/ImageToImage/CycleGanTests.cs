using NativeGan.Models.ImageToImage;
using NativeGan.NN;
using NativeGan.Optim;

namespace NativeGan.Tests.ImageToImage;

public class CycleGanTests
{
    private static (Tensor A, Tensor B) RealBatch(int size)
    {
        var src = UnpairedSource.ColorToGray(I2iTestUtil.Photos);
        var p = JitterParams.None(size);
        var (a, b) = src.Get(0, 0);
        return (Tensor.FromArray(p.Apply(a), new[] { 1, 3, size, size }, Device.Cpu), Tensor.FromArray(p.Apply(b), new[] { 1, 3, size, size }, Device.Cpu));
    }

    [Fact]
    public void OneStepWithResnetGeneratorsAndPools()
    {
        var rng = new Generator(1);
        using var gA = new ResnetGenerator(3, 3, ngf: 4, nBlocks: 1, device: Device.Cpu, generator: rng);
        using var gB = new ResnetGenerator(3, 3, ngf: 4, nBlocks: 1, device: Device.Cpu, generator: rng);
        using var dA = new NLayerDiscriminator(3, ndf: 4, norm: I2iNorm.Instance, device: Device.Cpu, generator: rng);
        using var dB = new NLayerDiscriminator(3, ndf: 4, norm: I2iNorm.Instance, device: Device.Cpu, generator: rng);
        using var step = new CycleGanStep(gA, gB, dA, dB, new I2iGanLoss("lsgan"), seed: 3);
        var (a, b) = RealBatch(32);
        var before = new Module[] { gA, gB, dA, dB }.Select(m => m.Parameters().First().ToArray()).ToArray();
        var r = step.Step(a, b);
        Assert.True(r.AllFinite, r.ToString());
        Assert.True(r.CycleA > 0 && r.CycleB > 0 && r.IdtA > 0 && r.IdtB > 0 && r.DA > 0 && r.DB > 0);
        Assert.Equal(1, step.FakeAPool.Count);
        Assert.Equal(1, step.FakeBPool.Count);
        var after = new Module[] { gA, gB, dA, dB }.Select(m => m.Parameters().First().ToArray()).ToArray();
        for (int i = 0; i < 4; i++) Assert.NotEqual(before[i], after[i]);
        a.Dispose();
        b.Dispose();
    }

    /// <summary>A 1x1 convolution with identity weights and zero bias is an identity generator: both identity losses are
    /// exactly zero (L1(G_A(B), B) and L1(G_B(A), A)), while a perturbed one gives a positive loss.</summary>
    [Fact]
    public void IdentityLossIsZeroForAnIdentityGenerator()
    {
        Conv2d Identity()
        {
            var c = new Conv2d(3, 3, 1, device: Device.Cpu);
            using var noGrad = Tensor.NoGrad();
            c.Weight.CopyFrom(new float[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 });
            c.Bias!.FillInPlace(0f);
            return c;
        }
        using var gA = Identity();
        using var gB = Identity();
        using var dA = new NLayerDiscriminator(3, ndf: 2, nLayers: 1, device: Device.Cpu);
        using var dB = new NLayerDiscriminator(3, ndf: 2, nLayers: 1, device: Device.Cpu);
        using var step = new CycleGanStep(gA, gB, dA, dB, new I2iGanLoss("lsgan"));
        var (a, b) = RealBatch(16);
        using var scope = Tensor.Scope();
        var (idtA, idtB) = step.IdentityLosses(a, b);
        Assert.Equal(0f, idtA.Item());
        Assert.Equal(0f, idtB.Item());
        using (Tensor.NoGrad()) gA.Bias!.FillInPlace(0.1f);
        var (idtA2, _) = step.IdentityLosses(a, b);
        // 0.5 * 10 * mean|0.1| = 0.5 (up to the float rounding of x + 0.1 - x)
        Assert.Equal(0.5f, idtA2.Item(), 1e-4f);
    }

    [Fact]
    public void LinearDecayKeepsThenFallsToZero()
    {
        using var p = Tensor.Zeros(new[] { 1 }, Device.Cpu).RequireGrad();
        using var opt = new Adam(new[] { p }, 2e-4f);
        var s = new LinearDecayLR(opt, nEpochs: 3, nEpochsDecay: 3);
        var lrs = new List<float> { opt.Lr };
        for (int e = 0; e < 6; e++) { s.Step(); lrs.Add(opt.Lr); }
        // epochs 1..3 at 2e-4, then 3/4, 2/4, 1/4 of it, then 0 after the last decay epoch.
        float[] expected = { 2e-4f, 2e-4f, 2e-4f, 1.5e-4f, 1e-4f, 0.5e-4f, 0f };
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], lrs[i], 1e-9f);
    }
}
