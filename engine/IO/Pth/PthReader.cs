using System.Numerics;

namespace NativeGan.IO;

/// <summary>
/// Reads PyTorch .pth files (torch.save) without Python and without running any code from the file: the
/// zip layout of PyTorch 1.6 and later (<c>ARCHIVE/data.pkl</c> + <c>ARCHIVE/data/KEY</c>) and the legacy
/// layout before it (magic number, protocol, system info, the object pickle, the storage keys, then the raw
/// storages). The pickle is read by a small unpickler that only knows the globals torch.save uses for state
/// dicts (see <see cref="PthGlobals"/>) and refuses every other one. Tensors of every float and integer dtype
/// come out as contiguous float32, with sizes, strides and storage offsets honoured.
/// </summary>
public static class PthReader
{
    /// <summary>The keys a training framework wraps a state dict in, in order of preference.</summary>
    /// <remarks>BasicSR saves <c>params</c> and, with EMA, <c>params_ema</c> (the better weights for inference).</remarks>
    public static readonly IReadOnlyList<string> StateDictWrappers = ["params_ema", "params", "state_dict", "model"];

    /// <summary>
    /// Reads the whole object tree of a .pth file with every tensor loaded. Values are: null, bool, long,
    /// <see cref="BigInteger"/>, double, string, byte[], object?[] (tuple), List&lt;object?&gt; (list),
    /// <see cref="PthDict"/> (dict or OrderedDict), <see cref="PthTensor"/>, <see cref="PthGlobal"/> (a dtype
    /// or storage type used as a value).
    /// </summary>
    /// <exception cref="PthFormatException">The file is truncated, corrupt, not a .pth, or names a refused global.</exception>
    public static object? Read(string path)
    {
        using var source = Open(OpenFile(path), path, leaveOpen: false);
        return Read(source);
    }

    /// <summary>Reads the object tree of a .pth file held by a stream (from its position to its end).</summary>
    /// <param name="sourceName">Names the data in error messages, e.g. a path or URL.</param>
    /// <inheritdoc cref="Read(string)"/>
    public static object? Read(Stream stream, string sourceName)
    {
        using var source = Open(stream, sourceName, leaveOpen: true);
        return Read(source);
    }

    private static object? Read(PthSource source)
    {
        var root = source.Unpickle();
        source.Load(source.Tensors.Select(t => (t, (string?)null)).ToList());
        return root;
    }

    /// <summary>
    /// Reads the state dict of a .pth file: the dict under <c>params_ema</c>, else <c>params</c>, else
    /// <c>state_dict</c>, else <c>model</c>, else the top-level dict. Only its tensor values are returned (in
    /// file order); other values (numbers, nested dicts) are skipped, and only these tensors are loaded.
    /// </summary>
    /// <exception cref="PthFormatException">The file cannot be read, or holds no dict of tensors.</exception>
    public static IReadOnlyDictionary<string, SafetensorsEntry> ReadStateDict(string path) => ReadStateDict(path, out _);

    /// <inheritdoc cref="ReadStateDict(string)"/>
    /// <param name="wrapperKey">The wrapper key the state dict was found under, or null for the top level.</param>
    public static IReadOnlyDictionary<string, SafetensorsEntry> ReadStateDict(string path, out string? wrapperKey)
    {
        using var source = Open(OpenFile(path), path, leaveOpen: false);
        return ReadStateDict(source, out wrapperKey);
    }

    /// <summary>Reads the state dict of a .pth file held by a stream (from its position to its end).</summary>
    /// <param name="sourceName">Names the data in error messages, e.g. a path or URL.</param>
    /// <inheritdoc cref="ReadStateDict(string, out string?)"/>
    public static IReadOnlyDictionary<string, SafetensorsEntry> ReadStateDict(Stream stream, string sourceName, out string? wrapperKey)
    {
        using var source = Open(stream, sourceName, leaveOpen: true);
        return ReadStateDict(source, out wrapperKey);
    }

    /// <summary>The state dict under exactly <paramref name="key"/> (BasicSR's param_key, e.g. params_ema).</summary>
    /// <exception cref="PthFormatException">The file has no dict of tensors under that key (the message lists the keys it has).</exception>
    public static IReadOnlyDictionary<string, SafetensorsEntry> ReadStateDict(string path, string key)
    {
        using var source = Open(OpenFile(path), path, leaveOpen: false);
        return ReadStateDict(source, out _, key);
    }

    private static IReadOnlyDictionary<string, SafetensorsEntry> ReadStateDict(PthSource source, out string? wrapperKey, string? paramKey = null)
    {
        var root = source.Unpickle();
        var (dict, wrapper) = paramKey == null ? SelectStateDict(root, source.SourceName) : SelectStateDict(root, source.SourceName, paramKey);

        var tensors = new List<(PthTensor Tensor, string? Name)>();
        foreach (var (key, value) in dict)
            if (key is string name && value is PthTensor tensor) tensors.Add((tensor, name));
        source.Load(tensors);

        var result = new OrderedDictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
        foreach (var (tensor, name) in tensors) result.Add(name!, tensor.ToEntry(name!));
        wrapperKey = wrapper;
        return result;
    }

