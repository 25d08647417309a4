using BenchmarkDotNet.Attributes;
using NativeGan.Models.Sr.Degradations;

namespace NativeGan.Benchmarks;

/// <summary>
/// Real-ESRGAN's degradation pipeline at Real-ESRGAN's training shape: batch 12 of 400 x 400 GT sub-images (the
/// prepared crops), cropped to GT 256 / LR 64 at x4, default options, on the CPU. Pairs per second = 12 / mean.
/// The input is a smooth deterministic pattern with texture (the cost does not depend on the content except for
/// JPEG entropy coding and Poisson sampling).
/// </summary>
public class DegradationBenchmarks
{
    private const int Batch = 12, Size = 400;
    private RealEsrganDegradation degradation = null!;
    private Tensor gt = null!;

    [GlobalSetup]
    public void Setup()
    {
        degradation = new RealEsrganDegradation(new DegradationOptions(), Device.Cpu, 1);
        var data = new float[Batch * 3 * Size * Size];
        for (int i = 0; i < data.Length; i++)
        {
            int x = i % Size, y = i / Size % Size, c = i / (Size * Size) % 3;
            data[i] = 0.5f + 0.25f * MathF.Sin(x * 0.05f + c) * MathF.Cos(y * 0.07f) + 0.1f * MathF.Sin(x * y * 0.001f);
        }
        gt = Tensor.FromArray(data, new[] { Batch, 3, Size, Size }, Device.Cpu);
    }

    [Benchmark]
    public void DegradeBatch12Gt256()
    {
        using var scope = Tensor.Scope();
        degradation.Degrade(gt);
    }
}
