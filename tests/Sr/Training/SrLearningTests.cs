using System.Diagnostics;
using System.Globalization;
using NativeGan.Models.Data;
using NativeGan.Models.Metrics;
using NativeGan.Models.Sr.Data;
using NativeGan.Models.Sr.Training;
using NativeGan.Tests.Data;
using StbImageWriteSharp;
using static NativeGan.Tests.Sr.Training.SrTrainingTestUtil;

namespace NativeGan.Tests.Sr.Training;

/// <summary>Learning test: a tiny RRDBNet trained on the CPU beats bicubic PSNR on held-back crops.</summary>
[Collection(nameof(NativeGan.Tests.Engine.MemoryTests))]
public class SrLearningTests
{
    private static readonly string[] Photos = { "astronaut.png", "chelsea.png", "coffee.png" };

    /// <summary>Writes, for every fixture photo, either its left two thirds (columns [0, 2w/3)) or its right third
    /// (columns [2w/3, w)) as a PNG of its own into <paramref name="folder"/>: the training and held-back halves of
    /// a split by region. Each half gets its own LR (HrFolderSource makes it from the crop alone), so no GT pixel and
    /// no LR pixel of the held-back third is ever seen in training.</summary>
    internal static string WriteThirds(TempDir dir, string folder, bool trainPart)
    {
        var writer = new ImageWriter();
        foreach (var n in Photos)
        {
            var (rgb, w, h) = ImageDecoding.Decode8Bit(Path.Combine(FixtureImages, n), 3);
            int cut = w * 2 / 3, x0 = trainPart ? 0 : cut, cw = trainPart ? cut : w - cut;
            var part = new byte[cw * h * 3];
            for (int y = 0; y < h; y++) Array.Copy(rgb, (y * w + x0) * 3, part, y * cw * 3, cw * 3);
            using var fs = File.Create(dir.File($"{folder}/{n}"));
            writer.WritePng(part, cw, h, ColorComponents.RedGreenBlue, fs);
        }
        return Path.Combine(dir.Path, folder);
    }

    [Fact]
    public void ThirdsPartitionEachPhotoByColumns()
    {
        using var dir = new TempDir();
        string train = WriteThirds(dir, "train", trainPart: true), val = WriteThirds(dir, "val", trainPart: false);
        foreach (var n in Photos)
        {
            var (rgb, w, h) = ImageDecoding.Decode8Bit(Path.Combine(FixtureImages, n), 3);
            var (a, wa, ha) = ImageDecoding.Decode8Bit(Path.Combine(train, n), 3);
            var (b, wb, hb) = ImageDecoding.Decode8Bit(Path.Combine(val, n), 3);
            Assert.Equal((h, h, w), (ha, hb, wa + wb));
            Assert.Equal(w * 2 / 3, wa);
            for (int y = 0; y < h; y++)
            {
                Assert.Equal(rgb.AsSpan(y * w * 3, wa * 3), a.AsSpan(y * wa * 3, wa * 3));
                Assert.Equal(rgb.AsSpan((y * w + wa) * 3, wb * 3), b.AsSpan(y * wb * 3, wb * 3));
            }
        }
    }

    /// <summary>Mean PSNR (Y, crop border = scale, 8-bit rounded) of MATLAB-style bicubic upscaling over a validation set.</summary>
    private static double BicubicPsnr(SrValidationSet set, int scale)
    {
        double sum = 0;
        for (int i = 0; i < set.Count; i++)
        {
            var p = set.Get(i);
            var (up, h, w) = MatlabResize.Imresize(p.Lq, p.Channels, p.LqHeight, p.LqWidth, scale);
            Assert.Equal((p.GtHeight, p.GtWidth), (h, w));
            sum += SrMetrics.Psnr(up, p.Gt, p.Channels, h, w, scale, testYChannel: true, quantize: true);
        }
        return sum / set.Count;
    }

