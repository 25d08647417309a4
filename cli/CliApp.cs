using System.Reflection;
using CommandLine;
using CommandLine.Text;
using NativeGan.Cli.Verbs;

namespace NativeGan.Cli;

/// <summary>
/// Parses the verb, runs it, and turns every failure into one line on stderr and an exit code
/// (<see cref="ExitCodes"/>). A new verb is one class with [Verb] implementing <see cref="ICommand"/>,
/// added to <see cref="VerbTypes"/>.
/// </summary>
public static class CliApp
{
    public static readonly Type[] VerbTypes =
    {
        typeof(ConvertVerb),
        typeof(DegradeVerb),
        typeof(DevicesVerb),
        typeof(ForwardVerb),
        typeof(ProfileVerb),
        typeof(GradcheckVerb),
        typeof(KernelsVerb),
        typeof(PrepareVerb),
        typeof(QuickstartVerb),
        typeof(SampleVerb),
        typeof(TrainVerb),
        typeof(TranslateVerb),
        typeof(UpscaleVerb),
    };

    /// <summary>One-letter long options the command lines use, which CommandLineParser cannot declare.</summary>
    private static readonly Dictionary<(string Verb, string Option), string> OptionAliases = new()
    {
        [("sample", "--n")] = "--count",
        [("degrade", "--n")] = "--count",
        // Real-ESRGAN's preparation scripts spell these with underscores.
        [("prepare", "--crop_size")] = "--crop-size",
        [("prepare", "--thresh_size")] = "--thresh-size",
        [("prepare", "--compression_level")] = "--compression-level",
        [("prepare", "--n_thread")] = "--threads",
        [("prepare", "--meta_info")] = "--meta-info",
        // Real-ESRGAN's inference_realesrgan.py: a two-letter short option and underscored long ones.
        [("upscale", "-dn")] = "--denoise-strength",
        [("upscale", "--denoise_strength")] = "--denoise-strength",
        [("upscale", "--model_name")] = "--model-name",
        [("upscale", "--model_path")] = "--model",
        [("upscale", "--tile_pad")] = "--tile-pad",
        [("upscale", "--pre_pad")] = "--pre-pad",
        [("upscale", "--alpha_upsampler")] = "--alpha-upsampler",
    };

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length > 0)
            args = args.Select((a, i) => i > 0 && OptionAliases.TryGetValue((args[0], a), out var full) ? full : a).ToArray();
        try
        {
            using var parser = new Parser(s =>
            {
                s.HelpWriter = null; // help is written below: stdout when asked for, stderr on a mistake
                s.CaseInsensitiveEnumValues = true;
                s.AutoVersion = true;
            });
            var result = parser.ParseArguments(args, VerbTypes);
            return result.MapResult(
                parsed => Execute((ICommand)parsed, stdout, stderr),
                errors => ShowHelp(result, errors, stdout, stderr));
        }
        catch (Exception e)
        {
            stderr.WriteLine($"error: {Describe(e)}");
            return ExitCodes.RuntimeFailure;
        }
    }

    private static int Execute(ICommand command, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            return command.Run(stdout, stderr);
        }
        catch (Exception e)
        {
            stderr.WriteLine($"error: {Describe(e)}");
            return ExitCodes.RuntimeFailure;
        }
    }

    private static int ShowHelp(ParserResult<object> result, IEnumerable<Error> errors, TextWriter stdout, TextWriter stderr)
    {
        var list = errors.ToList();
        bool asked = list.Count > 0 && list.All(e => e.Tag is ErrorType.HelpRequestedError
            or ErrorType.HelpVerbRequestedError or ErrorType.VersionRequestedError);
        if (list.Any(e => e.Tag == ErrorType.VersionRequestedError))
        {
            stdout.WriteLine($"nativegan {Version}");
            return ExitCodes.Ok;
        }
        // AutoBuild picks the verb index, one verb's options, or the parse errors, as CommandLineParser does by default.
        // An unknown verb gets the verb index rather than the generic --help/--version lines.
        var help = list.Any(e => e.Tag == ErrorType.BadVerbSelectedError)
            ? HelpText.AutoBuild(result, h => HelpText.DefaultParsingErrorsHandler(result, h), e => e, verbsIndex: true, maxDisplayWidth: 100)
            : HelpText.AutoBuild(result, maxDisplayWidth: 100);
        help.Heading = $"nativegan {Version} - GAN training and super-resolution on a from-scratch C# engine";
        help.Copyright = string.Empty;
        (asked ? stdout : stderr).WriteLine(help.ToString().TrimEnd());
        return asked ? ExitCodes.Ok : ExitCodes.BadArguments;
    }

    public static string Version =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(CliApp).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>The message a user sees for an exception: the innermost meaningful one, without a stack trace.</summary>
    public static string Describe(Exception? e)
    {
        while (e is TargetInvocationException or TypeInitializationException && e.InnerException != null)
            e = e.InnerException;
        if (e is AggregateException { InnerExceptions.Count: 1 } agg) return Describe(agg.InnerExceptions[0]);
        return string.IsNullOrWhiteSpace(e?.Message) ? e?.GetType().Name ?? "unknown failure" : e.Message;
    }
}
