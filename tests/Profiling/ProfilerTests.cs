using System.Text.Json;
using NativeGan.Backends;
using NativeGan.Cli;
using NativeGan.IO;
using NativeGan.Models.Profiling;
using NativeGan.Models.Training;
using NativeGan.Profiling;
using NativeGan.Tests.Data;

namespace NativeGan.Tests.Profiling;

/// <summary>The profiler is process-wide state: every test that starts it lives in this one class (run sequentially).</summary>
public class ProfilerTests
{
    private static string TinyGanConfig(TempDir dir)
    {
        // The same tiny Fashion-MNIST look-alike as tests/Training (raw idx, 28x28, 16 images).
        File.WriteAllBytes(dir.File("data/train-images-idx3-ubyte"), IdxWriter.Images(16, 28, 28, (i, r, c) => (byte)((i * 37 + r * 5 + c * 3) % 256)));
        File.WriteAllBytes(dir.File("data/train-labels-idx1-ubyte"), IdxWriter.Labels(16, i => (byte)(i % 10)));
        string path = dir.File("tiny.yml");
        File.WriteAllText(path, $"""
            model: gan
            dataset:
              kind: fashion_mnist
              path: '{Path.Combine(dir.Path, "data")}'
            batch_size: 4
            iterations: 4
            seed: 7
            sample_every: 1000
            checkpoint_every: 1000
            log_every: 1
            device: cpu
            """);
        return path;
    }

    [Fact]
    public void LinearForwardIsOneSgemmAndOneBiasAdd()
    {
        var d = Device.Cpu;
        var x = Tensor.Randn([4, 3], d, new Generator(1));
        var w = Tensor.Randn([5, 3], d, new Generator(2));
        var b = Tensor.Randn([5], d, new Generator(3));
        w.RequiresGrad = true;
        Profiler.Start(d);
        Tensor y;
        try { y = Tensor.Linear(x, w, b); }
        finally { Profiler.Stop(); }
        var k = Profiler.Kernels;
        Assert.Equal(["Sgemm", "Binary(Add)"], k.Select(e => e.Kernel).ToArray());
        Assert.Equal(["matmul", "add"], k.Select(e => e.Op).ToArray());   // Linear = x.Matmul(w^T) + b, two recorded ops
        Assert.Equal(2.0 * 4 * 5 * 3, k[0].Flops);
        Assert.Equal([4, 5], y.ShapeArray);
        Assert.IsNotType<ProfilingBackend>(d.Backend);
    }

    [Fact]
    public void GanStepTableListsEveryLaunchAndTraceHasOneEventPerLaunch()
    {
        using var dir = new TempDir();
        var r = ProfileRun.Config(TinyGanConfig(dir), steps: 2, warmup: 1);
        Assert.NotEmpty(r.Kernels);
        Assert.All(r.Kernels, e => Assert.False(string.IsNullOrEmpty(e.Op)));
        Assert.Contains(r.Kernels, e => e.Kernel == "Sgemm" && e.Op == "matmul");
        Assert.Contains(r.Kernels, e => e.Kernel == "AdamStep");
        // Per step: the fake batch (g_forward), the D step, then D(G(z)) for the G loss (g_forward) and the G step.
        string[] perStep = ["g_forward", "d_forward", "d_backward", "d_optimizer", "g_forward", "g_backward", "g_optimizer"];
        Assert.Equal(perStep.Concat(perStep).ToArray(), r.Phases.Select(p => p.Name).ToArray());

        // Table: one row per (kernel, op); calls add up to the launches; every kernel name appears.
        var rows = ProfileReport.Summarize(r.Kernels);
        Assert.Equal(r.Kernels.Count, rows.Sum(x => x.Calls));
        foreach (var g in r.Kernels.GroupBy(e => (e.Kernel, e.Op)))
            Assert.Equal(g.Count(), rows.Single(x => x.Kernel == g.Key.Kernel && x.Op == g.Key.Op).Calls);
        string table = r.Table();
        foreach (var name in r.Kernels.Select(e => e.Kernel).Distinct()) Assert.Contains(name, table);
        Assert.Contains("step time:", table);
        Assert.Contains("fresh allocations", table);
        // The two profiled steps launch the same kernels: counts per kernel are even.
        Assert.All(r.Kernels.GroupBy(e => e.Kernel), g => Assert.Equal(0, g.Count() % 2));

        // Trace: valid JSON, one X event per launch (same names in order) plus one per phase.
        string trace = dir.File("trace.json");
        r.WriteTrace(trace);
        using var doc = JsonDocument.Parse(File.ReadAllText(trace));
        var events = doc.RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
        Assert.All(events, e =>
        {
            Assert.Equal("X", e.GetProperty("ph").GetString());
            Assert.True(e.GetProperty("dur").GetDouble() >= 0);
            e.GetProperty("ts").GetDouble();
            e.GetProperty("pid").GetInt32();
            e.GetProperty("tid").GetInt32();
            e.GetProperty("args");
        });
        var kernelEvents = events.Where(e => e.GetProperty("cat").GetString() == "kernel").Select(e => e.GetProperty("name").GetString()).ToArray();
        Assert.Equal(r.Kernels.Select(e => e.Kernel).ToArray(), kernelEvents);
        Assert.Equal(r.Phases.Count, events.Count(e => e.GetProperty("cat").GetString() == "phase"));
    }

