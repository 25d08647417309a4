namespace NativeGan.Tests.Ops;

/// <summary>
/// Matmul on operands whose last two dims are views rather than dense matrices. A broadcast view (stride 0 over a
/// dim of size > 1) has no row- or column-major layout: Matmul used to hand it to the GEMM with a leading dimension
/// equal to its width, so the GEMM read past the one stored row into neighbouring memory. In training that
/// operand is the expanded gradient of Mean (a [N, 1] view of one float) and the neighbouring memory is whatever
/// the buffer pool left there, so the critic's weight gradients depended on other threads' work: the wgan_gp
/// bitwise-resume test differed now and then in parallel test runs. Here the neighbours are known values, so
/// the old behaviour fails every time.
/// </summary>
public class MatmulLayoutTests
{
    private static Device Dev(string name) => name == "cpu" ? Device.Cpu : Device.IlgpuCpu;

    /// <summary>A view of the first element of [1, 2, ..., 8] (the rest of the storage is 2..8, not garbage).</summary>
    private static Tensor FirstOf1To8(Device device) =>
        Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, new[] { 8 }, device).Narrow(0, 0, 1).Reshape(1, 1);

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void BroadcastColumnOnTheLeft(string deviceName)
    {
        var device = Dev(deviceName);
        using var scope = Tensor.Scope();
        var a = FirstOf1To8(device).Expand(8, 1);                      // [8, 1], strides [0, 0]: eight 1s
        var b = Tensor.FromArray(new float[] { 1, 10, 100 }, new[] { 1, 3 }, device);
        var y = a.Matmul(b).ToArray();
        for (int i = 0; i < 8; i++)
            Assert.Equal(new float[] { 1, 10, 100 }, y.AsSpan(3 * i, 3).ToArray());
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void BroadcastRowOnTheRight(string deviceName)
    {
        var device = Dev(deviceName);
        using var scope = Tensor.Scope();
        var a = Tensor.FromArray(new float[] { 1, 2, 3 }, new[] { 3, 1 }, device);
        var b = FirstOf1To8(device).Expand(1, 4);                      // [1, 4], strides [0, 0]: four 1s
        Assert.Equal(new float[] { 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3 }, a.Matmul(b).ToArray());
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void RowsBroadcastFromOneRow(string deviceName)
    {
        var device = Dev(deviceName);
        using var scope = Tensor.Scope();
        var row = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, new[] { 8 }, device).Narrow(0, 0, 2).Reshape(1, 2);
        var a = row.Expand(3, 2);                                      // [3, 2], strides [0, 1]: three copies of (1, 2)
        var b = Tensor.FromArray(new float[] { 1, 0, 0, 1 }, new[] { 2, 2 }, device);
        Assert.Equal(new float[] { 1, 2, 1, 2, 1, 2 }, a.Matmul(b).ToArray());
        // And as the transposed (column-major) right operand.
        var id3 = Tensor.FromArray(new float[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, new[] { 3, 3 }, device);
        Assert.Equal(new float[] { 1, 1, 1, 2, 2, 2 }, a.T().Matmul(id3).ToArray());
    }

    /// <summary>The path that went wrong in training: Linear then Mean, whose backward expands one float to [N, 1].</summary>
    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void LinearWeightGradientThroughMean(string deviceName)
    {
        var device = Dev(deviceName);
        using var scope = Tensor.Scope();
        var x = Tensor.FromArray(Enumerable.Range(0, 24).Select(i => (float)(i % 5) - 2f).ToArray(), new[] { 8, 3 }, device);
        var w = Tensor.FromArray(new float[] { 0.5f, -1f, 2f }, new[] { 1, 3 }, device, requiresGrad: true);
        Tensor.Linear(x, w).Mean().Backward();
        // d mean(x w^T) / dw = mean of x's rows.
        var xs = x.ToArray();
        var expected = new float[3];
        for (int j = 0; j < 3; j++)
        {
            for (int i = 0; i < 8; i++) expected[j] += xs[3 * i + j];
            expected[j] /= 8f;
        }
        var got = w.Grad!.ToArray();
        for (int j = 0; j < 3; j++) Assert.Equal(expected[j], got[j], 6);
    }
}
