using NativeGan.IO;

namespace NativeGan.NN;

/// <summary>
/// A network building block like torch.nn.Module: named parameters, buffers and child modules, registered in
/// order, giving PyTorch-compatible dotted state-dict keys ("body.0.rdb1.conv1.weight"). The module owns its
/// parameters and buffers: they are leaf tensors outside every scope, freed by <see cref="Dispose"/>.
/// Layers read their tensors through <see cref="Param"/> / <see cref="Buffer"/> rather than caching them in
/// fields, so <see cref="To"/>, <see cref="LoadStateDict(IReadOnlyDictionary{string, Tensor}, bool)"/> and
/// parametrizations (<see cref="SetComputedParameter"/>, e.g. spectral norm) see one source of truth.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<string> order = new();
    private readonly Dictionary<string, Tensor?> parameters = new();
    private readonly Dictionary<string, Tensor?> buffers = new();
    private readonly HashSet<string> nonPersistent = new();
    private readonly Dictionary<string, Module> modules = new();
    private readonly Dictionary<string, Func<Tensor>> computed = new();
    private bool disposed;

    /// <summary>Whether the module is in training mode (dropout active, batch-norm batch statistics). Default true.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>The forward computation.</summary>
    public abstract Tensor Forward(Tensor x);

    /// <summary>Shorthand for <see cref="Forward"/>.</summary>
    public Tensor Call(Tensor x) => Forward(x);

    // ---------------------------------------------------------------- registration

    /// <summary>
    /// Registers a parameter (null registers the name with no tensor, as PyTorch's bias=None; it is skipped by
    /// every enumeration). The tensor becomes a leaf that requires grad, owned by this module (taken out of any scope).
    /// </summary>
    public Tensor? RegisterParameter(string name, Tensor? tensor)
    {
        CheckName(name, "RegisterParameter");
        if (tensor != null)
        {
            if (!tensor.IsLeaf)
                throw new ArgumentException($"RegisterParameter('{name}'): a parameter must be a leaf tensor; got the result of an op. Use Detach() first.");
            tensor.DetachFromScope();
            tensor.RequiresGrad = true;
        }
        order.Add(name);
        parameters[name] = tensor;
        return tensor;
    }

    /// <summary>
    /// Registers a buffer: state that is saved in the state dict but not trained (running statistics, spectral-norm
    /// vectors). Non-persistent buffers are left out of the state dict. Owned by this module.
    /// </summary>
    public Tensor? RegisterBuffer(string name, Tensor? tensor, bool persistent = true)
    {
        CheckName(name, "RegisterBuffer");
        if (tensor != null)
        {
            if (tensor.RequiresGrad)
                throw new ArgumentException($"RegisterBuffer('{name}'): a buffer must not require grad.");
            tensor.DetachFromScope();
        }
        order.Add(name);
        buffers[name] = tensor;
        if (!persistent) nonPersistent.Add(name);
        return tensor;
    }

    /// <summary>Registers a child module under <paramref name="name"/>; its keys get the prefix "name.".</summary>
    public T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name, "RegisterModule");
        if (ReferenceEquals(module, this))
            throw new ArgumentException($"RegisterModule('{name}'): a module cannot contain itself.");
        order.Add(name);
        modules[name] = module;
        return module;
    }

    private void CheckName(string name, string what)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (string.IsNullOrEmpty(name))
            throw new ArgumentException($"{what}: the name must not be empty.");
        if (name.Contains('.'))
            throw new ArgumentException($"{what}: the name '{name}' must not contain '.' (dots separate the levels of state-dict keys).");
        if (parameters.ContainsKey(name) || buffers.ContainsKey(name) || modules.ContainsKey(name))
            throw new ArgumentException($"{what}: '{name}' is already registered in {GetType().Name}.");
    }

    /// <summary>
    /// Removes a parameter from the registry and returns it without disposing it (the caller owns it), e.g. to
    /// re-register it as "weight_orig" under spectral norm.
    /// </summary>
    public Tensor? RemoveParameter(string name)
    {
        if (!parameters.Remove(name, out var t))
            throw new KeyNotFoundException($"RemoveParameter: {GetType().Name} has no parameter '{name}'; it has {Join(parameters.Keys)}.");
        order.Remove(name);
        return t;
    }

    /// <summary>
    /// Makes <see cref="Param"/>(name) return compute() instead of a stored parameter (a parametrization, as
    /// torch.nn.utils.spectral_norm / parametrize). The name must not be a registered parameter (remove it first).
    /// Null removes the computation.
    /// </summary>
    public void SetComputedParameter(string name, Func<Tensor>? compute)
    {
        if (compute == null) { computed.Remove(name); return; }
        if (parameters.ContainsKey(name))
            throw new InvalidOperationException($"SetComputedParameter: '{name}' is still a registered parameter of {GetType().Name}; RemoveParameter('{name}') first.");
        computed[name] = compute;
    }

    /// <summary>The parameter called <paramref name="name"/> (or its computed value), null when registered as null.</summary>
    public Tensor? Param(string name)
    {
        if (computed.TryGetValue(name, out var f)) return f();
        if (parameters.TryGetValue(name, out var t)) return t;
        throw new KeyNotFoundException($"{GetType().Name} has no parameter '{name}'; it has {Join(parameters.Keys)}.");
    }

    /// <summary>The buffer called <paramref name="name"/>, null when registered as null.</summary>
    public Tensor? Buffer(string name) =>
        buffers.TryGetValue(name, out var t) ? t
        : throw new KeyNotFoundException($"{GetType().Name} has no buffer '{name}'; it has {Join(buffers.Keys)}.");

    /// <summary>Replaces a registered buffer's tensor (disposing the old one unless it is the same tensor).</summary>
    public void SetBuffer(string name, Tensor? tensor)
    {
        if (!buffers.TryGetValue(name, out var old))
            throw new KeyNotFoundException($"SetBuffer: {GetType().Name} has no buffer '{name}'; it has {Join(buffers.Keys)}.");
        if (ReferenceEquals(old, tensor)) return;
        tensor?.DetachFromScope();
        buffers[name] = tensor;
        old?.Dispose();
    }

    /// <summary>The child module called <paramref name="name"/>.</summary>
    public Module Child(string name) =>
        modules.TryGetValue(name, out var m) ? m
        : throw new KeyNotFoundException($"{GetType().Name} has no child module '{name}'; it has {Join(modules.Keys)}.");

    // ---------------------------------------------------------------- enumeration (PyTorch order)

    /// <summary>Direct children in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren()
    {
        foreach (var name in order)
            if (modules.TryGetValue(name, out var m)) yield return (name, m);
    }

    public IEnumerable<Module> Children() => NamedChildren().Select(c => c.Module);

    /// <summary>This module and every descendant, depth first, with dotted names ("" for this one); each module once.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        return NamedModulesCore(prefix, seen);
    }

    private IEnumerable<(string, Module)> NamedModulesCore(string prefix, HashSet<Module> seen)
    {
        if (!seen.Add(this)) yield break;
        yield return (prefix, this);
        foreach (var (name, child) in NamedChildren())
            foreach (var item in child.NamedModulesCore(Join(prefix, name), seen))
                yield return item;
    }

    /// <summary>Parameters with dotted names as torch's named_parameters(): own ones first, then each child's; shared tensors once.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedParameters()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, m) in NamedModules())
            foreach (var name in m.order)
                if (m.parameters.TryGetValue(name, out var t) && t != null && seen.Add(t))
                    yield return (Join(prefix, name), t);
    }

    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Tensor);

    /// <summary>Buffers with dotted names as torch's named_buffers() (non-persistent ones included).</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedBuffers()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, m) in NamedModules())
            foreach (var name in m.order)
                if (m.buffers.TryGetValue(name, out var t) && t != null && seen.Add(t))
                    yield return (Join(prefix, name), t);
    }

    public IEnumerable<Tensor> Buffers() => NamedBuffers().Select(b => b.Tensor);

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.NumEl);

    /// <summary>
    /// Parameters and persistent buffers by dotted key in torch's state_dict() order (per module: its parameters,
    /// then its buffers, then its children). The values are the module's own tensors, not copies: do not dispose them.
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var result = new Dictionary<string, Tensor>();
        CollectState(result, "", new HashSet<Module>(ReferenceEqualityComparer.Instance));
        return result;
    }

    private void CollectState(Dictionary<string, Tensor> dest, string prefix, HashSet<Module> seen)
    {
        if (!seen.Add(this)) return;
        foreach (var name in order)
            if (parameters.TryGetValue(name, out var p) && p != null) dest[Join(prefix, name)] = p;
        foreach (var name in order)
            if (buffers.TryGetValue(name, out var b) && b != null && !nonPersistent.Contains(name)) dest[Join(prefix, name)] = b;
        foreach (var (name, child) in NamedChildren())
            child.CollectState(dest, Join(prefix, name), seen);
    }

    /// <summary>The state dict copied to host arrays (for checkpoints and comparisons).</summary>
    public Dictionary<string, float[]> StateDictArrays() => StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());

    // ---------------------------------------------------------------- loading

    /// <summary>
    /// Copies values into the module's parameters and buffers (torch's load_state_dict). Every key and shape is
    /// checked before anything is written: with strict, missing or unexpected keys throw; a shape mismatch always
    /// throws. The message names each key and both shapes. Returns the missing and unexpected keys.
    /// </summary>
    public LoadResult LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Load(state.ToDictionary(kv => kv.Key, kv => new Source(kv.Value.ShapeArray, null, kv.Value)), strict, "LoadStateDict");
    }

    /// <summary>Loads host arrays; each array must hold exactly as many values as the target tensor (row-major).</summary>
    public LoadResult LoadStateDict(IReadOnlyDictionary<string, float[]> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Load(state.ToDictionary(kv => kv.Key, kv => new Source(null, kv.Value, null)), strict, "LoadStateDict");
    }

    /// <summary>Loads the tensors of a safetensors file (read with <see cref="Safetensors.Read(string)"/>).</summary>
    public LoadResult LoadStateDict(SafetensorsFile file, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(file);
        return Load(file.Tensors.ToDictionary(kv => kv.Key, kv => new Source(kv.Value.Shape, kv.Value.Data, null)), strict, "LoadStateDict");
    }

    /// <summary>Writes the state dict as a safetensors file (atomically: temp file, then rename).</summary>
    public void SaveSafetensors(string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        Safetensors.Write(path, StateDict().Select(kv => (kv.Key, (int[])kv.Value.ShapeArray.Clone(), kv.Value.ToArray())), metadata);

    /// <summary>Loads a safetensors file written by <see cref="SaveSafetensors"/> (or PyTorch's safetensors.torch.save_file).</summary>
    public LoadResult LoadSafetensors(string path, bool strict = true)
    {
        var file = Safetensors.Read(path);
        try { return LoadStateDict(file, strict); }
        catch (ArgumentException e) { throw new ArgumentException($"{path}: {e.Message}", e); }
    }

    private readonly record struct Source(int[]? Shape, float[]? Data, Tensor? Tensor);

    private LoadResult Load(Dictionary<string, Source> state, bool strict, string op)
    {
        var targets = StateDict();
        var missing = targets.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !targets.ContainsKey(k)).ToList();
        var problems = new List<string>();
        foreach (var (key, target) in targets)
        {
            if (!state.TryGetValue(key, out var src)) continue;
            if (src.Shape != null)
            {
                if (!ShapeUtil.SameShape(src.Shape, target.ShapeArray))
                    problems.Add($"size mismatch for {key}: expected {ShapeUtil.Format(target.ShapeArray)}, got {ShapeUtil.Format(src.Shape)}");
                else if (src.Data != null && src.Data.Length != target.NumEl)
                    problems.Add($"{key}: shape {ShapeUtil.Format(src.Shape)} but {src.Data.Length} values");
            }
            else if (src.Data!.Length != target.NumEl)
                problems.Add($"size mismatch for {key}: expected {target.NumEl} values ({ShapeUtil.Format(target.ShapeArray)}), got {src.Data.Length}");
        }
        if (strict)
        {
            if (missing.Count > 0) problems.Insert(0, $"missing keys: {Join(missing)}");
            if (unexpected.Count > 0) problems.Insert(missing.Count > 0 ? 1 : 0, $"unexpected keys: {Join(unexpected)}");
        }
        if (problems.Count > 0)
            throw new ArgumentException($"{op} into {GetType().Name}: {string.Join("; ", problems)}.");

        using (Tensor.NoGrad())
        {
            foreach (var (key, target) in targets)
            {
                if (!state.TryGetValue(key, out var src)) continue;
                if (src.Tensor != null)
                {
                    if (ReferenceEquals(src.Tensor, target)) continue;
                    if (ReferenceEquals(src.Tensor.Device, target.Device)) target.CopyFrom(src.Tensor);
                    else target.CopyFrom(src.Tensor.ToArray());
                }
                else target.CopyFrom(src.Data!);
            }
        }
        return new LoadResult(missing, unexpected);
    }

    // ---------------------------------------------------------------- modes and gradients

    /// <summary>Sets training mode on this module and every descendant. Returns this.</summary>
    public Module Train(bool mode = true)
    {
        foreach (var (_, m) in NamedModules()) m.IsTraining = mode;
        return this;
    }

    /// <summary>Evaluation mode (dropout off, batch norm uses running statistics). Returns this.</summary>
    public Module Eval() => Train(false);

    /// <summary>
    /// Switches gradients on or off for every parameter (MMEditing's set_requires_grad): freeze D while G steps.
    /// Frozen parameters receive no Grad from Backward. Returns this.
    /// </summary>
    public Module RequiresGrad(bool requiresGrad = true)
    {
        foreach (var p in Parameters()) p.RequiresGrad = requiresGrad;
        return this;
    }

    /// <summary>Drops every parameter's gradient (zero_grad(set_to_none=True)).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    /// <summary>
    /// Moves every parameter and buffer to <paramref name="device"/> (new tensors; the old ones are disposed).
    /// Create optimizers after moving: they hold the parameter tensors.
    /// </summary>
    public Module To(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        foreach (var (_, m) in NamedModules())
        {
            foreach (var name in m.order)
            {
                if (m.parameters.TryGetValue(name, out var p) && p != null && !ReferenceEquals(p.Device, device))
                {
                    var moved = Tensor.FromArray(p.ToArray(), p.ShapeArray, device, p.RequiresGrad).DetachFromScope();
                    moved.Name = p.Name;
                    m.parameters[name] = moved;
                    p.ZeroGrad();
                    p.Dispose();
                }
                else if (m.buffers.TryGetValue(name, out var b) && b != null && !ReferenceEquals(b.Device, device))
                {
                    m.buffers[name] = Tensor.FromArray(b.ToArray(), b.ShapeArray, device).DetachFromScope();
                    b.Dispose();
                }
            }
        }
        return this;
    }

    /// <summary>Frees every parameter (and its gradient), buffer and child module.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var t in parameters.Values)
        {
            t?.ZeroGrad();
            t?.Dispose();
        }
        foreach (var t in buffers.Values) t?.Dispose();
        foreach (var m in modules.Values) m.Dispose();
        GC.SuppressFinalize(this);
    }

    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        Describe(sb, 0);
        return sb.ToString();
    }

    /// <summary>One-line description of this module's own settings (torch's extra_repr), e.g. "in=64, out=32".</summary>
    protected virtual string ExtraRepr() => "";

    private void Describe(System.Text.StringBuilder sb, int indent)
    {
        sb.Append(GetType().Name).Append('(').Append(ExtraRepr());
        var children = NamedChildren().ToList();
        if (children.Count > 0)
        {
            sb.AppendLine();
            foreach (var (name, child) in children)
            {
                sb.Append(' ', indent + 2).Append('(').Append(name).Append("): ");
                child.Describe(sb, indent + 2);
                sb.AppendLine();
            }
            sb.Append(' ', indent);
        }
        sb.Append(')');
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    private static string Join(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? "(none)" : string.Join(", ", list);
    }
}

/// <summary>The keys a non-strict load skipped: in the module but not the state (Missing), or the reverse (Unexpected).</summary>
public sealed record LoadResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);
