using System.Diagnostics;
using System.Globalization;
using NativeGan.Memory;
using NativeGan.Models.Gans;
using NativeGan.Models.ImageToImage;
using NativeGan.Models.Sr.Training;
using NativeGan.Models.Training;
using NativeGan.Profiling;

namespace NativeGan.Models.Profiling;

/// <summary>What <c>nativegan profile</c> measured: the events of the profiled steps, their wall time and the
/// allocator's figures over them.</summary>
public sealed record ProfileResult(string What, Device Device, int Steps, double StepWallUs, IReadOnlyList<KernelEvent> Kernels,
    IReadOnlyList<PhaseEvent> Phases, MemoryStats Memory, MemoryStats MemoryBefore)
{
    public string Table() => ProfileReport.Table(Kernels, StepWallUs, Steps) +
        string.Create(CultureInfo.InvariantCulture,
            $"allocator: peak {Memory.PeakLiveBytes / 1048576.0:F2} MiB, {Memory.Reuses - MemoryBefore.Reuses} cache hits, " +
            $"{Memory.RawAllocations - MemoryBefore.RawAllocations} fresh allocations, cached {Memory.CachedBytes / 1048576.0:F2} MiB\n");

    public void WriteTrace(string path)
    {
        string tmp = path + ".tmp";
        using (var f = File.Create(tmp)) ProfileReport.WriteTrace(f, Kernels, Phases);
        File.Move(tmp, path, overwrite: true);
    }
}

/// <summary>Runs training steps of a model config (GAN, ProGAN, Pix2Pix / CycleGAN or SR), or one op at a shape, under the profiler.</summary>
public static class ProfileRun
{
    /// <summary>Profiles <paramref name="steps"/> training steps after <paramref name="warmup"/> unprofiled ones.
    /// The trainer runs in a temporary folder that is deleted afterwards.</summary>
    public static ProfileResult Config(string configPath, int steps = 20, int warmup = 5, Device? device = null,
        Func<TrainerBase, IReadOnlyList<LossValue>>? onStep = null)
    {
        if (steps < 1) throw new ArgumentException($"profile: --steps must be >= 1, got {steps}.");
        if (warmup < 0) throw new ArgumentException($"profile: --warmup must be >= 0, got {warmup}.");
        string dir = Path.Combine(Path.GetTempPath(), "nativegan-profile-" + Guid.NewGuid().ToString("N"));
        try
        {
            TrainerBase trainer;
            if (SrConfig.IsSrConfigFile(configPath))
            {
                var c = SrConfig.Load(configPath);
                device ??= c.ResolveDevice();
                c.TotalIter = Math.Max(c.TotalIter, warmup + steps);
                trainer = new SrTrainer(c, dir, device);
            }
            else if (ProGanConfig.IsProGanConfigFile(configPath))
            {
                var c = ProGanConfig.Load(configPath);
                device ??= c.ResolveDevice();
                c.Iterations = Math.Max(c.ResolvedIterations, warmup + steps);
                trainer = new ProGanTrainer(c, dir, device);
            }
            else if (I2iConfig.IsI2iConfigFile(configPath))
            {
                var c = I2iConfig.Load(configPath);
                device ??= c.ResolveDevice();
                c.Iterations = Math.Max(c.Iterations ?? 0, warmup + steps);
                trainer = new I2iTrainer(c, dir, device);
            }
            else
            {
                var c = GanConfig.Load(configPath);
                device ??= c.ResolveDevice();
                c.Iterations = Math.Max(c.Iterations, warmup + steps);
                trainer = new GanTrainer(c, dir, device);
            }
            using (trainer)
                return Measure(Path.GetFileName(configPath), device, steps, warmup, () => trainer.RunOneIteration());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Runs <paramref name="step"/> warmup times, then profiles it steps times (one sync per step end).</summary>
    public static ProfileResult Measure(string what, Device device, int steps, int warmup, Action step)
    {
        for (int i = 0; i < warmup; i++) step();
        device.Synchronize();
        device.ResetPeakMemory();
        var before = device.MemoryStats;
        Profiler.Start(device);
        var watch = new Stopwatch();
        try
        {
            for (int i = 0; i < steps; i++)
            {
                watch.Start();
                step();
                device.Synchronize();
                watch.Stop();
            }
        }
        finally
        {
            Profiler.Stop();
        }
        return new ProfileResult(what, device, steps, watch.Elapsed.TotalMicroseconds, Profiler.Kernels.ToArray(), Profiler.Phases.ToArray(),
            device.MemoryStats, before);
    }

    /// <summary>The ops <c>--op</c> knows and the shapes they take.</summary>
    public const string OpHelp = "conv2d NxCxHxW,OxCxKHxKW (padding KH/2) | matmul MxK,KxN | add NxC..,NxC.. | pixel_shuffle NxCxHxW,r";

    /// <summary>Times one op at a shape, forward and backward (sum of the output, then backward).</summary>
    public static ProfileResult Op(string op, string shape, Device device, int steps = 20, int warmup = 5)
    {
        var parts = shape.Split(',', StringSplitOptions.TrimEntries);
        int[] Dims(int i)
        {
            if (i >= parts.Length) throw new ArgumentException($"profile --op {op}: expected --shape {OpHelp}, got '{shape}'.");
            try { return parts[i].Split('x').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); }
            catch (FormatException) { throw new ArgumentException($"profile --op {op}: '{parts[i]}' is not a shape like 16x64x32x32 (in --shape '{shape}')."); }
        }
        var gen = new Generator(0);
        Tensor In(int[] s) { var t = Tensor.Randn(s, device, gen); t.RequiresGrad = true; return t; }
        Func<Tensor> forward = op switch
        {
            "conv2d" => Bind(In(Dims(0)), In(Dims(1)), (x, w) => Tensor.Conv2d(x, w, null, 1, w.Size(2) / 2)),
            "matmul" => Bind(In(Dims(0)), In(Dims(1)), (a, b) => a.Matmul(b)),
            "add" => Bind(In(Dims(0)), In(parts.Length > 1 ? Dims(1) : Dims(0)), (a, b) => a.Add(b)),
            "pixel_shuffle" => BindOne(In(Dims(0)), Dims(1)[0], (x, r) => x.PixelShuffle(r)),
            _ => throw new ArgumentException($"profile: unknown --op '{op}'; expected one of {OpHelp}."),
        };
        return Measure($"{op} {shape}", device, steps, warmup, () =>
        {
            using var scope = Tensor.Scope();
            Tensor y;
            using (Profiler.Phase("forward")) y = forward();
            using (Profiler.Phase("backward")) y.Sum().Backward();
        });
    }

    private static Func<Tensor> Bind(Tensor a, Tensor b, Func<Tensor, Tensor, Tensor> f) => () => f(a, b);
    private static Func<Tensor> BindOne(Tensor a, int r, Func<Tensor, int, Tensor> f) => () => f(a, r);
}
