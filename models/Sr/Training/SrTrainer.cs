using System.Globalization;
using NativeGan.IO;
using NativeGan.Models.Metrics;
using NativeGan.Models.Sr.Data;
using NativeGan.Models.Training;
using NativeGan.NN;
using NativeGan.Optim;

namespace NativeGan.Models.Sr.Training;

/// <summary>PSNR / SSIM of one validation pass (means over the validation images): of the EMA weights when EMA is
/// on (<paramref name="UsedEma"/>), else of G; with EMA also of G's own weights (<paramref name="PlainPsnr"/>,
/// <paramref name="PlainSsim"/>), so the run can tell which of the two it should hand out.</summary>
public sealed record SrValidationResult(long Iteration, double Psnr, double Ssim, int Images, bool UsedEma, double? PlainPsnr = null, double? PlainSsim = null)
{
    /// <summary>The weights <see cref="Psnr"/> and <see cref="Ssim"/> measured: <c>params_ema</c> or <c>params</c>.</summary>
    public string Weights => UsedEma ? SrWeights.Ema : SrWeights.Plain;

    /// <summary>The better-validated weights (higher PSNR; a tie or no plain measurement keeps the EMA, BasicSR's choice).</summary>
    public string BetterWeights => UsedEma && PlainPsnr is double p && double.IsFinite(p) && !(Psnr >= p) ? SrWeights.Plain : Weights;

    /// <summary>PSNR and SSIM of <see cref="BetterWeights"/>.</summary>
    public (double Psnr, double Ssim) Better => BetterWeights == Weights ? (Psnr, Ssim) : (PlainPsnr!.Value, PlainSsim ?? double.NaN);
}

/// <summary>
/// Trains an SR model (rrdbnet_psnr, esrgan, srgan, realesrnet, realesrgan) from an <see cref="SrConfig"/> with the GAN family's run-folder
/// machinery (<see cref="TrainerBase"/>): <c>config.yml</c>, <c>log.csv</c> (<see cref="CsvHeader"/>, one flushed row
/// per iteration; psnr / ssim on validation iterations), <c>loss.png</c>, <c>checkpoints/iter_NNNNNN.safetensors</c>
/// with the <c>latest</c> pointer, and bitwise <see cref="Resume"/>. Checkpoints hold G under <c>params.</c>, its EMA
/// under <c>params_ema.</c> (BasicSR's keys), D under <c>net_d.</c>, the optimizers (<c>opt_g.</c>, <c>opt_d.</c>), the
/// schedulers (<c>sched_g.</c>, <c>sched_d.</c>) and the loader's epoch / position. With every checkpoint the released
/// generator goes to <c>models/net_g_ITER.safetensors</c> and <c>models/net_g_latest.safetensors</c>: BasicSR's plain
/// keys (conv_first.weight, ...), the EMA weights when EMA is on, loadable by <c>nativegan upscale -m</c> and <c>forward</c>.
/// With EMA on, every validation measures both the EMA and G's own weights; <c>models/net_g_best.safetensors</c> holds
/// whichever scored the best PSNR (metadata <c>weights</c>), and <c>nativegan upscale -m RUN</c> takes the better of the
/// two at the latest checkpoint (<see cref="SrRunWeights"/>).
/// </summary>
public sealed partial class SrTrainer : TrainerBase
{
    public const string CheckpointFormat = "nativegan-sr-checkpoint/1";
    /// <summary>The <c>log.csv</c> header; psnr / ssim are the EMA's when EMA is on, psnr_plain / ssim_plain G's own
    /// weights then (empty without EMA, where psnr / ssim are G's). New columns go last, so older logs still read.</summary>
    public const string CsvHeader = "iteration,l_g_pix,l_g_percep,l_g_style,l_g_gan,l_d_real,l_d_fake,out_d_real,out_d_fake,lr,psnr,ssim,psnr_plain,ssim_plain";
    public const string ModelsFolderName = "models";

    private readonly Generator initRng;
    private Module? evalG;
    private SrValidationResult? lastValidation;

    /// <summary>Builds the networks, losses, optimizers and data of a new run (or of a resumed one, see <see cref="Resume"/>).</summary>
    /// <param name="config">The run.</param>
    /// <param name="outDir">The output folder.</param>
    /// <param name="device">Overrides the config's device.</param>
    /// <param name="trainSource">Overrides the config's training data (tests).</param>
    /// <param name="valSource">Overrides the config's validation data (tests).</param>
    public SrTrainer(SrConfig config, string outDir, Device? device = null, ISrPairSource? trainSource = null, ISrPairSource? valSource = null)
        : this(config, outDir, device, trainSource, valSource, resuming: false) { }

