using System.Globalization;
using NativeGan.IO;
using NativeGan.Models.Data;
using NativeGan.Models.Gans;
using NativeGan.NN;

namespace NativeGan.Models.Training;

/// <summary>
/// Trains one model of the GAN family from a <see cref="GanConfig"/> into an output folder:
/// <c>log.csv</c> (one row per iteration, flushed), <c>samples/iter_NNNNNN.png</c> from a fixed noise,
/// <c>loss.png</c>, <c>config.yml</c> and <c>checkpoints/iter_NNNNNN.safetensors</c> with a <c>checkpoints/latest</c>
/// pointer. Checkpoints hold G ("g."), D ("d."), every optimizer ("opt_g.", "opt_d.", "opt_info."), and in the
/// metadata the iteration, the random streams' states, the loader's epoch / position and the config text, so that
/// <see cref="Resume"/> continues with exactly the losses of an uninterrupted run.
/// </summary>
public sealed class GanTrainer : TrainerBase
{
    public const string CheckpointFormat = "nativegan-gan-checkpoint/1";
    public const string LatestFileName = CheckpointStore.LatestFileName;
    public const string CsvHeader = "iteration,d_loss,g_loss,d_real,d_fake,gradient_penalty,info_loss";
    /// <summary>Images in a sample grid.</summary>
    public const int SampleCount = 64;

    private const ulong StepStreamSalt = 0x5354455052414E44UL;  // the GanStep's noise / label stream
    private const ulong FixedNoiseSalt = 0x46495845444E4F49UL;  // the fixed sample noise

    private readonly Generator initRng;
    private readonly List<Tensor> fixedInputs = new();
    private long lastSampleAt = -1;

    /// <summary>Builds the model, the data and the output folder of a new run (or of a resumed one, see <see cref="Resume"/>).</summary>
    /// <param name="config">The run.</param>
    /// <param name="outDir">The output folder (created).</param>
    /// <param name="device">Overrides the config's device.</param>
    /// <param name="dataset">Overrides the config's dataset (tests).</param>
    public GanTrainer(GanConfig config, string outDir, Device? device = null, IDataset? dataset = null)
        : base(outDir, CsvHeader)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        Device = device ?? config.ResolveDevice();
        Dataset = dataset ?? OpenDataset(config);
        var shape = Dataset.SampleShape;
        int ch = config.Dataset.ResolvedChannels, size = config.Dataset.ResolvedImageSize;
        if (shape.Length != 3 || shape[0] != ch || shape[1] != size || shape[2] != size)
            throw new ConfigException($"{config.Source}: key 'dataset': the data set's images are [{string.Join(", ", shape)}] but the config asks for [{ch}, {size}, {size}] (channels, image_size).");

