using System.Buffers.Binary;
using System.Text;
using NativeGan.IO;
using Xunit;

namespace NativeGan.Tests.IO;

public sealed class SafetensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nativegan-st-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathFor(string name) => Path.Combine(_dir, name);

    // ------------------------------------------------------------------ round trip

    [Fact]
    public void RoundTrip_KeepsShapesDataAndMetadata_IncludingScalarAndZeroSize()
    {
        var tensors = new (string Name, int[] Shape, float[] Data)[]
        {
            ("w.weight", [2, 3, 4], Enumerable.Range(0, 24).Select(i => i * 0.5f - 3f).ToArray()),
            ("b", [3], [1f, float.NegativeInfinity, float.NaN]),
            ("scalar", [], [42.25f]),
            ("empty", [0, 3], []),
            ("a.ünïcode \"q\"", [1, 1], [-0f]),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["args"] = "{\"dim\": 1, \"note\": \"é\"}" };
        string path = PathFor("round.safetensors");

        Safetensors.Write(path, tensors, metadata);
        var file = Safetensors.Read(path);

        Assert.Equal(tensors.Select(t => t.Name).Order(StringComparer.Ordinal), file.Tensors.Keys);
        foreach (var (name, shape, data) in tensors)
        {
            var entry = file.Tensors[name];
            Assert.Equal(name, entry.Name);
            Assert.Equal("F32", entry.DType);
            Assert.Equal(shape, entry.Shape);
            Assert.Equal(data.Select(BitConverter.SingleToInt32Bits), entry.Data.Select(BitConverter.SingleToInt32Bits));
        }
        Assert.Equal(metadata, file.Metadata);
    }

    [Fact]
    public void ReadHeader_GivesNamesAndMetadataWithoutTheData_AndRejectsWhatReadRejects()
    {
        string path = PathFor("head.safetensors");
        Safetensors.Write(path, new (string, int[], float[])[] { ("params.w", [2], [1f, 2f]), ("params_ema.w", [2], [3f, 4f]) },
            new Dictionary<string, string> { ["format"] = "nativegan-sr-checkpoint/1", ["val_psnr"] = "26.4" });
        var (names, metadata) = Safetensors.ReadHeader(path);
        Assert.Equal(new[] { "params.w", "params_ema.w" }, names);
        Assert.Equal(Safetensors.Read(path).Metadata, metadata);

        string truncated = PathFor("short.safetensors");
        File.WriteAllBytes(truncated, new byte[] { 1, 2, 3 });
        var e = Assert.Throws<SafetensorsFormatException>(() => Safetensors.ReadHeader(truncated));
        Assert.Contains("expected at least 8 bytes", e.Message);
    }

    [Fact]
    public void Write_PadsHeaderSoDataIsEightByteAligned()
    {
        string path = PathFor("aligned.safetensors");
        Safetensors.Write(path, [("x", [3], [1f, 2f, 3f])]);
        byte[] bytes = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, n % 8);
        Assert.Equal(8 + (long)n + 12, bytes.Length);
        Assert.EndsWith("}", Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd(' '));
    }

    [Fact]
    public void Read_WithoutMetadata_GivesEmptyMap()
    {
        string path = PathFor("nometa.safetensors");
        Safetensors.Write(path, [("x", [1], [1f])]);
        Assert.Empty(Safetensors.Read(path).Metadata);
    }

    [Fact]
    public void Read_ForwardOnlyStream_MatchesFileRead()
    {
        string path = PathFor("stream.safetensors");
        Safetensors.Write(path, [("b", [2], [1f, 2f]), ("a", [2, 2], [3f, 4f, 5f, 6f])]);
        using var stream = new ForwardOnlyStream(File.ReadAllBytes(path));
        var file = Safetensors.Read(stream, "stream-name");
        Assert.Equal([3f, 4f, 5f, 6f], file.Tensors["a"].Data);
        Assert.Equal([1f, 2f], file.Tensors["b"].Data);
    }

    [Fact]
    public void Read_WidensEveryKnownDtypeToFloat32()
    {
        var data = new MemoryStream();
        var header = new StringBuilder("{");
        void Add(string name, string dtype, int count, byte[] raw)
        {
            long begin = data.Length;
            data.Write(raw);
            header.Append($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{count}],\"data_offsets\":[{begin},{data.Length}]}},");
        }
        Add("f16", "F16", 2, [.. Bytes((Half)1.5f), .. Bytes((Half)(-2f))]);
        Add("bf16", "BF16", 2, [.. BitConverter.GetBytes((ushort)0x3FC0), .. BitConverter.GetBytes((ushort)0xC000)]); // 1.5, -2
        Add("f64", "F64", 2, [.. BitConverter.GetBytes(0.25), .. BitConverter.GetBytes(-1e10)]);
        Add("i64", "I64", 2, [.. BitConverter.GetBytes(7L), .. BitConverter.GetBytes(-3L)]);
        Add("i32", "I32", 2, [.. BitConverter.GetBytes(9), .. BitConverter.GetBytes(-1)]);
        Add("u8", "U8", 2, [0, 255]);
        Add("bool", "BOOL", 3, [0, 1, 1]);
        header.Length--; // trailing comma
        header.Append('}');
        string path = WriteRaw("dtypes.safetensors", header.ToString(), data.ToArray());

        var t = Safetensors.Read(path).Tensors;
        Assert.Equal([1.5f, -2f], t["f16"].Data);
        Assert.Equal([1.5f, -2f], t["bf16"].Data);
        Assert.Equal([0.25f, -1e10f], t["f64"].Data);
        Assert.Equal([7f, -3f], t["i64"].Data);
        Assert.Equal([9f, -1f], t["i32"].Data);
        Assert.Equal([0f, 255f], t["u8"].Data);
        Assert.Equal([0f, 1f, 1f], t["bool"].Data);
        Assert.Equal("BF16", t["bf16"].DType);
        Assert.Equal(["f16", "bf16", "f64", "i64", "i32", "u8", "bool"], t.Keys); // header order kept
    }

    private static byte[] Bytes(Half h) => BitConverter.GetBytes(h);

    // ------------------------------------------------------------------ the project's own fixtures

    public static TheoryData<string> CopiedFixtureFiles()
    {
        var data = new TheoryData<string>();
        foreach (var dir in new[] { "ops", "models" })
            foreach (var f in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", dir), "*.safetensors").Order())
                data.Add(Path.Combine(dir, Path.GetFileName(f)));
        return data;
    }

    [Theory]
    [MemberData(nameof(CopiedFixtureFiles))]
    public void Read_EveryCopiedFixture(string relativePath)
    {
        var file = Safetensors.Read(Path.Combine(AppContext.BaseDirectory, "fixtures", relativePath));
        Assert.NotEmpty(file.Tensors);
        foreach (var (name, entry) in file.Tensors)
        {
            Assert.Equal(name, entry.Name);
            Assert.Equal(entry.Shape.Aggregate(1L, (p, d) => p * d), entry.Data.LongLength);
        }
    }

    [Fact]
    public void Read_BasicSrModelIoFile()
    {
        var file = Safetensors.Read(Path.Combine(AppContext.BaseDirectory, "fixtures", "models", "rrdbnet_tiny_x4.io.safetensors"));
        Assert.Equal([1, 3, 12, 10], file.Tensors["input"].Shape);
        Assert.Equal([1, 3, 48, 40], file.Tensors["output"].Shape);
        Assert.All(file.Tensors["output"].Data, v => Assert.True(float.IsFinite(v)));
        Assert.Contains("\"num_block\": 2", file.Metadata["config"]);
        Assert.Equal("params_ema", file.Metadata["key"]);
    }

    // ------------------------------------------------------------------ bad input

    private const string GoodEntry = "\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    public static TheoryData<string, string, string, int> BadHeaders() => new()
    {
        // file name, header, message fragment, data bytes
        { "garbage.safetensors", "{not json at all", "JSON", 8 },
        { "array.safetensors", "[1, 2]", "expected the header to be a JSON object, but it is an array", 8 },
        { "nodtype.safetensors", "{\"x\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "\"dtype\" is missing", 8 },
        { "noshape.safetensors", "{\"x\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", "\"shape\" is missing", 8 },
        { "nooffsets.safetensors", "{\"x\":{\"dtype\":\"F32\",\"shape\":[2]}}", "\"data_offsets\" is missing", 8 },
        { "dtype.safetensors", "{\"x\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", "unknown dtype 'Q7'", 8 },
        { "negative.safetensors", "{\"x\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "negative", 8 },
        { "span.safetensors", "{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "span 8 bytes, but dtype F32 with shape [3] needs 12", 8 },
        { "reversed.safetensors", "{\"x\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", "0 <= begin <= end", 8 },
        { "beyond.safetensors", "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "data section has only 8 bytes", 8 },
        { "overlap.safetensors", "{" + GoodEntry + ",\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "overlap", 8 },
        { "overflow.safetensors", "{\"x\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,8]}}", "64-bit", 8 },
        { "metadata.safetensors", "{\"__metadata__\":{\"n\":1}," + GoodEntry + "}", "metadata value 'n' to be a string", 8 },
        { "duplicate.safetensors", "{" + GoodEntry + "," + GoodEntry + "}", "'x' twice", 8 },
        { "float-dim.safetensors", "{\"x\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", "array of integers", 8 },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void Read_BadHeader_ThrowsFormatExceptionNamingFileAndProblem(string fileName, string header, string fragment, int dataBytes)
    {
        string path = WriteRaw(fileName, header, new byte[dataBytes]);
        var ex = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Read(path));
        AssertMessage(ex, fileName, fragment);
    }

    [Fact]
    public void Read_FileShorterThanEightBytes_Throws()
    {
        string path = PathFor("tiny.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        var ex = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Read(path));
        AssertMessage(ex, "tiny.safetensors", "at least 8 bytes");
    }

    [Fact]
    public void Read_HeaderLengthLargerThanFile_Throws()
    {
        string path = PathFor("long-header.safetensors");
        var bytes = new byte[20];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1000);
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Read(path));
        AssertMessage(ex, "long-header.safetensors", "says 1000 bytes, but only 12 bytes follow it");
    }

    [Fact]
    public void Read_AbsurdHeaderLength_ThrowsBeforeAllocating()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue - 5);
        using var stream = new ForwardOnlyStream(bytes); // length unknown: only the limit can catch it
        var ex = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Read(stream, "absurd.bin"));
        AssertMessage(ex, "absurd.bin", "limit");
    }

    [Fact]
    public void Read_TruncatedData_Throws()
    {
        string path = PathFor("cut.safetensors");
        Safetensors.Write(path, [("x", [4, 4], new float[16])]);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        var ex = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Read(path));
        AssertMessage(ex, "cut.safetensors", "truncated");

        using var stream = new ForwardOnlyStream(bytes[..^10]);
        var streamEx = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Read(stream, "cut-stream"));
        AssertMessage(streamEx, "cut-stream", "truncated");
    }

    private static void AssertMessage(SafetensorsFormatException ex, string fileName, string fragment)
    {
        Assert.IsAssignableFrom<FormatException>(ex);
        Assert.Contains(fileName, ex.Message);
        Assert.Contains(fragment, ex.Message);
    }

    // ------------------------------------------------------------------ atomic write

    [Fact]
    public void Write_IntoMissingDirectory_ThrowsAndLeavesNoTempFile()
    {
        string path = Path.Combine(_dir, "missing", "out.safetensors");
        Assert.Throws<DirectoryNotFoundException>(() => Safetensors.Write(path, [("x", [1], [1f])]));
        Assert.False(Directory.Exists(Path.Combine(_dir, "missing")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir));
    }

    [Fact]
    public void Write_OverExistingFile_ReplacesIt()
    {
        string path = PathFor("ckpt.safetensors");
        Safetensors.Write(path, [("old", [2], [1f, 2f])]);
        Safetensors.Write(path, [("new", [1], [3f])], new Dictionary<string, string> { ["step"] = "2" });
        var file = Safetensors.Read(path);
        Assert.Equal(["new"], file.Tensors.Keys);
        Assert.Equal("2", file.Metadata["step"]);
        Assert.Equal(["ckpt.safetensors"], Directory.EnumerateFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_FailingMidway_KeepsPreviousFileAndLeavesNoTempFile()
    {
        string path = PathFor("keep.safetensors");
        Safetensors.Write(path, [("x", [2], [1f, 2f])]);
        byte[] before = File.ReadAllBytes(path);

        Assert.Throws<InvalidOperationException>(() => Safetensors.Write(path, Throwing()));
        var ex = Assert.Throws<ArgumentException>(() => Safetensors.Write(path, [("bad", [2, 2], [1f])]));
        Assert.Contains("'bad'", ex.Message);

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["keep.safetensors"], Directory.EnumerateFiles(_dir).Select(Path.GetFileName));

        static IEnumerable<(string, int[], float[])> Throwing()
        {
            yield return ("a", [1], [1f]);
            throw new InvalidOperationException("source failed");
        }
    }

    // ------------------------------------------------------------------ helpers

    private string WriteRaw(string fileName, string header, byte[] data)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        string path = PathFor(fileName);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A stream that cannot seek or report its length, like a network or zip entry stream.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
