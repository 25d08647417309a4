using System.Diagnostics;
using System.Globalization;
using System.Text;
using NativeGan.IO;
using NativeGan.Models.Data;
using NativeGan.Models.Gans;
using NativeGan.NN;

namespace NativeGan.Models.Training;

/// <summary>What the trainer reports after every iteration (for progress lines).</summary>
/// <param name="Iteration">Iterations completed so far.</param>
/// <param name="Total">Iterations the run is asked to reach.</param>
/// <param name="Result">The losses of the iteration just run.</param>
/// <param name="ItersPerSecond">Speed since this process started training (or resumed).</param>
/// <param name="Eta">Estimated time to <paramref name="Total"/>.</param>
public sealed record TrainProgress(long Iteration, long Total, StepResult Result, double ItersPerSecond, TimeSpan Eta);

/// <summary>The outcome of <see cref="GanTrainer.Run"/>.</summary>
public sealed record TrainSummary(long StartIteration, long Iteration, TimeSpan Elapsed, StepResult? Last, string? LastCheckpoint, string OutDir,
    IReadOnlyList<string> Samples);

/// <summary>
/// Trains one model of the GAN family from a <see cref="GanConfig"/> into an output folder:
/// <c>log.csv</c> (one row per iteration, flushed), <c>samples/iter_NNNNNN.png</c> from a fixed noise,
/// <c>loss.png</c>, <c>config.yml</c> and <c>checkpoints/iter_NNNNNN.safetensors</c> with a <c>checkpoints/latest</c>
/// pointer. Checkpoints hold G ("g."), D ("d."), every optimizer ("opt_g.", "opt_d.", "opt_info."), and in the
/// metadata the iteration, the random streams' states, the loader's epoch / position and the config text, so that
/// <see cref="Resume"/> continues with exactly the losses of an uninterrupted run.
/// </summary>
public sealed class GanTrainer : IDisposable
{
    public const string CheckpointFormat = "nativegan-gan-checkpoint/1";
    public const string LatestFileName = "latest";
    public const string CsvHeader = "iteration,d_loss,g_loss,d_real,d_fake,gradient_penalty,info_loss";
    /// <summary>Images in a sample grid.</summary>
    public const int SampleCount = 64;

    private const ulong StepStreamSalt = 0x5354455052414E44UL;  // the GanStep's noise / label stream
    private const ulong FixedNoiseSalt = 0x46495845444E4F49UL;  // the fixed sample noise

    private readonly Generator initRng;
    private readonly List<Tensor> fixedInputs = new();
    private readonly List<string> samples = new();
    private StreamWriter? csv;
    private bool disposed;