    /// <summary>True when the bytes start like a .pth file: a zip archive or a legacy torch pickle.</summary>
    public static bool LooksLikePth(ReadOnlySpan<byte> head) => IsZip(head) || PthLegacySource.LooksLegacy(head);

    /// <summary>Picks the state dict out of a loaded object tree (see <see cref="ReadStateDict(string)"/>).</summary>
    internal static (PthDict Dict, string? Wrapper) SelectStateDict(object? root, string sourceName)
    {
        if (root is not PthDict top)
            throw new PthFormatException(sourceName, $"expected the saved object to be a dict of tensors (a state dict), " +
                $"but it is {PthUnpickler.Describe(root)}");
        foreach (var wrapper in StateDictWrappers)
            if (top.TryGetValue(wrapper, out var inner) && inner is PthDict d && d.Values.Any(v => v is PthTensor))
                return (d, wrapper);
        if (top.Values.Any(v => v is PthTensor)) return (top, null);

        var keys = string.Join(", ", top.Keys.Take(12).Select(k => k is string s ? $"'{s}'" : PthUnpickler.Describe(k)));
        throw new PthFormatException(sourceName, "found no tensors: expected a state dict at the top level or under one of " +
            $"{string.Join(", ", StateDictWrappers.Select(w => $"'{w}'"))}, but the top-level keys are [{keys}{(top.Count > 12 ? ", ..." : "")}]");
    }

    private static (PthDict Dict, string? Wrapper) SelectStateDict(object? root, string sourceName, string key)
    {
        if (root is PthDict top && top.TryGetValue(key, out var inner) && inner is PthDict d && d.Values.Any(v => v is PthTensor))
            return (d, key);
        string keys = root is PthDict t ? string.Join(", ", t.Keys.Take(12).Select(k => k is string s ? $"'{s}'" : PthUnpickler.Describe(k))) : PthUnpickler.Describe(root);
        throw new PthFormatException(sourceName, $"expected a state dict under the key '{key}' (param_key), but the saved object's keys are [{keys}]");
    }

    private static bool IsZip(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4;

    private static FileStream OpenFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
    }

    /// <summary>Tells the two layouts apart by their first bytes. Both need seeking, so other streams are copied first.</summary>
    private static PthSource Open(Stream stream, string sourceName, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(stream);
        sourceName ??= "<stream>";
        try
        {
            if (!stream.CanSeek || stream.Position != 0)
            {
                var copy = new MemoryStream();
                stream.CopyTo(copy);
                copy.Position = 0;
                if (!leaveOpen) stream.Dispose();
                (stream, leaveOpen) = (copy, false);
            }

            Span<byte> head = stackalloc byte[16];
            int got = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            head = head[..got];
            stream.Position = 0;
            if (IsZip(head)) return new PthZipSource(stream, sourceName, leaveOpen);
            if (PthLegacySource.LooksLegacy(head)) return new PthLegacySource(stream, sourceName, leaveOpen);
            throw new PthFormatException(sourceName, got == 0 ? "the file is empty" :
                "expected a zip archive (torch.save since PyTorch 1.6, starting with 'PK') or a legacy torch pickle " +
                $"(a pickle, starting with 0x80 0x02), but the file starts with {Hex(head)}");
        }
        catch
        {
            if (!leaveOpen) stream.Dispose();
            throw;
        }
    }

    internal static string Hex(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 0 ? "nothing" : string.Join(" ", bytes.ToArray().Select(b => $"0x{b:x2}"));
}

/// <summary>One .pth file being read: its pickle, then the storages of the tensors asked for.</summary>
internal abstract class PthSource : IDisposable
{
    private readonly bool _leaveOpen;

    protected PthSource(Stream stream, string sourceName, bool leaveOpen)
    {
        Stream = stream;
        SourceName = sourceName;
        _leaveOpen = leaveOpen;
    }

    public string SourceName { get; }
    protected Stream Stream { get; }

    /// <summary>Every tensor of the pickle (valid after <see cref="Unpickle"/>).</summary>
    public List<PthTensor> Tensors { get; protected set; } = new();

    /// <summary>Reads the object pickle; tensors are validated but their data is not read yet.</summary>
    public abstract object? Unpickle();

