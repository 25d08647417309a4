using System.Diagnostics;
using System.Globalization;
using CommandLine;
using NativeGan.Cli.Progress;
using NativeGan.Models.Imaging;
using NativeGan.Models.Sr;
using NativeGan.Models.Sr.Training;
using NativeGan.Models.Sr.Upscaling;
using Spectre.Console;

namespace NativeGan.Cli.Verbs;

[Verb("upscale", HelpText = "Upscale an image or a folder of images with a super-resolution network (BasicSR / ESRGAN / Real-ESRGAN / BSRGAN weights, or ours).")]
public sealed class UpscaleVerb : ICommand
{
    private static readonly string[] ImageExtensions = { ".png", ".jpg", ".jpeg", ".bmp" };

    [Option('i', "input", Required = true, HelpText = "An image (PNG, JPEG, BMP) or a folder of them.")]
    public string Input { get; set; } = "";

    [Option('o', "out", Required = true, HelpText = "The output image (PNG, or JPEG by extension) for one input; a folder for a folder (also --output; missing folders are created).")]
    public string Output { get; set; } = "";

    [Option('m', "model", HelpText = "Network weights (.pth or .safetensors; the architecture and scale are read from them), or a NativeGan run folder or training checkpoint: its EMA or plain weights, whichever validated better (see --weights).")]
    public string? Model { get; set; }

    [Option("weights", Default = "auto", HelpText = "Which weights of a run, checkpoint or .pth: auto (a run's better-validated; a file's params_ema, else params), "
        + "ema (params_ema) or plain (params).")]
    public string Weights { get; set; } = "auto";

    [Option('n', "model-name", HelpText = "A model by name, e.g. realesr-general-x4v3 or RealESRGAN_x4plus: NAME.pth or NAME.safetensors in --model-dir. Nothing is downloaded.")]
    public string? ModelName { get; set; }

    [Option("model-dir", HelpText = "Where -n looks (default: ./models, then $NATIVEGAN_HOME/models).")]
    public string? ModelDir { get; set; }

    [Option('s', "outscale", HelpText = "Final scale of the image: the network's output resized with Lanczos to int(w * s) x int(h * s) (default: the network's scale).")]
    public double? OutScale { get; set; }

    [Option("denoise-strength", HelpText = "-dn: 0..1 for realesr-general-x4v3, its weights interpolated with realesr-general-wdn-x4v3 beside it (1: the plain model, 0: the wdn one). With -n realesr-general-x4v3 the default is 0.5, as Real-ESRGAN's, when the wdn file is there.")]
    public double? DenoiseStrength { get; set; }

    [Option('t', "tile", Default = 0, HelpText = "Tile size in input pixels (0: the whole image at once). Tiles are uploaded one at a time.")]
    public int Tile { get; set; }

    [Option("tile-pad", Default = 10, HelpText = "Context pixels every output pixel keeps from its tile's edge; neighbouring tiles are blended across a band this wide (each tile reads 1.5 times it).")]
    public int TilePad { get; set; }

    [Option("pre-pad", Default = 0, HelpText = "Reflect padding around the whole image, removed after upscaling.")]
    public int PrePad { get; set; }

    [Option("alpha-upsampler", Default = "bicubic", HelpText = "How an alpha channel is upscaled: bicubic or model.")]
    public string AlphaUpsampler { get; set; } = "bicubic";

    [Option("ext", Default = "auto", HelpText = "Output format for a folder: auto (PNG, or JPEG for JPEG inputs), png or jpg.")]
    public string Ext { get; set; } = "auto";

    [Option("suffix", Default = "", HelpText = "Appended to output file names in a folder (Real-ESRGAN uses 'out').")]
    public string Suffix { get; set; } = "";

    [Option("quality", Default = 95, HelpText = "JPEG quality of JPEG outputs.")]
    public int Quality { get; set; }

    [Option("fp32", Default = false, HelpText = "Compute in float32. NativeGan always computes in float32; accepted for Real-ESRGAN's command line.")]
    public bool Fp32 { get; set; }

    [Option("device", HelpText = "cpu, cuda, cuda:N or ilgpu-cpu (default: CUDA when present, else CPU).")]
    public string? DeviceName { get; set; }

    /// <summary>The clock of the redirected output's progress cadence (tests move their own).</summary>
    internal TimeProvider Clock { get; init; } = TimeProvider.System;

    [Option("exact-conv", Default = false, HelpText = "Compute 3x3 convolutions directly rather than with the faster Winograd algorithm on the CPU (bit-identical to training's forward pass; slower).")]
    public bool ExactConv { get; set; }

