using System.Globalization;
using CommandLine;
using NativeGan.Cli.Progress;
using NativeGan.Models.Gans;
using NativeGan.Models.ImageToImage;
using NativeGan.Models.Sr.Training;
using NativeGan.Models.Training;
using Spectre.Console;

namespace NativeGan.Cli.Verbs;

[Verb("train", HelpText = "Train a GAN, ProGAN, pix2pix / CycleGAN or SR model (esrgan, srgan, rrdbnet_psnr) from a YAML config (configs/*.yml), " +
    "or continue a run with --resume (or --config ... --auto-resume). A NaN / infinite loss stops the run before the update, rolls the trainer " +
    "back to the last checkpoint (which 'latest' keeps naming), writes no checkpoint and exits 2. A training holds its folder: a second one there is " +
    "refused (exit 1) naming the first. Ctrl+C, SIGTERM and SIGHUP stop after the current iteration, write a checkpoint and exit 130.")]
public sealed class TrainVerb : ICommand
{
    [Option("config", HelpText = "The YAML config (e.g. configs/dcgan_fashion.yml).")]
    public string? Config { get; set; }

    [Option("resume", HelpText = "Continue the run in this folder from its latest checkpoint.")]
    public string? Resume { get; set; }

    [Option("auto-resume", HelpText = "With --config: when the output folder holds a run, continue it from its newest checkpoint that reads back " +
        "completely (truncated ones are skipped with a warning; the config must be of the run's model); else start a new run.")]
    public bool AutoResume { get; set; }

    [Option("device", HelpText = "cpu, cuda, cuda:N or ilgpu-cpu (overrides the config).")]
    public string? Device { get; set; }

    [Option("out", HelpText = "Output folder (default runs/<config name>).")]
    public string? Out { get; set; }

    [Option("iterations", HelpText = "Total iterations to reach (overrides the config). A resumed run continues to the total it was started " +
        "with (or last extended to); --iterations on resume changes it.")]
    public int? Iterations { get; set; }

