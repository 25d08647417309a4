using System.Reflection;
using CommandLine;

namespace NativeGan.Cli;

/// <summary>
/// The option names each verb declares, and the other spellings a user may type for them: one meaning has one name
/// across verbs (`--iterations`, `-o/--out`, `--count`, `-i/--input`), and the spellings verbs used before, or that
/// Real-ESRGAN's scripts use, still work. CommandLineParser cannot declare several long names for one option, so the
/// command line is rewritten to the declared name before it is parsed.
/// </summary>
public static class OptionNames
{
    /// <summary>Spellings of one meaning: a verb that declares one of them accepts all of them.</summary>
    private static readonly string[][] Synonyms =
    {
        new[] { "--iterations", "--iters" },
        new[] { "--out", "--output", "-o" },
        new[] { "--count", "--n" },
        new[] { "--input", "-i" },
    };

    /// <summary>Spellings particular to one verb.</summary>
    private static readonly Dictionary<(string Verb, string Option), string> VerbAliases = new()
    {
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
        // The PTX folder is the output of `kernels`; --ptx was its first name.
        [("kernels", "--ptx")] = "--out",
    };

    /// <summary>The verb's declared options, as typed: "--long" and "-s".</summary>
    public static IReadOnlySet<string> Declared(Type verb)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { "--help", "--version" };
        foreach (var p in verb.GetProperties())
        {
            if (p.GetCustomAttribute<OptionAttribute>() is not { } o) continue;
            if (!string.IsNullOrEmpty(o.LongName)) names.Add("--" + o.LongName);
            if (!string.IsNullOrEmpty(o.ShortName)) names.Add("-" + o.ShortName);
        }
        return names;
    }

    /// <summary>The declared long names, for "did you mean".</summary>
    public static IEnumerable<string> LongNames(Type verb) => Declared(verb).Where(n => n.StartsWith("--") && n is not ("--help" or "--version"));

    public static string VerbName(Type verb) => verb.GetCustomAttribute<VerbAttribute>()?.Name ?? verb.Name;

    /// <summary>Every token after the verb that is another spelling of a declared option becomes the declared one.</summary>
    public static string[] Normalize(string[] args, IReadOnlyList<Type> verbs)
    {
        if (args.Length == 0) return args;
        var verb = verbs.FirstOrDefault(v => VerbName(v) == args[0]);
        if (verb == null) return args;
        var declared = Declared(verb);
        var result = (string[])args.Clone();
        for (int i = 1; i < result.Length; i++)
        {
            string token = result[i];
            if (token == "--") break;   // everything after -- is a value
            if (token.Length < 2 || token[0] != '-' || char.IsDigit(token[1])) continue;
            int eq = token.IndexOf('=');
            string name = eq > 0 ? token[..eq] : token, rest = eq > 0 ? token[eq..] : "";
            if (declared.Contains(name)) continue;
            string? target = VerbAliases.TryGetValue((args[0], name), out var alias) ? alias
                : Synonyms.FirstOrDefault(g => g.Contains(name))?.FirstOrDefault(declared.Contains);
            if (target != null) result[i] = target + rest;
        }
        return result;
    }

    /// <summary>Every spelling that <see cref="Normalize"/> maps to <paramref name="declaredName"/> for this verb.</summary>
    public static IEnumerable<string> AliasesOf(Type verb, string declaredName)
    {
        string v = VerbName(verb);
        var declared = Declared(verb);
        foreach (var kv in VerbAliases)
            if (kv.Key.Verb == v && kv.Value == declaredName) yield return kv.Key.Option;
        foreach (var g in Synonyms)
            if (g.FirstOrDefault(declared.Contains) == declaredName)
                foreach (var s in g)
                    if (!declared.Contains(s)) yield return s;
    }
}
