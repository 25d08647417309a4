namespace NativeGan.Models.Sr.Degradations;

/// <summary>
/// Real-ESRGAN's second-order degradation (realesrgan/models/realesrnet_model.py feed_data) on a batch of ground
/// truths in [0, 1], NCHW. Draws that Real-ESRGAN makes once per batch (resize direction, scale and mode, Gaussian
/// or Poisson, second blur, the order of the last steps, the crop window) are made once per batch here too; kernels,
/// noise levels and JPEG qualities are per image. The work runs on the host (per image in parallel, each image with
/// its own stream derived from the batch stream, so the result does not depend on the thread count) and the result
/// is put on <see cref="Device"/>. Reproducible from the seed; <see cref="GetState"/>/<see cref="SetState"/> resume.
/// </summary>
public sealed partial class RealEsrganDegradation
{
    private static readonly string[] Modes = { "area", "bilinear", "bicubic" };
    private readonly DegradationRandom rng;

    public RealEsrganDegradation(DegradationOptions options, Device device, ulong seed)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        Device = device ?? throw new ArgumentNullException(nameof(device));
        rng = new DegradationRandom(seed);
        Validate(options);
    }

    public DegradationOptions Options { get; }

    /// <summary>Whether stage one starts from the USM-sharpened GT (RealESRGANModel: always) or from the batch as
    /// given (RealESRNetModel sharpens the whole GT itself when gt_usm is on, or not at all).</summary>
    public bool SharpenBeforeDegrading { get; set; } = true;
    public Device Device { get; }

    /// <summary>The random stream's position (with the seed, the whole state).</summary>
    public (ulong Seed, ulong Position) GetState() => (rng.Seed, rng.Position);

    public void SetState(ulong position) => rng.Position = position;

    /// <summary>The host stream, shared with a <see cref="TrainingPairPool"/> built from this degradation.</summary>
    public DegradationRandom Random => rng;

    private static void Validate(DegradationOptions o)
    {
        void Range(double[] r, string key, double lo = double.NegativeInfinity)
        {
            if (r is null || r.Length != 2 || r[0] > r[1] || r[0] < lo)
                throw new ArgumentException($"degradation options: {key} must be [low, high] with low <= high{(double.IsNegativeInfinity(lo) ? "" : $" and low >= {lo}")}, got [{(r is null ? "" : string.Join(", ", r))}].");
        }
        Range(o.blur_sigma, "blur_sigma", 0); Range(o.blur_sigma2, "blur_sigma2", 0);
        Range(o.betag_range, "betag_range", 0); Range(o.betag_range2, "betag_range2", 0);
        Range(o.betap_range, "betap_range", 0); Range(o.betap_range2, "betap_range2", 0);
        Range(o.resize_range, "resize_range", 0); Range(o.resize_range2, "resize_range2", 0);
        Range(o.noise_range, "noise_range", 0); Range(o.noise_range2, "noise_range2", 0);
        Range(o.poisson_scale_range, "poisson_scale_range", 0); Range(o.poisson_scale_range2, "poisson_scale_range2", 0);
        Range(o.jpeg_range, "jpeg_range", 1); Range(o.jpeg_range2, "jpeg_range2", 1);
        if (o.jpeg_range[1] > 100 || o.jpeg_range2[1] > 100)
            throw new ArgumentException($"degradation options: JPEG qualities must be within [1, 100], got jpeg_range [{string.Join(", ", o.jpeg_range)}], jpeg_range2 [{string.Join(", ", o.jpeg_range2)}].");
        if (o.kernel_list.Length != o.kernel_prob.Length)
            throw new ArgumentException($"degradation options: kernel_list has {o.kernel_list.Length} entries but kernel_prob has {o.kernel_prob.Length}.");
        if (o.kernel_list2.Length != o.kernel_prob2.Length)
            throw new ArgumentException($"degradation options: kernel_list2 has {o.kernel_list2.Length} entries but kernel_prob2 has {o.kernel_prob2.Length}.");
        if (o.resize_prob.Length != 3 || o.resize_prob2.Length != 3)
            throw new ArgumentException($"degradation options: resize_prob and resize_prob2 must have 3 entries (up, down, keep), got {o.resize_prob.Length} and {o.resize_prob2.Length}.");
        if (o.scale < 1 || o.gt_size < o.scale || o.gt_size % o.scale != 0)
            throw new ArgumentException($"degradation options: gt_size ({o.gt_size}) must be a positive multiple of scale ({o.scale}).");
    }

    /// <summary>
    /// Degrades <paramref name="gtBatch"/> ([B, 3, H, W] in [0, 1], H and W at least gt_size) and returns the
    /// paired crops: LQ [B, 3, gt_size/scale, gt_size/scale], GT and USM-sharpened GT [B, 3, gt_size, gt_size]
    /// (stage one starts from the USM of the whole GT; the returned USM GT is the USM of the crop, as Real-ESRGAN).
    /// The pair pool is not applied here (see <see cref="TrainingPairPool"/>; sharpen the GT it returns with
    /// <see cref="Sharpen"/>, as Real-ESRGAN does after its queue).
    /// </summary>
    public (Tensor Lq, Tensor Gt, Tensor GtUsm) Degrade(Tensor gtBatch)
    {
        ArgumentNullException.ThrowIfNull(gtBatch);
        var shape = gtBatch.Shape;
        var o = Options;
        if (shape.Count != 4 || shape[1] != 3 || shape[2] < o.gt_size || shape[3] < o.gt_size)
            throw new ArgumentException($"degrade: expected a ground-truth batch [B, 3, H, W] with H, W >= gt_size {o.gt_size}, got [{string.Join(", ", shape)}].");
        if (RunOnDevice) return DegradeOnDevice(gtBatch);
        int b = shape[0], h = shape[2], w = shape[3], plane = 3 * h * w;
        var all = gtBatch.ToArray();
        var gts = new PlanarImage[b];
        for (int i = 0; i < b; i++) gts[i] = new PlanarImage(3, h, w, all.AsSpan(i * plane, plane).ToArray());

        // Batch-wide draws, in Real-ESRGAN's order.
        var draws = BatchDraws.Draw(rng, o, b);
        var (scale1, mode1, gauss1, blur2, scale2, mode2, gauss2, resizeFirst, mode3, seeds) = draws;
        var (h1, w1, h2, w2, hl, wl) = draws.Sizes(h, w, o.scale);

        var usmFull = new PlanarImage[b];
        var lq = new PlanarImage[b];
        Parallel.For(0, b, i =>
        {
            var r = new DegradationRandom(seeds[i]);
            var k1 = BlurKernels.SampleKernel(r, o.kernel_list, o.kernel_prob, o.sinc_prob, o.blur_sigma, o.betag_range, o.betap_range);
            var k2 = BlurKernels.SampleKernel(r, o.kernel_list2, o.kernel_prob2, o.sinc_prob2, o.blur_sigma2, o.betag_range2, o.betap_range2);
            var sinc = BlurKernels.SampleFinalKernel(r, o.final_sinc_prob);
            usmFull[i] = SharpenBeforeDegrading ? HostImageOps.UsmSharp(gts[i]) : gts[i];
            // Stage one (from the sharpened GT, as Real-ESRGAN).
            var x = HostImageOps.Filter2D(usmFull[i], k1, 21);
            x = HostImageOps.Resize(x, h1, w1, mode1, 1 / scale1, 1 / scale1);
            Noise(x, r, gauss1, o.noise_range, o.poisson_scale_range, o.gray_noise_prob);
            x = HostImageOps.Jpeg(x, (int)Math.Round(r.Uniform(o.jpeg_range[0], o.jpeg_range[1])));
            // Stage two.
            if (blur2) x = HostImageOps.Filter2D(x, k2, 21);
            x = HostImageOps.Resize(x, h2, w2, mode2, (double)x.H / h2, (double)x.W / w2);
            Noise(x, r, gauss2, o.noise_range2, o.poisson_scale_range2, o.gray_noise_prob2);
            int q2 = (int)Math.Round(r.Uniform(o.jpeg_range2[0], o.jpeg_range2[1]));
            if (resizeFirst)
            {
                x = HostImageOps.Resize(x, hl, wl, mode3, (double)x.H / hl, (double)x.W / wl);
                x = HostImageOps.Filter2D(x, sinc, 21);
                Clamp(x);
                x = HostImageOps.Jpeg(x, q2);
            }
            else
            {
                Clamp(x);
                x = HostImageOps.Jpeg(x, q2);
                x = HostImageOps.Resize(x, hl, wl, mode3, (double)x.H / hl, (double)x.W / wl);
                x = HostImageOps.Filter2D(x, sinc, 21);
            }
            // Quantise to 8 bits: clamp(round(x * 255), 0, 255) / 255.
            for (int t = 0; t < x.Data.Length; t++)
                x.Data[t] = (float)(Math.Clamp(Math.Round(x.Data[t] * 255.0, MidpointRounding.ToEven), 0, 255) / 255.0);
            lq[i] = x;
        });

        // Paired random crop (BasicSR paired_random_crop: one window for the batch).
        int lqPatch = o.gt_size / o.scale;
        int top = rng.RandInt(0, hl - lqPatch), left = rng.RandInt(0, wl - lqPatch);
        var lqT = ToTensor(lq, top, left, lqPatch);
        var gtT = ToTensor(gts, top * o.scale, left * o.scale, o.gt_size);
        // Real-ESRGAN sharpens again after the crop (and the pool): the returned USM GT is USM of the cropped GT.
        return (lqT, gtT, Sharpen(gtT));
    }

    /// <summary>USM sharpening (BasicSR USMSharp, radius 50, weight 0.5, threshold 10) of a batch [B, C, H, W].</summary>
    public Tensor Sharpen(Tensor gt)
    {
        var s = gt.Shape;
        if (s.Count != 4) throw new ArgumentException($"sharpen: expected [B, C, H, W], got [{string.Join(", ", s)}].");
        if (RunOnDevice) return SharpenOnDevice(gt);
        int b = s[0], c = s[1], h = s[2], w = s[3], n = c * h * w;
        var all = gt.ToArray();
        var outp = new float[all.Length];
        Parallel.For(0, b, i =>
        {
            var r = HostImageOps.UsmSharp(new PlanarImage(c, h, w, all.AsSpan(i * n, n).ToArray()));
            r.Data.CopyTo(outp, i * n);
        });
        return Tensor.FromArray(outp, new[] { b, c, h, w }, Device);
    }

    private static void Noise(PlanarImage x, DegradationRandom r, bool gaussian, double[] sigmaRange, double[] poissonRange, double grayProb)
    {
        if (gaussian)
        {
            double sigma = r.Uniform(sigmaRange[0], sigmaRange[1]);
            bool gray = r.Uniform() < grayProb;
            HostImageOps.AddGaussianNoise(x, sigma, gray, r);
        }
        else
        {
            double scale = r.Uniform(poissonRange[0], poissonRange[1]);
            bool gray = r.Uniform() < grayProb;
            HostImageOps.AddPoissonNoise(x, scale, gray, r);
        }
    }

    private static void Clamp(PlanarImage x)
    {
        for (int t = 0; t < x.Data.Length; t++) x.Data[t] = Math.Clamp(x.Data[t], 0f, 1f);
    }

    private Tensor ToTensor(PlanarImage[] imgs, int top, int left, int size)
    {
        int b = imgs.Length, c = imgs[0].C;
        var data = new float[b * c * size * size];
        for (int i = 0; i < b; i++)
        {
            var im = imgs[i];
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < size; y++)
                    im.Data.AsSpan((ch * im.H + top + y) * im.W + left, size)
                        .CopyTo(data.AsSpan(((i * c + ch) * size + y) * size, size));
        }
        return Tensor.FromArray(data, new[] { b, c, size, size }, Device);
    }
}
