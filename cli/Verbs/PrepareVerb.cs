using System.Diagnostics;
using System.Globalization;
using CommandLine;
using NativeGan.Models.Data.Prepare;
using Spectre.Console;

namespace NativeGan.Cli.Verbs;

/// <summary>
/// `nativegan prepare multiscale|subimages|meta-info`: Real-ESRGAN's three data preparation scripts
/// (generate_multiscale_DF2K.py, extract_subimages.py, generate_meta_info.py). CommandLineParser has no sub-verbs, so
/// the step is the first value after `prepare`; an option that belongs to another step is refused.
/// </summary>
[Verb("prepare", HelpText = "Prepare a Real-ESRGAN training set: 'prepare multiscale', 'prepare subimages' or 'prepare meta-info'.")]
public sealed class PrepareVerb : ICommand
{
    [Value(0, MetaName = "step", Required = true, HelpText = "multiscale (Lanczos copies at 0.75, 0.5, 1/3 and shortest side 400), " +
        "subimages (overlapping crops) or meta-info (list of relative paths).")]
    public string Step { get; set; } = "";

    [Option('i', "input", Required = true, Separator = ',', HelpText = "Input folder; for meta-info one or more, comma-separated (DIR[,DIR]).")]
    public IEnumerable<string> Input { get; set; } = Array.Empty<string>();

    [Option('o', "out", HelpText = "multiscale, subimages: the output folder (created with its parents; also --output). meta-info: the text file, as --meta-info.")]
    public string? Output { get; set; }

    [Option("crop-size", HelpText = "subimages: crop size (default 480).")]
    public int? CropSize { get; set; }

    [Option("step", HelpText = "subimages: step of the overlapping windows (default 240).")]
    public int? WindowStep { get; set; }

    [Option("thresh-size", HelpText = "subimages: add a last window flush with the edge when more than this many pixels are left (default 0).")]
    public int? ThreshSize { get; set; }

    [Option("overwrite", HelpText = "subimages: write into an output folder that already exists (earlier crops of the same images are replaced).")]
    public bool Overwrite { get; set; }

    [Option("compression-level", HelpText = "multiscale, subimages: PNG zlib level 0..9 (default 6 for multiscale as Pillow, 3 for subimages as OpenCV).")]
    public int? CompressionLevel { get; set; }

    [Option("threads", HelpText = "multiscale, subimages, meta-info --check: files processed at once (default: every core).")]
    public int? Threads { get; set; }

    [Option("root", Separator = ',', HelpText = "meta-info: the root of each input folder, comma-separated; lines are relative to it.")]
    public IEnumerable<string> Root { get; set; } = Array.Empty<string>();

    [Option("meta-info", HelpText = "meta-info: the text file to write.")]
    public string? MetaInfoFile { get; set; }

    [Option("check", HelpText = "meta-info: decode every image; those that fail are named and left out.")]
    public bool Check { get; set; }

    public int Run(TextWriter stdout, TextWriter stderr)
    {
        string step = Step.ToLowerInvariant().Replace('_', '-');
        // -o/--out names every verb's output: for meta-info that is the text file.
        if (step == "meta-info" && Output != null)
        {
            if (MetaInfoFile != null) return Bad(stderr, "prepare meta-info: give the text file once, as -o/--out or --meta-info.");
            (MetaInfoFile, Output) = (Output, null);
        }
        var misplaced = Misplaced(step);
        if (step is not ("multiscale" or "subimages" or "meta-info"))
            return Bad(stderr, $"prepare expects multiscale, subimages or meta-info, got '{Step}'.");
        if (misplaced.Count > 0)
            return Bad(stderr, $"prepare {step} does not take {string.Join(", ", misplaced)}.");
        int threads = Threads ?? Environment.ProcessorCount;
        if (threads < 1) return Bad(stderr, $"--threads must be at least 1, got {threads}.");
        var inputs = Input.ToList();
        if (step != "meta-info" && inputs.Count != 1)
            return Bad(stderr, $"prepare {step} takes one --input folder, got {inputs.Count} ({string.Join(", ", inputs)}).");
        if (step != "meta-info" && string.IsNullOrEmpty(Output))
            return Bad(stderr, $"prepare {step} needs -o/--out FOLDER.");
        try
        {
            return step switch
            {
                "multiscale" => RunMultiscale(inputs[0], Output!, threads, stdout, stderr),
                "subimages" => RunSubimages(inputs[0], Output!, threads, stdout, stderr),
                _ => RunMetaInfo(inputs, threads, stdout, stderr),
            };
        }
        catch (PrepareException e)
        {
            foreach (var problem in e.Problems) stderr.WriteLine($"error: {problem}");
            return ExitCodes.RuntimeFailure;
        }
    }

