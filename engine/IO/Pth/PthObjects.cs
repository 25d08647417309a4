using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace NativeGan.IO;

/// <summary>
/// A tensor from a .pth file, widened to float32 and laid out contiguously (row-major), whatever the
/// stored dtype, strides and storage offset were.
/// </summary>
public sealed class PthTensor
{
    private float[]? _data;

    internal PthTensor(PthStorageRef storage, long storageOffset, int[] shape, long[] strides, long count)
    {
        Storage = storage;
        StorageOffset = storageOffset;
        Shape = shape;
        Strides = strides;
        Count = count;
    }

    /// <summary>Row-major shape; empty for a 0-dim tensor.</summary>
    public int[] Shape { get; }

    /// <summary>The stored dtype in safetensors spelling ("F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL").</summary>
    public string DType => Storage.DType.Name;

    /// <summary>True for an nn.Parameter saved with requires_grad (informational only).</summary>
    public bool RequiresGrad { get; internal set; }

    /// <summary>The values as float32, contiguous. Integer and bool tensors are converted too (exactly up to 2^24).</summary>
    public float[] Data => _data ?? throw new InvalidOperationException(
        "This tensor's data was not loaded (PthReader loads only the tensors it returns).");

    /// <summary>Number of elements (product of the shape).</summary>
    public long Count { get; }

    internal PthStorageRef Storage { get; }
    internal long StorageOffset { get; }
    internal long[] Strides { get; }
    internal bool IsLoaded => _data != null;

    internal void SetData(float[] data) => _data = data;

    /// <summary>This tensor as a named <see cref="SafetensorsEntry"/> (shares the data array).</summary>
    public SafetensorsEntry ToEntry(string name) => new() { Name = name, DType = DType, Shape = Shape, Data = Data };
}

/// <summary>
/// A Python dict or collections.OrderedDict from a pickle, in insertion order. Keys are strings, longs,
/// doubles, bools or tuples (object?[] by reference), as the pickle had them.
/// </summary>
public sealed class PthDict : IReadOnlyDictionary<object, object?>
{
    private readonly OrderedDictionary<object, object?> _items = new();

    /// <summary>True when the pickle built it as collections.OrderedDict.</summary>
    public bool IsOrdered { get; internal init; }

    /// <summary>
    /// The object state set by pickle's BUILD, e.g. a state dict's <c>_metadata</c> (a PthDict of attribute
    /// names); null when there was none.
    /// </summary>
    public object? State { get; internal set; }

    internal void Set(object key, object? value) => _items[key] = value;

    public object? this[object key] => _items[key];
    public IEnumerable<object> Keys => _items.Keys;
    public IEnumerable<object?> Values => _items.Values;
    public int Count => _items.Count;
    public bool ContainsKey(object key) => _items.ContainsKey(key);
    public bool TryGetValue(object key, [MaybeNullWhen(false)] out object? value) => _items.TryGetValue(key, out value);
    public IEnumerator<KeyValuePair<object, object?>> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// A Python global the reader allows and that appears as a value rather than being called, e.g. a dtype
/// such as torch.float32 or a storage type such as torch.FloatStorage.
/// </summary>
public sealed record PthGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";

    public override string ToString() => FullName;
}

/// <summary>A storage as named by a persistent id: which bytes, of which dtype, and which part of them.</summary>
internal sealed class PthStorageRef
{
    public required string Key { get; init; }
    public required PthDType DType { get; init; }

    /// <summary>Elements the pickle says the storage (or view) holds.</summary>
    public required long Count { get; init; }

    /// <summary>Element offset of this view into the root storage <see cref="Key"/> (legacy views only; else 0).</summary>
    public long BaseOffset { get; init; }
}

/// <summary>A storage element type: its safetensors-style name, byte size and conversion to float32.</summary>
internal sealed record PthDType(string Name, int Size, string TorchName);
