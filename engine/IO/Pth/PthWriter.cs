using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace NativeGan.IO;

/// <summary>
/// Writes float32 state dicts as PyTorch's zip serialization (torch.save since 1.6): <c>archive/data.pkl</c> (a protocol-2
/// pickle of <c>{key: OrderedDict(name -> tensor)}</c>, tensors rebuilt by <c>torch._utils._rebuild_tensor_v2</c> from
/// persistent storages), <c>archive/data/N</c> (each tensor's little-endian float32 storage) and <c>archive/version</c>.
/// BasicSR saves released generators this way (<c>{'params': ..., 'params_ema': ...}</c>), and Real-ESRGAN's inference,
/// BasicSR and torch.load read it as they read their own. Written to a temporary name and renamed.
/// </summary>
public static class PthWriter
{
    /// <summary>Writes <paramref name="stateDicts"/> (wrapper key -> named tensors, in order) to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<(string Key, IReadOnlyList<(string Name, int[] Shape, float[] Data)> Tensors)> stateDicts)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (stateDicts.Count == 0) throw new ArgumentException($"{path}: nothing to write (no state dict).", nameof(stateDicts));
        foreach (var (key, tensors) in stateDicts)
            foreach (var (name, shape, data) in tensors)
            {
                long numel = shape.Aggregate(1L, (a, d) => a * d);
                if (shape.Any(d => d < 0) || numel != data.Length)
                    throw new ArgumentException($"{path}: tensor '{key}.{name}' has shape [{string.Join(", ", shape)}] but {data.Length} values.", nameof(stateDicts));
            }

        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        // torch.load takes the archive's folder name from its first entry; BasicSR's files use the file's stem.
        string root = SafeRoot(Path.GetFileNameWithoutExtension(path));
        string temp = path + ".tmp";
        try
        {
            using var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None);
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create);
            var storages = new List<float[]>();
            byte[] pickle = Pickle(stateDicts, storages);
            using (var s = Entry(zip, $"{root}/data.pkl")) s.Write(pickle);
            for (int i = 0; i < storages.Count; i++)
                using (var s = Entry(zip, $"{root}/data/{i}")) Safetensors.WriteFloats(s, storages[i]);
            using (var s = Entry(zip, $"{root}/version")) s.Write("3\n"u8);
        }
        catch
        {
            Safetensors.TryDelete(temp);
            throw;
        }
        File.Move(temp, path, overwrite: true);
    }

    private static string SafeRoot(string stem)
    {
        var sb = new StringBuilder();
        foreach (char c in stem) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        return sb.Length > 0 ? sb.ToString() : "archive";
    }

    // PyTorch writes every record uncompressed, so storages can be read (or mapped) in place.
    private static Stream Entry(ZipArchive zip, string name) => zip.CreateEntry(name, CompressionLevel.NoCompression).Open();

    private static byte[] Pickle(IReadOnlyList<(string Key, IReadOnlyList<(string Name, int[] Shape, float[] Data)> Tensors)> stateDicts, List<float[]> storages)
    {
        var p = new PickleBuilder();
        p.Proto();
        p.Op(PickleBuilder.EmptyDict);
        foreach (var (key, tensors) in stateDicts)
        {
            p.String(key);
            p.Global("collections", "OrderedDict");
            p.Op(PickleBuilder.EmptyTuple);
            p.Op(PickleBuilder.Reduce);
            foreach (var (name, shape, data) in tensors)
            {
                int storage = storages.Count;
                storages.Add(data);
                p.String(name);
                p.Global("torch._utils", "_rebuild_tensor_v2");
                p.Op(PickleBuilder.Mark);
                // Persistent id: ('storage', torch.FloatStorage, key, location, numel).
                p.Op(PickleBuilder.Mark);
                p.String("storage");
                p.Global("torch", "FloatStorage");
                p.String(storage.ToString(System.Globalization.CultureInfo.InvariantCulture));
                p.String("cpu");
                p.Int(data.Length);
                p.Op(PickleBuilder.Tuple);
                p.Op(PickleBuilder.BinPersId);
                p.Int(0);                                   // storage offset
                p.IntTuple(shape);
                p.IntTuple(ContiguousStrides(shape));
                p.Op(PickleBuilder.NewFalse);               // requires_grad
                p.Global("collections", "OrderedDict");     // backward hooks
                p.Op(PickleBuilder.EmptyTuple);
                p.Op(PickleBuilder.Reduce);
                p.Op(PickleBuilder.Tuple);
                p.Op(PickleBuilder.Reduce);
                p.Op(PickleBuilder.SetItem);
            }
            p.Op(PickleBuilder.SetItem);
        }
        p.Op(PickleBuilder.Stop);
        return p.ToArray();
    }

    private static int[] ContiguousStrides(int[] shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(1, shape[i]);
        }
        return strides;
    }

    /// <summary>The few pickle opcodes a state dict needs (Python's pickletools names).</summary>
    private sealed class PickleBuilder
    {
        public const byte Mark = (byte)'(', Stop = (byte)'.', Tuple = (byte)'t', EmptyTuple = (byte)')', EmptyDict = (byte)'}',
            Reduce = (byte)'R', SetItem = (byte)'s', BinPersId = (byte)'Q', NewFalse = 0x89;
        private readonly MemoryStream buffer = new();

        public void Proto() { buffer.WriteByte(0x80); buffer.WriteByte(2); }
        public void Op(byte op) => buffer.WriteByte(op);

        public void String(string s)
        {
            var utf8 = Encoding.UTF8.GetBytes(s);
            buffer.WriteByte((byte)'X');                    // BINUNICODE
            Span<byte> len = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(len, utf8.Length);
            buffer.Write(len);
            buffer.Write(utf8);
        }

        public void Global(string module, string name)
        {
            buffer.WriteByte((byte)'c');
            buffer.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
        }

        public void Int(long v)
        {
            if (v < int.MinValue || v > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(v), $"pickle: {v} does not fit BININT.");
            buffer.WriteByte((byte)'J');                    // BININT
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
            buffer.Write(b);
        }

        public void IntTuple(int[] values)
        {
            if (values.Length == 0) { Op(EmptyTuple); return; }
            Op(Mark);
            foreach (var v in values) Int(v);
            Op(Tuple);
        }

        public byte[] ToArray() => buffer.ToArray();
    }
}
