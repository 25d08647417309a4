using System.Globalization;
using NativeGan.Models.Data;
using NativeGan.Models.Training;

namespace NativeGan.Models.Gans;

/// <summary>
/// Trains ProGAN from a <see cref="ProGanConfig"/> on the shared run-folder machinery (<see cref="TrainerBase"/>):
/// <c>log.csv</c> with the stage, alpha and images seen of every iteration, sample grids at the current resolution,
/// <c>loss.png</c>, atomic checkpoints. The images are read once at the final resolution and average-pooled on the
/// device to the current stage's; during a fade the reals are blended with their 2x-pooled-and-upsampled version as
/// the fake output is. A checkpoint records the stage, the images in the stage and in the run (alpha follows from
/// them), the networks (every stage), the stage's Adam states, the noise stream and the loader's place, so
/// <see cref="Resume"/> continues mid-fade with the losses of an uninterrupted run.
/// </summary>
public sealed class ProGanTrainer : TrainerBase
{
    public const string CheckpointFormat = "nativegan-progan-checkpoint/1";
    public const string CsvHeader = "iteration,stage,alpha,images_seen,d_loss,g_loss,d_real,d_fake,gradient_penalty,drift";

    private const ulong StepStreamSalt = 0x5354455052414E44UL;
    private const ulong FixedNoiseSalt = 0x46495845444E4F49UL;

    private readonly Tensor fixedNoise;
    private long iteration;
    private long lastSampleAt = -1;

    /// <param name="config">The run.</param>
    /// <param name="outDir">The run folder.</param>
    /// <param name="device">Overrides the config's device.</param>
    /// <param name="dataset">Overrides the config's image folder (tests); its samples must be [channels, resolution, resolution].</param>
    public ProGanTrainer(ProGanConfig config, string outDir, Device? device = null, IDataset? dataset = null)
        : base(outDir, CsvHeader)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        Device = device ?? config.ResolveDevice();
        Dataset = dataset ?? OpenDataset(config);
        var shape = Dataset.SampleShape;
        if (shape.Length != 3 || shape[0] != config.Channels || shape[1] != config.Resolution || shape[2] != config.Resolution)
            throw new ConfigException($"{config.Source}: key 'dataset': the data set's images are [{string.Join(", ", shape)}] but the config asks for [{config.Channels}, {config.Resolution}, {config.Resolution}] (dataset.channels, resolution).");
        Schedule = config.Schedule;

