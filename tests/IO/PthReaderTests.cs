using System.IO.Compression;
using System.Numerics;
using System.Text;
using System.Text.Json;
using NativeGan.IO;
using NativeGan.Tests.Fixtures;

namespace NativeGan.Tests.IO;

/// <summary>
/// PthReader against files written by PyTorch 1.13 (tools/make_pth_fixtures.py, expected values widened to
/// float32 by PyTorch itself), the shared BasicSR RRDBNet file, hand-built malicious or malformed pickles,
/// and truncated or byte-flipped copies.
/// </summary>
public sealed class PthReaderTests : IDisposable
{
    private static readonly string PthDir = Path.Combine(AppContext.BaseDirectory, "fixtures", "pth");
    private static readonly string Rrdbnet = Path.Combine(AppContext.BaseDirectory, "fixtures", "models", "rrdbnet_tiny_x4.pth");

    private readonly string _dir = Directory.CreateTempSubdirectory("nativegan-pth-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Fixture(string name) => Path.Combine(PthDir, name);

    // ------------------------------------------------------------------ PyTorch fixtures

    [Theory]
    [InlineData("dtypes")]
    [InlineData("views")]
    [InlineData("ordered_dict")]
    [InlineData("params")]
    [InlineData("params_ema")]
    [InlineData("protocol4")]
    [InlineData("legacy")]
    public void EveryFixture_ReadsToPyTorchsValues(string name)
    {
        var expected = Safetensors.Read(Fixture(name + ".expected.safetensors"));
        var order = JsonSerializer.Deserialize<string[]>(expected.Metadata["order"])!;
        string? expectedWrapper = expected.Metadata["wrapper"] is "" ? null : expected.Metadata["wrapper"];

        var state = PthReader.ReadStateDict(Fixture(name + ".pth"), out string? wrapper);

        Assert.Equal(expectedWrapper, wrapper);
        Assert.Equal(order, state.Keys);
        foreach (var key in order)
        {
            var want = expected.Tensors[key];
            var got = state[key];
            Assert.Equal(key, got.Name);
            Assert.Equal(want.Shape, got.Shape);
            Assertions.AssertClose(want.Data, got.Data, rtol: 0, atol: 0, what: $"{name}.pth '{key}'");
        }
    }

    [Fact]
    public void Dtypes_AreReportedAsStoredAndParametersKeepRequiresGrad()
    {
        var root = Assert.IsType<PthDict>(PthReader.Read(Fixture("dtypes.pth")));
        string DType(string key) => Assert.IsType<PthTensor>(root[key]).DType;
        Assert.Equal("F32", DType("f32"));
        Assert.Equal("F16", DType("f16"));
        Assert.Equal("BF16", DType("bf16"));
        Assert.Equal("F64", DType("f64"));
        Assert.Equal("I64", DType("i64"));
        Assert.Equal("I16", DType("i16"));
        Assert.Equal("I8", DType("i8"));
        Assert.Equal("BOOL", DType("bool"));
        Assert.Empty(Assert.IsType<PthTensor>(root["scalar"]).Shape);
        Assert.True(Assert.IsType<PthTensor>(root["param"]).RequiresGrad);
        Assert.False(Assert.IsType<PthTensor>(root["f32"]).RequiresGrad);
    }

    [Fact]
    public void Read_ReturnsTheObjectTreeWithNonTensorValues()
    {
        var root = Assert.IsType<PthDict>(PthReader.Read(Fixture("params.pth")));
        var parameters = Assert.IsType<PthDict>(root["params"]);
        Assert.True(parameters.IsOrdered);
        Assert.IsType<PthDict>(parameters.State); // the state dict's _metadata, set by BUILD

        var meta = Assert.IsType<PthDict>(root["meta"]);
        Assert.Equal(5L, meta["iter"]);
        Assert.Equal("tiny", meta["note"]);
        Assert.Equal(0.1, meta["lr"]);
        Assert.Equal(new object?[] { true, false, null }, Assert.IsType<List<object?>>(meta["flags"]));
        Assert.Equal(1L << 40, meta["big"]);
        Assert.Equal(BigInteger.One << 70, meta["huge"]);
        Assert.Equal(-5L, meta["neg"]);
        Assert.Equal(new object?[] { 1L, "a" }, Assert.IsType<object?[]>(meta["pair"]));
    }

    [Fact]
    public void Views_SharingOneStorageAreIndependentArrays()
    {
        var state = PthReader.ReadStateDict(Fixture("views.pth"));
        state["base"].Data[0] = 1234f;
        Assert.NotEqual(1234f, state["transposed"].Data[0]);
    }

    // ------------------------------------------------------------------ the BasicSR RRDBNet file

    [Fact]
    public void RrdbnetTiny_ReadsEveryKeyWithBasicSrShapesAndValues()
    {
        var state = PthReader.ReadStateDict(Rrdbnet, out string? wrapper);
        Assert.Equal("params_ema", wrapper);

        // BasicSR RRDBNet(num_in_ch=3, num_out_ch=3, scale=4, num_feat=16, num_block=2, num_grow_ch=8).
        const int feat = 16, grow = 8, blocks = 2;
        var shapes = new List<(string, int[])> { ("conv_first.weight", [feat, 3, 3, 3]), ("conv_first.bias", [feat]) };
        for (int b = 0; b < blocks; b++)
            for (int r = 1; r <= 3; r++)
                for (int c = 1; c <= 5; c++)
                {
                    int outCh = c < 5 ? grow : feat;
                    shapes.Add(($"body.{b}.rdb{r}.conv{c}.weight", [outCh, feat + (c - 1) * grow, 3, 3]));
                    shapes.Add(($"body.{b}.rdb{r}.conv{c}.bias", [outCh]));
                }
        foreach (var conv in new[] { "conv_body", "conv_up1", "conv_up2", "conv_hr" })
        {
            shapes.Add(($"{conv}.weight", [feat, feat, 3, 3]));
            shapes.Add(($"{conv}.bias", [feat]));
        }
        shapes.Add(("conv_last.weight", [3, feat, 3, 3]));
        shapes.Add(("conv_last.bias", [3]));

        Assert.Equal(shapes.Select(s => s.Item1), state.Keys);
        foreach (var (key, shape) in shapes)
        {
            Assert.Equal(shape, state[key].Shape);
            Assert.Equal(shape.Aggregate(1, (a, d) => a * d), state[key].Data.Length);
        }

        // [sum, sum |x|, first, last] per tensor, from PyTorch in float64.
        var sums = Safetensors.Read(Fixture("rrdbnet_tiny_x4.checksums.safetensors")).Tensors;
        foreach (var (key, entry) in state)
        {
            var d = entry.Data;
            var got = new[] { (float)d.Sum(v => (double)v), (float)d.Sum(v => Math.Abs((double)v)), d[0], d[^1] };
            Assertions.AssertClose(sums[key].Data, got, rtol: 1e-6, atol: 1e-6, what: $"checksums of '{key}'");
        }
    }

    // ------------------------------------------------------------------ damaged files

    [Fact]
    public void TruncatedCopies_FailWithTheFileName()
    {
        byte[] bytes = File.ReadAllBytes(Rrdbnet);
        foreach (int cut in new[] { 0, 3, 30, 100, 2000, 9000, bytes.Length / 2, bytes.Length - 200, bytes.Length - 22, bytes.Length - 1 })
        {
            string path = Write($"rrdbnet_cut_{cut}.pth", bytes.AsSpan(0, cut));
            var e = Assert.Throws<PthFormatException>(() => PthReader.ReadStateDict(path));
            Assert.Equal(path, e.SourceName);
            Assert.Contains($"rrdbnet_cut_{cut}.pth", e.Message);
        }
    }

    [Theory]
    [InlineData("views.pth")]
    [InlineData("legacy.pth")]
    [InlineData("protocol4.pth")]
    public void CutAtEveryByte_SmallFilesFailCleanly(string name)
    {
        byte[] bytes = File.ReadAllBytes(Fixture(name));
        Assert.IsType<PthDict>(PthReader.Read(new MemoryStream(bytes), name));
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            try
            {
                PthReader.Read(new MemoryStream(bytes, 0, cut), $"{name} cut to {cut}");
                Assert.Fail($"{name} cut to {cut} of {bytes.Length} bytes was read without an error");
            }
            catch (PthFormatException e)
            {
                Assert.Contains($"'{name} cut to {cut}'", e.Message);
            }
        }
    }

