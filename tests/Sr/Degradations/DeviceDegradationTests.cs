using NativeGan.Models.Imaging;
using NativeGan.Models.Sr.Degradations;
using NativeGan.Tests.Fixtures;

namespace NativeGan.Tests.Sr.Degradations;

/// <summary>
/// The device pipeline (RealEsrganDegradation with RunOnDevice, DeviceImageOps) against the host pipeline from the
/// same seed, on the CPU backend and on ILGPU's CPU accelerator (the CUDA kernels' code; CUDA itself when present).
/// Tiny shapes: batch 2 of 80 x 80 photo crops, GT 48, scale 4.
/// </summary>
public class DeviceDegradationTests
{
    private const int Size = 80;


    private static Device Dev(string name)
    {
        return Device.Parse(name);
    }

    private static PlanarImage Photo(string name)
    {
        var im = ImageIO.Read(Path.Combine(AppContext.BaseDirectory, "fixtures", "srdata", "images", name));
        var crop = new float[3 * Size * Size];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < Size; y++)
                im.Planar.AsSpan((c * im.Height + y) * im.Width, Size).CopyTo(crop.AsSpan((c * Size + y) * Size, Size));
        return new PlanarImage(3, Size, Size, crop);
    }

    private static PlanarImage[] Photos() => new[] { Photo("astronaut.png"), Photo("chelsea.png") };

    private static Tensor Batch(PlanarImage[] imgs, Device device) =>
        Tensor.FromArray(imgs.SelectMany(i => i.Data).ToArray(), new[] { imgs.Length, 3, Size, Size }, device);

    private static readonly DegradationOptions Tiny = new() { gt_size = 48, scale = 4, queue_size = 4 };

    [Theory]
    [Devices]
    public void StageOneChainEqualsHostBeforeJpeg(string device)
    {
        // Real-ESRGAN's first stage and the start of the second from one image stream each, as both pipelines run
        // them: USM, first blur, resize by a scale factor, Gaussian noise (gray for image 0, colour for image 1),
        // second blur, resize to a size. Up to the first JPEG the pipelines are float arithmetic on the same
        // values, so they agree to float32 level.
        var dev = Dev(device);
        var imgs = Photos();
        var o = Tiny;
        var hostStreams = new[] { new DegradationRandom(5), new DegradationRandom(6) };
        var devStreams = new[] { new DegradationRandom(5), new DegradationRandom(6) };
        var k1 = hostStreams.Select(r => BlurKernels.SampleKernel(r, o.kernel_list, o.kernel_prob, 0.5, o.blur_sigma, o.betag_range, o.betap_range)).ToArray();
        foreach (var r in devStreams) BlurKernels.SampleKernel(r, o.kernel_list, o.kernel_prob, 0.5, o.blur_sigma, o.betag_range, o.betap_range);
        var k2 = new[] { BlurKernels.CircularLowpass(Math.PI / 3, 13, 21), BlurKernels.BivariateGaussian(21, 1.2, 0.4, 0.5) };
        double scale = 0.73;
        int h1 = (int)Math.Floor(Size * scale);
        var host = new float[2][];
        for (int i = 0; i < 2; i++)
        {
            var x = HostImageOps.UsmSharp(imgs[i]);
            x = HostImageOps.Filter2D(x, k1[i], 21);
            x = HostImageOps.Resize(x, h1, h1, "bicubic", 1 / scale, 1 / scale);
            HostImageOps.AddGaussianNoise(x, 12, i == 0, hostStreams[i]);
            x = HostImageOps.Filter2D(x, k2[i], 21);
            x = HostImageOps.Resize(x, 15, 15, "bilinear", h1 / 15.0, h1 / 15.0);
            host[i] = x.Data;
        }
        using var noGrad = Tensor.NoGrad();
        using var scope = Tensor.Scope();
        var t = DeviceImageOps.UsmSharp(Batch(imgs, dev));
        t = DeviceImageOps.Filter2D(t, k1, 21);
        t = DeviceImageOps.Resize(t, h1, h1, "bicubic", 1 / scale, 1 / scale);
        t = DeviceImageOps.AddNoiseClamped(t, Enumerable.Range(0, 2).SelectMany(i => HostImageOps.GaussianNoise(3, h1, h1, 12, i == 0, devStreams[i])).ToArray());
        t = DeviceImageOps.Filter2D(t, k2, 21);
        t = DeviceImageOps.Resize(t, 15, 15, "bilinear", h1 / 15.0, h1 / 15.0);
        Assertions.AssertClose(host.SelectMany(a => a).ToArray(), t.ToArray(), 0, 1e-5, $"{device} stage one");
        Assert.Equal(hostStreams.Select(r => r.Position), devStreams.Select(r => r.Position));
    }

    [Theory]
    [Devices]
    public void PoissonNoiseFromTheSameImageIsBitwiseTheHosts(string device)
    {
        var dev = Dev(device);
        foreach (bool gray in new[] { false, true })
        {
            var img = Photo("chelsea.png");
            var reference = new PlanarImage(3, Size, Size, (float[])img.Data.Clone());
            HostImageOps.AddPoissonNoise(reference, 1.5, gray, new DegradationRandom(9));
            using var scope = Tensor.Scope();
            var x = Tensor.FromArray(img.Data, new[] { 1, 3, Size, Size }, dev);
            var noise = HostImageOps.PoissonNoise(img, 1.5, gray, new DegradationRandom(9));
            Assert.Equal(reference.Data, DeviceImageOps.AddNoiseClamped(x, noise).ToArray());
            Assert.NotEqual(img.Data, reference.Data);
        }
    }

    [Theory]
    [Devices]
    public void Quantize8IsRealEsrgansRounding(string device)
    {
        var dev = Dev(device);
        // Real-ESRGAN: torch.clamp((lq * 255.0).round(), 0, 255) / 255. in float32 (round half to even). Every 8-bit
        // level, values just below / at / just above the midpoints between levels, and values outside [0, 1].
        var v = Enumerable.Range(-3, 262).SelectMany(l => new[] { l / 255f, (l + 0.5f) / 255f, (l + 0.49f) / 255f, (l + 0.51f) / 255f }).ToArray();
        using var scope = Tensor.Scope();
        var q = DeviceImageOps.Quantize8(Tensor.FromArray(v, new[] { 1, 1, 1, v.Length }, dev)).ToArray();
        var expected = v.Select(x => Math.Clamp(MathF.Round(x * 255f, MidpointRounding.ToEven), 0f, 255f) / 255f).ToArray();
        Assert.Equal(expected, q);
        // The host pipeline rounds x * 255 in double: the two differ only where float32's x * 255 lands on a
        // midpoint that the exact product misses (within 2^-17 of it); never on the levels themselves.
        for (int i = 0; i < v.Length; i += 4)
            Assert.Equal((float)(Math.Clamp(Math.Round(v[i] * 255.0, MidpointRounding.ToEven), 0, 255) / 255.0), q[i]);
    }

    [Theory]
    [Devices]
    public void FullPipelineMatchesHostUpToRoundingAndJpegAndRepeatsBitwise(string device)
    {
        // The whole degradation from the same seeds on the host and on the device. Values before the first JPEG
        // agree to ~1e-7 (StageOneChainEqualsHostBeforeJpeg), but each JPEG and the final 8-bit rounding quantise:
        // a value within ~1e-7 of a rounding midpoint can land on the other 8-bit level (and the device rounds
        // x * 255 in float32 as Real-ESRGAN, the host in double), and a changed input level can change a JPEG
        // block's coefficients and so the pixels of that 8 x 8 (16 x 16 chroma) block. So the 8-bit LR values may
        // differ where that happened, and only there: at most 0.5% of the LR values may differ by more than one
        // level (1/255), none by more than 24 levels, while GT crops are identical and the USM GT agrees to float
        // level. The same seed twice on the device gives bitwise the same LR, GT and USM GT. (One seed on the ILGPU
        // CPU accelerator: it emulates every GPU thread and takes seconds per batch.)
        var dev = Dev(device);
        var imgs = Photos();
        int total = 0, beyondOneLevel = 0;
        double maxDiff = 0;
        float[]? previous = null;
        foreach (ulong seed in dev.Kind == DeviceKind.Cpu ? new ulong[] { 1, 2, 3 } : new ulong[] { 2 })
        {
            using var scope = Tensor.Scope();
            var host = new RealEsrganDegradation(Tiny, Device.Cpu, seed) { RunOnDevice = false };
            var onDevice = new RealEsrganDegradation(Tiny, dev, seed) { RunOnDevice = true };
            var (lqH, gtH, usmH) = host.Degrade(Batch(imgs, Device.Cpu));
            var (lqD, gtD, usmD) = onDevice.Degrade(Batch(imgs, dev));
            Assert.Equal(new[] { 2, 3, 12, 12 }, lqD.Shape);
            Assert.Equal(new[] { 2, 3, 48, 48 }, gtD.Shape);
            Assert.Same(dev, lqD.Device);
            Assert.Equal(gtH.ToArray(), gtD.ToArray());
            Assertions.AssertClose(usmH.ToArray(), usmD.ToArray(), 0, 1e-5, $"{device} USM GT, seed {seed}");
            Assert.Equal(host.GetState(), onDevice.GetState());
            var a = lqH.ToArray();
            var b = lqD.ToArray();
            Assert.All(b, x => Assert.Equal(Math.Round(x * 255.0), x * 255.0, 3));
            for (int i = 0; i < a.Length; i++)
            {
                double d = Math.Abs(a[i] - b[i]);
                maxDiff = Math.Max(maxDiff, d);
                if (d > 1.0 / 255 + 1e-6) beyondOneLevel++;
            }
            total += a.Length;

            var (lqR, gtR, usmR) = new RealEsrganDegradation(Tiny, dev, seed) { RunOnDevice = true }.Degrade(Batch(imgs, dev));
            Assert.Equal(b, lqR.ToArray());
            Assert.Equal(gtD.ToArray(), gtR.ToArray());
            Assert.Equal(usmD.ToArray(), usmR.ToArray());
            if (previous != null) Assert.NotEqual(previous, b);
            previous = b;
        }
        Assert.True(beyondOneLevel <= 0.005 * total, $"{device}: {beyondOneLevel} of {total} LR values differ by more than 1/255 (max {maxDiff * 255:0.#} levels).");
        Assert.True(maxDiff <= 24 / 255.0, $"{device}: max LR difference {maxDiff * 255:0.#} levels.");
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "deg_device_diff.txt"), $"{device}: {beyondOneLevel}/{total} beyond 1 level, max {maxDiff * 255:0.##} levels\n");
    }

    [Theory]
    [Devices]
    public void Filter2DOnImagesSmallerThanThePadReflectsAsTheHost(string device)
    {
        // 7 x 9 images under a 21-tap kernel (pad 10): PyTorch's reflect pad refuses, the host reflects again.
        var dev = Dev(device);
        var img = Photo("astronaut.png");
        var small = Enumerable.Range(0, 2).Select(i => new PlanarImage(3, 7, 9, Enumerable.Range(0, 3 * 7 * 9)
            .Select(t => img.Data[(t / 63) * Size * Size + (t % 63 / 9 + 20 * i) * Size + t % 9 + 30]).ToArray())).ToArray();
        var kernels = new[] { BlurKernels.BivariateGaussian(21, 4, 2, 0.3), BlurKernels.CircularLowpass(Math.PI / 5, 21) };
        var host = small.SelectMany((im, i) => HostImageOps.Filter2D(im, kernels[i], 21).Data).ToArray();
        using var scope = Tensor.Scope();
        var x = Tensor.FromArray(small.SelectMany(im => im.Data).ToArray(), new[] { 2, 3, 7, 9 }, dev);
        Assertions.AssertClose(host, DeviceImageOps.Filter2D(x, kernels, 21).ToArray(), 0, 1e-5, $"{device} filter2D 7 x 9, k 21");
    }

    [Fact]
    public void RunOnDeviceDefaultsToTheDeviceKind()
    {
        Assert.False(new RealEsrganDegradation(Tiny, Device.Cpu, 1).RunOnDevice);
        Assert.True(new RealEsrganDegradation(Tiny, Device.IlgpuCpu, 1).RunOnDevice);
        Assert.True(new RealEsrganDegradation(Tiny, Device.Cpu, 1) { RunOnDevice = true }.RunOnDevice);
    }
}