        var initRng = new Generator(config.Seed);
        var g = new ProGanGenerator(config.Resolution, config.Channels, config.LatentDim, config.FmapBase, config.FmapMax, Device, initRng);
        var d = new ProGanDiscriminator(config.Resolution, config.Channels, config.FmapBase, config.FmapMax, config.MbstdGroupSize, Device, initRng);
        Step = new ProGanStep(g, d, config.GanType, config.Lr, config.Betas, config.GpLambda, config.Drift, 0, new Generator(config.Seed ^ StepStreamSalt));
        fixedNoise = Tensor.Randn(new[] { config.SampleCount, g.LatentDim }, Device, new Generator(config.Seed ^ FixedNoiseSalt)).DetachFromScope();
        Loader = NewLoader(0);
        Directory.CreateDirectory(OutDir);
        Directory.CreateDirectory(SamplesDir);
        Directory.CreateDirectory(CheckpointsDir);
    }

    public ProGanConfig Config { get; }
    public Device Device { get; }
    public IDataset Dataset { get; }
    public ProGanSchedule Schedule { get; }
    public ProGanStep Step { get; }
    public DataLoader Loader { get; private set; }

    /// <summary>Stage, images in the stage and in the run, before the next iteration.</summary>
    public ProGanProgress State { get; private set; }

    /// <summary>The stage the next iteration trains.</summary>
    public int Stage => State.Stage;

    /// <summary>The fade-in weight the next iteration uses.</summary>
    public float Alpha => Schedule.Alpha(State);

    /// <summary>The side of the images the next iteration trains on.</summary>
    public int CurrentResolution => ProGanShapes.Resolution(Stage);

    public override long Iteration => iteration;
    public override long TotalIterations => Config.ResolvedIterations;
    public override int LogEvery => Config.LogEvery;
    public override string Description =>
        $"progan {Config.Resolution}x{Config.Resolution} ({Config.GanType}) on {Dataset.Count} images, fade {Config.FadeImages} + stable {Config.StableImages} images per stage, " +
        $"{TotalIterations} iterations, device {Device}, output {OutDir}";

    /// <summary>The data (count and folder, or the procedural shapes), the seed the networks start from, G's and D's
    /// parameter counts at the final resolution, the device.</summary>
    public override IReadOnlyList<string> StartReport => new[]
    {
        Config.DatasetKind == "shapes"
            ? $"data: {Dataset.Count} procedural shapes (drawn in memory, no folder)"
            : RunStartLines.Data(Dataset.Count, "images", Config.DatasetPath, Config.DatasetKind),
        RunStartLines.Weights(LastCheckpoint, Config.Seed),
        RunStartLines.Parameters("G", Step.G),
        RunStartLines.Parameters("D", Step.D),
        RunStartLines.OnDevice(Device),
    };
    protected override int CheckpointEvery => Config.CheckpointEvery;
    protected override string ConfigText => Config.Text ?? Config.ToYaml();
    protected override string PlotTitle => $"progan losses ({Path.GetFileName(OutDir)})";

    /// <summary>The config's image folder (kept in memory after the first read) or the procedural shapes (6000, or
    /// max_samples), at the final resolution.</summary>
    public static IDataset OpenDataset(ProGanConfig config)
    {
        if (config.DatasetKind == "shapes")
            return new ResizedDataset(new ProceduralShapesDataset(config.MaxSamples ?? 6000), config.Resolution);
        if (config.DatasetPath == null)
            throw new ConfigException($"{config.Source}: key 'dataset.path': ProGAN trains on an image folder; give its path.");
        IDataset ds;
        try
        {
            ds = new ImageFolderDataset(config.DatasetPath, config.Resolution, config.Channels, new ImageFolderOptions { CacheInMemory = true });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ConfigException($"{config.Source}: key 'dataset.path': cannot read the image folder: {e.Message}", e);
        }
        if (config.MaxSamples is int max && max < ds.Count) ds = new SubsetDataset(ds, max);
        return ds;
    }

    private DataLoader NewLoader(int stage)
    {
        int batch = Config.BatchSizeAt(stage);
        return new DataLoader(Dataset, batch, Device, shuffle: true, seed: Config.Seed + (ulong)stage,
            dropLast: Dataset.Count >= batch, prefetch: 2);
    }

    /// <summary>The loader's batch at the final resolution, average-pooled to the stage's and faded like G's output.</summary>
    public static Tensor StageReals(Tensor images, int stage, float alpha)
    {
        int factor = images.Size(2) / ProGanShapes.Resolution(stage);
        var x = factor > 1 ? images.AvgPool2d(factor) : images;
        return stage > 0 ? ProGanStep.FadeReals(x, alpha) : x;
    }

    protected override IterationResult RunIteration(long total)
    {
        var p = State;
        float alpha = Schedule.Alpha(p);
        ProGanStepResult r;
        int n;
        using (var scope = Tensor.Scope())
        using (var batch = Loader.Next())
        {
            n = batch.Count;
            r = Step.Step(StageReals(batch.Images, p.Stage, alpha), alpha);
        }
        iteration++;
        var next = Schedule.Advance(p, n);
        State = next;
        if (next.Stage != p.Stage) EnterStage(next.Stage);
        var shown = new List<LossValue> { new("alpha", alpha), new("d_loss", r.DLoss), new("g_loss", r.GLoss) };
        if (r.GradientPenalty != null) shown.Add(new("gp", r.GradientPenalty));
        return new IterationResult(new float?[] { p.Stage, alpha, next.ImagesSeen, r.DLoss, r.GLoss, r.DReal, r.DFake, r.GradientPenalty, r.Drift }, shown, r.AllFinite);
    }

    private void EnterStage(int stage)
    {
        Step.SetStage(stage);
        Loader.Dispose();
        Loader = NewLoader(stage);
        Report?.Invoke($"growing to {ProGanShapes.Resolution(stage)}x{ProGanShapes.Resolution(stage)} at iteration {iteration} ({State.ImagesSeen} images)");
    }

    protected override void OnRunStart() => lastSampleAt = -1;

    protected override void OnIterationLogged(long it)
    {
        if (Config.SampleEvery > 0 && it % Config.SampleEvery == 0) { WriteSamples(); lastSampleAt = it; }
    }

    protected override void OnRunEnd(long it)
    {
        if (lastSampleAt != it) WriteSamples();
    }

    /// <summary>The fixed noise's grid at the current stage and alpha (G in eval mode, NoGrad); returns the PNG's path.</summary>
    public string WriteSamples()
    {
        Directory.CreateDirectory(SamplesDir);
        string path = Path.Combine(SamplesDir, $"iter_{Iteration:D6}.png");
        using (Tensor.NoGrad())
        using (Tensor.Scope())
        {
            Step.G.Eval();
            try { SampleGrid.SaveReadable(Step.G.Forward(fixedNoise, Stage, Alpha), path, nrow: 8); }
            finally { Step.G.Train(); }
        }
        AddSample(path);
        return path;
    }

    protected override bool PlotsColumn(string name) => name is "d_loss" or "g_loss" or "gradient_penalty";

    protected override void CollectCheckpoint(List<(string Name, int[] Shape, float[] Data)> tensors, Dictionary<string, string> meta)
    {
        foreach (var (k, t) in Step.G.StateDict()) tensors.Add(("g." + k, t.Shape.ToArray(), t.ToArray()));
        foreach (var (k, t) in Step.D.StateDict()) tensors.Add(("d." + k, t.Shape.ToArray(), t.ToArray()));
        foreach (var (k, v) in Step.OptimizerG.StateDict()) tensors.Add(("opt_g." + k, new[] { v.Length }, v));
        foreach (var (k, v) in Step.OptimizerD.StateDict()) tensors.Add(("opt_d." + k, new[] { v.Length }, v));
        var c = CultureInfo.InvariantCulture;
        var (seed, offset) = Step.Rng.GetState();
        meta["format"] = CheckpointFormat;
        meta["model"] = ProGanConfig.ModelName;
        meta["stage"] = Stage.ToString(c);
        meta["resolution"] = CurrentResolution.ToString(c);
        meta["alpha"] = Alpha.ToString("R", c);
        meta["images_in_stage"] = State.ImagesInStage.ToString(c);
        meta["images_seen"] = State.ImagesSeen.ToString(c);
        meta["rng_seed"] = seed.ToString(c);
        meta["rng_offset"] = offset.ToString(c);
        meta["loader_epoch"] = Loader.Epoch.ToString(c);
        meta["loader_position"] = Loader.Position.ToString(c);
    }

    /// <summary>Continues the run in <paramref name="outDir"/> from its latest checkpoint with the config stored in it.</summary>
    /// <param name="checkpoint">The checkpoint to continue from (auto-resume's newest complete one); default: the one <c>checkpoints/latest</c> names.</param>
    public static ProGanTrainer Resume(string outDir, Device? device = null, long? iterations = null, IDataset? dataset = null, CheckpointReader? checkpoint = null)
    {
        var reader = checkpoint ?? CheckpointReader.OpenLatest(outDir, CheckpointFormat, "ProGAN");
        var config = ProGanConfig.Parse(reader.Meta("config"), reader.Path + " (stored config)");
        // The run continues to the length it was started with (or extended to), unless --iterations says otherwise.
        if ((iterations ?? reader.StoredTotalIterations) is long it) config.Iterations = it;
        var trainer = new ProGanTrainer(config, outDir, device, dataset);
        return Restore(trainer, t => t.Load(reader));
    }

    protected override (string Format, string Kind) CheckpointKind => (CheckpointFormat, "ProGAN");

    protected override void LoadCheckpoint(CheckpointReader reader) => Load(reader);

    private void Load(CheckpointReader r)
    {
        int stage = r.MetaInt("stage");
        if (stage < 0 || stage >= Config.StageCount)
            throw new InvalidDataException($"{r.Path}: stage {stage} is outside [0, {Config.StageCount}) of its config's resolution {Config.Resolution}.");
        State = new ProGanProgress(stage, r.MetaLong("images_in_stage"), r.MetaLong("images_seen"));
        Step.SetStage(stage);
        try
        {
            Step.G.LoadStateDict(r.Take("g."));
            Step.D.LoadStateDict(r.Take("d."));
            Step.OptimizerG.LoadStateDict(r.Take("opt_g."));
            Step.OptimizerD.LoadStateDict(r.Take("opt_d."));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{r.Path}: does not fit the ProGAN model of its config: {e.Message}", e);
        }
        Step.Rng.SetState(r.MetaULong("rng_seed"), r.MetaULong("rng_offset"));
        iteration = r.MetaLong("iteration");
        Loader.Dispose();
        Loader = NewLoader(stage);
        Loader.Seek(r.MetaInt("loader_epoch"), r.MetaInt("loader_position"));
        LastCheckpoint = r.Path;
    }

    protected override void DisposeCore()
    {
        Loader.Dispose();
        fixedNoise.Dispose();
        Step.Dispose();
        Step.G.Dispose();
        Step.D.Dispose();
    }
}