    [Fact]
    public void IlgpuLaunchesAreTimedByStreamMarkersInLaunchOrder()
    {
        var d = Device.IlgpuCpu;
        var x = Tensor.Randn([2, 3, 8, 8], d, new Generator(1));
        var w = Tensor.Randn([4, 3, 3, 3], d, new Generator(2));
        w.RequiresGrad = true;
        d.Synchronize();
        Profiler.Start(d);
        bool usedEvents;
        try
        {
            using (Profiler.Phase("forward")) Tensor.Conv2d(x, w, null, 1, 1).Relu().Sum().Backward();
            usedEvents = Profiler.UsesDeviceEvents;
        }
        finally { Profiler.Stop(); }
        Assert.True(usedEvents);
        Assert.False(Profiler.UsesDeviceEvents);
        var k = Profiler.Kernels;
        Assert.Contains(k, e => e.Kernel == "Conv2dForward");
        Assert.Contains(k, e => e.Kernel == "Conv2dBackwardWeight");
        Assert.All(k, e => Assert.True(e.DurUs >= 0 && e.StartUs >= 0, $"{e.Kernel}: start {e.StartUs}, dur {e.DurUs}"));
        // One in-order stream: device start times follow the launch order.
        for (int i = 1; i < k.Count; i++) Assert.True(k[i].StartUs >= k[i - 1].StartUs, $"{k[i].Kernel} starts before {k[i - 1].Kernel}");
        var phase = Assert.Single(Profiler.Phases);
        Assert.True(phase.StartUs <= k[0].StartUs + 1e-3 && phase.DurUs >= 0);
    }