    [Fact]
    public void ByteFlippedZip_FailsWithTheFileName()
    {
        byte[] bytes = File.ReadAllBytes(Rrdbnet);
        // One flip inside data.pkl (after the 30-byte local header and its name), one inside the first storage
        // (past the name and up to 64 bytes of alignment padding), one in data.pkl's CRC-32 in the central
        // directory (16 bytes into its 46-byte record, which the name follows).
        var pklName = "rrdbnet_tiny_x4/data.pkl"u8;
        int pkl = 30 + pklName.Length + 100;
        int storage = IndexOf(bytes, "rrdbnet_tiny_x4/data/0"u8) + 22 + 64 + 100;
        int centralCrc = bytes.AsSpan().LastIndexOf(pklName) - 46 + 16;
        Assert.True(bytes.AsSpan(centralCrc - 16, 4).SequenceEqual("PK\x01\x02"u8), "central directory record not found");
        foreach (int at in new[] { pkl, storage, centralCrc })
        {
            var copy = (byte[])bytes.Clone();
            copy[at] ^= 0x5a;
            string path = Write($"rrdbnet_flip_{at}.pth", copy);
            var e = Assert.Throws<PthFormatException>(() => PthReader.ReadStateDict(path));
            Assert.Contains($"rrdbnet_flip_{at}.pth", e.Message);
        }
    }