    /// <summary>Options given that the chosen step does not use.</summary>
    private List<string> Misplaced(string step)
    {
        var list = new List<string>();
        void Only(bool given, string name, params string[] steps)
        {
            if (given && !steps.Contains(step)) list.Add(name);
        }
        Only(Output != null, "--out", "multiscale", "subimages");
        Only(CropSize != null, "--crop-size", "subimages");
        Only(WindowStep != null, "--step", "subimages");
        Only(ThreshSize != null, "--thresh-size", "subimages");
        Only(Overwrite, "--overwrite", "subimages");
        Only(CompressionLevel != null, "--compression-level", "multiscale", "subimages");
        Only(Root.Any(), "--root", "meta-info");
        Only(MetaInfoFile != null, "--meta-info", "meta-info");
        Only(Check, "--check", "meta-info");
        Only(Threads != null && step == "meta-info" && !Check, "--threads (without --check)", "multiscale", "subimages");
        return list;
    }

    private int RunMultiscale(string input, string output, int threads, TextWriter stdout, TextWriter stderr)
    {
        int level = CompressionLevel ?? Multiscale.DefaultZlibLevel;
        if (level is < 0 or > 9) return Bad(stderr, $"--compression-level must be 0..9, got {level}.");
        var jobs = Multiscale.Plan(input);
        if (File.Exists(output)) return Bad(stderr, $"--out {output} is a file; expected a folder.");
        OutputPath.ForFolder(output);
        stdout.WriteLine($"multiscale: {jobs.Count} images from {input} -> {output} (T0 x0.75, T1 x0.5, T2 x1/3, T3 shortest side {Multiscale.ShortestEdge}), {threads} at once");
        var byInput = jobs.ToDictionary(j => j.Input);
        return RunFiles(jobs.Select(j => j.Input).ToList(), f => Multiscale.Resize(byInput[f], output, level), threads, "images", stdout, stderr,
            r => $"{r.Input} -> {string.Join(", ", byInput[r.Input].Sizes.Select(s => $"{s.Width}x{s.Height}"))}");
    }

    private int RunSubimages(string input, string output, int threads, TextWriter stdout, TextWriter stderr)
    {
        var defaults = new SubimageOptions();
        var options = new SubimageOptions
        {
            CropSize = CropSize ?? defaults.CropSize,
            Step = WindowStep ?? defaults.Step,
            ThreshSize = ThreshSize ?? defaults.ThreshSize,
            ZlibLevel = CompressionLevel ?? defaults.ZlibLevel,
        };
        try { options.Validate(); }
        catch (PrepareException e) { return Bad(stderr, string.Join(" ", e.Problems)); }
        var jobs = Subimages.Plan(input, options);
        Subimages.PrepareOutput(input, output, jobs, Overwrite);
        stdout.WriteLine($"subimages: {jobs.Count} images from {input} -> {output}: {jobs.Sum(j => j.Count)} crops of " +
                         $"{options.CropSize}x{options.CropSize}, step {options.Step}, thresh {options.ThreshSize}, {threads} at once");
        var byInput = jobs.ToDictionary(j => j.Input);
        return RunFiles(jobs.Select(j => j.Input).ToList(), f => Subimages.Extract(byInput[f], output, options), threads, "crops", stdout, stderr,
            r => $"{r.Input}: {r.Written} crop{(r.Written == 1 ? "" : "s")}");
    }

