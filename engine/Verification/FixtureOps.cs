using System.Text.Json;

namespace NativeGan.Verification;

/// <summary>The inputs of one reference case, as tensors on the device under test, plus its arguments.</summary>
public sealed class FixtureInputs
{
    public FixtureInputs(IReadOnlyDictionary<string, Tensor> tensors, JsonElement args)
    {
        Tensors = tensors;
        Args = args;
    }

    public IReadOnlyDictionary<string, Tensor> Tensors { get; }
    public JsonElement Args { get; }

    public Tensor this[string name] => Tensors.TryGetValue(name, out var t) ? t
        : throw new KeyNotFoundException($"the case has no input 'in.{name}' (it has: {string.Join(", ", Tensors.Keys.Select(k => "in." + k))})");

    public bool Has(string name) => Tensors.ContainsKey(name);

    public int Int(string name, int fallback) =>
        Args.ValueKind == JsonValueKind.Object && Args.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : fallback;

    public float Float(string name, float fallback) =>
        Args.ValueKind == JsonValueKind.Object && Args.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetSingle() : fallback;

    public bool Bool(string name, bool fallback) =>
        Args.ValueKind == JsonValueKind.Object && Args.TryGetProperty(name, out var v) && (v.ValueKind == JsonValueKind.True || v.ValueKind == JsonValueKind.False) ? v.GetBoolean() : fallback;

    public string? String(string name) =>
        Args.ValueKind == JsonValueKind.Object && Args.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>A list of ints, or null when the argument is absent or the string "all".</summary>
    public int[]? Ints(string name)
    {
        if (Args.ValueKind != JsonValueKind.Object || !Args.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number) return new[] { v.GetInt32() };
        if (v.ValueKind != JsonValueKind.Array) return null;
        return v.EnumerateArray().Select(e => e.GetInt32()).ToArray();
    }

    public Reduction Reduction => String("reduction") switch
    {
        "sum" => Reduction.Sum,
        "none" => Reduction.None,
        _ => Reduction.Mean,
    };
}