    /// <summary>A flip anywhere either fails as a PthFormatException or (metadata the reader ignores) changes nothing.</summary>
    [Fact]
    public void FlipAtEveryByte_ZipFailsCleanlyOrReadsTheSameValues()
    {
        const string name = "views.pth";
        byte[] bytes = File.ReadAllBytes(Fixture(name));
        var expected = PthReader.ReadStateDict(Fixture(name));
        for (int at = 0; at < bytes.Length; at++)
        {
            var copy = (byte[])bytes.Clone();
            copy[at] ^= 0xff;
            IReadOnlyDictionary<string, SafetensorsEntry> state;
            try
            {
                state = PthReader.ReadStateDict(new MemoryStream(copy), name, out _);
            }
            catch (PthFormatException)
            {
                continue;
            }
            Assert.Equal(expected.Keys, state.Keys);
            foreach (var (key, entry) in expected)
                Assert.True(entry.Data.AsSpan().SequenceEqual(state[key].Data), $"byte {at} flipped: '{key}' changed silently");
        }
    }

    /// <summary>The legacy format has no checksums: a flip may change values, but must never crash or hang.</summary>
    [Fact]
    public void FlipAtEveryByte_LegacyNeverThrowsAnythingElse()
    {
        byte[] bytes = File.ReadAllBytes(Fixture("legacy.pth"));
        foreach (byte mask in new byte[] { 0xff, 0x01, 0x80 })
            for (int at = 0; at < bytes.Length; at++)
            {
                var copy = (byte[])bytes.Clone();
                copy[at] ^= mask;
                try { PthReader.Read(new MemoryStream(copy), "legacy.pth"); }
                catch (PthFormatException) { }
            }
    }

    [Fact]
    public void NotAPthFile_SaysWhatItStartsWith()
    {
        string path = Write("image.pth", [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3, 4]);
        var e = Assert.Throws<PthFormatException>(() => PthReader.Read(path));
        Assert.Contains("0x89 0x50 0x4e 0x47", e.Message);
        Assert.Contains("image.pth", e.Message);
        Assert.Contains("empty", Assert.Throws<PthFormatException>(() => PthReader.Read(Write("empty.pth", []))).Message);
    }

    // ------------------------------------------------------------------ forbidden globals

    [Theory]
    [InlineData("forbidden_system.pth", "posix.system")]
    [InlineData("forbidden_eval_legacy.pth", "__builtin__.eval")]
    public void ForbiddenGlobal_FromPyTorch_IsRefusedByName(string name, string global)
    {
        var e = Assert.Throws<PthFormatException>(() => PthReader.ReadStateDict(Fixture(name)));
        Assert.Contains($"'{global}'", e.Message);
        Assert.Contains(name, e.Message);
        Assert.Contains("refused", e.Message);
    }

