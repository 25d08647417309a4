namespace NativeGan.Graph;

/// <summary>
/// Reverse-mode differentiation over the recorded graph. With createGraph off, backward rules run with grad
/// recording disabled and every intermediate gradient is disposed as soon as it has been consumed; with it
/// on, the rules record their own graph (what a gradient penalty needs) and the gradients stay alive.
/// </summary>
internal static class BackwardEngine
{
    public static Tensor?[] Run(Tensor[] outputs, Tensor?[]? gradOutputs, Tensor[]? inputs, bool createGraph)
    {
        var order = TopologicalOrder(outputs, inputs, out var needed);
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        var userProvided = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var requested = inputs == null ? null : new HashSet<Tensor>(inputs, ReferenceEqualityComparer.Instance);
        var results = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);

        for (int i = 0; i < outputs.Length; i++)
        {
            var o = outputs[i];
            if (!o.RequiresGrad)
                throw new InvalidOperationException($"Output {i} {ShapeUtil.Format(o.ShapeArray)} does not require grad: nothing it depends on requires grad, or it was computed under NoGrad.");
            Tensor g;
            var given = gradOutputs != null && i < gradOutputs.Length ? gradOutputs[i] : null;
            if (given != null)
            {
                if (!ShapeUtil.SameShape(given.ShapeArray, o.ShapeArray))
                    throw new ArgumentException($"Backward: the gradient for output {i} has shape {ShapeUtil.Format(given.ShapeArray)} but the output has shape {ShapeUtil.Format(o.ShapeArray)}.");
                g = given;
                userProvided.Add(g);
            }
            else
            {
                if (o.NumEl != 1)
                    throw new ArgumentException($"Backward: a gradient can be implied only for a single-element output; output {i} has shape {ShapeUtil.Format(o.ShapeArray)}. Pass gradOutputs.");
                using (GradMode.Disable()) g = Tensor.OnesLike(o);
            }
            Accumulate(grads, o, g, createGraph);
        }

        foreach (var t in order)
        {
            if (!grads.TryGetValue(t, out var g)) continue;
            bool keep = userProvided.Contains(g);
            if (requested != null && requested.Contains(t))
            {
                results[t] = g;
                keep = true;
            }
            if (t.GradFn == null)
            {
                if (requested == null && t.RequiresGrad)
                {
                    AccumulateIntoLeaf(t, g, createGraph, keep);
                    keep = true;
                    t.RunPostAccumulateGradHooks();
                }
            }
            else if (NeedsBackward(t.GradFn, needed))
            {
                var node = t.GradFn;
                long mark = Tensor.LastId;
                using var profiledOp = NativeGan.Profiling.Profiler.BackwardOf(node.Op);
                Tensor?[] inputGrads;
                if (createGraph)
                {
                    using (GradMode.Enable()) inputGrads = node.Backward(g);
                }
                else
                {
                    // Temporaries of the rule die with this scope; only the gradients it returns leave it.
                    using var ruleScope = Tensor.Scope();
                    using (GradMode.Disable()) inputGrads = node.Backward(g);
                    foreach (var gi in inputGrads)
                        if (gi != null && ReferenceEquals(gi.OwningScope, ruleScope)) gi.MoveToOuterScope();
                }
                var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
                for (int k = 0; k < node.Inputs.Length; k++)
                {
                    var input = node.Inputs[k];
                    var gi = k < inputGrads.Length ? inputGrads[k] : null;
                    if (gi == null) continue;
                    if (!input.RequiresGrad || (needed != null && !needed.Contains(input)))
                    {
                        if (!createGraph && gi.Id > mark && seen.Add(gi) && !ReferenceEquals(gi, g)) gi.Dispose();
                        continue;
                    }
                    if (!ShapeUtil.SameShape(gi.ShapeArray, input.ShapeArray))
                        throw new InvalidOperationException($"Internal error in the backward of {node.Op}: gradient shape {ShapeUtil.Format(gi.ShapeArray)} for an input of shape {ShapeUtil.Format(input.ShapeArray)}.");
                    // A rule may hand back its incoming gradient or one tensor twice (add): give each use its own view.
                    if (gi.Id <= mark || !seen.Add(gi))
                        using (createGraph ? GradMode.Enable() : GradMode.Disable())
                            gi = gi.Alias();
                    Accumulate(grads, input, gi, createGraph);
                }
            }
            grads.Remove(t);
            if (!keep && !createGraph) g.Dispose();
        }

        if (inputs == null) return Array.Empty<Tensor?>();
        var output = new Tensor?[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
            output[i] = results.TryGetValue(inputs[i], out var r) ? r : null;
        return output;
    }

    private static bool NeedsBackward(Node node, HashSet<Tensor>? needed)
    {
        foreach (var input in node.Inputs)
            if (input.RequiresGrad && (needed == null || needed.Contains(input))) return true;
        return false;
    }

    private static void Accumulate(Dictionary<Tensor, Tensor> grads, Tensor target, Tensor g, bool createGraph)
    {
        if (!grads.TryGetValue(target, out var existing))
        {
            grads[target] = g;
            return;
        }
        Tensor sum;
        using (createGraph ? GradMode.Enable() : GradMode.Disable())
            sum = existing.Add(g);
        if (!createGraph)
        {
            existing.Dispose();
            g.Dispose();
        }
        grads[target] = sum;
    }

    private static void AccumulateIntoLeaf(Tensor leaf, Tensor g, bool createGraph, bool gradIsBorrowed)
    {
        if (leaf.Grad == null || leaf.Grad.IsDisposed)
        {
            var owned = gradIsBorrowed || (!createGraph && g.RequiresGrad) ? (createGraph ? g.Alias() : g.Detach()) : g;
            if (!owned.IsContiguous)
            {
                var dense = owned.Contiguous();
                if (!ReferenceEquals(owned, g)) owned.Dispose();
                else if (!gradIsBorrowed) g.Dispose();
                owned = dense;
            }
            leaf.Grad = owned.DetachFromScope();
            return;
        }
        if (createGraph)
        {
            var old = leaf.Grad;
            leaf.Grad = old.Add(g).DetachFromScope();
            old.Dispose();
            return;
        }
        using (GradMode.Disable()) leaf.Grad.AddInPlace(g);
        if (!gradIsBorrowed) g.Dispose();
    }

    /// <summary>
    /// Tensors reachable from the outputs through GradFn edges, each after everything that consumes it.
    /// When inputs are given, also the set of tensors from which one of them can be reached.
    /// </summary>
    private static List<Tensor> TopologicalOrder(Tensor[] outputs, Tensor[]? inputs, out HashSet<Tensor>? needed)
    {
        var post = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor T, int Next)>();
        foreach (var o in outputs)
        {
            if (!visited.Add(o)) continue;
            stack.Push((o, 0));
            while (stack.Count > 0)
            {
                var (t, next) = stack.Pop();
                var ins = t.GradFn?.Inputs;
                if (ins != null && next < ins.Length)
                {
                    stack.Push((t, next + 1));
                    var child = ins[next];
                    if (child.RequiresGrad && visited.Add(child)) stack.Push((child, 0));
                    continue;
                }
                post.Add(t);
            }
        }
        needed = null;
        if (inputs != null)
        {
            needed = new HashSet<Tensor>(inputs, ReferenceEqualityComparer.Instance);
            foreach (var t in post) // children come before parents in post-order
            {
                if (t.GradFn == null) continue;
                foreach (var c in t.GradFn.Inputs)
                    if (needed.Contains(c)) { needed.Add(t); break; }
            }
        }
        post.Reverse();
        return post;
    }
}