    private SrTrainer(SrConfig config, string outDir, Device? device, ISrPairSource? trainSource, ISrPairSource? valSource, bool resuming)
        : base(outDir, CsvHeader)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        Device = device ?? config.ResolveDevice();
        TrainSource = trainSource ?? OpenTrainSource(config);
        if (config.DegradesGt && TrainSource.Scale != 1)
            throw new ConfigException($"{config.Source}: {config.Model} trains from GT images alone (the LR comes from the degradations), but the training source has scale {TrainSource.Scale}.");
        if (!config.DegradesGt && TrainSource.Scale != config.Scale)
            throw new ConfigException($"{config.Source}: key 'scale': the training data has scale {TrainSource.Scale} but the config says {config.Scale}.");
        var val = valSource ?? OpenValSource(config);
        if (val != null && val.Scale != config.Scale)
            throw new ConfigException($"{config.Source}: key 'scale': the validation data has scale {val.Scale} but the config says {config.Scale}.");
        ValSet = val == null ? null : new SrValidationSet(val);

        var built = new List<IDisposable>();
        try
        {
            initRng = new Generator(config.Seed);
            G = BuildGenerator(config, Device, initRng);
            built.Add(G);
            if (!resuming && config.PretrainNetworkG != null) loadedWeights.Add(LoadPretrained(G, config));
            if (config.HasDiscriminator)
            {
                var nd = config.NetworkD;
                D = nd.Type == "UNetDiscriminatorSN"
                    ? new UNetDiscriminatorSN(nd.NumInCh, nd.NumFeat, nd.SkipConnection, Device, initRng)
                    : new VGGStyleDiscriminator(nd.NumInCh, nd.NumFeat, config.Train.GtSize, Device, initRng);
                built.Add(D);
                if (!resuming && config.PretrainNetworkD != null) loadedWeights.Add(LoadPretrainedD(D, config));
            }
            Perceptual = BuildPerceptual(config, Device);
            if (Perceptual != null) built.Add(Perceptual.Vgg);

            var og = config.OptimG;
            var optG = new Adam(G.Parameters(), og.Lr, og.Betas, weightDecay: og.WeightDecay);
            built.Add(optG);
            Adam? optD = null;
            if (D != null)
            {
                var od = config.OptimD;
                optD = new Adam(D.Parameters(), od.Lr, od.Betas, weightDecay: od.WeightDecay);
                built.Add(optD);
            }
            var ema = config.EmaDecay > 0 ? new ModuleEma(G, config.EmaDecay, config.EmaWarmup) : null;
            if (ema != null) built.Add(ema);
            Step = new SrTrainStep(config.Model, G, optG, D, optD, BuildScheduler(config, optG), optD == null ? null : BuildScheduler(config, optD), ema,
                config.PixelLoss?.Type, config.PixelLoss?.LossWeight ?? 0f, Perceptual,
                D == null ? null : new SrGanLoss(config.GanLoss.Type, config.GanLoss.LossWeight), config.NetDIters, config.NetDInitIters);
            built.Clear();
            built.Add(Step);
            built.Add(G);
            if (D != null) built.Add(D);
            if (Perceptual != null) built.Add(Perceptual.Vgg);
            if (config.IsRealEsrgan) BuildRealEsrgan();
            try
            {
                // Real-ESRGAN's loader gives crop_pad_size GT patches (scale 1); the degradations crop the pairs.
                Loader = config.DegradesGt
                    ? new SrPairLoader(TrainSource, config.Train.BatchSize, config.Train.CropPadSize, 1, config.Train.UseHFlip, config.Train.UseRot,
                        config.Seed, Device, shuffle: true, dropLast: TrainSource.Count >= config.Train.BatchSize)
                    : new SrPairLoader(TrainSource, config.Train.BatchSize, config.Train.GtSize, config.Scale, config.Train.UseHFlip, config.Train.UseRot,
                        config.Seed, Device, shuffle: true, dropLast: TrainSource.Count >= config.Train.BatchSize);
            }
            catch (ArgumentException e)
            {
                throw new ConfigException($"{config.Source}: key 'datasets.train': {e.Message}", e);
            }
        }
        catch
        {
            foreach (var d in built) d.Dispose();
            throw;
        }
    }

    public SrConfig Config { get; }
    public Device Device { get; }
    public ISrPairSource TrainSource { get; }
    public SrValidationSet? ValSet { get; }
    public Module G { get; }
    public Module? D { get; }
    public PerceptualLoss? Perceptual { get; }
    public SrTrainStep Step { get; }
    public SrPairLoader Loader { get; }

    /// <summary>The most recent validation (null before the first).</summary>
    public SrValidationResult? LastValidation => lastValidation;

    /// <summary>Called after each validation pass (the CLI prints it).</summary>
    public Action<SrValidationResult>? Validated { get; set; }

    public override long Iteration => Step.Iteration;
    public override long TotalIterations => Config.TotalIter;
    public override int LogEvery => Config.PrintFreq;
    protected override int CheckpointEvery => Config.SaveCheckpointFreq;
    protected override string ConfigText => Config.Text ?? Config.ToYaml();
    protected override string PlotTitle => $"{Config.Model} losses ({Path.GetFileName(OutDir)})";

    public override string Description =>
        $"{Config.Model} ({Config.NetworkG.Type} x{Config.Scale}) on {TrainSource.Count} images, batch {Config.Train.BatchSize}, gt {Config.Train.GtSize}, " +
        $"{Config.TotalIter} iterations, device {Device}, output {OutDir}";

    /// <summary>The folder of the released generator weights.</summary>
    public string ModelsDir => Path.Combine(OutDir, ModelsFolderName);

    // ---------------------------------------------------------------- building

    /// <summary>The generator of a config (BasicSR's default initialisation is the network's own).</summary>
    public static Module BuildGenerator(SrConfig c, Device device, Generator? initRng = null)
    {
        var g = c.NetworkG;
        return g.Type switch
        {
            "RRDBNet" => new RRDBNet(g.NumInCh, g.NumOutCh, c.Scale, g.NumFeat, g.NumBlock, g.NumGrowCh, device, initRng),
            "MSRResNet" => new MSRResNet(g.NumInCh, g.NumOutCh, g.NumFeat, g.NumBlock, c.Scale, device, initRng),
            "SRResNet" => new SRResNet(g.NumInCh, g.NumOutCh, g.NumFeat, g.NumBlock, c.Scale, device: device, generator: initRng),
            "SRVGGNetCompact" => new SRVGGNetCompact(g.NumInCh, g.NumOutCh, g.NumFeat, g.NumConv, c.Scale, g.ActType, device, initRng),
            _ => throw new ConfigException($"{c.Source}: key 'network_g.type': expected one of {string.Join(", ", SrNetworkGConfig.Types)}, got '{g.Type}'."),
        };
    }

    /// <summary>The perceptual loss of a config (null when off); refuses to start without the VGG19 weights.</summary>
    private static PerceptualLoss? BuildPerceptual(SrConfig c, Device device)
    {
        var p = c.PerceptualLoss;
        if (p == null || (p.PerceptualWeight <= 0 && p.StyleWeight <= 0)) return null;
        if (p.VggWeights == null)
            throw new ConfigException($"{c.Source}: key 'losses.perceptual.vgg_weights' is not set. {Vgg19FeatureExtractor.MissingWeightsMessage} " +
                "(Or turn the perceptual loss off with `losses: {perceptual: ~}`.)");
        IReadOnlyDictionary<string, SafetensorsEntry> state;
        try
        {
            state = WeightsFile.Load(p.VggWeights);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidDataException)
        {
            throw new ConfigException($"{c.Source}: key 'losses.perceptual.vgg_weights': cannot read {p.VggWeights}: {e.Message} {Vgg19FeatureExtractor.MissingWeightsMessage}", e);
        }
        var vgg = new Vgg19FeatureExtractor(p.LayerWeights.Keys.ToArray(), p.UseInputNorm, p.RangeNorm, device);
        try
        {
            vgg.LoadTorchvisionWeights(state, p.VggWeights);
            return new PerceptualLoss(vgg, p.LayerWeights, p.PerceptualWeight, p.StyleWeight, p.Criterion);
        }
        catch (ArgumentException e)
        {
            vgg.Dispose();
            throw new ConfigException($"{c.Source}: key 'losses.perceptual.vgg_weights': {e.Message}", e);
        }
    }

    private static LRScheduler? BuildScheduler(SrConfig c, Optimizer opt)
    {
        var s = c.Scheduler;
        return s.Type switch
        {
            "MultiStepLR" => new MultiStepLR(opt, s.Milestones, s.Gamma),
            "CosineAnnealingRestartLR" => new CosineAnnealingRestartLR(opt, s.Periods, s.RestartWeights, s.EtaMin),
            _ => null,
        };
    }

    /// <summary>The training pairs of a config: paired folders, or an HR folder with LR made by MATLAB-style bicubic.</summary>
    public static ISrPairSource OpenTrainSource(SrConfig c)
    {
        var t = c.Train;
        if (t.DatarootGt == null)
            throw new ConfigException($"{c.Source}: key 'datasets.train.dataroot_gt': the training HR folder is not set (add datasets: {{train: {{dataroot_gt: path/to/HR}}}}).");
        if (c.IsRealEsrgan && !c.HighOrderDegradation) return OpenRealEsrganPairs(c);
        if (c.IsRealEsrgan)
        {
            try
            {
                return new RealEsrganGtSource(t.DatarootGt, t.MetaInfo, t.CropPadSize, t.DatasetEnlargeRatio);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException)
            {
                throw new ConfigException($"{c.Source}: key 'datasets.train.{(e is FileNotFoundException && t.MetaInfo != null ? "meta_info" : "dataroot_gt")}': {e.Message}", e);
            }
        }
        return OpenSource(c, t.DatarootGt, t.DatarootLq, "datasets.train");
    }

    /// <summary>The validation pairs of a config, or null when it has none.</summary>
    public static ISrPairSource? OpenValSource(SrConfig c)
    {
        if (c.Val?.DatarootGt is not { } gt) return null;
        return OpenSource(c, gt, c.Val.DatarootLq, "datasets.val");
    }

    private static ISrPairSource OpenSource(SrConfig c, string gt, string? lq, string key)
    {
        try
        {
            return lq == null ? new HrFolderSource(gt, c.Scale) : new PairedFolderSource(lq, gt, c.Scale);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException)
        {
            throw new ConfigException($"{c.Source}: key '{key}.{(e.Message.Contains(gt) || lq == null ? "dataroot_gt" : "dataroot_lq")}': {e.Message}", e);
        }
    }

    // ---------------------------------------------------------------- running

    protected override IterationResult RunIteration(long total)
    {
        SrStepResult r;
        using (var batch = Loader.Next()) r = Config.IsRealEsrgan ? StepRealEsrgan(batch.Lq, batch.Gt) : Step.Step(batch.Lq, batch.Gt);
        long n = Step.Iteration;
        SrValidationResult? v = null;
        if (ValSet != null && Config.ValFreq > 0 && (n % Config.ValFreq == 0 || n == total)) v = Validate();
        var row = new float?[] { r.GPix, r.GPercep, r.GStyle, r.GGan, r.DReal, r.DFake, r.OutDReal, r.OutDFake, r.Lr, (float?)v?.Psnr, (float?)v?.Ssim,
            (float?)v?.PlainPsnr, (float?)v?.PlainSsim };
        var shown = new List<LossValue>();
        if (Step.PixelType != null) shown.Add(new("l_pix", r.GPix));
        if (Perceptual?.PerceptualWeight > 0) shown.Add(new("l_percep", r.GPercep));
        if (Perceptual?.StyleWeight > 0) shown.Add(new("l_style", r.GStyle));
        if (D != null)
        {
            shown.Add(new("l_g_gan", r.GGan));
            shown.Add(new("l_d_real", r.DReal));
            shown.Add(new("l_d_fake", r.DFake));
        }
        if (lastValidation is { } lv)
        {
            shown.Add(new("psnr", (float)lv.Psnr));
            shown.Add(new("ssim", (float)lv.Ssim));
            if (lv.PlainPsnr is double pp) shown.Add(new("psnr_plain", (float)pp));
        }
        return new IterationResult(row, shown, r.AllFinite);
    }

    /// <summary>
    /// PSNR and SSIM (BasicSR's calculate_psnr / calculate_ssim on 8-bit-rounded images, crop border and Y channel
    /// from the config) of the generator over the validation images, in eval mode without a graph: of the EMA weights
    /// when EMA is on, and then of G's own weights too (in a noisy run the EMA is ahead of G, in one still improving
    /// steadily it can trail it; the run hands out the better, see SrRunWeights).
    /// RRDBNet at scale 1 or 2 needs LR sides divisible by 4 or 2 (pixel unshuffle): the LR is cropped to that, and
    /// the GT with it.
    /// </summary>
    public SrValidationResult Validate()
    {
        if (ValSet == null) throw new InvalidOperationException("SrTrainer.Validate: the config has no validation data (datasets.val.dataroot_gt).");
        var ema = Step.Ema;
        var (psnr, ssim) = Evaluate(ema != null ? ema.StateDict() : G.StateDict());
        (double Psnr, double Ssim)? plain = ema != null ? Evaluate(G.StateDict()) : null;
        var result = new SrValidationResult(Iteration, psnr, ssim, ValSet.Count, ema != null, plain?.Psnr, plain?.Ssim);
        lastValidation = result;
        Validated?.Invoke(result);
        var c = CultureInfo.InvariantCulture;
        string both = plain is { } pl
            ? string.Create(c, $" (EMA weights); plain G: psnr {pl.Psnr:0.0000} dB, ssim {pl.Ssim:0.0000}; better: {SrWeights.Name(result.BetterWeights)}")
            : " (G weights)";
        Report?.Invoke(string.Create(c,
            $"validation at iter {result.Iteration}: psnr {result.Psnr:0.0000} dB, ssim {result.Ssim:0.0000}{both} ({result.Images} images, " +
            $"{(Config.Val?.TestYChannel ?? true ? "Y channel" : "RGB")}, crop border {Config.ResolvedCropBorder})"));
        UpdateBest(result);
        return result;
    }

    /// <summary>Mean PSNR and SSIM of the generator with <paramref name="weights"/> over the validation images.</summary>
    private (double Psnr, double Ssim) Evaluate(IReadOnlyDictionary<string, Tensor> weights)
    {
        evalG ??= BuildGenerator(Config, Device, new Generator(0));
        using (Tensor.NoGrad()) evalG.LoadStateDict(weights, strict: true);
        evalG.Eval();
        int unshuffle = Config.NetworkG.Type == "RRDBNet" ? 4 / Config.Scale : 1;
        int s = Config.Scale, border = Config.ResolvedCropBorder;
        bool y = Config.Val?.TestYChannel ?? true;
        double psnr = 0, ssim = 0;
        using (Tensor.NoGrad())
        {
            for (int i = 0; i < ValSet!.Count; i++)
            {
                using var scope = Tensor.Scope();
                var (lq, gt) = ValSet.GetTensors(i, Device);
                int h = lq.Size(2) / unshuffle * unshuffle, w = lq.Size(3) / unshuffle * unshuffle;
                if (h == 0 || w == 0)
                    throw new InvalidDataException($"{ValSet.Name(i)}: the LR image {lq.Size(2)}x{lq.Size(3)} is too small for {Config.NetworkG.Type} x{s}.");
                if (h != lq.Size(2) || w != lq.Size(3))
                {
                    lq = lq.Narrow(2, 0, h).Narrow(3, 0, w).Contiguous();
                    gt = gt.Narrow(2, 0, h * s).Narrow(3, 0, w * s).Contiguous();
                }
                var output = evalG.Forward(lq);
                psnr += SrMetrics.Psnr(output, gt, border, y, quantize: true);
                ssim += SrMetrics.Ssim(output, gt, border, y, quantize: true);
            }
        }
        return (psnr / ValSet.Count, ssim / ValSet.Count);
    }

    // ---------------------------------------------------------------- checkpoints

    protected override void CollectCheckpoint(List<(string Name, int[] Shape, float[] Data)> tensors, Dictionary<string, string> meta)
    {
        foreach (var (k, t) in G.StateDict()) tensors.Add(("params." + k, t.Shape.ToArray(), t.ToArray()));
        if (Step.Ema != null)
            foreach (var (k, t) in Step.Ema.StateDict()) tensors.Add((ModuleEma.CheckpointKey + "." + k, t.Shape.ToArray(), t.ToArray()));
        if (D != null)
            foreach (var (k, t) in D.StateDict()) tensors.Add(("net_d." + k, t.Shape.ToArray(), t.ToArray()));
        foreach (var (prefix, state) in States())
            foreach (var (k, v) in state()) tensors.Add((prefix + k, new[] { v.Length }, v));
        var c = CultureInfo.InvariantCulture;
        meta["format"] = CheckpointFormat;
        meta["model"] = Config.Model;
        meta["network_g"] = Config.NetworkG.Type;
        if (Config.NetworkG.Type == "SRVGGNetCompact") meta[SrModelFile.ActTypeMetadataKey] = Config.NetworkG.ActType;
        meta["scale"] = Config.Scale.ToString(c);
        meta["loader_epoch"] = Loader.Epoch.ToString(c);
        meta["loader_position"] = Loader.Position.ToString(c);
        if (Step.Ema != null) meta[EmaUpdatesKey] = Step.Ema.Updates.ToString(c);
        CollectRealEsrgan(tensors, meta);
        if (lastValidation is { } val)
        {
            meta["val_iteration"] = val.Iteration.ToString(c);
            meta["val_psnr"] = val.Psnr.ToString("R", c);
            meta["val_ssim"] = val.Ssim.ToString("R", c);
            if (val.PlainPsnr is double pp) meta[SrRunWeights.PlainPsnrKey] = pp.ToString("R", c);
            if (val.PlainSsim is double ps) meta["val_ssim_plain"] = ps.ToString("R", c);
        }
    }

    /// <summary>Optimizer and scheduler states by checkpoint prefix.</summary>
    private IEnumerable<(string Prefix, Func<Dictionary<string, float[]>> State)> States()
    {
        yield return ("opt_g.", Step.OptimizerG.StateDict);
        if (Step.OptimizerD != null) yield return ("opt_d.", Step.OptimizerD.StateDict);
        if (Step.SchedulerG != null) yield return ("sched_g.", Step.SchedulerG.StateDict);
        if (Step.SchedulerD != null) yield return ("sched_d.", Step.SchedulerD.StateDict);
    }

    /// <summary>Continues the run in <paramref name="outDir"/> from its latest checkpoint with the config stored in it.</summary>
    /// <param name="checkpoint">The checkpoint to continue from (auto-resume's newest complete one); default: the one <c>checkpoints/latest</c> names.</param>
    public static SrTrainer Resume(string outDir, Device? device = null, int? iterations = null, ISrPairSource? trainSource = null, ISrPairSource? valSource = null,
        CheckpointReader? checkpoint = null)
    {
        var reader = checkpoint ?? CheckpointReader.OpenLatest(outDir, CheckpointFormat, "SR");
        var config = SrConfig.Parse(reader.Meta("config"), reader.Path + " (stored config)");
        // The run continues to the length it was started with (or extended to), unless --iterations says otherwise.
        if ((iterations ?? reader.StoredTotalIterationsInt) is int it) config.TotalIter = it;
        var trainer = new SrTrainer(config, outDir, device, trainSource, valSource, resuming: true);
        return Restore(trainer, t => t.Load(reader));
    }

    protected override (string Format, string Kind) CheckpointKind => (CheckpointFormat, "SR");

    protected override void LoadCheckpoint(CheckpointReader reader) => Load(reader);

    private void Load(CheckpointReader r)
    {
        try
        {
            G.LoadStateDict(r.Take("params."));
            Step.Ema?.LoadStateDict(r.Take(ModuleEma.CheckpointKey + "."));
            D?.LoadStateDict(r.Take("net_d."));
            Step.OptimizerG.LoadStateDict(r.Take("opt_g."));
            Step.OptimizerD?.LoadStateDict(r.Take("opt_d."));
            Step.SchedulerG?.LoadStateDict(r.Take("sched_g."));
            Step.SchedulerD?.LoadStateDict(r.Take("sched_d."));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{r.Path}: does not fit the {Config.Model} model of its config: {e.Message}", e);
        }
        Step.Iteration = r.MetaLong("iteration");
        if (Step.Ema != null) Step.Ema.Updates = EmaUpdatesOf(r);
        Loader.Seek(r.MetaInt("loader_epoch"), r.MetaInt("loader_position"));
        LoadRealEsrgan(r);
        lastValidation = r.File.Metadata.TryGetValue("val_psnr", out var p) && r.File.Metadata.TryGetValue("val_ssim", out var s)
            ? new SrValidationResult(r.MetaLong("val_iteration"), double.Parse(p, CultureInfo.InvariantCulture),
                double.Parse(s, CultureInfo.InvariantCulture), ValSet?.Count ?? 0, Step.Ema != null,
                MetaDouble(r, SrRunWeights.PlainPsnrKey), MetaDouble(r, "val_ssim_plain"))
            : null;
        LoadBest(r);
        LastCheckpoint = r.Path;
    }

    protected override void DisposeCore()
    {
        Loader.Dispose();
        Step.Dispose();
        G.Dispose();
        D?.Dispose();
        Perceptual?.Vgg.Dispose();
        evalG?.Dispose();
    }
}
