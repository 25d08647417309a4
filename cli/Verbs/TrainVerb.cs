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
    "back to the last checkpoint (which 'latest' keeps naming), writes no checkpoint and exits 2.")]
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

    [Option("iterations", HelpText = "Total iterations to reach (overrides the config).")]
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

        TrainerBase trainer;
        try
        {
            if (Resume != null)
            {
                if (Out != null) stderr.WriteLine("warning: --out is ignored with --resume (the run folder is the output).");
                // The run folder's config.yml says which family trained it.
                string stored = Path.Combine(Resume, "config.yml");
                trainer = SrConfig.IsSrConfigFile(stored) ? SrTrainer.Resume(Resume, device, Iterations)
                    : ProGanConfig.IsProGanConfigFile(stored) ? ProGanTrainer.Resume(Resume, device, Iterations)
                    : I2iConfig.IsI2iConfigFile(stored) ? I2iTrainer.Resume(Resume, device, Iterations)
                    : GanTrainer.Resume(Resume, device, Iterations);
                stdout.WriteLine($"resuming {trainer.OutDir} at iteration {trainer.Iteration} from {Path.GetFileName(trainer.LastCheckpoint)}");
            }
            else
            {
                string outDir = Out ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(Config!));
                if (AutoResume && TryAutoResume(outDir, device, stdout, stderr) is { } resumed)
                    trainer = resumed;
                else if (!AutoResume && CheckpointStore.HoldsRun(outDir))
                {
                    stderr.WriteLine($"error: {outDir} already holds a run; continue it with `nativegan train --resume {outDir}` or choose another --out.");
                    return ExitCodes.BadArguments;
                }
                else if (SrConfig.IsSrConfigFile(Config!))
                {
                    var config = SrConfig.Load(Config!);
                    if (Iterations is int it) config.TotalIter = it;
                    trainer = new SrTrainer(config, outDir, device);
                }
                else if (ProGanConfig.IsProGanConfigFile(Config!))
                {
                    var config = ProGanConfig.Load(Config!);
                    if (Iterations is int it) config.Iterations = it;
                    trainer = new ProGanTrainer(config, outDir, device);
                }
                else if (I2iConfig.IsI2iConfigFile(Config!))
                {
                    var config = I2iConfig.Load(Config!);
                    if (Iterations is int it) config.Iterations = it;
                    trainer = new I2iTrainer(config, outDir, device);
                }
                else
                {
                    var config = GanConfig.Load(Config!);
                    if (Iterations is int it) config.Iterations = it;
                    trainer = new GanTrainer(config, outDir, device);
                }
            }
        }
        catch (ConfigException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.BadArguments;
        }

        return RunToEnd(trainer, stdout);
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
            // Ctrl+C stops after the current iteration and still writes a checkpoint to resume from.
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                if (cancel.IsCancellationRequested) return; // a second Ctrl+C ends the process
                e.Cancel = true;
                cancel.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            TrainSummary summary;
            try { summary = live ? RunLive(trainer, cancel.Token) : trainer.Run(cancellation: cancel.Token); }
            finally { Console.CancelKeyPress -= onCancel; }
            printer?.Dispose();
            foreach (var line in RunSummaryLines.For(trainer, summary, cancel.IsCancellationRequested)) stdout.WriteLine(line);
        }
        return ExitCodes.Ok;
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
