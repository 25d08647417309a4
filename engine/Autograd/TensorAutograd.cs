using NativeGan.Graph;

namespace NativeGan;

public sealed partial class Tensor
{
    internal static long LastId => Interlocked.Read(ref nextId);

    /// <summary>A scope in which no graph is recorded (PyTorch's torch.no_grad()).</summary>
    public static IDisposable NoGrad() => GradMode.Disable();

    /// <summary>
    /// Accumulates d(this)/d(leaf) into the Grad of every leaf that requires grad. The tensor must hold one
    /// element unless <paramref name="gradient"/> is given. createGraph records the backward pass itself.
    /// </summary>
    public void Backward(Tensor? gradient = null, bool createGraph = false) =>
        BackwardEngine.Run(new[] { this }, new[] { gradient }, null, createGraph);

    /// <summary>A view of the same data that is cut from the graph.</summary>
    public Tensor Detach() => View(Offset, (int[])ShapeArray.Clone(), (int[])StridesArray.Clone());

    /// <summary>A second handle on the same data and graph position (internal bookkeeping for autograd).</summary>
    internal Tensor Alias() =>
        Node.Record(View(Offset, (int[])ShapeArray.Clone(), (int[])StridesArray.Clone()), "alias", this, g => g);

    /// <summary>Sets RequiresGrad and returns this tensor, for chaining.</summary>
    public Tensor RequireGrad(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }
}

/// <summary>Functional autograd entry points (PyTorch's torch.autograd).</summary>
public static class Autograd
{
    /// <summary>
    /// The gradients of the outputs with respect to the inputs, without touching any Grad field (PyTorch's
    /// torch.autograd.grad). With createGraph the results are differentiable again (gradient penalties).
    /// An input the outputs do not depend on gets null.
    /// </summary>
    public static Tensor?[] Grad(Tensor[] outputs, Tensor[] inputs, Tensor[]? gradOutputs = null, bool createGraph = false) =>
        BackwardEngine.Run(outputs, gradOutputs, inputs, createGraph);

    /// <summary>The gradient of one output with respect to one input.</summary>
    public static Tensor Grad(Tensor output, Tensor input, Tensor? gradOutput = null, bool createGraph = false) =>
        BackwardEngine.Run(new[] { output }, gradOutput == null ? null : new[] { gradOutput }, new[] { input }, createGraph)[0]
        ?? throw new InvalidOperationException("Grad: the output does not depend on the input.");

    /// <summary>A scope in which no graph is recorded (torch.no_grad()).</summary>
    public static IDisposable NoGrad() => GradMode.Disable();
}