    [Fact]
    public void ProGanAndPix2PixConfigStepsAreProfiled()
    {
        using var dir = new TempDir();
        string progan = dir.File("progan.yml");
        File.WriteAllText(progan, """
            model: progan
            dataset: {kind: shapes, channels: 1, max_samples: 32}
            resolution: 8
            fmap_base: 32
            fmap_max: 16
            gan_type: wgan-gp
            batch_size: 4
            fade_images: 16
            stable_images: 16
            seed: 0
            sample_every: 1000
            checkpoint_every: 1000
            log_every: 1
            device: cpu
            """);
        var p = ProfileRun.Config(progan, steps: 1, warmup: 1);
        Assert.Contains(p.Kernels, e => e.Kernel == "Conv2dForward");
        Assert.Contains(p.Kernels, e => e.Kernel == "AdamStep");

        string photos = NativeGan.Tests.Sr.Training.SrTrainingTestUtil.CopyImages(dir, "photos", "astronaut.png", "chelsea.png");
        string pix = dir.File("pix2pix.yml");
        File.WriteAllText(pix, $"""
            model: pix2pix
            dataset:
              kind: edges
              path: '{photos}'
              crop_size: 32
            input_nc: 1
            output_nc: 3
            net_g: unet
            ngf: 8
            ndf: 8
            batch_size: 1
            n_epochs: 1
            n_epochs_decay: 0
            seed: 0
            sample_every: 1000
            checkpoint_every: 1000
            log_every: 1
            device: cpu
            """);
        var q = ProfileRun.Config(pix, steps: 1, warmup: 1);
        Assert.Contains(q.Kernels, e => e.Kernel == "Conv2dForward");
        Assert.Contains(q.Kernels, e => e.Kernel == "AdamStep");
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "runs")));
    }

    [Fact]
    public void SrConfigStepIsProfiledWithPhasesAndConvKernels()
    {
        using var dir = new TempDir();
        // Real photos (tests/fixtures/srdata), tiny RRDBNet PSNR run, x4 on 32x32 GT crops.
        string train = NativeGan.Tests.Sr.Training.SrTrainingTestUtil.CopyImages(dir, "train", "astronaut.png", "chelsea.png");
        string config = dir.File("sr.yml");
        File.WriteAllText(config, NativeGan.Tests.Sr.Training.SrTrainingTestUtil.TinyYaml("rrdbnet_psnr", train, total: 1, gtSize: 32));
        var r = ProfileRun.Config(config, steps: 1, warmup: 1);
        Assert.Equal(["g_forward", "g_backward", "g_optimizer"], r.Phases.Select(p => p.Name).ToArray());
        Assert.Contains(r.Kernels, e => e.Kernel == "Conv2dForward" && e.Op == "conv2d");
        Assert.Contains(r.Kernels, e => e.Kernel == "Conv2dBackwardWeight" && e.Op.EndsWith(".backward"));
        Assert.Contains(r.Kernels, e => e.Kernel == "AdamStep");
        Assert.All(r.Kernels, e => Assert.True(e.DurUs >= 0 && e.StartUs >= 0));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "runs")));
    }

    [Fact]
    public void ProfilingLeavesTrainingResultsBitwiseUnchanged()
    {
        using var dir = new TempDir();
        var config = TinyGanConfig(dir);
        float?[][] Run(bool profile)
        {
            using var t = new GanTrainer(GanConfig.Load(config), dir.File(profile ? "on" : "off"), Device.Cpu);
            var rows = new List<float?[]>();
            for (int i = 0; i < 3; i++)
            {
                if (profile && i == 1) Profiler.Start(Device.Cpu);
                try { rows.Add(t.RunOneIteration().Row.ToArray()); }
                finally { if (profile) Profiler.Stop(); }
            }
            return rows.ToArray();
        }
        var off = Run(false);
        var on = Run(true);
        Assert.Equal(3, on.Length);
        for (int i = 0; i < off.Length; i++)
            Assert.Equal(off[i].Select(v => v.HasValue ? BitConverter.SingleToInt32Bits(v.Value) : (int?)null),
                         on[i].Select(v => v.HasValue ? BitConverter.SingleToInt32Bits(v.Value) : (int?)null));
        Assert.Contains(off[0], v => v.HasValue);
    }

    [Fact]
    public void DisabledRecordsNothingAndItsHooksAllocateNothing()
    {
        Profiler.Clear();
        var d = Device.Cpu;
        var a = Tensor.Randn([8, 8], d, new Generator(4));
        a.RequiresGrad = true;
        var y = a.Matmul(a).Sum();
        y.Backward();
        Assert.False(Profiler.IsEnabled);
        Assert.Empty(Profiler.Kernels);
        Assert.Empty(Profiler.Phases);
        Assert.IsNotType<ProfilingBackend>(d.Backend);

        using (Profiler.Phase("warm")) { }
        using (Profiler.BackwardOf("warm")) { }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            using (Profiler.Phase("g_forward")) { }
            using (Profiler.BackwardOf("conv2d")) { }
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void CliProfilesAnOpAndWritesATrace()
    {
        using var dir = new TempDir();
        string trace = dir.File("op.json");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(["profile", "--op", "conv2d", "--shape", "2x3x8x8,4x3x3x3", "--steps", "2", "--warmup", "1", "--trace", trace], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        string o = stdout.ToString();
        Assert.Contains("Conv2dForward", o);
        Assert.Contains("Conv2dBackwardInput", o);
        Assert.Contains("Conv2dBackwardWeight", o);
        using var doc = JsonDocument.Parse(File.ReadAllText(trace));
        Assert.Equal(2, doc.RootElement.GetProperty("traceEvents").EnumerateArray().Count(e => e.GetProperty("name").GetString() == "Conv2dForward"));

        stderr = new StringWriter();
        Assert.NotEqual(0, CliApp.Run(["profile", "--op", "softmax9", "--shape", "2x3"], new StringWriter(), stderr));
        Assert.Contains("softmax9", stderr.ToString());
    }
}
