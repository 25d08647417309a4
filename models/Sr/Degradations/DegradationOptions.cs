namespace NativeGan.Models.Sr.Degradations;

/// <summary>
/// Real-ESRGAN's degradation settings, named as in its option files (options/train_realesrnet_x4plus.yml): the
/// first-stage kernel keys of <c>datasets.train</c>, the second-stage "*2" keys and the top-level resize / noise /
/// JPEG keys. Defaults are Real-ESRGAN's.
/// </summary>
public sealed record DegradationOptions
{
    public static readonly string[] DefaultKernelList = { "iso", "aniso", "generalized_iso", "generalized_aniso", "plateau_iso", "plateau_aniso" };
    public static readonly double[] DefaultKernelProb = { 0.45, 0.25, 0.12, 0.03, 0.12, 0.03 };

    public int blur_kernel_size { get; init; } = 21;
    public string[] kernel_list { get; init; } = DefaultKernelList;
    public double[] kernel_prob { get; init; } = DefaultKernelProb;
    public double sinc_prob { get; init; } = 0.1;
    public double[] blur_sigma { get; init; } = { 0.2, 3 };
    public double[] betag_range { get; init; } = { 0.5, 4 };
    public double[] betap_range { get; init; } = { 1, 2 };

    public int blur_kernel_size2 { get; init; } = 21;
    public string[] kernel_list2 { get; init; } = DefaultKernelList;
    public double[] kernel_prob2 { get; init; } = DefaultKernelProb;
    public double sinc_prob2 { get; init; } = 0.1;
    public double[] blur_sigma2 { get; init; } = { 0.2, 1.5 };
    public double[] betag_range2 { get; init; } = { 0.5, 4 };
    public double[] betap_range2 { get; init; } = { 1, 2 };

    public double final_sinc_prob { get; init; } = 0.8;

    public double[] resize_prob { get; init; } = { 0.2, 0.7, 0.1 };
    public double[] resize_range { get; init; } = { 0.15, 1.5 };
    public double gaussian_noise_prob { get; init; } = 0.5;
    public double[] noise_range { get; init; } = { 1, 30 };
    public double[] poisson_scale_range { get; init; } = { 0.05, 3 };
    public double gray_noise_prob { get; init; } = 0.4;
    public double[] jpeg_range { get; init; } = { 30, 95 };

    public double second_blur_prob { get; init; } = 0.8;
    public double[] resize_prob2 { get; init; } = { 0.3, 0.4, 0.3 };
    public double[] resize_range2 { get; init; } = { 0.3, 1.2 };
    public double gaussian_noise_prob2 { get; init; } = 0.5;
    public double[] noise_range2 { get; init; } = { 1, 25 };
    public double[] poisson_scale_range2 { get; init; } = { 0.05, 2.5 };
    public double gray_noise_prob2 { get; init; } = 0.4;
    public double[] jpeg_range2 { get; init; } = { 30, 95 };

    public int gt_size { get; init; } = 256;
    public int queue_size { get; init; } = 180;
    public int scale { get; init; } = 4;
}
