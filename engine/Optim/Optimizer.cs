using System.Globalization;

namespace NativeGan.Optim;

/// <summary>A set of parameters sharing a learning rate and weight decay (torch's param_groups entry).</summary>
public sealed class ParamGroup
{
    public ParamGroup(IEnumerable<Tensor> parameters, float? lr = null, float? weightDecay = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Params = parameters.ToList();
        LrOverride = lr;
        WeightDecayOverride = weightDecay;
    }

    public IReadOnlyList<Tensor> Params { get; }
    public float Lr { get; set; }
    public float WeightDecay { get; set; }

    /// <summary>The learning rate a scheduler started from (torch's group['initial_lr']); set by the first scheduler.</summary>
    public float? InitialLr { get; set; }

    internal float? LrOverride { get; }
    internal float? WeightDecayOverride { get; }
}

/// <summary>
/// Base of the optimizers: parameter groups, per-parameter state tensors (allocated lazily on the parameter's
/// device, outside every scope), <see cref="Step"/> by fused backend kernels, and a state dict of host arrays for
/// checkpoints. Parameters without a gradient are skipped, as in PyTorch.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly List<ParamGroup> groups = new();
    private readonly Dictionary<Tensor, ParamState> state = new(ReferenceEqualityComparer.Instance);
    private bool disposed;

    protected Optimizer(IEnumerable<ParamGroup> paramGroups, float lr, float weightDecay, string name)
    {
        ArgumentNullException.ThrowIfNull(paramGroups);
        Name = name;
        if (!(lr >= 0f)) throw new ArgumentException($"{name}: invalid learning rate {lr}; expected >= 0.");
        if (!(weightDecay >= 0f)) throw new ArgumentException($"{name}: invalid weight_decay {weightDecay}; expected >= 0.");
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var g in paramGroups)
        {
            g.Lr = g.LrOverride ?? lr;
            g.WeightDecay = g.WeightDecayOverride ?? weightDecay;
            foreach (var p in g.Params)
            {
                if (p == null) throw new ArgumentException($"{name}: a parameter is null.");
                if (!p.IsLeaf) throw new ArgumentException($"{name}: can only optimize leaf tensors; got the result of an op {ShapeUtil.Format(p.ShapeArray)}.");
                if (!p.IsContiguous) throw new ArgumentException($"{name}: parameters must be contiguous; got a view {ShapeUtil.Format(p.ShapeArray)}.");
                if (!seen.Add(p)) throw new ArgumentException($"{name}: a parameter {ShapeUtil.Format(p.ShapeArray)} appears more than once.");
            }
            groups.Add(g);
        }
        if (seen.Count == 0) throw new ArgumentException($"{name}: got an empty parameter list.");
    }

    protected static IEnumerable<ParamGroup> OneGroup(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return new[] { new ParamGroup(parameters) };
    }

    public string Name { get; }
    public IReadOnlyList<ParamGroup> ParamGroups => groups;

    /// <summary>Sets the learning rate of every group.</summary>
    public float Lr
    {
        get => groups[0].Lr;
        set { foreach (var g in groups) g.Lr = value; }
    }

    /// <summary>Names of this optimizer's per-parameter state tensors, e.g. exp_avg and exp_avg_sq for Adam.</summary>
    protected abstract IReadOnlyList<string> StateNames { get; }

    /// <summary>Applies one update to every parameter that has a gradient.</summary>
    public void Step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using var noGrad = Tensor.NoGrad();
        foreach (var group in groups)
        {
            foreach (var p in group.Params)
            {
                var g = p.Grad;
                if (g == null || g.IsDisposed) continue;
                if (!ShapeUtil.SameShape(g.ShapeArray, p.ShapeArray))
                    throw new InvalidOperationException($"{Name}: the gradient {ShapeUtil.Format(g.ShapeArray)} does not match its parameter {ShapeUtil.Format(p.ShapeArray)}.");
                if (!ReferenceEquals(g.Device, p.Device))
                    throw new InvalidOperationException($"{Name}: the gradient is on {g.Device} but its parameter on {p.Device}.");
                var s = GetState(p);
                s.Step++;
                if (g.IsContiguous) Update(group, p, g, s);
                else
                {
                    using var gc = g.Contiguous();
                    Update(group, p, gc, s);
                }
            }
        }
    }

    /// <summary>The fused update of one parameter; <paramref name="g"/> is contiguous, state.Step already counts this step.</summary>
    private protected abstract void Update(ParamGroup group, Tensor p, Tensor g, ParamState state);

    /// <summary>Drops every parameter's gradient (set_to_none).</summary>
    public void ZeroGrad()
    {
        foreach (var group in groups)
            foreach (var p in group.Params) p.ZeroGrad();
    }

    private protected sealed class ParamState
    {
        public long Step;
        public required Tensor[] Buffers;
    }

    private ParamState GetState(Tensor p)
    {
        if (state.TryGetValue(p, out var s)) return s;
        var buffers = new Tensor[StateNames.Count];
        for (int i = 0; i < buffers.Length; i++) buffers[i] = Tensor.Zeros(p.ShapeArray, p.Device).DetachFromScope();
        s = new ParamState { Buffers = buffers };
        state[p] = s;
        return s;
    }

    /// <summary>The step count of a parameter (0 before its first update).</summary>
    public long StepCount(Tensor p) => state.TryGetValue(p, out var s) ? s.Step : 0;

    /// <summary>
    /// The optimizer state as host arrays, with the parameters numbered in group order as torch's state_dict:
    /// "state.{i}.step" (one value), "state.{i}.{exp_avg|exp_avg_sq|square_avg|momentum_buffer|grad_avg}",
    /// "param_groups.{g}.lr", "param_groups.{g}.initial_lr" (when set), "param_groups.{g}.weight_decay".
    /// Step counts are stored as float (exact up to 2^24 steps).
    /// </summary>
    public Dictionary<string, float[]> StateDict()
    {
        var result = new Dictionary<string, float[]>();
        int index = 0;
        for (int gi = 0; gi < groups.Count; gi++)
        {
            var group = groups[gi];
            result[$"param_groups.{gi}.lr"] = new[] { group.Lr };
            if (group.InitialLr is float init) result[$"param_groups.{gi}.initial_lr"] = new[] { init };
            result[$"param_groups.{gi}.weight_decay"] = new[] { group.WeightDecay };
            foreach (var p in group.Params)
            {
                if (state.TryGetValue(p, out var s))
                {
                    result[$"state.{index}.step"] = new[] { (float)s.Step };
                    for (int k = 0; k < StateNames.Count; k++) result[$"state.{index}.{StateNames[k]}"] = s.Buffers[k].ToArray();
                }
                index++;
            }
        }
        return result;
    }

    /// <summary>
    /// Restores a state written by <see cref="StateDict"/> for the same parameter list. Every entry is checked
    /// before anything changes; unknown keys and wrong sizes throw with the key and both sizes.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, float[]> dict)
    {
        ArgumentNullException.ThrowIfNull(dict);
        var ps = groups.SelectMany(g => g.Params).ToList();
        var problems = new List<string>();
        var known = new HashSet<string>();
        for (int gi = 0; gi < groups.Count; gi++)
            foreach (var k in new[] { "lr", "initial_lr", "weight_decay" }) known.Add($"param_groups.{gi}.{k}");
        for (int i = 0; i < ps.Count; i++)
        {
            known.Add($"state.{i}.step");
            foreach (var n in StateNames) known.Add($"state.{i}.{n}");
        }
        foreach (var (key, value) in dict)
        {
            if (!known.Contains(key)) { problems.Add($"unexpected key {key}"); continue; }
            var parts = key.Split('.');
            int expected = 1;
            if (parts[0] == "state" && parts[2] != "step") expected = ps[int.Parse(parts[1], CultureInfo.InvariantCulture)].NumEl;
            if (value.Length != expected) problems.Add($"{key}: expected {expected} values, got {value.Length}");
        }
        for (int i = 0; i < ps.Count; i++)
        {
            bool hasStep = dict.ContainsKey($"state.{i}.step");
            foreach (var n in StateNames)
                if (hasStep != dict.ContainsKey($"state.{i}.{n}"))
                    problems.Add($"state.{i} is incomplete: it needs step and {string.Join(", ", StateNames)}");
        }
        if (problems.Count > 0)
            throw new ArgumentException($"{Name}.LoadStateDict: {string.Join("; ", problems.Distinct())}.");

        for (int gi = 0; gi < groups.Count; gi++)
        {
            if (dict.TryGetValue($"param_groups.{gi}.lr", out var lr)) groups[gi].Lr = lr[0];
            if (dict.TryGetValue($"param_groups.{gi}.initial_lr", out var il)) groups[gi].InitialLr = il[0];
            if (dict.TryGetValue($"param_groups.{gi}.weight_decay", out var wd)) groups[gi].WeightDecay = wd[0];
        }
        using var noGrad = Tensor.NoGrad();
        for (int i = 0; i < ps.Count; i++)
        {
            if (!dict.TryGetValue($"state.{i}.step", out var step)) continue;
            var s = GetState(ps[i]);
            s.Step = (long)step[0];
            for (int k = 0; k < StateNames.Count; k++) s.Buffers[k].CopyFrom(dict[$"state.{i}.{StateNames[k]}"]);
        }
    }

    /// <summary>Frees the state tensors (not the parameters).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var s in state.Values)
            foreach (var b in s.Buffers) b.Dispose();
        state.Clear();
        GC.SuppressFinalize(this);
    }

    protected static void Check(bool ok, string name, string what, float value, string expected)
    {
        if (!ok) throw new ArgumentException($"{name}: invalid {what} {value.ToString(CultureInfo.InvariantCulture)}; expected {expected}.");
    }
}
