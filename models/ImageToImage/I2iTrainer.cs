using System.Globalization;
using NativeGan.IO;
using NativeGan.Models.Training;
using NativeGan.NN;
using NativeGan.Optim;

namespace NativeGan.Models.ImageToImage;

/// <summary>
/// Trains Pix2Pix or CycleGAN from an <see cref="I2iConfig"/> with the shared run-folder machinery (<see cref="TrainerBase"/>):
/// <c>config.yml</c>, <c>log.csv</c> (pix2pix: G_GAN, G_L1, D_real, D_fake, gradient_penalty, lr; cyclegan: D_A, G_A,
/// cycle_A, idt_A, D_B, G_B, cycle_B, idt_B, lr), <c>loss.png</c>, sample grids (rows of A, G(A), B for pix2pix; A,
/// G_A(A), G_B(G_A(A)), B, G_B(B), G_A(G_B(B)) for CycleGAN, on the first four items without jitter, generators in eval
/// mode), atomic checkpoints with the <c>latest</c> pointer, and bitwise <see cref="Resume"/>. The learning rate follows
/// <see cref="LinearDecayLR"/>, stepped at the end of every epoch of the data.
/// </summary>
public sealed class I2iTrainer : TrainerBase
{
    public const string CheckpointFormat = "nativegan-i2i-checkpoint/1";
    public const string Pix2PixCsvHeader = "iteration,G_GAN,G_L1,D_real,D_fake,gradient_penalty,lr";
    public const string CycleGanCsvHeader = "iteration,D_A,G_A,cycle_A,idt_A,D_B,G_B,cycle_B,idt_B,lr";
    private const int SampleCount = 4;

    private readonly List<IDisposable> owned = new();
    private readonly Tensor sampleA, sampleB;

    public I2iTrainer(I2iConfig config, string outDir, Device? device = null, II2iSource? source = null)
        : base(outDir, (config ?? throw new ArgumentNullException(nameof(config))).IsCycleGan ? CycleGanCsvHeader : Pix2PixCsvHeader)
    {
        config.Validate();
        Config = config;
        Device = device ?? config.ResolveDevice();
        Source = source ?? OpenSource(config);
        if (Source.ChannelsA != config.InputNc || Source.ChannelsB != config.OutputNc)
            throw new ConfigException($"{config.Source}: key 'input_nc' / 'output_nc': the data has {Source.ChannelsA} and {Source.ChannelsB} channels, the config says {config.InputNc} and {config.OutputNc}.");
        try
        {
            var initRng = new Generator(config.Seed);
            var stepRng = new Generator(config.Seed + 1);
            var gan = new I2iGanLoss(config.ResolvedGanType);
            var betas = (config.Beta1, 0.999f);
            if (config.IsCycleGan)
            {
                var gA = Own(BuildGenerator(config, config.InputNc, config.OutputNc, Device, initRng));
                var gB = Own(BuildGenerator(config, config.OutputNc, config.InputNc, Device, initRng));
                var dA = Own(new NLayerDiscriminator(config.OutputNc, config.Ndf, config.NLayersD, config.ResolvedNorm, Device, initRng));
                var dB = Own(new NLayerDiscriminator(config.InputNc, config.Ndf, config.NLayersD, config.ResolvedNorm, Device, initRng));
                Cycle = Own(new CycleGanStep(gA, gB, dA, dB, gan, config.LambdaA, config.LambdaB, config.LambdaIdentity, config.ResolvedPoolSize,
                    config.Lr, betas, config.Seed, stepRng));
                Networks = new (string, Module)[] { ("g_a.", gA), ("g_b.", gB), ("d_a.", dA), ("d_b.", dB) };
                (OptG, OptD) = (Cycle.OptimizerG, Cycle.OptimizerD);
            }
            else
            {
                var g = Own(BuildGenerator(config, config.InputNc, config.OutputNc, Device, initRng));
                var d = Own(new NLayerDiscriminator(config.InputNc + config.OutputNc, config.Ndf, config.NLayersD, config.ResolvedNorm, Device, initRng));
                Pix2Pix = Own(new Pix2PixStep(g, d, gan, config.LambdaL1, config.Lr, betas, stepRng));
                Networks = new (string, Module)[] { ("g.", g), ("d.", d) };
                (OptG, OptD) = (Pix2Pix.OptimizerG, Pix2Pix.OptimizerD);
            }
            StepRng = stepRng;
            SchedG = new LinearDecayLR(OptG, config.NEpochs, config.NEpochsDecay);
            SchedD = new LinearDecayLR(OptD, config.NEpochs, config.NEpochsDecay);
            Loader = new I2iLoader(Source, config.BatchSize, config.ResolvedLoadSize, config.CropSize, !config.NoFlip, config.Seed, Device);
            TotalIterations = config.ResolvedIterations(Loader.BatchesPerEpoch);
            (sampleA, sampleB) = SampleBatch();
            Own(sampleA);
            Own(sampleB);
        }
        catch
        {
            DisposeCore();
            throw;
        }
    }