    public int Run(TextWriter stdout, TextWriter stderr)
    {
        if (ExactConv) Device.ExactConvolution = true;
        if (Tile < 0 || TilePad < 0 || PrePad < 0)
            return Bad(stderr, $"--tile, --tile-pad and --pre-pad must be >= 0, got {Tile}, {TilePad}, {PrePad}.");
        if (Quality is < 1 or > 100)
            return Bad(stderr, $"--quality must be in 1..100, got {Quality}.");
        AlphaUpsampler alpha;
        switch (AlphaUpsampler.ToLowerInvariant())
        {
            case "bicubic": alpha = Models.Sr.Upscaling.AlphaUpsampler.Bicubic; break;
            case "model": case "realesrgan": alpha = Models.Sr.Upscaling.AlphaUpsampler.Model; break;
            default: return Bad(stderr, $"--alpha-upsampler expects bicubic or model, got '{AlphaUpsampler}'.");
        }
        string ext = Ext.ToLowerInvariant();
        if (ext is not ("auto" or "png" or "jpg" or "jpeg"))
            return Bad(stderr, $"--ext expects auto, png or jpg, got '{Ext}'.");
        if (!SrRunWeights.TryParseChoice(Weights, out var choice))
            return Bad(stderr, $"--weights expects {string.Join(", ", SrRunWeights.ChoiceNames)} (auto: a run's better-validated weights), got '{Weights}'.");
        if ((Model == null) == (ModelName == null))
            return Bad(stderr, Model == null
                ? "name the network with -m PATH (weights file, run folder or checkpoint) or -n NAME (e.g. realesr-general-x4v3)."
                : $"-m {Model} and -n {ModelName} both name a network; give one.");
        if (OutScale is double o && !(o > 0 && double.IsFinite(o)))
            return Bad(stderr, $"-s/--outscale must be a positive number, got {o.ToString(CultureInfo.InvariantCulture)}.");
        if (DenoiseStrength is double dn && !(dn >= 0 && dn <= 1))
            return Bad(stderr, $"-dn/--denoise-strength must be in 0..1, got {dn.ToString(CultureInfo.InvariantCulture)}.");

        var jobs = PlanJobs(stderr);
        if (jobs == null) return ExitCodes.BadArguments;
        var device = DeviceName == null ? Device.Default : Device.Parse(DeviceName);
        string modelPath = Model ?? RealEsrganModels.Resolve(ModelName!,
            RealEsrganModels.SearchFolders(ModelDir, Directory.GetCurrentDirectory(), Environment.GetEnvironmentVariable(RealEsrganModels.HomeVariable)));
        var selection = SrRunWeights.Select(modelPath, choice);
        double? denoise = DenoiseStrength;
        // As inference_realesrgan.py: -n realesr-general-x4v3 without -dn runs at denoise strength 0.5 (it downloads the
        // wdn model; here it must be beside the general one, else the plain model runs and says so).
        if (denoise == null && ModelName == RealEsrganModels.GeneralX4V3)
        {
            if (RealEsrganModels.TryDenoisePartner(modelPath, out _) != null)
            {
                denoise = RealEsrganModels.DefaultDenoiseStrength;
                stdout.WriteLine($"denoise strength {denoise.Value.ToString(CultureInfo.InvariantCulture)} (Real-ESRGAN's default for {ModelName}; -dn 1 runs the plain model)");
            }
            else
                stdout.WriteLine($"note: Real-ESRGAN's default -dn {RealEsrganModels.DefaultDenoiseStrength.ToString(CultureInfo.InvariantCulture)} needs " +
                    $"{RealEsrganModels.GeneralWdnX4V3} beside {modelPath}; running {ModelName} alone (as -dn 1)");
        }
        // Real-ESRGAN interpolates only below 1; at 1 the plain model runs and the wdn file is not needed.
        using var net = denoise is double strength && strength < 1
            ? SrModelFile.LoadInterpolated(selection.Path, RealEsrganModels.DenoisePartner(selection.Path), (float)strength, device)
            : SrModelFile.Load(selection.Path, device, selection.ParamKey);
        stdout.WriteLine($"model: {net.Describe()}");
        if (selection.Reason != null) stdout.WriteLine($"weights: {selection.Reason}");
        stdout.WriteLine($"device: {device}{(Tile > 0 ? $", tiles of {Tile} px (pad {TilePad})" : ", whole images (use --tile N for large images)")}");
        var options = new UpscaleOptions { Tile = Tile, TilePad = TilePad, PrePad = PrePad, AlphaUpsampler = alpha, JpegQuality = Quality, OutScale = OutScale };
        var upscaler = new ImageUpscaler(net.Forward, net.Scale, device, options, modelChannels: net.Architecture.InChannels, sizeMultiple: net.SizeMultiple);

        bool live = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
        int failed = 0;
        var total = Stopwatch.StartNew();
        if (live)
        {
            AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var files = ctx.AddTask($"files (0/{jobs.Count})", maxValue: jobs.Count);
                    foreach (var (input, output) in jobs)
                    {
                        var tiles = ctx.AddTask(Markup.Escape(Path.GetFileName(input)), maxValue: 1);
                        var progress = new CallbackProgress(p =>
                        {
                            if (p.Kind == UpscaleEventKind.TileDone) { tiles.MaxValue = p.TileCount; tiles.Value = p.Tile; }
                            else AnsiConsole.MarkupLine("[yellow]" + Markup.Escape($"{Path.GetFileName(input)}: {p.Message}") + "[/]");
                        });
                        if (!UpscaleOne(upscaler, input, output, progress, msg => AnsiConsole.MarkupLine(Markup.Escape(msg)), e => AnsiConsole.MarkupLine("[red]" + Markup.Escape(e) + "[/]")))
                            failed++;
                        tiles.Value = tiles.MaxValue;
                        tiles.StopTask();
                        files.Increment(1);
                        files.Description = $"files ({files.Value:0}/{jobs.Count})";
                    }
                });
        }
        else
        {
            // Redirected output (logs, CI): each image's line, and a line at least every 10 s while the model works.
            using var printer = new UpscaleProgressPrinter(stdout, Clock, heartbeatTimer: true);
            for (int i = 0; i < jobs.Count; i++)
            {
                var (input, output) = jobs[i];
                printer.BeginImage(input, i + 1, jobs.Count);
                var progress = new CallbackProgress(printer.OnProgress);
                if (!UpscaleOne(upscaler, input, output, progress, printer.WriteLine, line => { lock (stderr) stderr.WriteLine(line); }))
                    failed++;
            }
        }
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done: {jobs.Count - failed}/{jobs.Count} images in {total.Elapsed.TotalSeconds:0.0} s"));
        return failed == 0 ? ExitCodes.Ok : ExitCodes.RuntimeFailure;
    }

    /// <summary>Upscales one file; a failure is reported (one line, no stack trace) and the next file goes on.</summary>
    private static bool UpscaleOne(ImageUpscaler upscaler, string input, string output, IProgress<UpscaleProgress> progress,
        Action<string> info, Action<string> error)
    {
        try
        {
            var watch = Stopwatch.StartNew();
            var header = upscaler.UpscaleFile(input, output, progress);
            var (w, h) = upscaler.OutputSize(header.Width, header.Height, input);
            info(string.Create(CultureInfo.InvariantCulture,
                $"{input} ({header.Width}x{header.Height}, {ImageData.ModeName(header.Channels)}, {header.BitDepth}-bit) -> {output} " +
                $"({w}x{h}) in {watch.Elapsed.TotalSeconds:0.00} s"));
            return true;
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidDataException
                                      or DeviceOutOfMemoryException or InsufficientMemoryException or UnauthorizedAccessException or NotSupportedException)
        {
            error($"error: {e.Message}");
            return false;
        }
    }

    /// <summary>Pairs every input with its output path, or prints why the arguments cannot work and returns null.</summary>
    private List<(string Input, string Output)>? PlanJobs(TextWriter stderr)
    {
        var jobs = new List<(string, string)>();
        if (Directory.Exists(Input))
        {
            if (File.Exists(Output))
            {
                stderr.WriteLine($"error: --input {Input} is a folder, so -o/--out must be a folder, but {Output} is a file.");
                return null;
            }
            var files = Directory.EnumerateFiles(Input)
                .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .OrderBy(f => f, StringComparer.Ordinal).ToList();
            if (files.Count == 0)
            {
                stderr.WriteLine($"error: {Input}: no PNG, JPEG or BMP images in this folder.");
                return null;
            }
            OutputPath.ForFolder(Output);
            foreach (var f in files)
            {
                string inExt = Path.GetExtension(f).ToLowerInvariant();
                string outExt = Ext.ToLowerInvariant() switch
                {
                    "png" => ".png",
                    "jpg" or "jpeg" => ".jpg",
                    _ => inExt is ".jpg" or ".jpeg" ? ".jpg" : ".png",
                };
                // JPEG has no alpha: an image with one is written as PNG whatever --ext says.
                if (outExt == ".jpg" && HasAlpha(f)) outExt = ".png";
                string name = Path.GetFileNameWithoutExtension(f) + (Suffix.Length > 0 ? "_" + Suffix : "") + outExt;
                jobs.Add((f, Path.Combine(Output, name)));
            }
            return jobs;
        }
        if (!File.Exists(Input))
        {
            stderr.WriteLine($"error: {Input}: no such file or folder.");
            return null;
        }
        if (Directory.Exists(Output))
        {
            string outExt = HasAlpha(Input) || Path.GetExtension(Input).ToLowerInvariant() is not (".jpg" or ".jpeg") ? ".png" : ".jpg";
            jobs.Add((Input, Path.Combine(Output, Path.GetFileNameWithoutExtension(Input) + (Suffix.Length > 0 ? "_" + Suffix : "") + outExt)));
        }
        else
        {
            jobs.Add((Input, OutputPath.ForFile(Output)));
        }
        return jobs;
    }

    private static bool HasAlpha(string path)
    {
        try { return ImageHeader.Read(path).Channels is 2 or 4; }
        catch (Exception e) when (e is IOException or FormatException or InvalidDataException) { return false; }
    }

    private static int Bad(TextWriter stderr, string message)
    {
        stderr.WriteLine($"error: {message}");
        return ExitCodes.BadArguments;
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and arrive late).</summary>
    private sealed class CallbackProgress(Action<UpscaleProgress> report) : IProgress<UpscaleProgress>
    {
        public void Report(UpscaleProgress value) => report(value);
    }
}
