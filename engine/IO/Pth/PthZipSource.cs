using System.IO.Compression;
using System.Text;

namespace NativeGan.IO;

/// <summary>
/// The zip layout of torch.save since PyTorch 1.6: <c>ARCHIVE/data.pkl</c> (the object pickle, whose
/// persistent ids name storages), <c>ARCHIVE/data/KEY</c> (each storage's raw little-endian bytes) and
/// <c>ARCHIVE/byteorder</c>; the folder name ARCHIVE varies. Entries are usually stored, but any
/// compression ZipArchive reads works; a CRC mismatch or a cut archive becomes a <see cref="PthFormatException"/>.
/// </summary>
internal sealed class PthZipSource : PthSource
{
    /// <summary>Largest data.pkl accepted; real ones are kilobytes to a few megabytes.</summary>
    private const long MaxPickleBytes = 1L << 30;

    private ZipArchive? _zip;
    private string _prefix = "";

    public PthZipSource(Stream stream, string sourceName) : base(stream, sourceName) { }

    public override object? Unpickle()
    {
        var zip = Guard("open the zip archive", () => new ZipArchive(Stream, ZipArchiveMode.Read, leaveOpen: true));
        _zip = zip;

        var candidates = zip.Entries.Where(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal)
            && e.FullName.IndexOf('/') == e.FullName.LastIndexOf('/')
            && (e.FullName == "data.pkl" || e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal))).ToList();
        if (candidates.Count != 1)
            throw Fail((candidates.Count == 0 ? "expected an ARCHIVE/data.pkl entry" : "expected one ARCHIVE/data.pkl entry") +
                $", but the zip holds [{string.Join(", ", zip.Entries.Take(10).Select(e => e.FullName))}" +
                $"{(zip.Entries.Count > 10 ? ", ..." : "")}]; is this a torch.save file?");
        var pkl = candidates[0];
        _prefix = pkl.FullName[..^"data.pkl".Length];

        if (zip.GetEntry(_prefix + "byteorder") is { } byteorder)
        {
            var order = Encoding.ASCII.GetString(ReadEntry(byteorder, 16)).Trim();
            if (order != "little")
                throw Fail($"the archive says its byte order is '{order}'; only little-endian files are supported");
        }

        var bytes = ReadEntry(pkl, MaxPickleBytes);
        var unpickler = new PthUnpickler(new MemoryStream(bytes, writable: false), bytes.Length, SourceName, pkl.FullName,
            (pid, u) => ParseStorageId(pid, u, legacy: false));
        var root = unpickler.Load();
        Tensors = unpickler.Tensors;
        return root;
    }

    public override void Dispose()
    {
        _zip?.Dispose();
        base.Dispose();
    }

    protected override Dictionary<string, float[]> ReadStorages(
        IReadOnlyDictionary<string, long> required, IReadOnlyDictionary<string, PthDType> dtypes)
    {
        var zip = _zip ?? throw new InvalidOperationException("Unpickle first.");
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (key, needed) in required)
        {
            string name = _prefix + "data/" + key;
            var entry = zip.GetEntry(name) ?? throw Fail(
                $"the pickle refers to storage '{key}', but the archive has no entry '{name}' (truncated or incomplete file?)");
            var dtype = dtypes[key];
            long length = Guard($"read entry '{name}'", () => entry.Length);
            if (length % dtype.Size != 0 || length / dtype.Size < needed)
                throw Fail($"entry '{name}' should hold {needed} {dtype.TorchName} values ({needed * dtype.Size} bytes), " +
                    $"but has {length} bytes");
            long count = length / dtype.Size;
            if (count > PthStorage.MaxElements)
                throw Fail($"entry '{name}' holds {count} values, more than one array can hold ({PthStorage.MaxElements})");
            result[key] = Guard($"read entry '{name}'", () =>
            {
                using var s = entry.Open();
                return PthStorage.Read(s, dtype, count, got => Fail(
                    $"entry '{name}' ended after {got} of its {length} bytes (truncated or corrupt file?)"));
            });
        }
        return result;
    }

    private byte[] ReadEntry(ZipArchiveEntry entry, long maxBytes)
    {
        long length = Guard($"read entry '{entry.FullName}'", () => entry.Length);
        if (length > maxBytes)
            throw Fail($"entry '{entry.FullName}' is {length} bytes, more than the {maxBytes}-byte limit for it (corrupt file?)");
        return Guard($"read entry '{entry.FullName}'", () =>
        {
            using var s = entry.Open();
            var bytes = new byte[length];
            int got = s.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got < bytes.Length)
                throw Fail($"entry '{entry.FullName}' ended after {got} of its {length} bytes (truncated or corrupt file?)");
            if (s.ReadByte() >= 0)
                throw Fail($"entry '{entry.FullName}' holds more than the {length} bytes the zip directory says (corrupt file?)");
            return bytes;
        });
    }

    /// <summary>Runs a zip operation, turning the archive's own exceptions into a <see cref="PthFormatException"/>.</summary>
    private T Guard<T>(string what, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or NotSupportedException
                                       or ArgumentException or IOException && e is not FileNotFoundException)
        {
            throw Fail($"could not {what}: {e.Message} (truncated or corrupt zip?)", e);
        }
    }
}
