using NativeGan.Graph;

namespace NativeGan;

public sealed partial class Tensor
{
    private List<Action<Tensor>>? postAccumulateGradHooks;

    /// <summary>
    /// Calls <paramref name="hook"/> with this leaf each time a backward pass has finished adding into its
    /// <see cref="Grad"/> (PyTorch's register_post_accumulate_grad_hook): one backward accumulates a leaf once,
    /// after every path to it has been summed. Data-parallel training starts reducing a gradient there, while
    /// backward goes on with the layers below. The hook runs on the thread that called Backward; dispose the result
    /// to remove it.
    /// </summary>
    public IDisposable RegisterPostAccumulateGradHook(Action<Tensor> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!IsLeaf) throw new InvalidOperationException($"RegisterPostAccumulateGradHook: only a leaf tensor accumulates a gradient; this one {ShapeUtil.Format(shape)} is the result of an op.");
        var hooks = postAccumulateGradHooks ??= new List<Action<Tensor>>();
        hooks.Add(hook);
        return new HookRegistration(this, hook);
    }

    internal void RunPostAccumulateGradHooks()
    {
        var hooks = postAccumulateGradHooks;
        if (hooks == null) return;
        foreach (var hook in hooks.ToArray()) hook(this);
    }

    private sealed class HookRegistration(Tensor owner, Action<Tensor> hook) : IDisposable
    {
        public void Dispose() => owner.postAccumulateGradHooks?.Remove(hook);
    }
}
