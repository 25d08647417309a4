namespace NativeGan.Graph;

/// <summary>
/// One recorded op: its inputs and its backward rule. The rule maps the gradient of the op's output to the
/// gradients of its inputs (null where an input gets none) and is written with engine ops, so it can itself
/// be differentiated when a graph of the backward pass is requested.
/// </summary>
internal sealed class Node
{
    public Node(string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        Op = op;
        Inputs = inputs;
        Backward = backward;
    }

    public string Op { get; }
    public Tensor[] Inputs { get; }
    public Func<Tensor, Tensor?[]> Backward { get; }

    /// <summary>
    /// Attaches a node to an op's output when grad mode is on and any input requires grad. Returns the output.
    /// </summary>
    public static Tensor Record(Tensor output, string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        if (NativeGan.Profiling.Profiler.IsEnabled) NativeGan.Profiling.Profiler.AttributePending(op);
        if (!GradMode.IsEnabled) return output;
        bool any = false;
        foreach (var t in inputs) any |= t.RequiresGrad;
        if (!any) return output;
        output.GradFn = new Node(op, inputs, backward);
        output.RequiresGrad = true;
        return output;
    }

    public static Tensor Record(Tensor output, string op, Tensor input, Func<Tensor, Tensor?> backward) =>
        Record(output, op, new[] { input }, g => new[] { backward(g) });
}
