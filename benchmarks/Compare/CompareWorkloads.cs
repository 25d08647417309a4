using NativeGan.Benchmarks.Harness;

namespace NativeGan.Benchmarks.Compare;

/// <summary>One workload NativeGan is measured against PyTorch on: a harness case (which checks its result before
/// timing) with the same name as its PyTorch twin in tools/torch_gpu_baseline.py, and the goal as a bound on the ratio
/// PyTorch time / our time.</summary>
internal sealed record CompareWorkload(string Name, string Description, Func<KernelCase> Make, double MinRatio, string Goal);

internal static class CompareWorkloads
{
    /// <summary>The CPU workloads (PyTorch 1.13, 2 threads), each with its goal.</summary>
    public static IReadOnlyList<CompareWorkload> Cpu { get; } = new CompareWorkload[]
    {
        new("gemm_1024", "SGEMM 1024^3", () => new GemmCase(1024), 0.5, ">= 0.5x OpenBLAS"),
        new("gemm_2048", "SGEMM 2048^3", () => new GemmCase(2048), 0.5, ">= 0.5x OpenBLAS"),
        new("conv_64_64_fwd", "conv 3x3 64->64, batch 16, 32x32, fwd", () => new Conv2dCase(16, 64, 64, 32, 32, forwardOnly: true), 0.5, "<= 2x PyTorch"),
        new("conv_64_64", "conv 3x3 64->64, batch 16, 32x32, fwd+bwd", () => new Conv2dCase(16, 64, 64, 32, 32), 0.5, "<= 2x PyTorch"),
        new("mlp_gan_step_32", "vanilla MLP GAN step, batch 32", () => new MlpGanStepCase(32), 1.0, "faster than PyTorch"),
        new("dcgan28_step_64", "DCGAN 28x28 (Fashion-MNIST) step, batch 64", () => new DcganStepCase(64, 28), 1 / 1.5, "<= 1.5x PyTorch"),
        new("rrdbnet_infer_64", "RRDBNet x4 (23 blocks) inference, 64x64", () => new RrdbNetCase(train: false, batch: 1, size: 64), 1 / 1.5, "<= 1.5x PyTorch"),
        new("rrdbnet_train_2x32", "RRDBNet x4 train step, batch 2, LR 32x32", () => new RrdbNetCase(train: true, batch: 2, size: 32), 0.5, "<= 2x PyTorch"),
        new("srvgg_infer_256", "realesr-general-x4v3 (SRVGGNetCompact) inference, 256x256", () => new SrvggNetCase(256), 1.0, "faster than PyTorch"),
    };

    /// <summary>The GPU workloads (PyTorch with cuDNN, TF32 off): the goal is to beat PyTorch on each.</summary>
    public static IReadOnlyList<CompareWorkload> Cuda { get; } = new CompareWorkload[]
    {
        new("rrdbnet_train_16x32", "RRDBNet x4 train step, batch 16, LR 32x32", () => new RrdbNetCase(train: true, batch: 16, size: 32), 1.0, "beat PyTorch"),
        new("rrdbnet_train_12x64", "RRDBNet x4 train step, batch 12, LR 64x64", () => new RrdbNetCase(train: true, batch: 12, size: 64), 1.0, "beat PyTorch"),
        new("rrdbnet_infer_256", "RRDBNet x4 inference, 256x256", () => new RrdbNetCase(train: false, batch: 1, size: 256), 1.0, "beat PyTorch"),
        new("srvgg_infer_256", "realesr-general-x4v3 (SRVGGNetCompact) inference, 256x256", () => new SrvggNetCase(256), 1.0, "beat PyTorch"),
        new("dcgan64_step_128", "DCGAN 64x64 step, batch 128", () => new DcganStepCase(128), 1.0, "beat PyTorch"),
        new("gemm_4096", "GEMM 4096^3", () => new GemmCase(4096), 1.0, "beat PyTorch"),
        new("conv_192_64", "conv 3x3 192->64, batch 16, 32x32, fwd+bwd", () => new Conv2dCase(16, 192, 64, 32, 32), 1.0, "beat PyTorch"),
        new("pixel_shuffle_16x256x64x64", "pixel_shuffle 16x256x64x64", () => new PixelShuffleCase(16, 256, 64, 64, 2), 1.0, "beat PyTorch"),
    };
}
