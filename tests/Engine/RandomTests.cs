using NativeGan.Kernels.Random;

namespace NativeGan.Tests.Engine;

public class RandomTests
{
    [Theory]
    // Known-answer vectors of Random123 (kat_vectors) for philox4x32-10.
    [InlineData(0u, 0u, 0u, 0u, 0u, 0u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0xa4093822u, 0x299f31d0u, 0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void PhiloxMatchesKnownAnswers(uint k0, uint k1, uint c0, uint c1, uint c2, uint c3, uint e0, uint e1, uint e2, uint e3)
    {
        Philox.Generate(k0, k1, c0, c1, c2, c3, out uint r0, out uint r1, out uint r2, out uint r3);
        Assert.Equal(new[] { e0, e1, e2, e3 }, new[] { r0, r1, r2, r3 });
    }

    [Fact]
    public void UniformIsBitIdenticalOnCpuAndIlgpuKernels()
    {
        var cpu = Tensor.Rand(new[] { 3, 1000 }, Device.Cpu, new Generator(42));
        var gpu = Tensor.Rand(new[] { 3, 1000 }, Device.IlgpuCpu, new Generator(42));
        Assert.Equal(cpu.ToArray(), gpu.ToArray());
        cpu.Dispose();
        gpu.Dispose();
    }

    [Fact]
    public void NormalAgreesOnCpuAndIlgpuKernelsAndHasUnitMoments()
    {
        using var cpu = Tensor.Randn(new[] { 20000 }, Device.Cpu, new Generator(7));
        using var gpu = Tensor.Randn(new[] { 20000 }, Device.IlgpuCpu, new Generator(7));
        var a = cpu.ToArray();
        var b = gpu.ToArray();
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) <= 1e-6f * (1 + Math.Abs(a[i])), $"element {i}: {a[i]} vs {b[i]}");
        double mean = a.Average(), var = a.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.03, 0.03);
        Assert.InRange(var, 0.95, 1.05);
    }

    [Fact]
    public void GeneratorStateReproducesTheStream()
    {
        var g = new Generator(3);
        using var first = Tensor.Rand(new[] { 10 }, Device.Cpu, g);
        var (seed, offset) = g.GetState();
        using var second = Tensor.Rand(new[] { 10 }, Device.Cpu, g);
        var replay = new Generator(0);
        replay.SetState(seed, offset);
        using var again = Tensor.Rand(new[] { 10 }, Device.Cpu, replay);
        Assert.Equal(second.ToArray(), again.ToArray());
        Assert.NotEqual(first.ToArray(), second.ToArray());
    }
}