    [Theory]
    [InlineData("os", "system", false)]
    [InlineData("builtins", "eval", false)]
    [InlineData("__builtin__", "exec", false)]
    [InlineData("builtins", "exec", true)]
    [InlineData("torch.nn.modules.conv", "Conv2d", true)]
    [InlineData("numpy.core.multiarray", "_reconstruct", false)]
    public void ForbiddenGlobal_HandBuilt_IsRefusedByName(string module, string name, bool stackGlobal)
    {
        var p = new PickleBuilder().Proto(stackGlobal ? 4 : 2);
        if (stackGlobal) p.Str(module).Str(name).Op(0x93);
        else p.Global(module, name);
        p.Str("echo hi").Op(0x85).Op('R').Op('.');
        string path = WriteZip("evil.pth", p.Bytes);
        var e = Assert.Throws<PthFormatException>(() => PthReader.Read(path));
        Assert.Contains($"'{module}.{name}'", e.Message);
        Assert.Contains("evil.pth", e.Message);
    }

    // ------------------------------------------------------------------ malformed pickles and storages

    [Fact]
    public void HandBuiltTensor_ReadsWithOffsetAndStrides()
    {
        var storage = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        string path = WriteZip("ok.pth", TensorPickle([2, 3], [1, 4], offset: 1, numel: 12), ("0", Floats(storage)));
        var w = PthReader.ReadStateDict(path)["w"];
        Assert.Equal([2, 3], w.Shape);
        Assert.Equal([1f, 5f, 9f, 2f, 6f, 10f], w.Data);
    }

    public static TheoryData<string, byte[], string> MalformedPickles() => new()
    {
        { "unknown opcode", new PickleBuilder().Proto(2).Raw(0xff).Bytes, "unknown pickle opcode 0xff" },
        { "no STOP", new PickleBuilder().Proto(2).Op('}').Bytes, "without its STOP" },
        { "stack underflow", new PickleBuilder().Proto(2).Op('s').Bytes, "stack underflow" },
        { "memo miss", new PickleBuilder().Proto(2).Op('h').Raw(7).Op('.').Bytes, "memo entry 7" },
        { "huge string", new PickleBuilder().Proto(2).Op('X').Raw(0xff, 0xff, 0xff, 0x7f).Bytes, "2147483647 bytes" },
        { "huge unicode8", new PickleBuilder().Proto(4).Raw(0x8d, 0, 0, 0, 0, 0, 0, 0, 0x10).Bytes, "bytes, but only" },
        { "two values at STOP", new PickleBuilder().Proto(2).Op('N').Op('N').Op('.').Bytes, "STOP with 2 values" },
        { "unclosed mark", new PickleBuilder().Proto(2).Op('(').Op('N').Op('.').Bytes, "open marks" },
        { "call a string", new PickleBuilder().Proto(2).Str("f").Op(')').Op('R').Op('.').Bytes, "expects a global to call" },
        { "setitem on a list", new PickleBuilder().Proto(2).Op(']').Str("k").Str("v").Op('s').Op('.').Bytes, "expects a dict" },
    };

    [Theory]
    [MemberData(nameof(MalformedPickles))]
    public void MalformedPickle_FailsWithAClearMessage(string what, byte[] pickle, string message)
    {
        string path = WriteZip("bad.pth", pickle);
        var e = Assert.Throws<PthFormatException>(() => PthReader.Read(path));
        Assert.True(e.Message.Contains(message), $"{what}: {e.Message}");
        Assert.Contains("bad.pth", e.Message);
    }

    [Fact]
    public void MissingStorageEntry_IsNamed()
    {
        string path = WriteZip("missing.pth", TensorPickle([2], [1], 0, 2));
        var e = Assert.Throws<PthFormatException>(() => PthReader.ReadStateDict(path));
        Assert.Contains("archive/data/0", e.Message);
    }

    [Fact]
    public void StorageTooShortForTheView_IsRefused()
    {
        // The pickle claims 12 elements but the entry holds 8.
        string path = WriteZip("short.pth", TensorPickle([3, 4], [4, 1], 0, 12), ("0", Floats(new float[8])));
        Assert.Contains("should hold 12 float32 values", Assert.Throws<PthFormatException>(() => PthReader.ReadStateDict(path)).Message);

        // The storage is complete but offset + strides reach past its end.
        path = WriteZip("overrun.pth", TensorPickle([3, 4], [4, 1], 1, 12), ("0", Floats(new float[12])));
        var e = Assert.Throws<PthFormatException>(() => PthReader.ReadStateDict(path));
        Assert.Contains("tensor 'w' of shape [3, 4]", e.Message);
        Assert.Contains("reaches element 12", e.Message);
    }

