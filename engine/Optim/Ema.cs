using NativeGan.IO;
using NativeGan.NN;

namespace NativeGan.Optim;

/// <summary>
/// An exponential moving average of a model's weights (BasicSR's net_g_ema / model_ema(decay)): after each
/// training step, <see cref="Update"/> sets ema = decay * ema + (1 - decay) * param for every parameter and
/// copies every buffer. The averaged weights live here as tensors keyed like the model's state dict (what BasicSR
/// saves under "params_ema"); <see cref="CopyTo"/> loads them into a module for evaluation or sampling.
/// </summary>
public sealed class ModuleEma : IDisposable
{
    /// <summary>The key BasicSR uses for these weights in a checkpoint.</summary>
    public const string CheckpointKey = "params_ema";

    private readonly Module model;
    private readonly Dictionary<string, Tensor> shadow = new();
    private readonly HashSet<string> parameterKeys = new();
    private bool disposed;

    /// <summary>Starts the average at the model's current weights (BasicSR's model_ema(0)).</summary>
    public ModuleEma(Module model, float decay = 0.999f)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(decay >= 0f && decay <= 1f)) throw new ArgumentException($"ModuleEma: decay must be in [0, 1], got {decay}.");
        this.model = model;
        Decay = decay;
        foreach (var (name, p) in model.NamedParameters()) parameterKeys.Add(name);
        using var noGrad = Tensor.NoGrad();
        foreach (var (name, t) in model.StateDict())
        {
            var copy = Tensor.Zeros(t.ShapeArray, t.Device).DetachFromScope();
            copy.CopyFrom(t);
            shadow[name] = copy;
        }
    }

    public float Decay { get; set; }

    /// <summary>ema = decay * ema + (1 - decay) * param (decay defaults to <see cref="Decay"/>); buffers are copied.</summary>
    public void Update(float? decay = null)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        float d = decay ?? Decay;
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
