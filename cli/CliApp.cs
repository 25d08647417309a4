using System.Reflection;
using CommandLine;
using CommandLine.Text;
using NativeGan.Cli.Verbs;
using NativeGan.Models.Training;

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

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        args = OptionNames.Normalize(args, VerbTypes);
        try
        {
            using var parser = new Parser(s =>
            {
                s.HelpWriter = null; // help is written below: stdout when asked for, one line on stderr on a mistake
                s.CaseInsensitiveEnumValues = true;
                s.AutoVersion = true;
            });
            var result = parser.ParseArguments(args, VerbTypes);
            return result.MapResult(
                parsed => Execute((ICommand)parsed, stdout, stderr),
                errors => ParseFailed(result, errors.ToList(), args, stdout, stderr));
        }
        catch (Exception e)
        {
            stderr.WriteLine($"error: {Describe(e)}");
            return ExitCodeFor(e);
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
            return ExitCodeFor(e);
        }
    }

    /// <summary>
    /// The exit code of a verb that ended with an exception: bad input (a missing input file or folder, a malformed
    /// config or file, a bad argument value) is 1, Ctrl+C is 130, anything else failed while running: 2.
    /// </summary>
    public static int ExitCodeFor(Exception e)
    {
        e = Innermost(e);
        return e switch
        {
            OperationCanceledException => ExitCodes.Interrupted,
            ConfigException or FileNotFoundException or DirectoryNotFoundException or ArgumentException
                or FormatException or InvalidDataException => ExitCodes.BadArguments,
            _ => ExitCodes.RuntimeFailure,
        };
    }

    private static int ParseFailed(ParserResult<object> result, List<Error> errors, string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (errors.Any(e => e.Tag == ErrorType.VersionRequestedError))
        {
            // CommandLineParser owns the word `version` (its verb index lists it); `nativegan version` says a little more.
            return args.Length > 0 && args[0] == "version" ? VersionInfo.Write(stdout) : VersionInfo.WriteVersion(stdout);
        }
        var verb = result.TypeInfo.Current is { } t && VerbTypes.Contains(t) ? t : null;
        // `nativegan help VERB` with a VERB that does not exist.
        if (errors.OfType<HelpVerbRequestedError>().FirstOrDefault() is { Matched: false } && args.Length > 1 && args[0] == "help"
            && !args[1].StartsWith('-'))
            return UnknownVerb(args[1], stderr);
        if (errors.All(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError))
        {
            stdout.WriteLine(Help(result, verbsIndex: false));
            return ExitCodes.Ok;
        }
        if (errors.OfType<BadVerbSelectedError>().FirstOrDefault() is { } bad)
            return UnknownVerb(bad.Token, stderr);
        if (errors.Any(e => e.Tag == ErrorType.NoVerbSelectedError))
        {
            // `nativegan` alone: the verb index, as a reminder of what there is.
            stderr.WriteLine(Help(result, verbsIndex: true));
            return ExitCodes.BadArguments;
        }

        string name = verb != null ? OptionNames.VerbName(verb) : "nativegan";
        string where = verb != null ? $"see `nativegan {name} --help`" : "see `nativegan --help`";
        foreach (var error in errors)
        {
            string what = Describe(error, verb, args);
            stderr.WriteLine($"error: {name}: {what}{(what.EndsWith('?') ? " S" + where[1..] + "." : "; " + where)}");
        }
        return ExitCodes.BadArguments;
    }

    private static int UnknownVerb(string typed, TextWriter stderr)
    {
        var names = VerbTypes.Select(OptionNames.VerbName).Append("help").ToList();
        string? guess = DidYouMean.Closest(typed, names);
        stderr.WriteLine(guess != null
            ? $"error: unknown verb '{typed}'; did you mean '{guess}'? See `nativegan --help`."
            : $"error: unknown verb '{typed}' (verbs: {string.Join(", ", names.Where(n => n != "help").Order(StringComparer.Ordinal))}); see `nativegan --help`.");
        return ExitCodes.BadArguments;
    }

    /// <summary>One parse error as a phrase naming the option as the user typed it.</summary>
    private static string Describe(Error error, Type? verb, string[] args)
    {
        static string Name(NameInfo n) => n.LongName.Length > 0 ? "--" + n.LongName : "-" + n.ShortName;
        switch (error)
        {
            case UnknownOptionError u:
            {
                string typed = args.Skip(1).FirstOrDefault(a => a.TrimStart('-').Split('=')[0] == u.Token && a.StartsWith('-'))?.Split('=')[0]
                               ?? (u.Token.Length == 1 ? "-" : "--") + u.Token;
                string? guess = verb == null ? null : DidYouMean.Closest(typed, OptionNames.LongNames(verb));
                return guess != null ? $"unknown option '{typed}'; did you mean '{guess}'?" : $"unknown option '{typed}'";
            }
            case MissingRequiredOptionError m:
                return m.NameInfo.Equals(NameInfo.EmptyName) ? "a required value is missing" : $"{Name(m.NameInfo)} is required";
            case MissingValueOptionError m:
                return $"{Name(m.NameInfo)} needs a value";
            case BadFormatConversionError b:
                return $"{Name(b.NameInfo)}: '{ValueOf(b.NameInfo, args)}' is not a valid value";
            case RepeatedOptionError r:
                return $"{Name(r.NameInfo)} is given more than once";
            default:
                return SentenceBuilder.Create().FormatError(error).TrimEnd('.');
        }
    }

    /// <summary>The value typed after an option (for a message), or "?".</summary>
    private static string ValueOf(NameInfo option, string[] args)
    {
        for (int i = 1; i < args.Length; i++)
        {
            string a = args[i];
            bool match = a == "--" + option.LongName || (option.ShortName.Length > 0 && a == "-" + option.ShortName);
            if (match) return i + 1 < args.Length ? args[i + 1] : "?";
            if (a.StartsWith("--" + option.LongName + "=", StringComparison.Ordinal)) return a[(option.LongName.Length + 3)..];
        }
        return "?";
    }

    private static string Help(ParserResult<object> result, bool verbsIndex)
    {
        var help = verbsIndex
            ? HelpText.AutoBuild(result, h => h, e => e, verbsIndex: true, maxDisplayWidth: 100)
            : HelpText.AutoBuild(result, maxDisplayWidth: 100);
        help.Heading = $"nativegan {Version} - GAN training and super-resolution on a from-scratch C# engine";
        help.Copyright = string.Empty;
        help.AddPostOptionsLine(ExitCodes.Summary + ".");
        return help.ToString().TrimEnd();
    }

    public static string Version =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(CliApp).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>The message a user sees for an exception: the innermost meaningful one, without a stack trace.</summary>
    public static string Describe(Exception? e)
    {
        e = e == null ? null : Innermost(e);
        return string.IsNullOrWhiteSpace(e?.Message) ? e?.GetType().Name ?? "unknown failure" : e.Message;
    }

    private static Exception Innermost(Exception e)
    {
        while (e is TargetInvocationException or TypeInitializationException && e.InnerException != null)
            e = e.InnerException;
        return e is AggregateException { InnerExceptions.Count: 1 } agg ? Innermost(agg.InnerExceptions[0]) : e;
    }
}