    public int Run(TextWriter stdout, TextWriter stderr)
    {
        if ((Config == null) == (Resume == null))
        {
            stderr.WriteLine("error: train needs exactly one of --config FILE or --resume RUN_FOLDER.");
            return ExitCodes.BadArguments;
        }
        if (AutoResume && Config == null)
        {
            stderr.WriteLine("error: --auto-resume goes with --config FILE (and --out RUN_FOLDER); --resume RUN_FOLDER continues a run as it is.");
            return ExitCodes.BadArguments;
        }
        if (Iterations is < 0)
        {
            stderr.WriteLine($"error: --iterations must be >= 0, got {Iterations}.");
            return ExitCodes.BadArguments;
        }
        NativeGan.Device? device = null;
        if (Device != null)
        {
            try { device = NativeGan.Device.Parse(Device); }
            catch (Exception e)
            {
                stderr.WriteLine($"error: --device: {CliApp.Describe(e)}");
                return ExitCodes.BadArguments;
            }
        }

        string runDir = Resume ?? Out ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(Config!));
        // The folder is locked before anything is written to it (and before --out / --auto-resume look at what it
        // holds), so two trainings never share one; a missing --resume folder is reported by the resume below.
        RunLock? runLock = null;
        if (Resume == null || Directory.Exists(Resume))
        {
            try { runLock = RunLock.Acquire(runDir, CommandLine()); }
            catch (RunFolderInUseException e)
            {
                stderr.WriteLine($"error: {e.Message}");
                return ExitCodes.BadArguments;
            }
        }
        using (runLock)
        {
            if (runLock != null)
            {
                var (files, bytes) = runLock.RemoveLeftoverTemporaries();
                if (files > 0)
                    stdout.WriteLine($"removed {files} leftover temporary file{(files == 1 ? "" : "s")} of interrupted writes ({bytes} bytes) from {runLock.RunDir}");
            }
            var (trainer, resumed) = BuildTrainer(runDir, device, stdout, stderr, out int refused);
            if (trainer == null) return refused;
            trainer.FolderLock = runLock;
            if (resumed && trainer.Iteration >= trainer.TotalIterations)
            {
                using (trainer)
                    stdout.WriteLine($"{trainer.OutDir} is finished: it is at iteration {trainer.Iteration} of {trainer.TotalIterations}. " +
                        $"To train further, extend it: nativegan train --resume {trainer.OutDir} --iterations M (M > {trainer.Iteration}).");
                return ExitCodes.Ok;
            }
            return RunToEnd(trainer, stdout);
        }
    }

    /// <summary>The trainer of a new or resumed run and whether it resumes; null with the exit code when the
    /// arguments were refused (the reason is on stderr).</summary>
    private (TrainerBase? Trainer, bool Resumed) BuildTrainer(string runDir, NativeGan.Device? device, TextWriter stdout, TextWriter stderr, out int refused)
    {
        refused = ExitCodes.Ok;
        try
        {
            if (Resume != null)
            {
                if (Out != null) stderr.WriteLine("warning: --out is ignored with --resume (the run folder is the output).");
                // The run folder's config.yml says which family trained it.
                string stored = Path.Combine(Resume, "config.yml");
                TrainerBase trainer = SrConfig.IsSrConfigFile(stored) ? SrTrainer.Resume(Resume, device, Iterations)
                    : ProGanConfig.IsProGanConfigFile(stored) ? ProGanTrainer.Resume(Resume, device, Iterations)
                    : I2iConfig.IsI2iConfigFile(stored) ? I2iTrainer.Resume(Resume, device, Iterations)
                    : GanTrainer.Resume(Resume, device, Iterations);
                stdout.WriteLine($"resuming {trainer.OutDir} at iteration {trainer.Iteration} of {trainer.TotalIterations} from {Path.GetFileName(trainer.LastCheckpoint)}");
                return (trainer, true);
            }
            if (AutoResume && TryAutoResume(runDir, device, stdout, stderr) is { } resumed)
                return (resumed, true);
            if (!AutoResume && CheckpointStore.HoldsRun(runDir))
            {
                stderr.WriteLine($"error: {runDir} already holds a run; continue it with `nativegan train --resume {runDir}` or choose another --out.");
                refused = ExitCodes.BadArguments;
                return (null, false);
            }
            if (SrConfig.IsSrConfigFile(Config!))
            {
                var config = SrConfig.Load(Config!);
                if (Iterations is int it) config.TotalIter = it;
                return (new SrTrainer(config, runDir, device), false);
            }
            if (ProGanConfig.IsProGanConfigFile(Config!))
            {
                var config = ProGanConfig.Load(Config!);
                if (Iterations is int it) config.Iterations = it;
                return (new ProGanTrainer(config, runDir, device), false);
            }
            if (I2iConfig.IsI2iConfigFile(Config!))
            {
                var config = I2iConfig.Load(Config!);
                if (Iterations is int it) config.Iterations = it;
                return (new I2iTrainer(config, runDir, device), false);
            }
            var gan = GanConfig.Load(Config!);
            if (Iterations is int n) gan.Iterations = n;
            return (new GanTrainer(gan, runDir, device), false);
        }
        catch (ConfigException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            refused = ExitCodes.BadArguments;
            return (null, false);
        }
    }

    /// <summary>This command as the lock's holder file records it, for a refused second training to show.</summary>
    private string CommandLine()
    {
        var parts = new List<string> { "nativegan", "train" };
        if (Config != null) parts.AddRange(new[] { "--config", Config });
        if (Resume != null) parts.AddRange(new[] { "--resume", Resume });
        if (AutoResume) parts.Add("--auto-resume");
        if (Out != null) parts.AddRange(new[] { "--out", Out });
        if (Iterations is int it) parts.AddRange(new[] { "--iterations", it.ToString(CultureInfo.InvariantCulture) });
        if (Device != null) parts.AddRange(new[] { "--device", Device });
        return string.Join(' ', parts.Select(p => p.Length > 0 && p.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=+,@".Contains(c)) ? p : $"'{p.Replace("'", "'\\''")}'"));
    }

    /// <summary>
    /// --auto-resume (BasicSR's auto_resume): the trainer continuing the run in <paramref name="outDir"/> from its newest
    /// complete checkpoint, or null when the folder holds none (a new run then starts from --config). The config given
    /// must be of the run's model family and model; the run continues with its stored config (--iterations still applies).
    /// </summary>
    private TrainerBase? TryAutoResume(string outDir, NativeGan.Device? device, TextWriter stdout, TextWriter stderr)
    {
        string file = Config!;
        var (format, kind, model) = SrConfig.IsSrConfigFile(file) ? (SrTrainer.CheckpointFormat, "SR", SrConfig.Load(file).Model)
            : ProGanConfig.IsProGanConfigFile(file) ? (ProGanTrainer.CheckpointFormat, "ProGAN", ProGanConfig.ModelName)
            : I2iConfig.IsI2iConfigFile(file) ? (I2iTrainer.CheckpointFormat, "image-to-image", I2iConfig.Load(file).Model)
            : (GanTrainer.CheckpointFormat, "GAN", GanConfig.Load(file).Model);
        var found = CheckpointStore.NewestComplete(outDir, line => stderr.WriteLine($"warning: {line}"));
        if (found is not { } f)
        {
            stdout.WriteLine($"auto-resume: {outDir} holds no checkpoint; starting a new run from {file}");
            return null;
        }
        string storedModel = f.File.Metadata.TryGetValue("model", out var m) ? m : "?";
        string storedFormat = CheckpointStore.Format(f.File) ?? "?";
        if (storedFormat != format || storedModel != model)
            throw new ConfigException($"{file}: --auto-resume: this is a {model} config ({kind}), but the run in {outDir} was trained as {storedModel} " +
                $"({storedFormat}, {f.Path}); give the run's own config or another --out.");
        var reader = new CheckpointReader(f.File, f.Path, format, kind);
        if (File.Exists(file) && File.ReadAllText(file).Trim() != reader.Meta("config").Trim())
            stderr.WriteLine($"warning: {file} differs from the config stored in {Path.GetFileName(f.Path)}; the run continues with the stored one (--iterations still applies).");
        TrainerBase trainer = kind switch
        {
            "SR" => SrTrainer.Resume(outDir, device, Iterations, checkpoint: reader),
            "ProGAN" => ProGanTrainer.Resume(outDir, device, Iterations, checkpoint: reader),
            "image-to-image" => I2iTrainer.Resume(outDir, device, Iterations, checkpoint: reader),
            _ => GanTrainer.Resume(outDir, device, Iterations, checkpoint: reader),
        };
        // latest is a hint: point it at the checkpoint actually resumed from, so --resume agrees until the next checkpoint.
        string name = Path.GetFileName(f.Path);
        string pointer = Path.Combine(outDir, CheckpointStore.FolderName, CheckpointStore.LatestFileName);
        if (!File.Exists(pointer) || File.ReadAllText(pointer).Trim() != name) CheckpointStore.WriteTextAtomically(pointer, name + "\n");
        stdout.WriteLine($"auto-resume: resuming {trainer.OutDir} at iteration {trainer.Iteration} from {name} (the newest complete checkpoint)");
        return trainer;
    }

    /// <summary>Runs a trainer to its configured total with progress output and a summary; disposes it.</summary>
    internal static int RunToEnd(TrainerBase trainer, TextWriter stdout) => RunToEnd(trainer, stdout, TimeProvider.System);

    /// <summary><see cref="RunToEnd(TrainerBase, TextWriter)"/> with the clock of the redirected output's cadence.</summary>
    public static int RunToEnd(TrainerBase trainer, TextWriter stdout, TimeProvider clock)
    {
        using (trainer)
        {
            stdout.WriteLine($"training {trainer.Description}");
            foreach (var line in trainer.StartReport) stdout.WriteLine("  " + line);
            bool live = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
            // A terminal gets a live line (Spectre.Console); redirected output (CI, logs, nohup, tests) a plain line every
            // log_every and at least every 10 s, also while one slow iteration runs.
            using var printer = live ? null : new TrainProgressPrinter(stdout, trainer.LogEvery, trainer.Iteration, trainer.TotalIterations, clock, heartbeatTimer: true);
            if (printer != null)
            {
                trainer.Report = printer.OnReport;
                trainer.Progress = printer.OnProgress;
            }
            else trainer.Report = _ => { };
            // Ctrl+C, SIGTERM and SIGHUP stop after the current iteration and still write a checkpoint to resume from.
            TrainSummary summary;
            string? stoppedBy;
            using (var signals = new StopSignals())
            {
                summary = live ? RunLive(trainer, signals.Token) : trainer.Run(cancellation: signals.Token);
                stoppedBy = signals.Received;
            }
            printer?.Dispose();
            long total = trainer.TotalIterations;
            bool interrupted = stoppedBy != null && summary.Iteration < total;
            if (interrupted)
                stdout.WriteLine($"interrupted by {stoppedBy} at iteration {summary.Iteration} of {total}: checkpoint written ({summary.LastCheckpoint}).");
            foreach (var line in RunSummaryLines.For(trainer, summary, interrupted: false)) stdout.WriteLine(line);
            return interrupted ? ExitCodes.Interrupted : ExitCodes.Ok;
        }
    }

    /// <summary>Runs with a Spectre.Console live line on the terminal, redrawn at most ten times a second; the trainer's
    /// report lines (validation) print above it.</summary>
    private static TrainSummary RunLive(TrainerBase trainer, CancellationToken cancellation)
    {
        TrainSummary? summary = null;
        var lastDraw = DateTime.MinValue;
        var line = new Markup(Markup.Escape($"iter {trainer.Iteration}/{trainer.TotalIterations}  starting..."));
        AnsiConsole.Live(line).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).Start(ctx =>
        {
            trainer.Progress = p =>
            {
                var now = DateTime.UtcNow;
                if ((now - lastDraw).TotalMilliseconds < 100 && p.Iteration < p.Total) return;
                lastDraw = now;
                ctx.UpdateTarget(new Markup("[bold]" + Markup.Escape(ProgressLine.Format(p)) + "[/]"));
                ctx.Refresh();
            };
            summary = trainer.Run(cancellation: cancellation);
        });
        return summary!;
    }

    public static string FormatProgress(TrainProgress p) => ProgressLine.Format(p);
}
