using NativeGan.Models.Metrics;

namespace NativeGan.Tests.Sr.Data;

public sealed class SrMetricsTests
{
    private static void Rel(double expected, double actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-4 * Math.Abs(expected), $"{what}: {actual}, expected {expected}");

    [Theory]
    [InlineData(0, false)]
    [InlineData(0, true)]
    [InlineData(4, false)]
    [InlineData(4, true)]
    public void PsnrSsim_MatchBasicSrReference(int crop, bool y)
    {
        var f = SrFixtures.Load("metrics.safetensors");
        var a = f.Data("in.a");
        var b = f.Data("in.b");
        string key = $"crop{crop}_y{(y ? 1 : 0)}";
        Rel(f.Data("psnr." + key)[0], SrMetrics.Psnr(a, b, 3, 24, 27, crop, y), "psnr " + key);
        Rel(f.Data("ssim." + key)[0], SrMetrics.Ssim(a, b, 3, 24, 27, crop, y), "ssim " + key);
        Rel(f.Data("psnr_q." + key)[0], SrMetrics.Psnr(a, b, 3, 24, 27, crop, y, quantize: true), "psnr_q " + key);
        Rel(f.Data("ssim_q." + key)[0], SrMetrics.Ssim(a, b, 3, 24, 27, crop, y, quantize: true), "ssim_q " + key);
    }

    [Fact]
    public void PsnrSsim_OneChannel_MatchReference()
    {
        var f = SrFixtures.Load("metrics.safetensors");
        Rel(f.Data("psnr.gray_crop2")[0], SrMetrics.Psnr(f.Data("in.g1"), f.Data("in.g2"), 1, 16, 16, 2, true), "psnr gray");
        Rel(f.Data("ssim.gray_crop2")[0], SrMetrics.Ssim(f.Data("in.g1"), f.Data("in.g2"), 1, 16, 16, 2, true), "ssim gray");
    }

    [Fact]
    public void PsnrY_OfAUniformShift_IsTheBt601ClosedForm()
    {
        // Shifting R, G and B by d moves BT.601's Y (16 + 65.481 R + 128.553 G + 24.966 B, RGB in [0, 1]) by 219 d levels
        // of 255, so PSNR_Y = 20 log10(255 / (219 d)). Regression: a [0, 1] -> [0, 255] rescale before the dot product
        // once put every Y-channel PSNR 48.13 dB too low.
        const int h = 9, w = 11;
        const float d = 0.01f;
        var rng = new Random(3);
        var a = new float[3 * h * w];
        for (int i = 0; i < a.Length; i++) a[i] = 0.1f + 0.8f * (float)rng.NextDouble();
        var b = a.Select(v => v + d).ToArray();
        double expected = 20 * Math.Log10(255.0 / (219.0 * d));
        Assert.True(Math.Abs(SrMetrics.Psnr(a, b, 3, h, w, 0, testYChannel: true) - expected) < 1e-3,
            $"PSNR_Y {SrMetrics.Psnr(a, b, 3, h, w, 0, testYChannel: true)}, expected {expected}");
        Assert.True(Math.Abs(SrMetrics.Psnr(a, b, 3, h, w, 0) - 20 * Math.Log10(1 / d)) < 1e-3);
    }

    [Fact]
    public void Psnr_IdenticalImages_IsInfinity_SsimIsOne()
    {
        var a = SrFixtures.Load("metrics.safetensors").Data("in.a");
        Assert.Equal(double.PositiveInfinity, SrMetrics.Psnr(a, a, 3, 24, 27, 4, true));
        Assert.Equal(double.PositiveInfinity, SrMetrics.Psnr(a, a, 3, 24, 27));
        Assert.Equal(1.0, SrMetrics.Ssim(a, a, 3, 24, 27, 2), 12);
    }

    [Fact]
    public void TensorOverloads_AcceptChwAndBatchOfOne()
    {
        var f = SrFixtures.Load("metrics.safetensors");
        var a = f.Data("in.a");
        var b = f.Data("in.b");
        using var ta = Tensor.FromArray(a, new[] { 1, 3, 24, 27 }, Device.Cpu);
        using var tb = Tensor.FromArray(b, new[] { 3, 24, 27 }, Device.Cpu);
        Assert.Equal(SrMetrics.Psnr(a, b, 3, 24, 27, 4, true), SrMetrics.Psnr(ta, tb, 4, true));
        Assert.Equal(SrMetrics.Ssim(a, b, 3, 24, 27, 4), SrMetrics.Ssim(ta, tb, 4));
    }

    [Fact]
    public void GaussianKernel_IsOpenCvs()
    {
        var k = SrMetrics.GaussianKernel(11, 1.5);
        Assert.Equal(1.0, k.Sum(), 12);
        // cv2.getGaussianKernel(11, 1.5): centre and edge values
        Assert.Equal(0.26601, k[5], 5);
        Assert.Equal(0.00103, k[0], 5);
    }

    [Fact]
    public void BadArguments_NameTheProblem()
    {
        var a = new float[3 * 20 * 20];
        var e = Assert.Throws<ArgumentException>(() => SrMetrics.Ssim(a, a, 3, 20, 20, 5));
        Assert.Contains("at least 11 x 11", e.Message);
        e = Assert.Throws<ArgumentException>(() => SrMetrics.Psnr(a, new float[5], 3, 20, 20));
        Assert.Contains("3 x 20 x 20", e.Message);
        using var t1 = Tensor.FromArray(new float[3 * 4 * 4], new[] { 3, 4, 4 }, Device.Cpu);
        using var t2 = Tensor.FromArray(new float[3 * 4 * 5], new[] { 3, 4, 5 }, Device.Cpu);
        e = Assert.Throws<ArgumentException>(() => SrMetrics.Psnr(t1, t2));
        Assert.Contains("shapes differ", e.Message);
    }
}
