using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using NativeGan.Models.Sr.Degradations;

namespace NativeGan.Benchmarks;

/// <summary>
/// Real-ESRGAN's degradation pipeline at Real-ESRGAN's training shape: batch 12 of 400 x 400 GT sub-images (the
/// prepared crops, crop_pad 400), cropped to GT 256 / LR 64 at x4, default options. Pairs per second = 12 / mean.
/// The input is a smooth deterministic pattern with texture (the cost does not depend on the content except for
/// JPEG entropy coding and Poisson sampling). <see cref="OnDevice"/> picks the host pipeline (per image on the
/// cores) or the device pipeline (batched engine ops) on the CPU backend; <see cref="Run"/> times either on any
/// device (`NativeGan.Benchmarks degrade --device cuda`).
/// </summary>
public class DegradationBenchmarks
{
    private const int Batch = 12, Size = 400;
    private RealEsrganDegradation degradation = null!;
    private Tensor gt = null!;

    [Params(false, true)]
    public bool OnDevice { get; set; }

    /// <summary>The batch of GT sub-images [12, 3, 400, 400] on <paramref name="device"/>.</summary>
    public static Tensor MakeGt(Device device)
    {
        var data = new float[Batch * 3 * Size * Size];
        for (int i = 0; i < data.Length; i++)
        {
            int x = i % Size, y = i / Size % Size, c = i / (Size * Size) % 3;
            data[i] = 0.5f + 0.25f * MathF.Sin(x * 0.05f + c) * MathF.Cos(y * 0.07f) + 0.1f * MathF.Sin(x * y * 0.001f);
        }
        return Tensor.FromArray(data, new[] { Batch, 3, Size, Size }, device);
    }

    [GlobalSetup]
    public void Setup()
    {
        degradation = new RealEsrganDegradation(new DegradationOptions(), Device.Cpu, 1) { RunOnDevice = OnDevice };
        gt = MakeGt(Device.Cpu);
    }

    [Benchmark]
    public void DegradeBatch12Gt256()
    {
        using var scope = Tensor.Scope();
        degradation.Degrade(gt);
    }

    /// <summary>
    /// `degrade [--device cpu|cuda|ilgpu-cpu] [--pipeline host|device] [--batches N]`: times N batches (after one
    /// warm-up batch; the GT batch is on the device, the LR is read back each batch so the device work is done)
    /// and prints the median and mean pairs per second. Default: the device's own pipeline (host on the CPU).
    /// </summary>
    public static int Run(string[] args)
    {
        string spec = "cpu";
        string? pipeline = null;
        int batches = 5;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"degrade: {args[i]} needs a value.");
            switch (args[i])
            {
                case "--device": spec = Next(); break;
                case "--pipeline": pipeline = Next(); break;
                case "--batches": batches = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"degrade: unknown argument '{args[i]}'; expected --device, --pipeline host|device, --batches N.");
            }
        }
        if (pipeline is not (null or "host" or "device"))
            throw new ArgumentException($"degrade: --pipeline must be host or device, got '{pipeline}'.");
        var device = Device.Parse(spec);
        var deg = new RealEsrganDegradation(new DegradationOptions(), device, 1);
        if (pipeline != null) deg.RunOnDevice = pipeline == "device";
        using var gt = MakeGt(device);
        Console.WriteLine($"degrade_b12_256: {device} ({device.Name}), {(deg.RunOnDevice ? "device" : "host")} pipeline, batch {Batch} of {Size}x{Size} -> GT 256 / LR 64, {batches} batches after 1 warm-up");
        if (File.Exists("/proc/loadavg"))
            Console.WriteLine($"host load average (1/5/15 min): {string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3))} on {Environment.ProcessorCount} cores");
        var seconds = new List<double>();
        for (int b = 0; b <= batches; b++)
        {
            var sw = Stopwatch.StartNew();
            using (var scope = Tensor.Scope())
            {
                var (lq, _, _) = deg.Degrade(gt);
                lq.ToArray();
            }
            device.Synchronize();
            if (b > 0) seconds.Add(sw.Elapsed.TotalSeconds);
            Console.WriteLine($"  batch {b}{(b == 0 ? " (warm-up)" : "")}: {sw.Elapsed.TotalSeconds:0.000} s");
        }
        seconds.Sort();
        double median = seconds[seconds.Count / 2], mean = seconds.Average();
        Console.WriteLine($"median {median:0.000} s/batch = {Batch / median:0.0} pairs/s; mean {mean:0.000} s = {Batch / mean:0.0} pairs/s");
        return 0;
    }
}