/// <summary>A data set's square samples resized (antialiased bilinear, <see cref="ImageResize"/>) to another side.</summary>
public sealed class ResizedDataset : IDataset
{
    private readonly IDataset inner;
    private readonly int channels, inH, inW;

    public ResizedDataset(IDataset inner, int size)
    {
        this.inner = inner ?? throw new ArgumentNullException(nameof(inner));
        if (size < 1) throw new ArgumentException($"ResizedDataset: size must be positive, got {size}.");
        var s = inner.SampleShape;
        if (s.Length != 3) throw new ArgumentException($"ResizedDataset: expected samples [C, H, W], got [{string.Join(", ", s)}].");
        (channels, inH, inW) = (s[0], s[1], s[2]);
        Size = size;
    }

    public int Size { get; }
    public int Count => inner.Count;
    public int[] SampleShape => new[] { channels, Size, Size };

    public float ReadSample(int index, Span<float> destination)
    {
        var buffer = new float[channels * inH * inW];
        float label = inner.ReadSample(index, buffer);
        var resized = inH == Size && inW == Size ? buffer : ImageResize.Resize(buffer, channels, inH, inW, Size, Size, ResizeFilter.Bilinear);
        resized.AsSpan(0, channels * Size * Size).CopyTo(destination);
        return label;
    }
}
