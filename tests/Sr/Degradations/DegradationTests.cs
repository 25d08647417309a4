using NativeGan.Models.Imaging;
using NativeGan.Models.Sr.Degradations;

namespace NativeGan.Tests.Sr.Degradations;

public class DegradationTests
{
    private static string Photo(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "srdata", "images", name);

    private static PlanarImage Astronaut()
    {
        var im = ImageIO.Read(Photo("astronaut.png"));
        return new PlanarImage(3, im.Height, im.Width, im.Planar.AsSpan(0, 3 * im.Width * im.Height).ToArray());
    }

    public static TheoryData<string> KernelTypes => new() { "iso", "aniso", "generalized_iso", "generalized_aniso", "plateau_iso", "plateau_aniso" };

    [Theory]
    [MemberData(nameof(KernelTypes))]
    public void EveryKernelTypeSumsToOne(string type)
    {
        var rng = new DegradationRandom(3);
        var o = new DegradationOptions();
        foreach (int k in BlurKernels.KernelRange)
        {
            var kernel = BlurKernels.MixedKernel(rng, type, k, o.blur_sigma, o.betag_range, o.betap_range);
            Assert.Equal(k * k, kernel.Length);
            Assert.Equal(1.0, kernel.Sum(), 12);
            Assert.All(kernel, v => Assert.True(v >= 0));
        }
        Assert.Equal(1.0, BlurKernels.CircularLowpass(2.0, 13, 21).Sum(), 12);
        Assert.Equal(1.0, BlurKernels.Pulse(21).Sum(), 12);
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(1.0, BlurKernels.SampleKernel(rng, o.kernel_list, o.kernel_prob, 0.3, o.blur_sigma, o.betag_range, o.betap_range).Sum(), 12);
            Assert.Equal(1.0, BlurKernels.SampleFinalKernel(rng, 0.8).Sum(), 12);
        }
    }

    [Theory]
    [InlineData("iso")]
    [InlineData("generalized_iso")]
    [InlineData("plateau_iso")]
    public void IsotropicKernelsAreSymmetric(string type)
    {
        var rng = new DegradationRandom(11);
        var o = new DegradationOptions();
        for (int t = 0; t < 10; t++)
        {
            int k = 21;
            var kr = BlurKernels.MixedKernel(rng, type, k, o.blur_sigma, o.betag_range, o.betap_range);
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                {
                    double v = kr[i * k + j];
                    Assert.Equal(v, kr[j * k + i], 15);                     // transpose
                    Assert.Equal(v, kr[(k - 1 - i) * k + j], 15);           // vertical flip
                    Assert.Equal(v, kr[i * k + (k - 1 - j)], 15);           // horizontal flip
                }
        }
        // An anisotropic kernel with distinct sigmas is not symmetric under transposition.
        var an = BlurKernels.BivariateGaussian(21, 3, 0.5, 0.3);
        Assert.True(Math.Abs(an[10 * 21 + 14] - an[14 * 21 + 10]) > 1e-4);
    }

    [Fact]
    public void BesselJ1MatchesKnownValues()
    {
        // scipy.special.j1 values.
        Assert.Equal(0.44005058574493355, BlurKernels.BesselJ1(1.0), 7);
        Assert.Equal(-0.06604332802354912, BlurKernels.BesselJ1(4.0), 7);
        Assert.Equal(0.04347274616886144, BlurKernels.BesselJ1(10.0), 7);
        Assert.Equal(0.0668331241758502, BlurKernels.BesselJ1(20.0), 7);
        Assert.Equal(0.0, BlurKernels.BesselJ1(3.8317059702075125), 7); // first zero
    }

    [Fact]
    public void SincMatchesClosedForm()
    {
        double cutoff = Math.PI / 2.5;
        int k = 15;
        var kernel = BlurKernels.CircularLowpass(cutoff, k);
        // Unnormalised closed form: cutoff J1(cutoff r) / (2 pi r); centre cutoff^2 / (4 pi) (the r -> 0 limit).
        var raw = new double[k * k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double r = Math.Sqrt((i - 7.0) * (i - 7.0) + (j - 7.0) * (j - 7.0));
                raw[i * k + j] = r == 0 ? cutoff * cutoff / (4 * Math.PI) : cutoff * BlurKernels.BesselJ1(cutoff * r) / (2 * Math.PI * r);
            }
        double sum = raw.Sum();
        for (int t = 0; t < raw.Length; t++) Assert.Equal(raw[t] / sum, kernel[t], 12);
        // The limit at r -> 0 is continuous with the neighbours: J1(x) ~ x/2.
        double near = cutoff * BlurKernels.BesselJ1(cutoff * 1e-4) / (2 * Math.PI * 1e-4);
        Assert.Equal(cutoff * cutoff / (4 * Math.PI), near, 8);
        // An independent value: cutoff pi/2.5 at r = 1 -> J1(1.2566) = 0.5121907087 (scipy).
        Assert.Equal(cutoff * 0.5121907087243275 / (2 * Math.PI) / sum, kernel[7 * k + 8], 6);
        // Padding to 21 keeps the taps centred.
        var padded = BlurKernels.CircularLowpass(cutoff, k, 21);
        Assert.Equal(kernel[7 * k + 7], padded[10 * 21 + 10], 15);
        Assert.Equal(0.0, padded[0]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GaussianNoiseSigmaMatchesRequested(bool gray)
    {
        // Flat 0.5 image, sigma 20/255: no clipping (0.5 +- 6 sigma stays in [0, 1]). The sample standard deviation
        // of n normal values has relative standard error 1/sqrt(2 (n - 1)); we allow 5 standard errors.
        int h = 64, w = 64;
        var img = new PlanarImage(3, h, w, Enumerable.Repeat(0.5f, 3 * h * w).ToArray());
        HostImageOps.AddGaussianNoise(img, 20, gray, new DegradationRandom(5));
        var d = img.Data.Select(v => (double)v - 0.5).ToArray();
        int n = gray ? h * w : d.Length; // gray noise: one plane shared by the channels
        var sample = d.Take(n).ToArray();
        double mean = sample.Average();
        double sd = Math.Sqrt(sample.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        double tol = 5 / Math.Sqrt(2.0 * (n - 1));
        Assert.InRange(sd / (20 / 255.0), 1 - tol, 1 + tol);
        if (gray)
            for (int p = 0; p < h * w; p++)
            {
                Assert.Equal(img.Data[p], img.Data[h * w + p]);
                Assert.Equal(img.Data[p], img.Data[2 * h * w + p]);
            }
    }

    [Fact]
    public void PoissonSamplerAndNoisePreserveTheMean()
    {
        var rng = new DegradationRandom(9);
        foreach (double lam in new[] { 0.7, 4.0, 37.0, 200.0 })
        {
            int n = 20000;
            double s = 0, s2 = 0;
            for (int i = 0; i < n; i++) { double k = rng.Poisson(lam); s += k; s2 += k * k; }
            double mean = s / n, variance = s2 / n - mean * mean;
            Assert.InRange(mean, lam - 5 * Math.Sqrt(lam / n), lam + 5 * Math.Sqrt(lam / n));
            Assert.InRange(variance / lam, 0.93, 1.07); // relative s.e. of the variance ~ sqrt(2/n) = 0.01
        }
        // Poisson noise on a photo: the mean level is kept (noise mean 0), the pixels change.
        var img = Astronaut();
        var before = img.Data.ToArray();
        HostImageOps.AddPoissonNoise(img, 1.0, false, new DegradationRandom(2));
        double diff = img.Data.Zip(before, (a, b) => (double)a - b).Average();
        double mad = img.Data.Zip(before, (a, b) => Math.Abs((double)a - b)).Average();
        Assert.True(mad > 1e-3, $"Poisson noise changed nothing (mean |d| {mad}).");
        Assert.InRange(diff, -0.004, 0.004);
    }

    [Fact]
    public void JpegIsRealJpeg()
    {
        var img = Astronaut();
        double Mae(PlanarImage a, PlanarImage b) => a.Data.Zip(b.Data, (x, y) => Math.Abs((double)x - y)).Average();
        var q30 = HostImageOps.Jpeg(img, 30);
        var q95 = HostImageOps.Jpeg(img, 95);
        Assert.True(Mae(q30, img) > 1.5 * Mae(q95, img), $"q30 {Mae(q30, img)} vs q95 {Mae(q95, img)}");
        // Re-encoding a decoded JPEG at the same quality changes it far less than the first encoding did
        // (JPEG is nearly idempotent; a blur would keep smoothing).
        var again = HostImageOps.Jpeg(q30, 30);
        Assert.True(Mae(again, q30) < 0.3 * Mae(q30, img), $"re-encode {Mae(again, q30)} vs first {Mae(q30, img)}");
    }

    private static Tensor Batch(int b)
    {
        var img = Astronaut();
        var data = new float[b * img.Data.Length];
        for (int i = 0; i < b; i++) img.Data.CopyTo(data, i * img.Data.Length);
        return Tensor.FromArray(data, new[] { b, 3, img.H, img.W }, Device.Cpu);
    }

    [Fact]
    public void SameSeedSameLqDifferentSeedDiffers()
    {
        var o = new DegradationOptions { gt_size = 64, queue_size = 4 };
        var gt = Batch(2);
        var (lq1, g1, u1) = new RealEsrganDegradation(o, Device.Cpu, 42).Degrade(gt);
        var (lq2, g2, _) = new RealEsrganDegradation(o, Device.Cpu, 42).Degrade(gt);
        var (lq3, _, _) = new RealEsrganDegradation(o, Device.Cpu, 43).Degrade(gt);
        Assert.Equal(new[] { 2, 3, 16, 16 }, lq1.Shape);
        Assert.Equal(new[] { 2, 3, 64, 64 }, g1.Shape);
        Assert.Equal(new[] { 2, 3, 64, 64 }, u1.Shape);
        Assert.Equal(lq1.ToArray(), lq2.ToArray());
        Assert.Equal(g1.ToArray(), g2.ToArray());
        Assert.NotEqual(lq1.ToArray(), lq3.ToArray());
        // The USM GT is the sharpened crop, and sharpening changes it (edges of the photo exceed the threshold).
        var d0 = new RealEsrganDegradation(o, Device.Cpu, 42);
        Assert.Equal(d0.Sharpen(g1).ToArray(), u1.ToArray());
        Assert.NotEqual(g1.ToArray(), u1.ToArray());
        // LQ is quantised to 8 bits.
        Assert.All(lq1.ToArray(), v => Assert.Equal(Math.Round(v * 255.0), v * 255.0, 3));
        // Resuming from the saved position continues the stream.
        var d = new RealEsrganDegradation(o, Device.Cpu, 7);
        d.Degrade(gt);
        var pos = d.GetState().Position;
        var next = d.Degrade(gt).Lq.ToArray();
        var r = new RealEsrganDegradation(o, Device.Cpu, 7);
        r.SetState(pos);
        Assert.Equal(next, r.Degrade(gt).Lq.ToArray());
    }

    [Fact]
    public void PoolRejectsQueueSizeNotAMultipleOfBatch()
    {
        var pool = new TrainingPairPool(10, new DegradationRandom(1));
        var lq = Tensor.Zeros(new[] { 3, 3, 4, 4 }, Device.Cpu);
        var gt = Tensor.Zeros(new[] { 3, 3, 16, 16 }, Device.Cpu);
        var e = Assert.Throws<ArgumentException>(() => pool.Exchange(lq, gt));
        Assert.Contains("10", e.Message);
        Assert.Contains("3", e.Message);
    }

    [Fact]
    public void PoolFillsThenExchanges()
    {
        var pool = new TrainingPairPool(4, new DegradationRandom(1));
        Tensor Full(int b, int s, float v) => Tensor.Full(new[] { b, 1, s, s }, v, Device.Cpu);
        var (l1, _) = pool.Exchange(Full(2, 2, 1), Full(2, 8, 1));
        Assert.All(l1.ToArray(), v => Assert.Equal(1f, v));
        pool.Exchange(Full(2, 2, 2), Full(2, 8, 2));
        Assert.Equal(4, pool.Count);
        var (l3, g3) = pool.Exchange(Full(2, 2, 3), Full(2, 8, 3));
        // Returned pairs come from the pool (values 1 or 2), never the batch just given, and LQ/GT stay paired.
        var lv = l3.ToArray(); var gv = g3.ToArray();
        for (int i = 0; i < 2; i++)
        {
            Assert.Contains(lv[i * 4], new[] { 1f, 2f });
            Assert.Equal(lv[i * 4], gv[i * 64]);
        }
    }
}

public class DegradeVerbTests
{
    private static string Repo(string rel)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "NativeGan.sln"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, rel);
    }

    [Fact]
    public void ShippedConfigHasRealEsrganDefaults()
    {
        var o = DegradationConfig.Load(Repo("configs/realesrgan_degradations.yml"));
        var d = new DegradationOptions();
        Assert.Equal(d.kernel_list, o.kernel_list);
        Assert.Equal(d.kernel_prob, o.kernel_prob);
        Assert.Equal(d.blur_sigma2, o.blur_sigma2);
        Assert.Equal(d.resize_prob2, o.resize_prob2);
        Assert.Equal(d.noise_range2, o.noise_range2);
        Assert.Equal(d.poisson_scale_range, o.poisson_scale_range);
        Assert.Equal(0.8, o.final_sinc_prob, 6);
        Assert.Equal(180, o.queue_size);
    }

    [Fact]
    public void UnknownKeyIsAnErrorNamingKeyAndFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ng-degrade-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            string f = Path.Combine(dir, "bad.yml");
            File.WriteAllText(f, "scale: 4\ndatasets:\n  train:\n    blur_kernel_size: 21\n    blur_sigmaa: [0.2, 3]\n");
            var e = Assert.ThrowsAny<Exception>(() => DegradationConfig.Load(f));
            Assert.Contains("datasets.train.blur_sigmaa", e.Message);
            Assert.Contains(f, e.Message);
            File.WriteAllText(f, "resize_prob3: [0.2, 0.7, 0.1]\n");
            e = Assert.ThrowsAny<Exception>(() => DegradationConfig.Load(f));
            Assert.Contains("resize_prob3", e.Message);
            Assert.Contains(f, e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void DegradeVerbWritesGridOfTheRightSize()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ng-degrade-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            string outPng = Path.Combine(dir, "grid.png");
            string img = Path.Combine(AppContext.BaseDirectory, "fixtures", "srdata", "images", "astronaut.png");
            var stdout = new StringWriter(); var stderr = new StringWriter();
            int code = NativeGan.Cli.CliApp.Run(new[] { "degrade", "--config", Repo("configs/realesrgan_degradations.yml"),
                "--input", img, "--n", "4", "--out", outPng, "--seed", "3" }, stdout, stderr);
            Assert.True(code == 0, stderr.ToString());
            var header = ImageIO.ReadHeader(outPng);
            // astronaut is 96 x 96 -> GT crops of 96 (the largest multiple of 4 up to gt_size 256); 8 tiles in one row.
            Assert.Equal((96 + 2) * 8 + 2, header.Width);
            Assert.Equal(96 + 2 + 2, header.Height);
        }
        finally { Directory.Delete(dir, true); }
    }
}
