using System.Buffers.Binary;
using System.Numerics;

namespace NativeGan.IO;

/// <summary>
/// The legacy layout of torch.save before PyTorch 1.6 (and with <c>_use_new_zipfile_serialization=False</c>),
/// which old ESRGAN weights use: five pickles in a row (the magic number 0x1950a86a20f9469cfc6c, the protocol
/// version 1001, a system-info dict, the object, the sorted list of storage keys), then each storage in that
/// key order as an 8-byte little-endian element count followed by its raw bytes.
/// </summary>
internal sealed class PthLegacySource : PthSource
{
    private static readonly BigInteger Magic = BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);
    private const long ProtocolVersion = 1001;

    private readonly Dictionary<string, PthDType> _dtypes = new(StringComparer.Ordinal);
    private List<string> _keys = new();
    private long _storagesStart;

    public PthLegacySource(Stream stream, string sourceName) : base(stream, sourceName) { }

    /// <summary>
    /// Whether the bytes start like a pickle (PROTO 2 to 5); the magic number that must follow is checked when
    /// reading, so that a pickle that is not a torch file gets a message saying so.
    /// </summary>
    public static bool LooksLegacy(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5;

    public override object? Unpickle()
    {
        long end = Stream.Length;
        var unpickler = new PthUnpickler(Stream, end, SourceName, "pickle", (pid, u) =>
        {
            var storage = ParseStorageId(pid, u, legacy: true);
            if (_dtypes.TryGetValue(storage.Key, out var known) && known != storage.DType)
                throw u.Fail($"storage '{storage.Key}' appears as both {known.TorchName} and {storage.DType.TorchName}");
            _dtypes[storage.Key] = storage.DType;
            return storage;
        });

        var magic = unpickler.Load();
        if (!(magic is BigInteger m && m == Magic))
            throw Fail($"expected the legacy torch magic number 0x{Magic:x} first, got {PthUnpickler.Describe(magic)}");
        var protocol = unpickler.Load();
        if (protocol is not ProtocolVersion)
            throw Fail($"expected legacy protocol version {ProtocolVersion}, got {PthUnpickler.Describe(protocol)}");
        var sysInfo = unpickler.Load();
        if (sysInfo is PthDict info && info.TryGetValue("little_endian", out var little) && little is false)
            throw Fail("the file was written on a big-endian machine; only little-endian files are supported");

        var root = unpickler.Load();
        Tensors = unpickler.Tensors;

        var keys = unpickler.Load();
        if (keys is not List<object?> list || list.Any(k => k is not string))
            throw Fail($"expected the list of storage keys after the object, got {PthUnpickler.Describe(keys)}");
        _keys = list.Cast<string>().ToList();
        _storagesStart = Stream.Position;
        return root;
    }

    protected override Dictionary<string, float[]> ReadStorages(
        IReadOnlyDictionary<string, long> required, IReadOnlyDictionary<string, PthDType> dtypes)
    {
        foreach (var key in required.Keys)
            if (!_keys.Contains(key))
                throw Fail($"the pickle refers to storage '{key}', but it is not in the file's list of stored storages");

        // Storages follow one another in key order, so reaching one means walking the counts of those before it.
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        Stream.Position = _storagesStart;
        long end = Stream.Length;
        Span<byte> countBytes = stackalloc byte[8];
        foreach (var key in _keys)
        {
            if (result.Count == required.Count) break;
            if (!_dtypes.TryGetValue(key, out var dtype))
                throw Fail($"storage '{key}' is listed as stored but the pickle never names it, so its dtype is unknown");

            long at = Stream.Position;
            if (end - at < 8)
                throw Fail($"the file ends before storage '{key}' (at byte {at}; truncated file?)");
            Stream.ReadExactly(countBytes);
            long count = BinaryPrimitives.ReadInt64LittleEndian(countBytes);
            long left = end - Stream.Position;
            if (count < 0 || count > left / dtype.Size)
                throw Fail($"storage '{key}' at byte {at} says it holds {count} {dtype.TorchName} values, " +
                    $"but only {left} bytes follow (truncated or corrupt file?)");

            if (required.TryGetValue(key, out long needed))
            {
                if (count < needed)
                    throw Fail($"storage '{key}' holds {count} values, but the pickle uses {needed} of it");
                result[key] = PthStorage.Read(Stream, dtype, count, got => Fail(
                    $"storage '{key}' ended after {got} of its {count * dtype.Size} bytes (truncated file?)"));
            }
            else
            {
                Stream.Position += count * dtype.Size;
            }
        }
        return result;
    }
}
