using NativeGan.IO;
using NativeGan.NN;

namespace NativeGan.Optim;

/// <summary>
/// An exponential moving average of a model's weights (BasicSR's net_g_ema / model_ema(decay)): after each
/// training step, <see cref="Update"/> sets ema = d * ema + (1 - d) * param for every parameter and copies every
/// buffer. The averaged weights live here as tensors keyed like the model's state dict (what BasicSR saves under
/// "params_ema"); <see cref="CopyTo"/> loads them into a module for evaluation or sampling.
/// <para>
/// With <see cref="Warmup"/> (the default) the decay of the update that follows n earlier ones is
/// d_n = min(<see cref="Decay"/>, (1 + n) / (10 + n)), TensorFlow's ExponentialMovingAverage with num_updates: the
/// average starts at the initial weights but forgets them at once (d_0 = 0.1), and reaches the configured decay after
/// <see cref="WarmupLength"/> updates (8990 for 0.999). Without it (BasicSR) d_n = Decay, and after N updates the
/// initial weights still weigh Decay^N in the average (22% after 1500 updates at 0.999), which makes the EMA of a
/// short run worse than the model it follows.
/// </para>
/// </summary>
public sealed class ModuleEma : IDisposable
{
    /// <summary>The key BasicSR uses for these weights in a checkpoint.</summary>
    public const string CheckpointKey = "params_ema";

    private readonly Module model;
    private readonly Dictionary<string, Tensor> shadow = new();
    private readonly HashSet<string> parameterKeys = new();
    private bool disposed;

    /// <summary>Starts the average at the model's current weights (BasicSR's model_ema(0)), with no update made yet.</summary>
    /// <param name="model">The model whose weights are averaged.</param>
    /// <param name="decay">The decay (the cap of the warm-up when <paramref name="warmup"/> is on).</param>
    /// <param name="warmup">Whether the decay warms up as min(decay, (1 + n) / (10 + n)); false: BasicSR's constant decay.</param>
    public ModuleEma(Module model, float decay = 0.999f, bool warmup = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(decay >= 0f && decay <= 1f)) throw new ArgumentException($"ModuleEma: decay must be in [0, 1], got {decay}.");
        this.model = model;
        Decay = decay;
        Warmup = warmup;
        foreach (var (name, p) in model.NamedParameters()) parameterKeys.Add(name);
        using var noGrad = Tensor.NoGrad();
        foreach (var (name, t) in model.StateDict())
        {
            var copy = Tensor.Zeros(t.ShapeArray, t.Device).DetachFromScope();
            copy.CopyFrom(t);
            shadow[name] = copy;
        }
    }

    /// <summary>The decay; with <see cref="Warmup"/> the cap that the warm-up reaches.</summary>
    public float Decay { get; set; }

    /// <summary>Whether the decay warms up as min(<see cref="Decay"/>, (1 + n) / (10 + n)) after n updates.</summary>
    public bool Warmup { get; set; }

    private long updates;

    /// <summary>The updates made so far (n); a training checkpoint stores it, so a resumed run takes the same decays.</summary>
    public long Updates
    {
        get => updates;
        set
        {
            if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), value, $"ModuleEma.Updates: expected a count >= 0, got {value}.");
            updates = value;
        }
    }

    /// <summary>The decay the next <see cref="Update"/> applies.</summary>
    public float NextDecay => DecayAt(Decay, Warmup, updates);

    /// <summary>The decay of the update that follows <paramref name="n"/> earlier ones: min(decay, (1 + n) / (10 + n))
    /// with warm-up, else decay. Computed in double and rounded once, so every run takes bitwise the same decays.</summary>
    public static float DecayAt(float decay, bool warmup, long n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, $"ModuleEma.DecayAt: expected an update count >= 0, got {n}.");
        return warmup ? (float)Math.Min(decay, (1.0 + n) / (10.0 + n)) : decay;
    }

    /// <summary>How many updates the warm-up takes to reach <paramref name="decay"/>: the first n with
    /// (1 + n) / (10 + n) &gt;= decay (0 for decay &lt;= 0.1; 8990 for 0.999; <see cref="long.MaxValue"/> for 1).</summary>
    public static long WarmupLength(float decay)
    {
        if (decay >= 1f) return long.MaxValue;
        // (1 + n) / (10 + n) >= d  <=>  n >= (10 d - 1) / (1 - d); the formula's rounding is settled by DecayAt itself.
        long n = Math.Max(0, (long)Math.Ceiling((10.0 * decay - 1.0) / (1.0 - decay)));
        while (n > 0 && DecayAt(decay, true, n - 1) >= decay) n--;
        while (DecayAt(decay, true, n) < decay) n++;
        return n;
    }

    /// <summary>ema = d * ema + (1 - d) * param, d = <see cref="NextDecay"/> unless <paramref name="decay"/> is given
    /// (then exactly that, as BasicSR's model_ema(decay)); buffers are copied; either way <see cref="Updates"/> grows by one.</summary>
    public void Update(float? decay = null)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        float d = decay ?? NextDecay;
        using var noGrad = Tensor.NoGrad();
        using var scope = Tensor.Scope();
        foreach (var (name, t) in model.StateDict())
        {
            if (!shadow.TryGetValue(name, out var e))
                throw new InvalidOperationException($"ModuleEma: the model gained the key '{name}' after the average was created.");
            if (parameterKeys.Contains(name))
            {
                e.AffineInPlace(d, 0f);
                e.AddInPlace(t.Mul(1f - d));
            }
            else e.CopyFrom(t);
        }
        updates++;
    }

    /// <summary>Loads the averaged weights into <paramref name="target"/> (the model itself or a copy of its architecture).</summary>
    public void CopyTo(Module target) => target.LoadStateDict(shadow, strict: true);

    /// <summary>The averaged tensors keyed like the model's state dict; they belong to this object.</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict() => shadow;

    /// <summary>Restores averaged weights saved from <see cref="StateDict"/>; every key must be present with its shape.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, float[]> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var missing = shadow.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !shadow.ContainsKey(k)).ToList();
        var bad = shadow.Where(kv => state.TryGetValue(kv.Key, out var v) && v.Length != kv.Value.NumEl)
            .Select(kv => $"{kv.Key}: expected {kv.Value.NumEl} values ({ShapeUtil.Format(kv.Value.ShapeArray)}), got {state[kv.Key].Length}").ToList();
        if (missing.Count > 0) bad.Insert(0, "missing keys: " + string.Join(", ", missing));
        if (unexpected.Count > 0) bad.Insert(0, "unexpected keys: " + string.Join(", ", unexpected));
        if (bad.Count > 0) throw new ArgumentException($"ModuleEma.LoadStateDict: {string.Join("; ", bad)}.");
        using var noGrad = Tensor.NoGrad();
        foreach (var (k, t) in shadow) t.CopyFrom(state[k]);
    }

    /// <summary>Writes the averaged weights as a safetensors file a model can load directly (metadata format=params_ema).</summary>
    public void SaveSafetensors(string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var meta = metadata == null ? new Dictionary<string, string>() : new Dictionary<string, string>(metadata);
        meta.TryAdd("format", CheckpointKey);
        Safetensors.Write(path, shadow.Select(kv => (kv.Key, (int[])kv.Value.ShapeArray.Clone(), kv.Value.ToArray())), meta);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var t in shadow.Values) t.Dispose();
        shadow.Clear();
    }
}