    /// <summary>Reads the storages these tensors use and fills in their data.</summary>
    public void Load(IReadOnlyList<(PthTensor Tensor, string? Name)> tensors)
    {
        var pending = tensors.Where(t => !t.Tensor.IsLoaded).ToList();
        if (pending.Count == 0) return;
        var byKey = pending.GroupBy(t => t.Tensor.Storage.Key).ToList();
        foreach (var g in byKey)
            if (g.Select(t => t.Tensor.Storage.DType).Distinct().Count() > 1)
                throw Fail($"storage '{g.Key}' is used with different dtypes ({string.Join(", ", g.Select(t => t.Tensor.DType).Distinct())})");
        var uses = byKey.ToDictionary(g => g.Key, g => g.Count());
        var required = byKey.ToDictionary(g => g.Key, g => g.Max(t => t.Tensor.Storage.BaseOffset + t.Tensor.Storage.Count));
        var storages = ReadStorages(required, byKey.ToDictionary(g => g.Key, g => g.First().Tensor.Storage.DType));

        foreach (var (tensor, name) in pending)
        {
            var st = tensor.Storage;
            var data = storages[st.Key];
            long start = st.BaseOffset + tensor.StorageOffset;
            long? extent = PthStorage.Extent(tensor.StorageOffset, tensor.Shape, tensor.Strides);
            if (extent is not long end || end > st.Count || st.BaseOffset + end > data.Length)
                throw Fail($"{What(tensor, name)} with storage offset {tensor.StorageOffset} and strides " +
                    $"({string.Join(", ", tensor.Strides)}) reaches element {(extent is long e ? (e - 1).ToString() : "beyond 2^63")} " +
                    $"of storage '{st.Key}', which holds {Math.Min(st.Count, data.Length - st.BaseOffset)} elements (truncated or corrupt file?)");

            // Stride-0 views (expand) hold more elements than they store; cap what a few bytes can make us allocate.
            if (tensor.Count > Math.Max(data.Length, MaxExpandedElements))
                throw Fail($"{What(tensor, name)} repeats the {data.Length} values of storage '{st.Key}' into {tensor.Count} " +
                    $"elements; refusing to allocate more than {MaxExpandedElements} for an expanded view (corrupt file?)");

            bool wholeStorage = uses[st.Key] == 1 && start == 0 && tensor.Count == data.Length
                && PthStorage.IsContiguous(tensor.Shape, tensor.Strides);
            tensor.SetData(wholeStorage ? data : PthStorage.Gather(data, start, tensor.Shape, tensor.Strides, tensor.Count));
        }
    }

    /// <summary>Most elements a tensor may have beyond the size of its storage (stride-0 expanded views).</summary>
    private const long MaxExpandedElements = 1 << 24;

    /// <summary>Reads each needed storage (by key) as float32, at least <paramref name="required"/> elements long.</summary>
    protected abstract Dictionary<string, float[]> ReadStorages(
        IReadOnlyDictionary<string, long> required, IReadOnlyDictionary<string, PthDType> dtypes);

    public PthFormatException Fail(string detail, Exception? inner = null) => new(SourceName, detail, inner);

    private static string What(PthTensor t, string? name) =>
        name is null ? $"a tensor of shape {ShapeUtil.Format(t.Shape)}" : $"tensor '{name}' of shape {ShapeUtil.Format(t.Shape)}";

    /// <summary>
    /// Parses a persistent id ('storage', storage_type, key, location, numel[, view_metadata]) into a storage
    /// reference. The legacy format adds view_metadata: None, or (view_key, offset, size) for a storage view.
    /// </summary>
    protected static PthStorageRef ParseStorageId(object? pid, PthUnpickler u, bool legacy)
    {
        if (pid is not object?[] t || t.Length < 5 || t[0] is not string kind)
            throw u.Fail($"expected a persistent id ('storage', type, key, location, size), got {PthUnpickler.Describe(pid)}");
        if (kind != "storage")
            throw u.Fail($"the persistent id is a '{kind}', not a 'storage'" +
                (kind == "module" ? " (the file pickles a whole nn.Module class; save its state_dict() instead)" : ""));
        if (t.Length > (legacy ? 6 : 5))
            throw u.Fail($"a storage persistent id has {t.Length} fields, expected {(legacy ? "5 or 6" : "5")}");
        if (t[1] is not PthGlobal type || !PthGlobals.TryGetDType(type, out var dtype))
            throw u.Fail($"expected a storage type such as torch.FloatStorage, got {PthUnpickler.Describe(t[1])}");
        if (t[2] is not string key)
            throw u.Fail($"expected a storage key string, got {PthUnpickler.Describe(t[2])}");
        long count = u.AsLong(t[4], "storage size");
        if (count < 0 || count > PthStorage.MaxElements)
            throw u.Fail($"storage '{key}' claims {count} elements (limit {PthStorage.MaxElements})");

        if (t.Length == 6 && t[5] is not null)
        {
            if (t[5] is not object?[] { Length: 3 } view || view[0] is not string)
                throw u.Fail($"expected a storage view (key, offset, size), got {PthUnpickler.Describe(t[5])}");
            long offset = u.AsLong(view[1], "view offset");
            long size = u.AsLong(view[2], "view size");
            if (offset < 0 || size < 0 || offset + size > count)
                throw u.Fail($"storage view at offset {offset} of {size} elements does not fit storage '{key}' of {count}");
            return new PthStorageRef { Key = key, DType = dtype, Count = size, BaseOffset = offset };
        }
        return new PthStorageRef { Key = key, DType = dtype, Count = count };
    }

    public virtual void Dispose()
    {
        if (!_leaveOpen) Stream.Dispose();
    }
}
