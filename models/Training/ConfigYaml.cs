using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace NativeGan.Models.Training;

/// <summary>
/// Reading validated values out of a YAML node tree for the config classes (<see cref="GanConfig"/>, the SR
/// trainers' SrConfig). Every error is a <see cref="ConfigException"/> naming the source file, the dotted key,
/// its line, what was expected and what arrived.
/// </summary>
public static class ConfigYaml
{
    /// <summary>Largest image side a config may ask for: every model here stays far below it, and
    /// side * side * channels * batch stays inside a 32-bit element count.</summary>
    public const int MaxImageSize = 4096;

    /// <summary>Largest batch a config may ask for.</summary>
    public const int MaxBatchSize = 65536;

    /// <summary>Largest layer width (features, filters, latent size).</summary>
    public const int MaxWidth = 16384;

    /// <summary>Loads YAML text; null for an empty document. A syntax error names the file, line and column.</summary>
    public static YamlNode? LoadRoot(string yaml, string source)
    {
        var stream = LoadStream(yaml, source);
        if (stream.Documents.Count == 0) return null;
        if (stream.Documents.Count > 1) throw new ConfigException($"{source}: expected one YAML document, found {stream.Documents.Count}.");
        var root = stream.Documents[0].RootNode;
        return root is YamlScalarNode { Value: null or "" or "~" or "null" } ? null : root;
    }

    /// <summary>Parses YAML text into documents; every syntax error is a ConfigException naming the file and line.</summary>
    public static YamlStream LoadStream(string yaml, string source)
    {
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(yaml));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            throw new ConfigException($"{source}: invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's parser gives up on some unclosed structures ("{a: 1" at the end of a file) with a bare
            // InvalidOperationException; the last event it produced says where the document stopped making sense.
            var at = parser.Current?.End ?? Mark.Empty;
            int line = Math.Max(1, (int)at.Line);
            throw new ConfigException($"{source}: invalid YAML at line {line}, column {Math.Max(1, (int)at.Column)}: " +
                "a flow mapping '{' or sequence '[' or a quoted string is not closed before the end of the file.", e);
        }
        return stream;
    }

    public static string Key(YamlNode k, string source, string prefix) =>
        k is YamlScalarNode { Value: { } s } ? s
            : throw new ConfigException($"{source}: expected a plain key under '{prefix.TrimEnd('.')}' (line {k.Start.Line}), got {Describe(k)}.");

    public static bool IsNull(YamlNode v) => v is YamlScalarNode s && s.Style == ScalarStyle.Plain && (s.Value is null or "" or "~" or "null" or "Null" or "NULL");

    public static string Str(YamlNode v, string source, string key) =>
        v is YamlScalarNode { Value: { } s } ? s : throw new ConfigException($"{source}: key '{key}' (line {v.Start.Line}): expected a string, got {Describe(v)}.");

    public static string Choice(YamlNode v, string source, string key, IReadOnlyList<string> allowed)
    {
        string s = v is YamlScalarNode { Value: { } x } ? x.Trim() : "";
        if (!allowed.Contains(s))
            throw new ConfigException($"{source}: key '{key}' (line {v.Start.Line}): expected one of {string.Join(", ", allowed)}, got {Describe(v)}.");
        return s;
    }