    private int RunMetaInfo(List<string> inputs, int threads, TextWriter stdout, TextWriter stderr)
    {
        if (string.IsNullOrEmpty(MetaInfoFile)) return Bad(stderr, "prepare meta-info needs --meta-info FILE.");
        var roots = Root.ToList();
        if (roots.Count == 0) return Bad(stderr, "prepare meta-info needs --root ROOT[,ROOT], one per --input folder.");
        var entries = MetaInfo.List(inputs, roots);
        var keep = entries;
        int failed = 0;
        if (Check)
        {
            stdout.WriteLine($"meta-info: checking {entries.Count} images, {threads} at once");
            var byPath = entries.ToDictionary(e => e.Path);
            var results = PrepareFilesWithProgress(entries.Select(e => e.Path).ToList(),
                f => MetaInfo.Check(f) is { } problem ? throw new InvalidDataException(problem) : 1, threads, "checked", stdout, stderr, null);
            keep = entries.Where((e, i) => results[i].Ok).ToList();
            failed = entries.Count - keep.Count;
        }
        MetaInfo.Write(OutputPath.ForFile(MetaInfoFile), keep.Select(e => e.Relative));
        stdout.WriteLine($"meta-info: {keep.Count} lines written to {MetaInfoFile}" +
                         (failed > 0 ? $"; {failed} images failed the check and are left out" : ""));
        return failed == 0 ? ExitCodes.Ok : ExitCodes.RuntimeFailure;
    }

    private int RunFiles(IReadOnlyList<string> files, Func<string, int> work, int threads, string unit, TextWriter stdout, TextWriter stderr,
        Func<PrepareFileResult, string> describe)
    {
        var total = Stopwatch.StartNew();
        var results = PrepareFilesWithProgress(files, work, threads, unit, stdout, stderr, describe);
        int failed = results.Count(r => !r.Ok);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done: {files.Count - failed}/{files.Count} images, {results.Sum(r => r.Written)} {(unit == "crops" ? "crops" : "files")} written in {total.Elapsed.TotalSeconds:0.0} s"));
        return failed == 0 ? ExitCodes.Ok : ExitCodes.RuntimeFailure;
    }

    /// <summary>
    /// Runs the files in parallel with a progress bar over files: Spectre.Console on a terminal, one plain line per
    /// file when the output is redirected (logs, tests). Failures are one `error:` line each, naming the file.
    /// </summary>
    private static PrepareFileResult[] PrepareFilesWithProgress(IReadOnlyList<string> files, Func<string, int> work, int threads, string unit,
        TextWriter stdout, TextWriter stderr, Func<PrepareFileResult, string>? describe)
    {
        bool live = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
        if (!live)
        {
            return PrepareFiles.Run(files, work, threads, (r, done) =>
            {
                if (!r.Ok) stderr.WriteLine($"error: {r.Error}");
                else if (describe != null) stdout.WriteLine($"[{done}/{files.Count}] {describe(r)}");
            });
        }
        PrepareFileResult[] results = Array.Empty<PrepareFileResult>();
        AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"files (0/{files.Count})", maxValue: files.Count);
                int written = 0;
                results = PrepareFiles.Run(files, work, threads, (r, done) =>
                {
                    if (!r.Ok) AnsiConsole.MarkupLine("[red]" + Markup.Escape($"error: {r.Error}") + "[/]");
                    written += r.Written;
                    task.Increment(1);
                    task.Description = $"files ({done}/{files.Count}), {written} {unit}";
                });
            });
        return results;
    }

    private static int Bad(TextWriter stderr, string message)
    {
        stderr.WriteLine($"error: {message}");
        return ExitCodes.BadArguments;
    }
}