    [Fact]
    public void AbsurdSizes_AreRefusedBeforeAllocating()
    {
        string path = WriteZip("huge.pth", TensorPickle([int.MaxValue, int.MaxValue], [1, 1], 0, 4), ("0", Floats(new float[4])));
        Assert.Contains("more elements than one array", Assert.Throws<PthFormatException>(() => PthReader.ReadStateDict(path)).Message);

        path = WriteZip("hugestorage.pth", TensorPickle([2], [1], 0, long.MaxValue / 2), ("0", Floats(new float[2])));
        Assert.Contains("claims", Assert.Throws<PthFormatException>(() => PthReader.ReadStateDict(path)).Message);
    }

    [Fact]
    public void ReadStateDict_WithoutTensors_ListsTheTopLevelKeys()
    {
        var p = new PickleBuilder().Proto(2).Op('}').Str("epoch").Int(3).Op('s').Op('.');
        var e = Assert.Throws<PthFormatException>(() => PthReader.ReadStateDict(WriteZip("notensors.pth", p.Bytes)));
        Assert.Contains("'epoch'", e.Message);
    }

    // ------------------------------------------------------------------ WeightsFile

    [Fact]
    public void WeightsFile_ReadsPthAndSafetensorsByContent()
    {
        // A .pth under a .safetensors name, and the other way round: the extension does not matter.
        string pthNamedSt = Path.Combine(_dir, "weights.safetensors");
        File.Copy(Fixture("params.pth"), pthNamedSt);
        string stNamedPth = Path.Combine(_dir, "weights.pth");
        File.Copy(Fixture("params.expected.safetensors"), stNamedPth);

        Assert.Equal(WeightsFormat.Pth, WeightsFile.Detect(pthNamedSt));
        Assert.Equal(WeightsFormat.Safetensors, WeightsFile.Detect(stNamedPth));
        var fromPth = WeightsFile.Load(pthNamedSt, out _, out string? wrapper);
        var fromSt = WeightsFile.Load(stNamedPth);
        Assert.Equal("params", wrapper);
        Assert.Equal(fromSt.Keys.Order(StringComparer.Ordinal), fromPth.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, entry) in fromSt) Assert.Equal(entry.Data, fromPth[key].Data);

        Assert.Equal(WeightsFormat.Pth, WeightsFile.Detect(Fixture("legacy.pth")));
        Assert.Equal(72, WeightsFile.Load(Rrdbnet).Count);