    /// <summary>An integer; a whole number written as a float (BasicSR's <c>!!float 5e3</c>) is accepted.</summary>
    public static int Int(YamlNode v, string source, string key, int min, int max = int.MaxValue)
    {
        if (v is YamlScalarNode { Value: { } s })
        {
            string t = s.Trim().Replace("_", "");
            if (int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) && i >= min && i <= max) return i;
            if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d == Math.Floor(d) && d >= min && d <= max)
                return (int)d;
        }
        string range = max == int.MaxValue ? $">= {min}" : $"from {min} to {max}";
        throw new ConfigException($"{source}: key '{key}' (line {v.Start.Line}): expected an integer {range}, got {Describe(v)}.");
    }

    public static ulong ULong(YamlNode v, string source, string key)
    {
        if (v is YamlScalarNode { Value: { } s } && ulong.TryParse(s.Trim().Replace("_", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong i))
            return i;
        throw new ConfigException($"{source}: key '{key}' (line {v.Start.Line}): expected a non-negative integer, got {Describe(v)}.");
    }

    public static float Float(YamlNode v, string source, string key, bool positive = false, float? min = null, float? max = null)
    {
        if (v is YamlScalarNode { Value: { } s } && float.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out float f) && float.IsFinite(f)
            && (!positive || f > 0) && (min == null || f >= min) && (max == null || f <= max))
            return f;
        string what = positive ? "a positive number" : min != null && max != null ? $"a number in [{min}, {max}]" : min != null ? $"a number >= {min}" : "a number";
        throw new ConfigException($"{source}: key '{key}' (line {v.Start.Line}): expected {what}, got {Describe(v)}.");
    }

    public static bool Bool(YamlNode v, string source, string key)
    {
        if (v is YamlScalarNode { Value: { } s })
        {
            switch (s.Trim().ToLowerInvariant())
            {
                case "true" or "yes" or "on": return true;
                case "false" or "no" or "off": return false;
            }
        }
        throw new ConfigException($"{source}: key '{key}' (line {v.Start.Line}): expected true or false, got {Describe(v)}.");
    }

    public static (float, float) ParseBetas(YamlNode v, string source, string key)
    {
        if (v is YamlSequenceNode { Children.Count: 2 } seq)
            return (Float(seq.Children[0], source, key + "[0]", min: 0f, max: 0.999999f), Float(seq.Children[1], source, key + "[1]", min: 0f, max: 0.999999f));
        throw new ConfigException($"{source}: key '{key}' (line {v.Start.Line}): expected a list of two numbers in [0, 1) like [0.5, 0.999], got {Describe(v)}.");
    }

    /// <summary>A list of integers (a single integer counts as a list of one).</summary>
    public static int[] IntList(YamlNode v, string source, string key, int min)
    {
        if (v is YamlSequenceNode seq) return seq.Children.Select((c, i) => Int(c, source, $"{key}[{i}]", min)).ToArray();
        if (v is YamlScalarNode && !IsNull(v)) return new[] { Int(v, source, key, min) };
        throw new ConfigException($"{source}: key '{key}' (line {v.Start.Line}): expected a list of integers like [50000, 100000], got {Describe(v)}.");
    }

    /// <summary>A list of numbers (a single number counts as a list of one).</summary>
    public static float[] FloatList(YamlNode v, string source, string key, float? min = null)
    {
        if (v is YamlSequenceNode seq) return seq.Children.Select((c, i) => Float(c, source, $"{key}[{i}]", min: min)).ToArray();
        if (v is YamlScalarNode && !IsNull(v)) return new[] { Float(v, source, key, min: min) };
        throw new ConfigException($"{source}: key '{key}' (line {v.Start.Line}): expected a list of numbers like [1, 1], got {Describe(v)}.");
    }

    /// <summary>A mapping node (the value of a section key).</summary>
    public static YamlMappingNode Mapping(YamlNode v, string source, string key, string expected) =>
        v as YamlMappingNode ?? throw new ConfigException($"{source}: key '{key}' (line {v.Start.Line}): expected a mapping {{{expected}}}, got {Describe(v)}.");

    /// <summary>The error for a key a section does not know.</summary>
    public static ConfigException UnknownKey(string source, string fullKey, YamlNode keyNode, IEnumerable<string> expected) =>
        new($"{source}: unknown key '{fullKey}' (line {keyNode.Start.Line}); expected one of: {string.Join(", ", expected)}.");

    /// <summary>The `device` key: null (the default device) or a device spec, checked here so every config says it alike.</summary>
    public static string? DeviceSpec(YamlNode v, string source, string key)
    {
        if (IsNull(v)) return null;
        string d = Str(v, source, key);
        if (!IsDeviceSpec(d))
            throw new ConfigException($"{source}: key '{key}' (line {v.Start.Line}): expected cpu, cuda, cuda:N, ilgpu-cpu or auto, got '{d}'.");
        return d;
    }

    /// <summary>cpu, cuda, gpu, cuda:N, ilgpu, ilgpu-cpu or auto.</summary>
    public static bool IsDeviceSpec(string s)
    {
        s = s.Trim().ToLowerInvariant();
        return s is "cpu" or "cuda" or "gpu" or "auto" or "ilgpu" or "ilgpu-cpu" || (s.StartsWith("cuda:") && int.TryParse(s.AsSpan(5), out int i) && i >= 0);
    }

    public static string Describe(YamlNode n) => n switch
    {
        YamlScalarNode s => s.Value is null or "" ? "nothing" : $"'{s.Value}'",
        YamlSequenceNode q => $"a list of {q.Children.Count} items",
        YamlMappingNode => "a mapping",
        _ => n.NodeType.ToString(),
    };
}
