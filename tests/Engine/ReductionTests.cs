namespace NativeGan.Tests.Engine;

/// <summary>Long reductions take the grouped (shared-memory) kernel on ILGPU devices; check it against the CPU.</summary>
public class ReductionTests
{
    [Theory]
    [InlineData(1, 5000, 1)]
    [InlineData(3, 2000, 1)]
    [InlineData(2, 700, 3)]
    public void LongReductionsAgreeAcrossBackends(int outer, int r, int inner)
    {
        var rng = new System.Random(5);
        var data = Enumerable.Range(0, outer * r * inner).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var shape = new[] { outer, r, inner };
        using var s = Tensor.Scope();
        foreach (var (name, f) in new (string, Func<Tensor, Tensor>)[] { ("sum", t => t.Sum(1)), ("max", t => t.Max(1)), ("mean", t => t.Mean(1)) })
        {
            var cpu = f(Tensor.FromArray(data, shape, Device.Cpu)).ToArray();
            var ilgpu = f(Tensor.FromArray(data, shape, Device.IlgpuCpu)).ToArray();
            for (int i = 0; i < cpu.Length; i++)
                Assert.True(Math.Abs(cpu[i] - ilgpu[i]) <= 1e-4 * (1 + Math.Abs(cpu[i])), $"{name}[{i}]: cpu {cpu[i]}, ilgpu {ilgpu[i]}");
        }
    }
}
