using System.IO.Compression;
using NativeGan.IO;

namespace NativeGan.Tests.IO;

/// <summary>
/// PthWriter's files read back through PthReader, which is checked against files PyTorch 1.13 wrote
/// (PthReaderTests); torch.load of a written file was checked by hand (tools/check_pth_writer.py).
/// </summary>
public sealed class PthWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nativegan-pthwriter-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static List<(string, int[], float[])> Tensors(float scale) =>
    [
        ("conv_first.weight", [4, 3, 3, 3], Enumerable.Range(0, 108).Select(i => scale * (i - 54) / 7f).ToArray()),
        ("conv_first.bias", [4], [scale, -scale, 0.5f, float.Epsilon]),
        ("prelu.weight", [1], [0.25f]),
        ("scalar", [], [scale * 3.5f]),
        ("empty", [0, 5], []),
    ];

    [Fact]
    public void WritesBasicSrsReleaseLayoutThatReadsBack()
    {
        string path = Path.Combine(_dir, "net_g_1000.pth");
        PthWriter.Write(path, [("params", Tensors(1f)), ("params_ema", Tensors(-2f))]);

        Assert.Equal(WeightsFormat.Pth, WeightsFile.Detect(path));
        var preferred = PthReader.ReadStateDict(path, out string? key);
        Assert.Equal("params_ema", key);   // what Real-ESRGAN's inference and BasicSR load first
        foreach (var (k, data) in new[] { ("params", Tensors(1f)), ("params_ema", Tensors(-2f)) })
        {
            var read = PthReader.ReadStateDict(path, k);
            Assert.Equal(data.Select(t => t.Item1), read.Keys);     // order kept, as an OrderedDict
            foreach (var (name, shape, values) in data)
            {
                Assert.Equal(shape, read[name].Shape);
                Assert.Equal(values, read[name].Data);
            }
        }
        Assert.False(File.Exists(path + ".tmp"));

        // PyTorch's layout: one folder named after the file, uncompressed records, a version record.
        using var zip = ZipFile.OpenRead(path);
        Assert.All(zip.Entries, e => Assert.StartsWith("net_g_1000/", e.FullName));
        Assert.Contains(zip.Entries, e => e.FullName == "net_g_1000/data.pkl");
        Assert.Contains(zip.Entries, e => e.FullName == "net_g_1000/version");
        Assert.Equal(10, zip.Entries.Count(e => e.FullName.StartsWith("net_g_1000/data/", StringComparison.Ordinal)));
        Assert.All(zip.Entries, e => Assert.Equal(e.Length, e.CompressedLength));
    }

    [Fact]
    public void RefusesAShapeThatDoesNotFitItsValues()
    {
        string path = Path.Combine(_dir, "bad.pth");
        var e = Assert.Throws<ArgumentException>(() => PthWriter.Write(path, [("params", [("w", [2, 3], new float[5])])]));
        Assert.Contains("'params.w' has shape [2, 3] but 5 values", e.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void AFailedWriteLeavesTheEarlierFileIntact()
    {
        string path = Path.Combine(_dir, "net_g_latest.pth");
        PthWriter.Write(path, [("params", Tensors(1f))]);
        byte[] before = File.ReadAllBytes(path);
        Assert.Throws<ArgumentException>(() => PthWriter.Write(path, [("params", [("w", [4], new float[3])])]));
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void ConvertWritesAPthThatHoldsTheSameWeights()
    {
        string input = Path.Combine(AppContext.BaseDirectory, "fixtures", "models", "rrdbnet_tiny_x4.pth");
        string output = Path.Combine(_dir, "converted.pth");
        var (code, stdout, stderr) = NativeGan.Tests.Cli.CliRun.Run("convert", input, output);
        Assert.True(code == 0, stdout + stderr);
        var expected = PthReader.ReadStateDict(input, out string? key);
        var actual = PthReader.ReadStateDict(output, out string? writtenKey);
        Assert.Equal(key ?? "params_ema", writtenKey);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (k, e) in expected) Assert.Equal(e.Data, actual[k].Data);
    }
}
