namespace NativeGan;

/// <summary>
/// Disposes every tensor created on this thread while it is the innermost scope, except those moved out
/// (<see cref="Tensor.MoveToOuterScope"/>) or taken out (<see cref="Tensor.DetachFromScope"/>). This is how a
/// training step returns all of its temporaries to the pool deterministically, without the garbage collector.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? current;
    private readonly TensorScope? parent;
    private readonly List<Tensor> tensors = new();
    private bool disposed;

    internal TensorScope()
    {
        parent = current;
        current = this;
    }

    /// <summary>Tensors registered in this scope so far (including ones disposed early).</summary>
    public int Count => tensors.Count;

    internal static void Register(Tensor t)
    {
        var s = current;
        if (s == null) return;
        t.OwningScope = s;
        s.tensors.Add(t);
    }

    internal static void MoveToOuter(Tensor t)
    {
        var owner = t.OwningScope;
        if (owner == null) return;
        var outer = owner.parent;
        t.OwningScope = outer;
        outer?.tensors.Add(t);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (current != this)
            throw new InvalidOperationException("Tensor scopes must be disposed in the reverse order of their creation.");
        current = parent;
        foreach (var t in tensors)
            if (ReferenceEquals(t.OwningScope, this)) t.Dispose();
        tensors.Clear();
    }
}

public sealed partial class Tensor
{
    /// <summary>Opens a dispose scope: `using var scope = Tensor.Scope();`.</summary>
    public static TensorScope Scope() => new();
}
