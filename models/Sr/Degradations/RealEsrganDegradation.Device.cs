namespace NativeGan.Models.Sr.Degradations;

/// <summary>
/// The device pipeline of <see cref="RealEsrganDegradation"/>: the same steps, draws and random streams as the host
/// pipeline, but every image operation runs batched as engine ops on <see cref="RealEsrganDegradation.Device"/>
/// (<see cref="DeviceImageOps"/>). What stays on the host: the random draws (kernels, noise values; the per-image
/// streams are the host's, so CPU and CUDA give the same LR from a seed up to float rounding), Poisson sampling
/// (its draws depend on the pixel values: the batch is downloaded, the noise drawn per image in parallel and
/// uploaded), and real JPEG (download, encode / decode per image in parallel, upload).
/// </summary>
public sealed partial class RealEsrganDegradation
{
    private bool? runOnDevice;

    /// <summary>
    /// Whether <see cref="Degrade"/> and <see cref="Sharpen"/> run the device pipeline. Default: on any device but
    /// the CPU backend (on the CPU the host pipeline runs on the same cores with less work); set to force either.
    /// </summary>
    public bool RunOnDevice
    {
        get => runOnDevice ?? Device.Kind != DeviceKind.Cpu;
        set => runOnDevice = value;
    }

    private (Tensor Lq, Tensor Gt, Tensor GtUsm) DegradeOnDevice(Tensor gtBatch)
    {
        var o = Options;
        int b = gtBatch.Shape[0], h = gtBatch.Shape[2], w = gtBatch.Shape[3];
        var d = BatchDraws.Draw(rng, o, b);
        var (h1, w1, h2, w2, hl, wl) = d.Sizes(h, w, o.scale);

        // Per-image streams and kernels, drawn in the host pipeline's order.
        var streams = d.Seeds.Select(s => new DegradationRandom(s)).ToArray();
        var k1 = new double[b][];
        var k2 = new double[b][];
        var sinc = new double[b][];
        for (int i = 0; i < b; i++)
        {
            var r = streams[i];
            k1[i] = BlurKernels.SampleKernel(r, o.kernel_list, o.kernel_prob, o.sinc_prob, o.blur_sigma, o.betag_range, o.betap_range);
            k2[i] = BlurKernels.SampleKernel(r, o.kernel_list2, o.kernel_prob2, o.sinc_prob2, o.blur_sigma2, o.betag_range2, o.betap_range2);
            sinc[i] = BlurKernels.SampleFinalKernel(r, o.final_sinc_prob);
        }

        using var noGrad = Tensor.NoGrad();
        using var scope = Tensor.Scope();
        var gt = gtBatch.To(Device);
        // Stage one (from the sharpened GT, as Real-ESRGAN).
        var x = SharpenBeforeDegrading ? DeviceImageOps.UsmSharp(gt) : gt;
        x = DeviceImageOps.Filter2D(x, k1, 21);
        x = DeviceImageOps.Resize(x, h1, w1, d.Mode1, 1 / d.Scale1, 1 / d.Scale1);
        x = DeviceNoise(x, streams, d.Gauss1, o.noise_range, o.poisson_scale_range, o.gray_noise_prob);
        x = DeviceImageOps.Jpeg(x, Qualities(streams, o.jpeg_range));
        // Stage two.
        if (d.Blur2) x = DeviceImageOps.Filter2D(x, k2, 21);
        x = DeviceImageOps.Resize(x, h2, w2, d.Mode2, (double)h1 / h2, (double)w1 / w2);
        x = DeviceNoise(x, streams, d.Gauss2, o.noise_range2, o.poisson_scale_range2, o.gray_noise_prob2);
        var q2 = Qualities(streams, o.jpeg_range2);
        if (d.ResizeFirst)
        {
            x = DeviceImageOps.Resize(x, hl, wl, d.Mode3, (double)h2 / hl, (double)w2 / wl);
            x = DeviceImageOps.Filter2D(x, sinc, 21);
            x = DeviceImageOps.Jpeg(x.Clamp(0f, 1f), q2);
        }
        else
        {
            x = DeviceImageOps.Jpeg(x.Clamp(0f, 1f), q2);
            x = DeviceImageOps.Resize(x, hl, wl, d.Mode3, (double)h2 / hl, (double)w2 / wl);
            x = DeviceImageOps.Filter2D(x, sinc, 21);
        }
        x = DeviceImageOps.Quantize8(x);

        // Paired random crop (one window for the batch), then USM of the cropped GT, as the host pipeline.
        int lqPatch = o.gt_size / o.scale;
        int top = rng.RandInt(0, hl - lqPatch), left = rng.RandInt(0, wl - lqPatch);
        var lq = x.Narrow(2, top, lqPatch).Narrow(3, left, lqPatch).Contiguous();
        var gtCrop = gt.Narrow(2, top * o.scale, o.gt_size).Narrow(3, left * o.scale, o.gt_size).Contiguous();
        if (ReferenceEquals(gtCrop, gtBatch)) gtCrop = gtCrop.Mul(1f); // never hand the caller's tensor back as a new one
        var usm = DeviceImageOps.UsmSharp(gtCrop);
        return (lq.MoveToOuterScope(), gtCrop.MoveToOuterScope(), usm.MoveToOuterScope());
    }

    private static int[] Qualities(DegradationRandom[] streams, double[] range) =>
        streams.Select(r => (int)Math.Round(r.Uniform(range[0], range[1]))).ToArray();

    /// <summary>
    /// Gaussian or Poisson noise as the host pipeline's Noise: per image, the level and gray draws then the values
    /// from the image's stream (images in parallel); added and clamped on the device.
    /// </summary>
    private static Tensor DeviceNoise(Tensor x, DegradationRandom[] streams, bool gaussian, double[] sigmaRange, double[] poissonRange, double grayProb)
    {
        int b = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3], n = c * h * w;
        var noise = new float[b * n];
        float[]? image = gaussian ? null : x.ToArray();
        Parallel.For(0, b, i =>
        {
            var r = streams[i];
            if (gaussian)
            {
                double sigma = r.Uniform(sigmaRange[0], sigmaRange[1]);
                bool gray = r.Uniform() < grayProb;
                HostImageOps.GaussianNoise(c, h, w, sigma, gray, r).CopyTo(noise, i * n);
            }
            else
            {
                double scale = r.Uniform(poissonRange[0], poissonRange[1]);
                bool gray = r.Uniform() < grayProb;
                HostImageOps.PoissonNoise(new PlanarImage(c, h, w, image!.AsSpan(i * n, n).ToArray()), scale, gray, r).CopyTo(noise, i * n);
            }
        });
        return DeviceImageOps.AddNoiseClamped(x, noise);
    }

    private Tensor SharpenOnDevice(Tensor gt)
    {
        using var noGrad = Tensor.NoGrad();
        using var scope = Tensor.Scope();
        return DeviceImageOps.UsmSharp(gt.To(Device)).MoveToOuterScope();
    }
}