/// <summary>
/// Every op the engine can check against a PyTorch reference case, by the case's op name. Each entry maps the
/// case's inputs and args to its named outputs ("out", or "out_d"/"out_g" ...). Used by the tests and by
/// `nativegan gradcheck --fixtures`; new op families register here.
/// </summary>
public static class FixtureOps
{
    private static readonly Dictionary<string, Func<FixtureInputs, Dictionary<string, Tensor>>> Registry = new()
    {
        ["add"] = c => Out(c["a"].Add(c["b"])),
        ["sub"] = c => Out(c["a"].Sub(c["b"])),
        ["mul"] = c => Out(c["a"].Mul(c["b"])),
        ["div"] = c => Out(c["a"].Div(c["b"])),
        ["mul_add_broadcast"] = c => Out(c["a"].Mul(c["b"]).Add(c["c"])),
        ["neg"] = c => Out(c["x"].Neg()),
        ["exp"] = c => Out(c["x"].Exp()),
        ["log"] = c => Out(c["x"].Log()),
        ["sqrt"] = c => Out(c["x"].Sqrt()),
        ["rsqrt"] = c => Out(c["x"].Rsqrt()),
        ["abs"] = c => Out(c["x"].Abs()),
        ["pow"] = c => Out(c["x"].Pow(c.Float("exponent", 2f))),
        ["pow_tensor"] = c => Out(c["a"].Pow(c["b"])),
        ["clamp"] = c => Out(c["x"].Clamp(c.Float("min", float.NegativeInfinity), c.Float("max", float.PositiveInfinity))),
        ["gt"] = c => Out(c["a"].Gt(c["b"])),
        ["ge"] = c => Out(c["a"].Ge(c["b"])),
        ["lt"] = c => Out(c["a"].Lt(c["b"])),
        ["le"] = c => Out(c["a"].Le(c["b"])),
        ["eq"] = c => Out(c["a"].Eq(c["b"])),
        ["where"] = c => Out(Tensor.Where(c["cond"], c["a"], c["b"])),
        ["relu"] = c => Out(c["x"].Relu()),
        ["leaky_relu"] = c => Out(c["x"].LeakyRelu(c.Float("slope", 0.01f))),
        ["prelu"] = c => Out(c["x"].Prelu(c["weight"])),
        ["tanh"] = c => Out(c["x"].Tanh()),
        ["sigmoid"] = c => Out(c["x"].Sigmoid()),
        ["softplus"] = c => Out(c["x"].Softplus()),
        ["log_softmax"] = c => Out(c["x"].LogSoftmax(c.Int("dim", -1))),
        ["sum"] = c => Out(c["x"].Sum(c.Ints("dims") ?? AllDims(c["x"]), c.Bool("keepdim", false))),
        ["mean"] = c => Out(c["x"].Mean(c.Ints("dims") ?? AllDims(c["x"]), c.Bool("keepdim", false))),
        ["var"] = c => Out(c["x"].Var(c.Ints("dims") ?? AllDims(c["x"]), c.Bool("unbiased", true), c.Bool("keepdim", false))),
        ["max"] = c => Out(c["x"].Max(c.Ints("dims") ?? AllDims(c["x"]), c.Bool("keepdim", false))),
        ["matmul"] = c => Out(c["a"].Matmul(c["b"])),
        ["permute"] = c => Out(c["x"].Permute(c.Ints("dims") ?? throw new ArgumentException("permute needs args.dims"))),
        ["transpose"] = c => Out(c["x"].Transpose(c.Int("dim0", 0), c.Int("dim1", 1))),
        ["slice"] = c => Out(c["x"].Narrow(c.Int("dim", 0), c.Int("start", 0), c.Int("length", 1))),
        ["cat"] = c => Out(Tensor.Cat(c.Tensors.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value).ToArray(), c.Int("dim", 0))),
        ["linear"] = c => Out(Tensor.Linear(c["x"], c["weight"], c.Has("bias") ? c["bias"] : null)),
        ["embedding"] = c => Out(Tensor.Embedding(c["indices"], c["weight"])),
        ["gram"] = c => Out(Tensor.Gram(c["x"])),
        ["bce"] = c => Out(Losses.Bce(c["x"], c["target"], c.Reduction)),
        ["bce_with_logits"] = c => Out(Losses.BceWithLogits(c["x"], c["target"], c.Reduction)),
        ["mse"] = c => Out(Losses.Mse(c["x"], c["target"], c.Reduction)),
        ["l1"] = c => Out(Losses.L1(c["x"], c["target"], c.Reduction)),
        ["cross_entropy"] = c => Out(Losses.CrossEntropy(c["x"], c["target"], c.Reduction)),
        ["ragan_loss"] = c => new()
        {
            ["out_d"] = Losses.RelativisticDiscriminator(c["real"], c["fake"]),
            ["out_g"] = Losses.RelativisticGenerator(c["real"], c["fake"]),
        },
    };

    /// <summary>Inputs that are indices or targets: they never receive a gradient.</summary>
    public static readonly IReadOnlySet<string> NonDifferentiableInputs = new HashSet<string> { "indices", "target", "cond" };

    public static bool IsKnown(string op) => Registry.ContainsKey(op);

    public static IEnumerable<string> KnownOps => Registry.Keys.Order(StringComparer.Ordinal);

    public static Dictionary<string, Tensor> Run(string op, FixtureInputs inputs) =>
        Registry.TryGetValue(op, out var f) ? f(inputs)
            : throw new NotSupportedException($"unknown op '{op}'; known ops: {string.Join(", ", KnownOps)}");

    /// <summary>Lets another assembly (a later op family) add its ops.</summary>
    public static void Register(string op, Func<FixtureInputs, Dictionary<string, Tensor>> run) => Registry[op] = run;

    private static Dictionary<string, Tensor> Out(Tensor t) => new() { ["out"] = t };

    private static int[] AllDims(Tensor t) => Enumerable.Range(0, t.Rank).ToArray();
}
