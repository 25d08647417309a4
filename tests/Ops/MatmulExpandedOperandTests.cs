namespace NativeGan.Tests.Ops;

/// <summary>
/// Matmul with an expanded (stride-0) operand: the gradient Sum / Mean hands to a Linear layer with one output is
/// [N, 1] with strides [0, 0]. It was passed to the GEMM as row-major with leading dimension 1, which read N floats
/// from a one-float storage (whatever the memory pool held after it): the weight's gradient changed from call to call.
/// </summary>
public class MatmulExpandedOperandTests
{
    [Fact]
    public void ExpandedOperandEqualsItsContiguousCopy()
    {
        using var scope = Tensor.Scope();
        var b = Tensor.Randn(new[] { 1, 8 }, Device.Cpu, new Generator(1));
        var s = Tensor.Full(new[] { 1, 1 }, 0.5f, Device.Cpu);
        var expanded = s.Expand(5, 1);                                   // [5, 1], strides [0, 0]
        var want = expanded.Contiguous().Matmul(b).ToArray();
        Assert.Equal(want, expanded.Matmul(b).ToArray());
        var row = Tensor.Randn(new[] { 1, 6 }, Device.Cpu, new Generator(2)).Expand(4, 6);   // [4, 6], strides [0, 1]
        var m = Tensor.Randn(new[] { 6, 3 }, Device.Cpu, new Generator(3));
        Assert.Equal(row.Contiguous().Matmul(m).ToArray(), row.Matmul(m).ToArray());
        Assert.Equal(m.T().Matmul(row.T().Contiguous()).ToArray(), m.T().Matmul(row.T()).ToArray());
    }

    [Fact]
    public void LinearToOneOutputUnderSumHasTheSameGradientEveryCall()
    {
        float[] Grad()
        {
            using var scope = Tensor.Scope();
            // leave other values in the pool where the expanded gradient's neighbours would be read
            for (int i = 0; i < 8; i++) Tensor.Full(new[] { 4 }, 1000f + i, Device.Cpu).Dispose();
            var x = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, new[] { 3, 2 }, Device.Cpu);
            var w = Tensor.FromArray(new float[] { 0.5f, -1 }, new[] { 1, 2 }, Device.Cpu, requiresGrad: true);
            Tensor.Linear(x, w).Sum().Backward();
            return w.Grad!.ToArray();
        }
        // d/dw sum_n x_n . w = sum_n x_n
        for (int i = 0; i < 4; i++) Assert.Equal(new float[] { 9, 12 }, Grad());
    }
}