    /// <summary>
    /// A tiny BasicSR RRDBNet (x4, num_feat 24, one RRDB, growth 12) trained with L1 for 800 iterations on crops of the
    /// left two thirds of three photos beats MATLAB-style bicubic PSNR (Y channel, crop border 4, 8-bit rounded) on the
    /// held-back right thirds. Measured on the loaded 2-core CPU: 32.63 dB against bicubic's 32.05 (+0.58) in 17 to
    /// 25 s; seeds 2 and 3 gave +0.25 and +0.45.
    /// The levers, each chosen for a short CPU run:
    /// <list type="bullet">
    /// <item>Held-back crops of the same photos rather than a whole other photo: the model needs far fewer iterations
    /// to generalise within one kind of content. (Trained on two photos and validated on coffee.png, 3000 iterations
    /// reached 33.5 dB against bicubic's 34.1.)</item>
    /// <item>x4, not x2: at x2 bicubic is already strong (35.8 dB on these thirds) and 600 iterations reached only 32.8;
    /// at x4 the trunk runs at LR size (x2 pixel-unshuffles to the same cost) and bicubic leaves more to win.</item>
    /// <item>num_feat 24 / num_grow_ch 12 instead of 16 / 8: 16 / 8 also wins at 1000 iterations (+0.31 dB at lr 3e-3,
    /// +0.49 at 5e-3) but dips mid-run; the wider net learned smoothly and further in fewer iterations.</item>
    /// <item>batch_size 3 = one 32x32 GT patch of each training image per iteration: the loader has no
    /// dataset_enlarge_ratio, so a batch never holds more pairs than the source (a larger batch_size gives the same
    /// batches).</item>
    /// <item>Adam lr 3e-3 (15x BasicSR's 2e-4, which is tuned for 1M iterations), betas (0.9, 0.99) as BasicSR, cosine
    /// to 1e-5 over the run so the last iterations settle; EMA off (over 800 iterations the average lags behind G).</item>
    /// </list>
    /// The old 8000-iteration run that ended at 27.2 dB was most likely not a divergence but one of the transient loss
    /// spikes that lr 3e-3 with Adam and an effective batch of 2 produces (seen here too: a 16/8 net at lr 3e-3 fell
    /// from 28.7 to 27.6 dB between iterations 250 and 500, then recovered to 32.4); a long cosine keeps the lr high
    /// for thousands of iterations, so a spike can land near the end.
    /// </summary>
    [Fact]
    public void TinyRrdbNetBeatsBicubicOnHeldBackCrops()
    {
        const int scale = 4, iterations = 800;
        using var dir = new TempDir();
        string train = WriteThirds(dir, "train", trainPart: true);
        string val = WriteThirds(dir, "val", trainPart: false);
        string yaml = $"""
            model: rrdbnet_psnr
            scale: {scale}
            seed: 1
            device: cpu
            network_g: {"{"}type: RRDBNet, num_feat: 24, num_block: 1, num_grow_ch: 12{"}"}
            datasets:
              train: {"{"}dataroot_gt: {Q(train)}, gt_size: 32, batch_size: 3{"}"}
              val: {"{"}dataroot_gt: {Q(val)}{"}"}
            optimizers: {"{"}g: {"{"}lr: 3.0e-3, betas: [0.9, 0.99]{"}"}{"}"}
            scheduler: {"{"}type: CosineAnnealingRestartLR, periods: [{iterations}], restart_weights: [1], eta_min: 1.0e-5{"}"}
            ema_decay: 0
            total_iter: {iterations}
            val_freq: {iterations}
            save_checkpoint_freq: 0
            """;
        var sw = Stopwatch.StartNew();
        using var t = new SrTrainer(SrConfig.Parse(yaml, "learn.yml"), Path.Combine(dir.Path, "run"));
        Assert.Equal(3, t.ValSet!.Count);
        double untrained = t.Validate().Psnr;
        t.Run(cancellation: TestContext.Current.CancellationToken);
        var v = t.LastValidation!;
        Assert.Equal(iterations, v.Iteration);
        double bicubic = BicubicPsnr(t.ValSet, scale);
        var losses = File.ReadAllLines(t.CsvPath).Skip(1).Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        double first = losses.Take(10).Average(), last = losses.TakeLast(10).Average();
        string what = string.Create(CultureInfo.InvariantCulture,
            $"tiny RRDBNet x4 after {iterations} iterations ({sw.Elapsed.TotalSeconds:0.0} s): {v.Psnr:0.000} dB, bicubic {bicubic:0.000} dB " +
            $"(margin {v.Psnr - bicubic:+0.000;-0.000}), untrained {untrained:0.00} dB, L1 {first:0.0000} -> {last:0.0000} on the held-back thirds");
        TestContext.Current.TestOutputHelper?.WriteLine(what);
        Assert.True(last < first / 4, what);
        Assert.True(v.Psnr > bicubic, what);
    }
}