        initRng = new Generator(config.Seed);
        Step = BuildStep(config, Device, initRng, new Generator(config.Seed ^ StepStreamSalt));
        BuildFixedInputs();
        Loader = new DataLoader(Dataset, config.BatchSize, Device, shuffle: true, seed: config.Seed,
            dropLast: Dataset.Count >= config.BatchSize, prefetch: 2);
        Directory.CreateDirectory(OutDir);
        Directory.CreateDirectory(SamplesDir);
        Directory.CreateDirectory(CheckpointsDir);
    }

    public GanConfig Config { get; }
    public Device Device { get; }
    public IDataset Dataset { get; }
    public GanStep Step { get; }
    public DataLoader Loader { get; }

    /// <summary>Iterations completed.</summary>
    public override long Iteration => Step.Iteration;

    public override long TotalIterations => Config.Iterations;
    public override int LogEvery => Config.LogEvery;
    public override string Description =>
        $"{Config.Model} on {Config.Dataset.Kind} ({Dataset.Count} images {string.Join("x", Dataset.SampleShape)}), batch {Config.BatchSize}, " +
        $"{Config.Iterations} iterations, device {Device}, output {OutDir}";

    /// <summary>The data (count and folder), the seed the networks start from, G's and D's parameter counts, the device.</summary>
    public override IReadOnlyList<string> StartReport => new[]
    {
        RunStartLines.Data(Dataset.Count, "images", Dataset is ImageFolderDataset or MnistDataset or SubsetDataset ? Config.Dataset.ResolvedPath : null, Config.Dataset.Kind),
        RunStartLines.Weights(LastCheckpoint, Config.Seed),
        RunStartLines.Parameters("G", Step.G),
        RunStartLines.Parameters("D", Step.D),
        RunStartLines.OnDevice(Device),
    };
    protected override int CheckpointEvery => Config.CheckpointEvery;
    protected override string ConfigText => Config.Text ?? Config.ToYaml();
    protected override string PlotTitle => $"{Config.Model} losses ({Path.GetFileName(OutDir)})";

    // ---------------------------------------------------------------- building

    /// <summary>Opens the config's dataset; a missing Fashion-MNIST says how to install it.</summary>
    public static IDataset OpenDataset(GanConfig config)
    {
        var d = config.Dataset;
        string path = d.ResolvedPath;
        IDataset ds;
        try
        {
            ds = d.Kind switch
            {
                "fashion_mnist" => MnistDataset.Load(path),
                "image_folder" => new ImageFolderDataset(path, d.ResolvedImageSize, d.ResolvedChannels),
                _ => throw new ConfigException($"{config.Source}: key 'dataset.kind': expected one of {string.Join(", ", GanConfig.DatasetKinds)}, got '{d.Kind}'."),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException && e is not ConfigException)
        {
            string hint = d.Kind == "fashion_mnist" && !e.Message.Contains("apt-get")
                ? $" (Fashion-MNIST is installed by `apt-get install dataset-fashion-mnist` into {MnistDataset.DebianFashionMnistDirectory})" : "";
            throw new ConfigException($"{config.Source}: key 'dataset.path': cannot read the {d.Kind} data set: {e.Message}{hint}", e);
        }
        if (d.MaxSamples is int max && max < ds.Count) ds = new SubsetDataset(ds, max);
        return ds;
    }

    /// <summary>The model's networks and training step for a config.</summary>
    public static GanStep BuildStep(GanConfig c, Device device, Generator initRng, Generator stepRng)
    {
        int ch = c.Dataset.ResolvedChannels, size = c.Dataset.ResolvedImageSize, pixels = ch * size * size;
        int dSteps = c.ResolvedDSteps, dInit = c.DInitSteps;
        switch (c.Model)
        {
            case "gan":
            {
                var g = new VanillaGenerator(64, 256, pixels, new[] { ch, size, size }, device, initRng);
                var d = new VanillaDiscriminator(pixels, 128, device, initRng);
                return new VanillaGanStep(g, d, c.Lr ?? VanillaGanStep.DefaultLr, c.Betas, dSteps, dInit, stepRng);
            }
            case "dcgan":
            {
                var g = new DcganGenerator(size, ch, 100, c.Ngf ?? 64, device, initRng);
                var d = new DcganDiscriminator(size, ch, c.Ndf ?? 64, device, initRng);
                return new DcganStep(g, d, c.Lr ?? DcganStep.DefaultLr, c.Betas, dSteps, dInit, stepRng);
            }
            case "wgan":
            {
                var g = new WganGenerator(ch, size, 100, device: device, generator: initRng);
                var d = new WganCritic(ch, size, device: device, generator: initRng);
                return new WganStep(g, d, c.Lr ?? WganStep.DefaultLr, 0.01f, dSteps, dInit, stepRng);
            }
            case "wgan_gp":
            {
                var g = new WganGenerator(ch, size, 100, device: device, generator: initRng);
                var d = new WganCritic(ch, size, device: device, generator: initRng);
                return new WganGpStep(g, d, c.Lr ?? WganGpStep.DefaultLr, c.Betas, 10f, dSteps, dInit, stepRng);
            }
            case "cgan":
            {
                var g = new CganGenerator(10, ch, size, 100, device: device, generator: initRng);
                var d = new CganDiscriminator(10, ch, size, device: device, generator: initRng);
                return new CganStep(g, d, c.Lr ?? CganStep.DefaultLr, c.Betas, GanLossKind.LeastSquares, dSteps, dInit, stepRng);
            }
            case "infogan":
            {
                var g = new InfoGanGenerator(ch, size, 62, 10, 2, device, initRng);
                var d = new InfoGanDiscriminator(ch, size, 10, 2, device, initRng);
                return new InfoGanStep(g, d, c.Lr ?? InfoGanStep.DefaultLr, c.Betas, dSteps: dSteps, dInitSteps: dInit, rng: stepRng);
            }
            default:
                throw new ConfigException($"{c.Source}: key 'model': expected one of {string.Join(", ", GanConfig.Models)}, got '{c.Model}'.");
        }
    }

    /// <summary>The fixed generator inputs of the sample grids: noise from a stream of its own (seeded by the config's
    /// seed), labels 0..9 by row for cgan, categories by column and a continuous code sweep by row for infogan.</summary>
    private void BuildFixedInputs()
    {
        var rng = new Generator(Config.Seed ^ FixedNoiseSalt);
        int n = SampleCount;
        switch (Step)
        {
            case DcganStep s:
                fixedInputs.Add(Tensor.Randn(new[] { n, s.LatentDim, 1, 1 }, Device, rng));
                break;
            case CganStep s:
            {
                fixedInputs.Add(Tensor.Randn(new[] { n, s.LatentDim }, Device, rng));
                var labels = new float[n];
                for (int i = 0; i < n; i++) labels[i] = i / 8 % s.Generator.Classes;
                fixedInputs.Add(Tensor.FromArray(labels, new[] { n }, Device));
                break;
            }
            case InfoGanStep s:
            {
                int classes = s.Generator.Classes, codeDim = s.Generator.CodeDim;
                fixedInputs.Add(Tensor.Randn(new[] { n, s.LatentDim }, Device, rng));
                var oneHot = new float[n * classes];
                var code = new float[n * codeDim];
                for (int i = 0; i < n; i++)
                {
                    oneHot[i * classes + i % 8 % classes] = 1f;
                    code[i * codeDim] = -1f + 2f * (i / 8) / 7f;
                }
                fixedInputs.Add(Tensor.FromArray(oneHot, new[] { n, classes }, Device));
                fixedInputs.Add(Tensor.FromArray(code, new[] { n, codeDim }, Device));
                break;
            }
            default:
                fixedInputs.Add(Tensor.Randn(new[] { n, Step.LatentDim }, Device, rng));
                break;
        }
    }

    // ---------------------------------------------------------------- running

    /// <summary>One <see cref="GanStep.Step"/> on the next batch; the log row is
    /// <c>d_loss,g_loss,d_real,d_fake,gradient_penalty,info_loss</c>.</summary>
    protected override IterationResult RunIteration(long total)
    {
        StepResult r;
        using (var batch = Loader.Next())
        {
            var labels = Step is CganStep ? batch.Labels : null;
            r = Step.Step(batch.Images, labels);
        }
        var shown = new List<LossValue> { new("d_loss", r.DLoss), new("g_loss", r.GLoss) };
        if (r.GradientPenalty != null) shown.Add(new("gp", r.GradientPenalty));
        if (r.InfoLoss != null) shown.Add(new("info", r.InfoLoss));
        return new IterationResult(new float?[] { r.DLoss, r.GLoss, r.DReal, r.DFake, r.GradientPenalty, r.InfoLoss }, shown, r.AllFinite);
    }

    protected override void OnRunStart() => lastSampleAt = -1;

    protected override void OnIterationLogged(long iteration)
    {
        if (Config.SampleEvery > 0 && iteration % Config.SampleEvery == 0) { WriteSamples(); lastSampleAt = iteration; }
    }

    protected override void OnRunEnd(long iteration)
    {
        if (lastSampleAt != iteration) WriteSamples();
    }

    /// <summary>Generates the grid of the fixed inputs with G in eval mode under NoGrad; returns the PNG's path.</summary>
    public string WriteSamples()
    {
        Directory.CreateDirectory(SamplesDir);
        string path = Path.Combine(SamplesDir, $"iter_{Iteration:D6}.png");
        bool training = Step.G.IsTraining;
        Step.G.Eval();
        try
        {
            using var noGrad = Tensor.NoGrad();
            using var scope = Tensor.Scope();
            var images = Step switch
            {
                CganStep s => s.Generator.Forward(fixedInputs[0], fixedInputs[1]),
                InfoGanStep s => s.Generator.Forward(fixedInputs[0], fixedInputs[1], fixedInputs[2]),
                _ => Step.G.Forward(fixedInputs[0]),
            };
            SampleGrid.SaveReadable(images, path, nrow: 8, labels: GanGridLabels.ForStep(Step, Config, Dataset, SampleCount, 8));
        }
        finally
        {
            Step.G.Train(training);
        }
        AddSample(path);
        return path;
    }

    /// <summary>The loss plot draws the loss columns, not D's mean outputs.</summary>
    protected override bool PlotsColumn(string name) => name is not ("d_real" or "d_fake");

    // ---------------------------------------------------------------- checkpoints

    /// <summary>The optimizers of the step by checkpoint prefix.</summary>
    public IEnumerable<(string Prefix, NativeGan.Optim.Optimizer Optimizer)> Optimizers()
    {
        yield return ("opt_g.", Step.OptimizerG);
        yield return ("opt_d.", Step.OptimizerD);
        if (Step is InfoGanStep info) yield return ("opt_info.", info.OptimizerInfo);
    }

    /// <summary>G ("g."), D ("d."), the optimizers, and as metadata <c>format</c>, <c>model</c>, the random streams'
    /// states, the fixed noise seed and the loader's epoch / position (<c>iteration</c> and <c>config</c> come from the base).</summary>
    protected override void CollectCheckpoint(List<(string Name, int[] Shape, float[] Data)> tensors, Dictionary<string, string> meta)
    {
        foreach (var (k, t) in Step.G.StateDict()) tensors.Add(("g." + k, t.Shape.ToArray(), t.ToArray()));
        foreach (var (k, t) in Step.D.StateDict()) tensors.Add(("d." + k, t.Shape.ToArray(), t.ToArray()));
        foreach (var (prefix, opt) in Optimizers())
            foreach (var (k, v) in opt.StateDict()) tensors.Add((prefix + k, new[] { v.Length }, v));
        var (seed, offset) = Step.Rng.GetState();
        var (initSeed, initOffset) = initRng.GetState();
        var c = CultureInfo.InvariantCulture;
        meta["format"] = CheckpointFormat;
        meta["model"] = Config.Model;
        meta["rng_seed"] = seed.ToString(c);
        meta["rng_offset"] = offset.ToString(c);
        meta["init_rng_seed"] = initSeed.ToString(c);
        meta["init_rng_offset"] = initOffset.ToString(c);
        meta["fixed_noise_seed"] = (Config.Seed ^ FixedNoiseSalt).ToString(c);
        meta["loader_epoch"] = Loader.Epoch.ToString(c);
        meta["loader_position"] = Loader.Position.ToString(c);
    }

    /// <summary>The checkpoint <c>checkpoints/latest</c> of a run folder points at.</summary>
    public static string LatestCheckpoint(string outDir) => CheckpointStore.Latest(outDir);

    /// <summary>Continues the run in <paramref name="outDir"/> from its latest checkpoint with the config stored in it.</summary>
    /// <param name="outDir">The run folder.</param>
    /// <param name="device">Overrides the stored config's device.</param>
    /// <param name="iterations">Overrides the stored config's iterations (the total to reach).</param>
    /// <param name="dataset">Overrides the config's dataset (tests).</param>
    /// <param name="checkpoint">The checkpoint to continue from (auto-resume's newest complete one); default: the one <c>checkpoints/latest</c> names.</param>
    public static GanTrainer Resume(string outDir, Device? device = null, int? iterations = null, IDataset? dataset = null, CheckpointReader? checkpoint = null)
    {
        var reader = checkpoint ?? CheckpointReader.OpenLatest(outDir, CheckpointFormat, "GAN");
        var config = GanConfig.Parse(reader.Meta("config"), reader.Path + " (stored config)");
        // The run continues to the length it was started with (or extended to), unless --iterations says otherwise.
        if ((iterations ?? reader.StoredTotalIterationsInt) is int it) config.Iterations = it;
        var trainer = new GanTrainer(config, outDir, device, dataset);
        return Restore(trainer, t => t.Load(reader));
    }

    protected override (string Format, string Kind) CheckpointKind => (CheckpointFormat, "GAN");

    protected override void LoadCheckpoint(CheckpointReader reader) => Load(reader);

    private void Load(CheckpointReader r)
    {
        try
        {
            Step.G.LoadStateDict(r.Take("g."));
            Step.D.LoadStateDict(r.Take("d."));
            foreach (var (prefix, opt) in Optimizers()) opt.LoadStateDict(r.Take(prefix));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{r.Path}: does not fit the {Config.Model} model of its config: {e.Message}", e);
        }
        Step.Rng.SetState(r.MetaULong("rng_seed"), r.MetaULong("rng_offset"));
        initRng.SetState(r.MetaULong("init_rng_seed"), r.MetaULong("init_rng_offset"));
        Step.Iteration = r.MetaLong("iteration");
        Loader.Seek(r.MetaInt("loader_epoch"), r.MetaInt("loader_position"));
        LastCheckpoint = r.Path;
    }

    protected override void DisposeCore()
    {
        Loader.Dispose();
        foreach (var t in fixedInputs) t.Dispose();
        Step.Dispose();
        Step.G.Dispose();
        Step.D.Dispose();
    }
}

/// <summary>The first <see cref="Count"/> samples of a data set.</summary>
public sealed class SubsetDataset : IDataset
{
    private readonly IDataset inner;

    public SubsetDataset(IDataset inner, int count)
    {
        this.inner = inner ?? throw new ArgumentNullException(nameof(inner));
        if (count <= 0 || count > inner.Count) throw new ArgumentException($"SubsetDataset: count must be in [1, {inner.Count}], got {count}.");
        Count = count;
    }

    public int Count { get; }
    public int[] SampleShape => inner.SampleShape;

    public float ReadSample(int index, Span<float> destination)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"SubsetDataset: index {index} outside [0, {Count}).");
        return inner.ReadSample(index, destination);
    }
}
