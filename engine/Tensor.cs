using NativeGan.Graph;
using NativeGan.Backends;

namespace NativeGan;

/// <summary>
/// A float32 tensor: a view (shape, strides, offset) over a pooled, reference-counted device storage.
/// Tensors are IDisposable; a <see cref="TensorScope"/> disposes everything created inside it. Views share
/// the storage, so disposing a view never frees data another tensor still uses.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private static long nextId;
    private readonly int[] shape;
    private readonly int[] strides;
    private Storage? storage;
    private bool requiresGrad;
    internal TensorScope? OwningScope;

    internal Tensor(Storage storage, int offset, int[] shape, int[] strides)
    {
        this.storage = storage;
        Offset = offset;
        this.shape = shape;
        this.strides = strides;
        NumEl = ShapeUtil.NumEl(shape);
        Id = Interlocked.Increment(ref nextId);
        TensorScope.Register(this);
    }

    /// <summary>A new contiguous tensor with uninitialised contents.</summary>
    internal static Tensor Empty(int[] shape, Device device)
    {
        int n = ShapeUtil.NumEl(shape);
        var s = device.Backend.Allocate(Math.Max(n, 1));
        return new Tensor(s, 0, (int[])shape.Clone(), ShapeUtil.ContiguousStrides(shape));
    }

    /// <summary>A new tensor sharing this tensor's storage.</summary>
    internal Tensor View(int offset, int[] viewShape, int[] viewStrides)
    {
        var s = Storage;
        s.Retain();
        return new Tensor(s, offset, viewShape, viewStrides);
    }

    /// <summary>Increasing creation number; tells the autograd engine which tensors a backward call made.</summary>
    internal long Id { get; }
    internal int Offset { get; }
    internal int[] ShapeArray => shape;
    internal int[] StridesArray => strides;

    internal Storage Storage => storage ?? throw new ObjectDisposedException(nameof(Tensor),
        $"This tensor {ShapeUtil.Format(shape)} was disposed (directly or by the scope it was created in) and can no longer be used.");

    internal IBackend Backend => Storage.Device.Backend;

    public Device Device => Storage.Device;
    public IReadOnlyList<int> Shape => shape;
    public int Rank => shape.Length;
    public int NumEl { get; }
    public bool IsDisposed => storage == null;
    public bool IsContiguous => ShapeUtil.IsContiguous(shape, strides);

    /// <summary>Size of a dimension; negative dims count from the end.</summary>
    public int Size(int dim) => shape[ShapeUtil.NormalizeDim(dim, Rank, "Size")];

    /// <summary>An optional name, used in error messages and state dicts.</summary>
    public string? Name { get; set; }

    /// <summary>The node that produced this tensor; null for leaves.</summary>
    internal Node? GradFn { get; set; }

    public bool IsLeaf => GradFn == null;

    /// <summary>Whether gradients flow to this tensor. Set it on leaves (parameters); ops set it on their outputs.</summary>
    public bool RequiresGrad
    {
        get => requiresGrad;
        set
        {
            if (!value && GradFn != null)
                throw new InvalidOperationException("RequiresGrad can only be switched off on a leaf tensor; use Detach() for a non-leaf.");
            requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient of a leaf after Backward(); owned by this tensor, not by any scope.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>Frees the grad tensor (PyTorch's zero_grad(set_to_none=True)).</summary>
    public void ZeroGrad()
    {
        Grad?.Dispose();
        Grad = null;
    }

    public void Dispose()
    {
        var s = Interlocked.Exchange(ref storage, null);
        if (s == null) return;
        s.Release();
        // GradFn stays: gradients may still flow through a disposed tensor whose values its rule does not read.
        OwningScope = null;
    }

    /// <summary>Keeps this tensor alive past the innermost scope it belongs to (it moves to the enclosing one).</summary>
    public Tensor MoveToOuterScope()
    {
        TensorScope.MoveToOuter(this);
        return this;
    }

    /// <summary>Takes this tensor out of every scope: the caller disposes it.</summary>
    public Tensor DetachFromScope()
    {
        OwningScope = null;
        return this;
    }

    public override string ToString() =>
        IsDisposed ? $"Tensor{ShapeUtil.Format(shape)} (disposed)" : $"Tensor{ShapeUtil.Format(shape)} on {Device}{(RequiresGrad ? ", requires grad" : "")}";
}
