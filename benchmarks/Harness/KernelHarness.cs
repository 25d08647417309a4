using System.Globalization;

namespace NativeGan.Benchmarks.Harness;

/// <summary>
/// The device kernel harness: for each case on the chosen device, check one result against a host reference,
/// warm up, time repeated calls with device events (ILGPU) or a Stopwatch (CPU), and print time per call,
/// GB/s or GFLOP/s, and the ratio to PyTorch times read from an optional baseline file.
/// Exit codes: 0 all cases passed or were skipped, 1 bad arguments, 2 a case failed or the run could not start.
/// </summary>
internal static class KernelHarness
{
    public static int Run(string[] args)
    {
        HarnessOptions options;
        try
        {
            options = HarnessOptions.Parse(args);
        }
        catch (HarnessOptions.HelpRequested)
        {
            Console.WriteLine(HarnessOptions.Usage);
            return 0;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine(HarnessOptions.Usage);
            return 1;
        }

        try
        {
            return Run(options, Console.Out);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    public static int Run(HarnessOptions options, TextWriter w)
    {
        var baselines = Baselines.Load(options.BaselinePath);
        var device = Device.Parse(options.DeviceSpec);
        var timer = DeviceTimer.For(device);
        var cases = CasesFor(device.Kind, options.Quick)
            .Where(c => options.Filters.Length == 0 || options.Filters.Any(f => c.Name.Contains(f, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        if (cases.Count == 0)
            throw new ArgumentException($"no case matches --cases {string.Join(",", options.Filters)}.");

        w.WriteLine($"NativeGan kernel harness, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        w.WriteLine($"device: {device} - {device.Name}{(device.Kind == DeviceKind.Cpu ? $" - {HostCpuModel()}" : "")}");
        w.WriteLine($"timing: {timer.Description}; median of {options.Trials} trial(s)"
            + (options.Reps > 0 ? $" of {options.Reps} calls" : $" of ~{options.TargetSeconds:0.0#} s each"));
        if (File.Exists("/proc/loadavg"))
            w.WriteLine($"host load average (1/5/15 min): {string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3))} on {Environment.ProcessorCount} cores");
        if (device.Kind == DeviceKind.IlgpuCpu)
            w.WriteLine("note: ilgpu-cpu emulates the CUDA kernels on the host, so the sizes are tiny and the times say nothing about a GPU.");
        if (options.BaselinePath != null)
            w.WriteLine($"baseline: {options.BaselinePath} ({baselines.Count} case(s)); vs PyTorch = PyTorch time / our time (above 1 = faster)");
        w.WriteLine();

        var results = new List<CaseResult>();
        var rateByFamily = new Dictionary<string, double>(); // work per second of the last timed case of a family
        foreach (var c in cases)
        {
            CaseResult r;
            double limit = options.Quick ? 10 : 60;
            if (rateByFamily.TryGetValue(c.Family, out double rate) && c.Work / rate > limit)
            {
                c.Dispose();
                r = new CaseResult(c.Name, c.Shape, CaseStatus.Skipped,
                    $"one call would take ~{c.Work / rate:0} s (the smaller {c.Family} ran at {Rate(rate, c)}); limit {limit:0} s",
                    Bytes: c.Bytes, Flops: c.Flops);
            }
            else
            {
                using (c.RecordsGraph ? null : Tensor.NoGrad())
                    r = RunCase(c, device, timer, options);
                if (r.Status == CaseStatus.Ok) rateByFamily[c.Family] = c.Work / (r.UsPerCall * 1e-6);
            }
            if (baselines.TryGetValue(c.Name, out double us)) r = r with { PyTorchUs = us };
            results.Add(r);
            w.WriteLine($"  {r.Name}: {(r.Status == CaseStatus.Ok ? $"{r.UsPerCall.ToString("0.0", CultureInfo.InvariantCulture)} us" : r.Status.ToString().ToLowerInvariant())}");
        }
        w.WriteLine();
        ResultTable.Print(w, results);
        if (options.CsvPath != null)
        {
            ResultTable.WriteCsv(options.CsvPath, device.ToString(), results);
            w.WriteLine($"\nwrote {options.CsvPath}");
        }
        return results.Any(r => r.Status == CaseStatus.Failed) ? 2 : 0;
    }

    /// <summary>Full sizes on CUDA and the CPU backend; tiny ones on ILGPU's CPU emulator.</summary>
    public static IEnumerable<KernelCase> CasesFor(DeviceKind kind, bool quick)
    {
        int[] sizes = kind == DeviceKind.IlgpuCpu ? new[] { 64 << 10 } : quick ? new[] { 16 << 20 } : new[] { 16 << 20, 64 << 20 };
        int[] gemms = kind == DeviceKind.IlgpuCpu ? new[] { 64 } : quick ? new[] { 1024 } : new[] { 1024, 4096 };
        foreach (var op in Enum.GetValues<ElementwiseOp>())
            foreach (int n in sizes)
                yield return new ElementwiseCase(op, n);
        foreach (int s in gemms)
            yield return new GemmCase(s);

        // The RRDB dense-block convolutions (ESRGAN, 64 features, growth 32) at batch 16, 32x32; forward + both
        // backward convolutions. The CPU takes ~50-250 ms a call, so --quick keeps the smallest one only.
        var convs = new[] { (64, 32), (96, 32), (128, 32), (160, 32), (192, 64) };
        bool tiny = kind == DeviceKind.IlgpuCpu;
        foreach (var (cin, cout) in quick && kind == DeviceKind.Cpu ? convs[..1] : convs)
            yield return tiny ? new Conv2dCase(1, cin / 8, cout / 8, 8, 8) : new Conv2dCase(16, cin, cout, 32, 32);
        yield return tiny ? new PixelShuffleCase(1, 16, 8, 8, 2) : new PixelShuffleCase(16, 256, 64, 64, 2);

        // Model workloads: the sizes of compare's GPU workloads on CUDA, of its CPU workloads on the CPU; the 23-block
        // network is far beyond what the emulator runs in reasonable time, so ilgpu-cpu has none.
        if (tiny) yield break;
        bool cuda = kind == DeviceKind.Cuda;
        if (!quick) yield return new DcganStepCase(cuda ? 128 : 16);
        // The image-to-image / progressive GAN steps: CycleGAN 256 and ProGAN 128 on CUDA, both at 64 on the CPU.
        if (!quick) yield return new CycleGanStepCase(cuda ? 256 : 64);
        if (!quick) yield return new ProGanStepCase(cuda ? 128 : 64);
        yield return new RrdbNetCase(train: false, batch: 1, size: cuda ? 256 : 64);
        yield return new SrvggNetCase(256);
        if (!quick)
        {
            yield return new RrdbNetCase(train: true, batch: cuda ? 16 : 2, size: 32);
            if (cuda) yield return new RrdbNetCase(train: true, batch: 12, size: 64);
            yield return cuda ? new RealEsrganStepCase(12, 256) : new RealEsrganStepCase(1, 64);
        }
    }

    internal static CaseResult RunCase(KernelCase c, Device device, DeviceTimer timer, HarnessOptions o)
    {
        var result = new CaseResult(c.Name, c.Shape, CaseStatus.Failed, "", Bytes: c.Bytes, Flops: c.Flops);
        try
        {
            c.Setup(device);
            var v = c.Validate();
            if (!v.Ok)
                return result with { Note = $"result differs from the CPU reference: {v.Detail}", MaxError = v.MaxError };

            // Warm-up: the validation call already compiled and ran the kernel once.
            double one = Math.Max(timer.Time(c.Call, 1).DeviceSeconds, 1e-7);
            int reps = o.Reps > 0 ? o.Reps : (int)Math.Clamp(Math.Ceiling(o.TargetSeconds / one), 1, 10_000);
            // A case slower than a second per call is timed once: its noise is small next to its time.
            int trialCount = one > 1 && o.Reps == 0 ? 1 : o.Trials;
            var trials = Enumerable.Range(0, trialCount).Select(_ => timer.Time(c.Call, reps)).ToList();
            double deviceUs = Median(trials.Select(t => t.DeviceSeconds)) * 1e6 / reps;
            double wallUs = Median(trials.Select(t => t.WallSeconds)) * 1e6 / reps;
            return result with { Status = CaseStatus.Ok, UsPerCall = deviceUs, WallUsPerCall = wallUs, MaxError = v.MaxError, Reps = reps };
        }
        catch (NotSupportedException e)
        {
            return result with { Status = CaseStatus.Skipped, Note = e.Message };
        }
        catch (Exception e)
        {
            return result with { Note = $"{e.GetType().Name}: {e.Message}" };
        }
        finally
        {
            c.Dispose();
            try { device.Synchronize(); device.EmptyCache(); } catch (Exception) { /* a failed case already says why */ }
        }
    }

    private static string Rate(double workPerSecond, KernelCase c) =>
        c.Flops > 0 ? $"{workPerSecond / 1e9:0.0} GFLOP/s" : $"{workPerSecond / 1e9:0.0} GB/s";

    private static double Median(IEnumerable<double> xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }

    internal static string HostCpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"));
            if (line != null) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return Environment.OSVersion.ToString();
    }
}