        var junk = Write("junk.bin", Encoding.ASCII.GetBytes("GIF89a not weights at all"));
        var e = Assert.Throws<FormatException>(() => WeightsFile.Load(junk));
        Assert.Contains("junk.bin", e.Message);
    }

    /// <summary>
    /// Pre-1.0 legacy files name storage views: ('storage', type, root_key, location, root_numel, (view_key, offset, size)).
    /// Built by hand (PyTorch 1.13 no longer writes them): a view of 6 elements at offset 4 of a 12-element root.
    /// </summary>
    [Fact]
    public void LegacyStorageView_ReadsFromTheViewsOffset()
    {
        var file = new List<byte>();
        file.AddRange(new PickleBuilder().Proto(2).Raw(0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19).Op('.').Bytes);
        file.AddRange(new PickleBuilder().Proto(2).Int(1001).Op('.').Bytes);
        file.AddRange(new PickleBuilder().Proto(2).Op('}').Str("little_endian").Op(0x88).Op('s').Op('.').Bytes);
        var p = new PickleBuilder().Proto(2).Op('}').Str("w").Global("torch._utils", "_rebuild_tensor_v2").Op('(');
        p.Op('(').Str("storage").Global("torch", "FloatStorage").Str("root").Str("cpu").Int(12);
        p.Str("view").Int(4).Int(6).Op(0x87).Op('t').Op('Q'); // view_metadata = ('view', 4, 6)
        p.Int(1).Int(2).Int(2).Op(0x86).Int(1).Int(2).Op(0x86); // offset 1 in the view, size (2, 2), stride (1, 2)
        p.Op(0x89).Global("collections", "OrderedDict").Op(')').Op('R').Op('t').Op('R').Op('s').Op('.');
        file.AddRange(p.Bytes);
        file.AddRange(new PickleBuilder().Proto(2).Op(']').Str("root").Op('a').Op('.').Bytes);
        file.AddRange(BitConverter.GetBytes(12L));
        file.AddRange(Floats(Enumerable.Range(0, 12).Select(i => (float)i).ToArray()));

        var w = PthReader.ReadStateDict(Write("legacy_view.pth", file.ToArray()))["w"];
        // view element k is root element 4 + k; the tensor reads view elements 1 + i + 2j.
        Assert.Equal([5f, 7f, 6f, 8f], w.Data);
    }

    [Fact]
    public void Crc32_MatchesTheZipCheckValueWhateverTheSplit()
    {
        var data = "123456789"u8.ToArray();
        Assert.Equal(0xCBF43926u, Crc32.Append(0, data));
        var long1 = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        Assert.Equal(Crc32.Append(0, long1), Crc32.Append(Crc32.Append(0, long1.AsSpan(0, 333)), long1.AsSpan(333)));
    }

    // ------------------------------------------------------------------ helpers

    private string Write(string name, ReadOnlySpan<byte> bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes.ToArray());
        return path;
    }

    /// <summary>A torch-style zip: archive/data.pkl plus archive/data/KEY entries.</summary>
    private string WriteZip(string name, byte[] pickle, params (string Key, byte[] Data)[] storages)
    {
        string path = Path.Combine(_dir, name);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            void Add(string entryName, byte[] data)
            {
                using var s = zip.CreateEntry(entryName, CompressionLevel.NoCompression).Open();
                s.Write(data);
            }
            Add("archive/data.pkl", pickle);
            Add("archive/byteorder", "little"u8.ToArray());
            foreach (var (key, data) in storages) Add("archive/data/" + key, data);
        }
        return path;
    }

    private static byte[] Floats(float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    /// <summary>{'w': _rebuild_tensor_v2(storage('0', FloatStorage, numel), offset, size, stride, False, OrderedDict())}.</summary>
    private static byte[] TensorPickle(int[] size, int[] stride, int offset, long numel)
    {
        var p = new PickleBuilder().Proto(2).Op('}').Str("w").Global("torch._utils", "_rebuild_tensor_v2").Op('(');
        p.Op('(').Str("storage").Global("torch", "FloatStorage").Str("0").Str("cpu").Int(numel).Op('t').Op('Q');
        p.Int(offset);
        p.Op('('); foreach (int d in size) p.Int(d); p.Op('t');
        p.Op('('); foreach (int s in stride) p.Int(s); p.Op('t');
        p.Op(0x89).Global("collections", "OrderedDict").Op(')').Op('R');
        return p.Op('t').Op('R').Op('s').Op('.').Bytes;
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);

    /// <summary>Writes pickle opcodes by hand, for inputs PyTorch would never produce.</summary>
    private sealed class PickleBuilder
    {
        private readonly List<byte> _bytes = new();

        public byte[] Bytes => _bytes.ToArray();

        public PickleBuilder Raw(params byte[] bytes) { _bytes.AddRange(bytes); return this; }
        public PickleBuilder Op(char op) => Raw((byte)op);
        public PickleBuilder Op(byte op) => Raw(op);
        public PickleBuilder Proto(int version) => Raw(0x80, (byte)version);

        public PickleBuilder Str(string s)
        {
            var utf8 = Encoding.UTF8.GetBytes(s);
            return Op('X').Raw(BitConverter.GetBytes(utf8.Length)).Raw(utf8);
        }

        public PickleBuilder Int(long v)
        {
            if (v >= int.MinValue && v <= int.MaxValue) return Op('J').Raw(BitConverter.GetBytes((int)v));
            return Raw(0x8a, 8).Raw(BitConverter.GetBytes(v)); // LONG1
        }

        public PickleBuilder Global(string module, string name) => Op('c').Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }
}