    private T Own<T>(T d) where T : IDisposable
    {
        owned.Add(d);
        return d;
    }

    public I2iConfig Config { get; }
    public Device Device { get; }
    public II2iSource Source { get; }
    public I2iLoader Loader { get; }
    public Pix2PixStep? Pix2Pix { get; }
    public CycleGanStep? Cycle { get; }
    public Generator StepRng { get; }
    public Adam OptG { get; }
    public Adam OptD { get; }
    public LinearDecayLR SchedG { get; }
    public LinearDecayLR SchedD { get; }

    /// <summary>Checkpoint prefix and module of every network.</summary>
    public IReadOnlyList<(string Prefix, Module Module)> Networks { get; }

    public override long Iteration => Pix2Pix?.Iteration ?? Cycle!.Iteration;
    public override long TotalIterations { get; }
    public override int LogEvery => Config.LogEvery;

    /// <summary>The data (pairs or A / B images and their folders), the seed the networks start from, every network's
    /// parameter count, the device.</summary>
    public override IReadOnlyList<string> StartReport
    {
        get
        {
            var lines = new List<string>();
            string kind = Config.ResolvedDatasetKind;
            string from = kind == "folders"
                ? $" in {System.IO.Path.GetFullPath(Config.PathA!)} and {System.IO.Path.GetFullPath(Config.PathB!)}"
                : Config.Path != null ? $" in {System.IO.Path.GetFullPath(Config.Path)}" : "";
            lines.Add(Source.Paired
                ? $"data: {Source.Count} pairs ({kind}){from}"
                : $"data: {Source.Count} A and {Source.CountB} B images ({kind}){from}");
            lines.Add(RunStartLines.Weights(LastCheckpoint, Config.Seed, Config.IsCycleGan ? "G_A, G_B, D_A and D_B" : "G and D"));
            foreach (var (prefix, module) in Networks)
                lines.Add(RunStartLines.Parameters(prefix.TrimEnd('.').ToUpperInvariant(), module));
            lines.Add(RunStartLines.OnDevice(Device));
            return lines;
        }
    }
    protected override int CheckpointEvery => Config.CheckpointEvery;
    protected override string ConfigText => Config.Text ?? Config.ToYaml();
    protected override string PlotTitle => $"{Config.Model} losses ({Path.GetFileName(OutDir)})";

    public override string Description =>
        $"{Config.Model} ({Config.ResolvedNetG}, {Config.ResolvedGanType}) on {Source.Count} {(Source.Paired ? "pairs" : $"A / {Source.CountB} B images")}, " +
        $"batch {Config.BatchSize}, {Config.CropSize}x{Config.CropSize}, {TotalIterations} iterations, device {Device}, output {OutDir}";