    /// <summary>Builds the model, the data and the output folder of a new run (or of a resumed one, see <see cref="Resume"/>).</summary>
    /// <param name="config">The run.</param>
    /// <param name="outDir">The output folder (created).</param>
    /// <param name="device">Overrides the config's device.</param>
    /// <param name="dataset">Overrides the config's dataset (tests).</param>
    public GanTrainer(GanConfig config, string outDir, Device? device = null, IDataset? dataset = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrEmpty(outDir);
        config.Validate();
        Config = config;
        OutDir = Path.GetFullPath(outDir);
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
    public string OutDir { get; }
    public Device Device { get; }
    public IDataset Dataset { get; }
    public GanStep Step { get; }
    public DataLoader Loader { get; }

    /// <summary>Iterations completed.</summary>
    public long Iteration => Step.Iteration;

    public string CsvPath => Path.Combine(OutDir, "log.csv");
    public string LossPlotPath => Path.Combine(OutDir, "loss.png");
    public string SamplesDir => Path.Combine(OutDir, "samples");
    public string CheckpointsDir => Path.Combine(OutDir, "checkpoints");
    public string ConfigPath => Path.Combine(OutDir, "config.yml");

    /// <summary>Called after every iteration.</summary>
    public Action<TrainProgress>? Progress { get; set; }

    /// <summary>The checkpoint written last (by this process or the one resumed from).</summary>
    public string? LastCheckpoint { get; private set; }

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
                var g = new DcganGenerator(size, ch, 100, 64, device, initRng);
                var d = new DcganDiscriminator(size, ch, 64, device, initRng);
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

    /// <summary>Runs iterations until <see cref="Iteration"/> reaches <paramref name="untilIteration"/> (default: the
    /// config's iterations), writing logs, samples and checkpoints; a final checkpoint, sample grid and loss plot at the end.</summary>
    public TrainSummary Run(long? untilIteration = null, CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        long total = untilIteration ?? Config.Iterations;
        long start = Iteration;
        OpenCsv();
        if (!File.Exists(ConfigPath)) File.WriteAllText(ConfigPath, Config.Text ?? Config.ToYaml());
        var watch = Stopwatch.StartNew();
        StepResult? last = null;
        long lastCheckpointAt = -1, lastSampleAt = -1;
        while (Iteration < total && !cancellation.IsCancellationRequested)
        {
            using (var batch = Loader.Next())
            {
                var labels = Step is CganStep ? batch.Labels : null;
                last = Step.Step(batch.Images, labels);
            }
            long n = Iteration;
            WriteCsvRow(n, last);
            if (!last.AllFinite)
                throw new InvalidOperationException($"training diverged at iteration {n}: d_loss={Fmt(last.DLoss)}, g_loss={Fmt(last.GLoss)} (see {CsvPath}; try a lower lr).");
            if (Config.SampleEvery > 0 && n % Config.SampleEvery == 0) { WriteSamples(); lastSampleAt = n; }
            if (Config.CheckpointEvery > 0 && n % Config.CheckpointEvery == 0) { SaveCheckpoint(); lastCheckpointAt = n; }
            if (Progress != null)
            {
                double rate = (n - start) / Math.Max(watch.Elapsed.TotalSeconds, 1e-9);
                var eta = rate > 0 ? TimeSpan.FromSeconds((total - n) / rate) : TimeSpan.Zero;
                Progress(new TrainProgress(n, total, last, rate, eta));
            }
        }
        if (Iteration > start || LastCheckpoint == null)
        {
            if (lastSampleAt != Iteration) WriteSamples();
            if (lastCheckpointAt != Iteration) SaveCheckpoint();
        }
        csv?.Flush();
        WriteLossPlot();
        return new TrainSummary(start, Iteration, watch.Elapsed, last, LastCheckpoint, OutDir, samples.ToArray());
    }

    private void OpenCsv()
    {
        if (csv != null) return;
        bool fresh = !File.Exists(CsvPath) || new FileInfo(CsvPath).Length == 0;
        if (!fresh)
        {
            // Rows past the checkpoint we continue from were logged by the interrupted run: they are redone.
            var lines = File.ReadAllLines(CsvPath);
            var keep = new List<string> { CsvHeader };
            foreach (var line in lines.Skip(1))
            {
                int comma = line.IndexOf(',');
                if (comma > 0 && long.TryParse(line.AsSpan(0, comma), NumberStyles.Integer, CultureInfo.InvariantCulture, out long it) && it <= Iteration)
                    keep.Add(line);
            }
            string tmp = CsvPath + ".tmp";
            File.WriteAllLines(tmp, keep);
            File.Move(tmp, CsvPath, overwrite: true);
        }
        csv = new StreamWriter(new FileStream(CsvPath, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { NewLine = "\n" };
        if (fresh) { csv.WriteLine(CsvHeader); csv.Flush(); }
    }

    private void WriteCsvRow(long iteration, StepResult r)
    {
        csv!.WriteLine(string.Join(',', iteration.ToString(CultureInfo.InvariantCulture), Fmt(r.DLoss), Fmt(r.GLoss), Fmt(r.DReal), Fmt(r.DFake),
            Fmt(r.GradientPenalty), Fmt(r.InfoLoss)));
        csv.Flush();
    }

    private static string Fmt(float? v) => v is float f ? f.ToString("R", CultureInfo.InvariantCulture) : "";

    /// <summary>Generates the grid of the fixed inputs with G in eval mode under NoGrad; returns the PNG's path.</summary>
    public string WriteSamples()
    {
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
            SaveGrid(images, path);
        }
        finally
        {
            Step.G.Train(training);
        }
        samples.Add(path);
        return path;
    }

    // The two calls into the plotting helpers of models/Training (SampleGrid, LossPlot).
    private static void SaveGrid(Tensor images, string path) => SampleGrid.Save(images, path, nrow: 8, padding: 2);

    /// <summary>Redraws <c>loss.png</c> from <c>log.csv</c>: the loss columns (not D's mean outputs) that hold values.</summary>
    public void WriteLossPlot()
    {
        csv?.Flush();
        if (!File.Exists(CsvPath)) return;
        var series = LossPlot.ReadCsv(CsvPath)
            .Where(s => s.Values.Count > 0 && s.Name is not ("d_real" or "d_fake"))
            .Select(s => (s.Name, (IReadOnlyList<double>)s.Iterations, (IReadOnlyList<double>)s.Values))
            .ToList();
        LossPlot.Save(series, LossPlotPath, $"{Config.Model} losses ({Path.GetFileName(OutDir)})");
    }

    // ---------------------------------------------------------------- checkpoints

    /// <summary>The optimizers of the step by checkpoint prefix.</summary>
    public IEnumerable<(string Prefix, NativeGan.Optim.Optimizer Optimizer)> Optimizers()
    {
        yield return ("opt_g.", Step.OptimizerG);
        yield return ("opt_d.", Step.OptimizerD);
        if (Step is InfoGanStep info) yield return ("opt_info.", info.OptimizerInfo);
    }

    /// <summary>Writes <c>checkpoints/iter_NNNNNN.safetensors</c> (temp file + rename), then points <c>latest</c> at it
    /// (again temp + rename): a failure at any point leaves the previous checkpoint and pointer as they were.</summary>
    public string SaveCheckpoint()
    {
        string name = $"iter_{Iteration:D6}.safetensors";
        string path = Path.Combine(CheckpointsDir, name);
        var tensors = new List<(string, int[], float[])>();
        foreach (var (k, t) in Step.G.StateDict()) tensors.Add(("g." + k, t.Shape.ToArray(), t.ToArray()));
        foreach (var (k, t) in Step.D.StateDict()) tensors.Add(("d." + k, t.Shape.ToArray(), t.ToArray()));
        foreach (var (prefix, opt) in Optimizers())
            foreach (var (k, v) in opt.StateDict()) tensors.Add((prefix + k, new[] { v.Length }, v));
        var (seed, offset) = Step.Rng.GetState();
        var (initSeed, initOffset) = initRng.GetState();
        var c = CultureInfo.InvariantCulture;
        var meta = new Dictionary<string, string>
        {
            ["format"] = CheckpointFormat,
            ["model"] = Config.Model,
            ["iteration"] = Iteration.ToString(c),
            ["rng_seed"] = seed.ToString(c),
            ["rng_offset"] = offset.ToString(c),
            ["init_rng_seed"] = initSeed.ToString(c),
            ["init_rng_offset"] = initOffset.ToString(c),
            ["fixed_noise_seed"] = (Config.Seed ^ FixedNoiseSalt).ToString(c),
            ["loader_epoch"] = Loader.Epoch.ToString(c),
            ["loader_position"] = Loader.Position.ToString(c),
            ["config"] = Config.Text ?? Config.ToYaml(),
        };
        Safetensors.Write(path, tensors, meta);
        WriteAtomically(Path.Combine(CheckpointsDir, LatestFileName), name + "\n");
        LastCheckpoint = path;
        return path;
    }

    private static void WriteAtomically(string path, string text)
    {
        string tmp = $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                fs.Write(Encoding.UTF8.GetBytes(text));
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch { /* best effort */ }
            throw;
        }
    }

    /// <summary>The checkpoint <c>checkpoints/latest</c> of a run folder points at.</summary>
    public static string LatestCheckpoint(string outDir)
    {
        string dir = Path.Combine(outDir, "checkpoints");
        string pointer = Path.Combine(dir, LatestFileName);
        if (!Directory.Exists(outDir)) throw new DirectoryNotFoundException($"{outDir}: no such run folder.");
        if (!File.Exists(pointer)) throw new FileNotFoundException($"{outDir}: no checkpoint to resume from ({pointer} is missing).");
        string name = File.ReadAllText(pointer).Trim();
        if (name.Length == 0 || name.Contains('/') || name.Contains('\\'))
            throw new InvalidDataException($"{pointer}: expected a checkpoint file name, got '{name}'.");
        string path = Path.Combine(dir, name);
        if (!File.Exists(path)) throw new FileNotFoundException($"{pointer} names {name}, which does not exist.");
        return path;
    }

    /// <summary>Continues the run in <paramref name="outDir"/> from its latest checkpoint with the config stored in it.</summary>
    /// <param name="outDir">The run folder.</param>
    /// <param name="device">Overrides the stored config's device.</param>
    /// <param name="iterations">Overrides the stored config's iterations (the total to reach).</param>
    /// <param name="dataset">Overrides the config's dataset (tests).</param>
    public static GanTrainer Resume(string outDir, Device? device = null, int? iterations = null, IDataset? dataset = null)
    {
        string path = LatestCheckpoint(outDir);
        var file = Safetensors.Read(path);
        var meta = file.Metadata;
        string Meta(string key) => meta.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"{path}: not a GAN training checkpoint (metadata '{key}' is missing).");
        if (Meta("format") != CheckpointFormat)
            throw new InvalidDataException($"{path}: expected format {CheckpointFormat}, got {Meta("format")}.");
        var config = GanConfig.Parse(Meta("config"), path + " (stored config)");
        if (iterations is int it) config.Iterations = it;
        var trainer = new GanTrainer(config, outDir, device, dataset);
        try
        {
            trainer.Load(file, path);
            return trainer;
        }
        catch
        {
            trainer.Dispose();
            throw;
        }
    }

    private void Load(SafetensorsFile file, string path)
    {
        var c = CultureInfo.InvariantCulture;
        var meta = file.Metadata;
        Dictionary<string, float[]> Take(string prefix) => file.Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value.Data);
        try
        {
            Step.G.LoadStateDict(Take("g."));
            Step.D.LoadStateDict(Take("d."));
            foreach (var (prefix, opt) in Optimizers()) opt.LoadStateDict(Take(prefix));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: does not fit the {Config.Model} model of its config: {e.Message}", e);
        }
        Step.Rng.SetState(ulong.Parse(meta["rng_seed"], c), ulong.Parse(meta["rng_offset"], c));
        initRng.SetState(ulong.Parse(meta["init_rng_seed"], c), ulong.Parse(meta["init_rng_offset"], c));
        Step.Iteration = long.Parse(meta["iteration"], c);
        Loader.Seek(int.Parse(meta["loader_epoch"], c), int.Parse(meta["loader_position"], c));
        LastCheckpoint = path;
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        csv?.Dispose();
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
