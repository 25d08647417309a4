using NativeGan.Cli;
using NativeGan.Models.Data;

namespace NativeGan.Tests.Cli;

/// <summary>Every verb answers alike: one-line errors naming what was typed, one name per option, documented exit codes.</summary>
public class CliVerbConsistencyTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliRun.Run(args);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Theory]
    [InlineData("trian", "train")]
    [InlineData("upscal", "upscale")]
    [InlineData("sampel", "sample")]
    [InlineData("devcies", "devices")]
    [InlineData("up", "upscale")]
    public void UnknownVerb_IsOneLineWithDidYouMean(string typed, string meant)
    {
        var (code, output, error) = Run(typed, "--config", "x.yml");
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Equal("", output);
        var line = Assert.Single(Lines(error));
        Assert.Equal($"error: unknown verb '{typed}'; did you mean '{meant}'? See `nativegan --help`.", line);
    }

    [Fact]
    public void HelpForAnUnknownVerbIsTheSameOneLine()
    {
        var (code, output, error) = Run("help", "trian");
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Equal("", output);
        Assert.Equal("error: unknown verb 'trian'; did you mean 'train'? See `nativegan --help`.", Assert.Single(Lines(error)));
    }

    [Fact]
    public void UnknownVerbFarFromAnyListsTheVerbsOnOneLine()
    {
        var (code, _, error) = Run("frobnicate");
        Assert.Equal(ExitCodes.BadArguments, code);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith("error: unknown verb 'frobnicate' (verbs: convert, degrade, devices,", line);
        Assert.Contains("`nativegan --help`", line);
        Assert.DoesNotContain("did you mean", line);
    }

    [Theory]
    [InlineData(new[] { "sample", "--checkpoint", "run", "--ouput", "x.png" }, "sample", "--ouput", "--out")]
    [InlineData(new[] { "upscale", "-i", "a.png", "-o", "b.png", "--tiel", "64" }, "upscale", "--tiel", "--tile")]
    [InlineData(new[] { "train", "--confg", "a.yml" }, "train", "--confg", "--config")]
    [InlineData(new[] { "degrade", "--config", "a.yml", "-i", "a.png", "--sed=3" }, "degrade", "--sed", "--seed")]
    public void UnknownOption_IsOneLineNamingItWithDidYouMean(string[] args, string verb, string typed, string meant)
    {
        var (code, output, error) = Run(args);
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Equal("", output);
        var line = Assert.Single(Lines(error));
        Assert.Equal($"error: {verb}: unknown option '{typed}'; did you mean '{meant}'? See `nativegan {verb} --help`.", line);
    }

    [Fact]
    public void MissingRequiredOptionAndBadValueAreOneLineEach()
    {
        var (code, _, error) = Run("sample", "--count", "many");
        Assert.Equal(ExitCodes.BadArguments, code);
        var lines = Lines(error);
        Assert.Contains("error: sample: --checkpoint is required; see `nativegan sample --help`", lines);
        Assert.Contains("error: sample: --count: 'many' is not a valid value; see `nativegan sample --help`", lines);
        Assert.Equal(2, lines.Length);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("sample", "--help")]
    [InlineData("upscale", "--help")]
    [InlineData("help", "train")]
    public void HelpGoesToStdoutWithTheExitCodes(params string[] args)
    {
        var (code, output, error) = Run(args);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("", error);
        Assert.Contains(ExitCodes.Summary, output);
        Assert.Contains("0 done, 1 bad input or usage, 2 failure while running, 130 interrupted", output);
    }

    [Fact]
    public void VersionVerbAndOptionAgreeOnTheFirstLine()
    {
        var (code, output, _) = Run("--version");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal($"nativegan {CliApp.Version}", output.Trim());
        Assert.Matches(@"^nativegan \d+\.\d+\.\d+$", output.Trim());
        (code, var full, _) = Run("version");
        Assert.Equal(ExitCodes.Ok, code);
        var lines = Lines(full);
        Assert.Equal(output.Trim(), lines[0]);
        Assert.StartsWith("runtime: .NET ", lines[1]);
        Assert.StartsWith("os: ", lines[2]);
    }

    /// <summary>The table of option names: the same meaning has the same name in every verb that has it.</summary>
    [Fact]
    public void OneNamePerMeaningAcrossVerbs()
    {
        foreach (var verb in CliApp.VerbTypes)
        {
            string name = OptionNames.VerbName(verb);
            var declared = OptionNames.Declared(verb);
            // Whichever spelling a verb declares, every spelling of the meaning reaches it.
            foreach (var group in new[] { new[] { "--iterations", "--iters" }, new[] { "--out", "--output", "-o" }, new[] { "--count", "--n" } })
            {
                var target = group.FirstOrDefault(declared.Contains);
                if (target == null) continue;
                foreach (var spelling in group)
                {
                    // A spelling the verb declares itself stays (-o is --out's short name there).
                    string expected = declared.Contains(spelling) ? spelling : target;
                    Assert.Equal(new[] { name, expected, "1" }, OptionNames.Normalize(new[] { name, spelling, "1" }, CliApp.VerbTypes));
                }
            }
            // The output of every verb that writes a file or folder is -o/--out.
            if (name is "convert" or "degrade" or "forward" or "kernels" or "prepare" or "sample" or "translate" or "upscale")
            {
                Assert.Contains("--out", declared);
                Assert.Contains("-o", declared);
                Assert.DoesNotContain("--output", declared);
            }
            if (name is "degrade" or "forward" or "gradcheck" or "profile" or "quickstart" or "sample" or "train" or "translate" or "upscale")
                Assert.Contains("--device", declared);
            if (name is "degrade" or "gradcheck" or "sample")
                Assert.Contains("--seed", declared);
        }
        // Aliases leave values alone, also values that start with a dash.
        Assert.Equal(new[] { "sample", "--codes", "-1,0.5", "--count", "4" },
            OptionNames.Normalize(new[] { "sample", "--codes", "-1,0.5", "--n", "4" }, CliApp.VerbTypes));
        Assert.Equal(new[] { "train", "--iterations=5", "--out", "r" },
            OptionNames.Normalize(new[] { "train", "--iters=5", "-o", "r" }, CliApp.VerbTypes));
        // upscale's -n is --model-name, not a count.
        Assert.Equal(new[] { "upscale", "-n", "x" }, OptionNames.Normalize(new[] { "upscale", "-n", "x" }, CliApp.VerbTypes));
    }

    [Fact]
    public void TrainAcceptsItersAndQuickstartAcceptsIterations()
    {
        // Both reach the verb's own check of the value, so the option name was understood.
        var (code, _, error) = Run("train", "--config", "x.yml", "--iters", "-1");
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Contains("--iterations must be >= 0, got -1", error);
        (code, _, error) = Run("quickstart", "--iterations", "0");
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Contains("must be at least 1, got 0", error);
    }

    [Theory]
    [InlineData("Sneaker", 7)]
    [InlineData("sneaker", 7)]
    [InlineData("SNEAKERS", 7)]
    [InlineData("T-shirt/top", 0)]
    [InlineData("tshirt", 0)]
    [InlineData("top", 0)]
    [InlineData("Trouser", 1)]
    [InlineData("pullover", 2)]
    [InlineData("Dress", 3)]
    [InlineData("coat", 4)]
    [InlineData("Sandal", 5)]
    [InlineData("shirt", 6)]
    [InlineData("bag", 8)]
    [InlineData("Ankle boot", 9)]
    [InlineData("ankle_boot", 9)]
    [InlineData("boot", 9)]
    public void FashionMnistClassNamesAndShortForms(string name, int label)
    {
        Assert.True(FashionMnistClasses.TryParse(name, out int parsed));
        Assert.Equal(label, parsed);
        Assert.Equal(10, FashionMnistClasses.Names.Count);
        Assert.False(FashionMnistClasses.TryParse("sock", out _));
    }

    [Theory]
    [InlineData("runs/quickstart", "runs/quickstart")]
    [InlineData("runs/my run", "'runs/my run'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("a$b", "'a$b'")]
    [InlineData("", "''")]
    [InlineData("C:/x-1_2.safetensors", "C:/x-1_2.safetensors")]
    public void ShellQuoteQuotesOnlyWhatAShellWouldSplitOrExpand(string word, string quoted)
    {
        Assert.Equal(quoted, ShellQuote.Quote(word));
    }

    [Fact]
    public void ShellQuoteJoinsACommand()
    {
        Assert.Equal("nativegan train --resume 'runs/my run'", ShellQuote.Join("nativegan", "train", "--resume", "runs/my run"));
    }

    [Fact]
    public void DidYouMeanCountsASwapAsOneEdit()
    {
        Assert.Equal(1, DidYouMean.Distance("trian", "train"));
        Assert.Equal(3, DidYouMean.Distance("kitten", "sitting"));
        Assert.Null(DidYouMean.Closest("zzzzzz", new[] { "train", "sample" }));
    }

    [Fact]
    public void ExceptionsMapToTheDocumentedExitCodes()
    {
        Assert.Equal(ExitCodes.BadArguments, CliApp.ExitCodeFor(new FileNotFoundException("x")));
        Assert.Equal(ExitCodes.BadArguments, CliApp.ExitCodeFor(new DirectoryNotFoundException("x")));
        Assert.Equal(ExitCodes.BadArguments, CliApp.ExitCodeFor(new NativeGan.Models.Training.ConfigException("x")));
        Assert.Equal(ExitCodes.BadArguments, CliApp.ExitCodeFor(new InvalidDataException("x")));
        Assert.Equal(ExitCodes.BadArguments, CliApp.ExitCodeFor(new NativeGan.IO.PthFormatException("f.pth", "truncated")));
        Assert.Equal(ExitCodes.BadArguments, CliApp.ExitCodeFor(new ArgumentException("x")));
        Assert.Equal(ExitCodes.RuntimeFailure, CliApp.ExitCodeFor(new IOException("disk full")));
        Assert.Equal(ExitCodes.RuntimeFailure, CliApp.ExitCodeFor(new InvalidOperationException("no CUDA device")));
        Assert.Equal(ExitCodes.RuntimeFailure, CliApp.ExitCodeFor(new OutOfMemoryException()));
        Assert.Equal(ExitCodes.Interrupted, CliApp.ExitCodeFor(new OperationCanceledException()));
        Assert.Equal(130, ExitCodes.Interrupted);
    }

    [Fact]
    public void BadInputFilesAreExitOneAndFailuresWhileRunningAreTwo()
    {
        string dir = Directory.CreateTempSubdirectory("nativegan-exitcodes-").FullName;
        try
        {
            // A missing input, a malformed config, a file that is not what the verb reads: 1.
            var (code, _, error) = Run("train", "--config", Path.Combine(dir, "missing.yml"));
            Assert.Equal(ExitCodes.BadArguments, code);
            Assert.Contains("missing.yml", error);
            string bad = Path.Combine(dir, "bad.yml");
            File.WriteAllText(bad, "model: dcgan\nbatch_sise: 8\n");
            (code, _, error) = Run("train", "--config", bad, "--out", Path.Combine(dir, "run"));
            Assert.Equal(ExitCodes.BadArguments, code);
            Assert.Contains("batch_sise", error);
            (code, _, error) = Run("forward", "--weights", Path.Combine(dir, "w.pth"), "-i", Path.Combine(dir, "in.safetensors"), "-o", Path.Combine(dir, "o.safetensors"), "--device", "cpu");
            Assert.Equal(ExitCodes.BadArguments, code);
            Assert.Contains("in.safetensors", error);
            string notImage = Path.Combine(dir, "not.png");
            File.WriteAllText(notImage, "hello");
            (code, _, error) = Run("degrade", "--config", Path.Combine(CliRun.RepositoryRoot, "configs", "realesrgan_degradations.yml"), "-i", notImage, "-o", Path.Combine(dir, "g.png"));
            Assert.Equal(ExitCodes.BadArguments, code);
            Assert.Contains("not.png", error);
            (code, _, error) = Run("sample", "--checkpoint", Path.Combine(dir, "nothing-here"));
            Assert.Equal(ExitCodes.BadArguments, code);
            Assert.Contains("nothing-here", error);
            (code, _, _) = Run("forward", "--weights", "w.pth", "-i", "in.safetensors", "-o", "o.safetensors", "--device", "tpu");
            Assert.Equal(ExitCodes.BadArguments, code);

            // The input was fine and the work failed: 2. Writing where a file stands in for a folder fails.
            File.WriteAllText(Path.Combine(dir, "blocker"), "");
            (code, _, error) = Run("degrade", "--config", Path.Combine(CliRun.RepositoryRoot, "configs", "realesrgan_degradations.yml"),
                "-i", Path.Combine(AppContext.BaseDirectory, "fixtures", "srdata", "images", "astronaut.png"), "--n", "1",
                "-o", Path.Combine(dir, "blocker", "g.png"));
            Assert.Equal(ExitCodes.RuntimeFailure, code);
            Assert.Contains("blocker is a file", error);
            Assert.Single(Lines(error));
            if (!NativeGan.Device.CudaAvailable)
            {
                (code, _, error) = Run("degrade", "--config", Path.Combine(CliRun.RepositoryRoot, "configs", "realesrgan_degradations.yml"),
                    "-i", Path.Combine(AppContext.BaseDirectory, "fixtures", "srdata", "images", "astronaut.png"), "--device", "cuda", "-o", Path.Combine(dir, "g.png"));
                Assert.Equal(ExitCodes.RuntimeFailure, code);
                Assert.Contains("No CUDA device", error);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