    /// <summary>The generator a config asks for (U-Net or ResNet), initialised N(0, 0.02).</summary>
    public static Module BuildGenerator(I2iConfig c, int inNc, int outNc, Device device, Generator? rng) => c.ResolvedNetG == "unet"
        ? new UnetGenerator(inNc, outNc, c.ResolvedNumDowns, c.Ngf, c.ResolvedNorm, c.ResolvedDropout, device, rng)
        : new ResnetGenerator(inNc, outNc, c.Ngf, c.ResolvedNorm, c.ResolvedDropout, c.ResolvedNBlocks, device, rng);

    /// <summary>The training data of a config.</summary>
    public static II2iSource OpenSource(I2iConfig c)
    {
        try
        {
            return c.ResolvedDatasetKind switch
            {
                "aligned" => AlignedSource.FromCombined(c.Path!, c.InputNc, c.OutputNc, c.Direction == "BtoA", c.MaxSamples),
                "folders" => c.Direction == "BtoA"
                    ? AlignedSource.FromFolders(c.PathB!, c.PathA!, c.InputNc, c.OutputNc, c.MaxSamples)
                    : AlignedSource.FromFolders(c.PathA!, c.PathB!, c.InputNc, c.OutputNc, c.MaxSamples),
                "edges" => c.Direction == "BtoA"
                    ? AlignedSource.FromPairs(AlignedSource.FromPhotosAsEdges(c.Path!, c.OutputNc, c.InputNc, c.MaxSamples).Pairs.Select(p => (p.B, p.A)))
                    : AlignedSource.FromPhotosAsEdges(c.Path!, c.InputNc, c.OutputNc, c.MaxSamples),
                "color2gray" => UnpairedSource.ColorToGray(c.Path!, c.MaxSamples),
                _ => c.Direction == "BtoA"
                    ? Swap(UnpairedSource.FromFolders(c.Path!, c.OutputNc, c.InputNc, c.MaxSamples))
                    : UnpairedSource.FromFolders(c.Path!, c.InputNc, c.OutputNc, c.MaxSamples),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            throw new ConfigException($"{c.Source}: key 'dataset': {e.Message}", e);
        }
    }

    private static UnpairedSource Swap(UnpairedSource s) =>
        new(Enumerable.Range(0, s.CountB).Select(i => s.Get(0, i).B), Enumerable.Range(0, s.Count).Select(i => s.Get(i, 0).A));

    private (Tensor A, Tensor B) SampleBatch()
    {
        int n = Math.Min(SampleCount, Source.Count);
        var p = JitterParams.None(Config.CropSize);
        int plane = Config.CropSize * Config.CropSize;
        var a = new float[n * Source.ChannelsA * plane];
        var b = new float[n * Source.ChannelsB * plane];
        for (int i = 0; i < n; i++)
        {
            var (ia, ib) = Source.Get(i, Math.Min(i, Source.CountB - 1));
            Array.Copy(p.Apply(ia), 0, a, i * Source.ChannelsA * plane, Source.ChannelsA * plane);
            Array.Copy(p.Apply(ib), 0, b, i * Source.ChannelsB * plane, Source.ChannelsB * plane);
        }
        return (Tensor.FromArray(a, new[] { n, Source.ChannelsA, Config.CropSize, Config.CropSize }, Device).DetachFromScope(),
            Tensor.FromArray(b, new[] { n, Source.ChannelsB, Config.CropSize, Config.CropSize }, Device).DetachFromScope());
    }

    // ---------------------------------------------------------------- running

    protected override IterationResult RunIteration(long total)
    {
        var (a, b, epochEnded) = Loader.Next();
        float lr = OptG.ParamGroups[0].Lr;
        IterationResult result;
        using (a)
        using (b)
        {
            if (Pix2Pix != null)
            {
                var r = Pix2Pix.Step(a, b);
                var row = new float?[] { r.GGan, r.GL1, r.DReal, r.DFake, r.GradientPenalty, lr };
                var shown = new List<LossValue> { new("G_GAN", r.GGan), new("G_L1", r.GL1), new("D_real", r.DReal), new("D_fake", r.DFake) };
                if (r.GradientPenalty != null) shown.Add(new("gp", r.GradientPenalty));
                result = new IterationResult(row, shown, r.AllFinite);
            }
            else
            {
                var r = Cycle!.Step(a, b);
                var row = new float?[] { r.DA, r.GA, r.CycleA, r.IdtA, r.DB, r.GB, r.CycleB, r.IdtB, lr };
                var shown = new List<LossValue>
                {
                    new("D_A", r.DA), new("G_A", r.GA), new("cycle_A", r.CycleA), new("idt_A", r.IdtA),
                    new("D_B", r.DB), new("G_B", r.GB), new("cycle_B", r.CycleB), new("idt_B", r.IdtB),
                };
                result = new IterationResult(row, shown, r.AllFinite);
            }
        }
        if (epochEnded)
        {
            SchedG.Step();
            SchedD.Step();
        }
        return result;
    }

    protected override bool PlotsColumn(string name) => name != "lr";

    protected override void OnIterationLogged(long iteration)
    {
        if (Config.SampleEvery > 0 && iteration % Config.SampleEvery == 0) WriteSamples(iteration);
    }

    protected override void OnRunEnd(long iteration)
    {
        if (Config.SampleEvery == 0 || iteration % Config.SampleEvery != 0) WriteSamples(iteration);
    }

    // Headers of the sample grids' columns (CycleGAN's follow its visuals: real_A, fake_B, rec_A, real_B, fake_A, rec_B).
    private static readonly string[] Pix2PixColumns = { "input", "output", "target" };
    private static readonly string[] CycleGanColumns = { "real A", "fake B", "rec A", "real B", "fake A", "rec B" };

    /// <summary>Writes <c>samples/iter_NNNNNN.png</c>: one row per sample item (generators in eval mode, no graph).</summary>
    public string WriteSamples(long iteration)
    {
        string path = Path.Combine(SamplesDir, $"iter_{iteration:D6}.png");
        Directory.CreateDirectory(SamplesDir);
        int cols;
        using (Tensor.NoGrad())
        using (var scope = Tensor.Scope())
        {
            var gens = Networks.Where(n => n.Prefix.StartsWith('g')).Select(n => n.Module).ToArray();
            foreach (var g in gens) g.Eval();
            try
            {
                Tensor[] columns;
                if (Pix2Pix != null) columns = new[] { sampleA, gens[0].Forward(sampleA), sampleB };
                else
                {
                    var fakeB = gens[0].Forward(sampleA);
                    var fakeA = gens[1].Forward(sampleB);
                    columns = new[] { sampleA, fakeB, gens[1].Forward(fakeB), sampleB, fakeA, gens[0].Forward(fakeA) };
                }
                cols = columns.Length;
                var rgb = columns.Select(t => t.Size(1) == 3 ? t : t.Expand(t.Size(0), 3, t.Size(2), t.Size(3))).ToArray();
                // Interleave so each grid row is one sample: [n, cols, 3, H, W] -> [n * cols, 3, H, W].
                var grid = Tensor.Cat(rgb.Select(t => t.Unsqueeze(1)).ToArray(), 1).Reshape(-1, 3, Config.CropSize, Config.CropSize);
                SampleGrid.SaveReadable(grid, path, nrow: cols, labels: new GridLabels(Columns: Pix2Pix != null ? Pix2PixColumns : CycleGanColumns));
            }
            finally
            {
                foreach (var g in gens) g.Train();
            }
        }
        AddSample(path);
        return path;
    }

    // ---------------------------------------------------------------- checkpoints

    protected override void CollectCheckpoint(List<(string Name, int[] Shape, float[] Data)> tensors, Dictionary<string, string> meta)
    {
        foreach (var (prefix, m) in Networks)
            foreach (var (k, t) in m.StateDict()) tensors.Add((prefix + k, t.Shape.ToArray(), t.ToArray()));
        foreach (var (prefix, state) in States())
            foreach (var (k, v) in state()) tensors.Add((prefix + k, new[] { v.Length }, v));
        if (Cycle != null)
            foreach (var (prefix, pool) in new[] { ("pool_a.", Cycle.FakeAPool), ("pool_b.", Cycle.FakeBPool) })
                foreach (var (k, (shape, data)) in pool.StateDict()) tensors.Add((prefix + k, shape, data));
        var c = CultureInfo.InvariantCulture;
        var (seed, offset) = StepRng.GetState();
        meta["format"] = CheckpointFormat;
        meta["model"] = Config.Model;
        meta["rng_seed"] = seed.ToString(c);
        meta["rng_offset"] = offset.ToString(c);
        meta["loader_epoch"] = Loader.Epoch.ToString(c);
        meta["loader_position"] = Loader.Position.ToString(c);
    }

    private IEnumerable<(string Prefix, Func<Dictionary<string, float[]>> State)> States()
    {
        yield return ("opt_g.", OptG.StateDict);
        yield return ("opt_d.", OptD.StateDict);
        yield return ("sched_g.", SchedG.StateDict);
        yield return ("sched_d.", SchedD.StateDict);
    }

    /// <summary>Continues the run in <paramref name="outDir"/> from its latest checkpoint with the config stored in it.</summary>
    /// <param name="checkpoint">The checkpoint to continue from (auto-resume's newest complete one); default: the one <c>checkpoints/latest</c> names.</param>
    public static I2iTrainer Resume(string outDir, Device? device = null, int? iterations = null, II2iSource? source = null, CheckpointReader? checkpoint = null)
    {
        var reader = checkpoint ?? CheckpointReader.OpenLatest(outDir, CheckpointFormat, "image-to-image");
        var config = I2iConfig.Parse(reader.Meta("config"), reader.Path + " (stored config)");
        // The run continues to the length it was started with (or extended to), unless --iterations says otherwise.
        if ((iterations ?? reader.StoredTotalIterationsInt) is int it) config.Iterations = it;
        var trainer = new I2iTrainer(config, outDir, device, source);
        return Restore(trainer, t => t.Load(reader));
    }

    protected override (string Format, string Kind) CheckpointKind => (CheckpointFormat, "image-to-image");

    protected override void LoadCheckpoint(CheckpointReader reader) => Load(reader);

    private void Load(CheckpointReader r)
    {
        try
        {
            foreach (var (prefix, m) in Networks) m.LoadStateDict(r.Take(prefix));
            OptG.LoadStateDict(r.Take("opt_g."));
            OptD.LoadStateDict(r.Take("opt_d."));
            SchedG.LoadStateDict(r.Take("sched_g."));
            SchedD.LoadStateDict(r.Take("sched_d."));
            if (Cycle != null)
            {
                var shapeA = new[] { 1, Config.InputNc, Config.CropSize, Config.CropSize };
                var shapeB = new[] { 1, Config.OutputNc, Config.CropSize, Config.CropSize };
                Cycle.FakeAPool.LoadStateDict(r.Take("pool_a."), shapeA, Device);
                Cycle.FakeBPool.LoadStateDict(r.Take("pool_b."), shapeB, Device);
            }
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{r.Path}: does not fit the {Config.Model} model of its config: {e.Message}", e);
        }
        // The groups' current lr comes back with the optimizers' state.
        long it = r.MetaLong("iteration");
        if (Pix2Pix != null) Pix2Pix.Iteration = it;
        else Cycle!.Iteration = it;
        StepRng.SetState(r.MetaULong("rng_seed"), r.MetaULong("rng_offset"));
        Loader.Seek(r.MetaInt("loader_epoch"), r.MetaInt("loader_position"));
        LastCheckpoint = r.Path;
    }

    protected override void DisposeCore()
    {
        for (int i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
        owned.Clear();
    }
}
