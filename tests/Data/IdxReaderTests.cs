using NativeGan.Models.Data;

namespace NativeGan.Tests.Data;

public sealed class IdxReaderTests
{
    private static byte Pixel(int i, int r, int c) => (byte)((i * 31 + r * 7 + c * 3) % 256);

    [Theory]
    [InlineData(false, "train-images-idx3-ubyte")]
    [InlineData(true, "train-images-idx3-ubyte.gz")]
    [InlineData(true, "gzipped-without-extension")]
    public void ReadImages_RawAndGzip_DetectedByMagicBytes(bool gzip, string name)
    {
        using var dir = new TempDir();
        var bytes = IdxWriter.Images(5, 4, 3, Pixel);
        var path = dir.File(name);
        File.WriteAllBytes(path, gzip ? IdxWriter.Gzip(bytes) : bytes);

        var images = IdxReader.ReadImages(path);
        Assert.Equal((5, 4, 3), (images.Count, images.Rows, images.Cols));
        Assert.Equal(60, images.Pixels.Length);
        for (int i = 0; i < 5; i++)
            for (int r = 0; r < 4; r++)
                for (int c = 0; c < 3; c++)
                    Assert.Equal(Pixel(i, r, c), images.Pixels[(i * 4 + r) * 3 + c]);
    }

    [Fact]
    public void ReadLabels_RawFileNamedGz_IsReadRaw()
    {
        using var dir = new TempDir();
        var path = dir.File("labels.gz");   // raw content despite the extension
        File.WriteAllBytes(path, IdxWriter.Labels(7, i => (byte)(i % 3)));
        Assert.Equal(new byte[] { 0, 1, 2, 0, 1, 2, 0 }, IdxReader.ReadLabels(path));
    }

    [Fact]
    public void WrongMagic_NamesFileExpectedAndArrived()
    {
        using var dir = new TempDir();
        var path = dir.File("swapped");
        File.WriteAllBytes(path, IdxWriter.Labels(3, i => 1));
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("0x00000803", e.Message);
        Assert.Contains("0x00000801", e.Message);
        Assert.Contains("label file", e.Message);

        File.WriteAllBytes(path, "not an idx file at all"u8.ToArray());
        e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadLabels(path));
        Assert.Contains("wrong magic", e.Message);
        Assert.Contains("0x00000801", e.Message);
    }

    [Fact]
    public void TruncatedHeader_And_TruncatedData_SayExpectedAndActualSizes()
    {
        using var dir = new TempDir();
        var path = dir.File("short");
        File.WriteAllBytes(path, IdxWriter.Images(2, 4, 4, Pixel)[..10]);
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("16-byte header", e.Message);
        Assert.Contains("10 bytes", e.Message);

        File.WriteAllBytes(path, IdxWriter.Images(2, 4, 4, Pixel)[..(16 + 20)]);
        e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(path));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("2 images of 4 x 4", e.Message);
        Assert.Contains("32 bytes", e.Message);
        Assert.Contains("only 20 bytes", e.Message);

        File.WriteAllBytes(path, IdxWriter.Labels(10, i => 0)[..12]);
        e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadLabels(path));
        Assert.Contains("10 labels", e.Message);
        Assert.Contains("only 4 bytes", e.Message);
    }

    [Fact]
    public void TooLongFile_IsRejected()
    {
        using var dir = new TempDir();
        var path = dir.File("long");
        File.WriteAllBytes(path, [.. IdxWriter.Labels(3, i => 0), 9, 9]);
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadLabels(path));
        Assert.Contains("2 extra", e.Message);
    }

    [Fact]
    public void TruncatedGzip_NamesFile()
    {
        using var dir = new TempDir();
        var path = dir.File("train-images-idx3-ubyte.gz");
        var gz = IdxWriter.Gzip(IdxWriter.Images(50, 10, 10, Pixel));
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void NegativeOrZeroDimensions_AreRejected()
    {
        using var dir = new TempDir();
        var path = dir.File("zero");
        var bytes = IdxWriter.Images(1, 2, 2, Pixel);
        bytes[11] = 0; // rows = 0
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(path));
        Assert.Contains("rows 0", e.Message);
    }

    [Fact]
    public void MissingFile_NamesIt()
    {
        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.ReadImages("/nonexistent/x-idx3-ubyte"));
        Assert.Contains("/nonexistent/x-idx3-ubyte", e.Message);
    }

    [Fact]
    public void MnistDataset_Load_FindsTrainAndTestFiles_NormalisesToMinusOneOne()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte.gz"), IdxWriter.Gzip(IdxWriter.Images(3, 2, 2, (i, r, c) => (byte)(i == 0 ? 0 : i == 1 ? 255 : 51 * (r * 2 + c)))));
        File.WriteAllBytes(dir.File("train-labels-idx1-ubyte.gz"), IdxWriter.Gzip(IdxWriter.Labels(3, i => (byte)(9 - i))));
        File.WriteAllBytes(dir.File("t10k-images-idx3-ubyte"), IdxWriter.Images(2, 2, 2, Pixel));
        File.WriteAllBytes(dir.File("t10k-labels-idx1-ubyte"), IdxWriter.Labels(2, i => 4));

        var train = MnistDataset.Load(dir.Path, train: true);
        Assert.Equal(3, train.Count);
        Assert.Equal(new[] { 1, 2, 2 }, train.SampleShape);
        var x = new float[4];
        Assert.Equal(9f, train.ReadSample(0, x));
        Assert.All(x, v => Assert.Equal(-1f, v));
        Assert.Equal(8f, train.ReadSample(1, x));
        Assert.All(x, v => Assert.Equal(1f, v));
        Assert.Equal(7f, train.ReadSample(2, x));
        for (int k = 0; k < 4; k++) Assert.Equal((51 * k / 255f - 0.5f) / 0.5f, x[k], 1e-6f);
        Assert.Equal(new[] { 9f, 8f, 7f }, train.LabelsAsFloat());

        var test = MnistDataset.Load(dir.Path, train: false);
        Assert.Equal(2, test.Count);
        Assert.Equal(4f, test.ReadSample(1, x));
    }

    [Fact]
    public void MnistDataset_CountMismatch_NamesBothFiles()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte"), IdxWriter.Images(5, 2, 2, Pixel));
        File.WriteAllBytes(dir.File("train-labels-idx1-ubyte"), IdxWriter.Labels(4, i => 0));
        var e = Assert.Throws<IdxFormatException>(() => MnistDataset.Load(dir.Path, train: true));
        Assert.Contains("5 images", e.Message);
        Assert.Contains("4 labels", e.Message);
        Assert.Contains("train-images-idx3-ubyte", e.Message);
        Assert.Contains("train-labels-idx1-ubyte", e.Message);
    }

    [Fact]
    public void MnistDataset_MissingFiles_SayWhatWasExpected()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte"), IdxWriter.Images(1, 2, 2, Pixel));
        var e = Assert.Throws<FileNotFoundException>(() => MnistDataset.Load(dir.Path, train: true));
        Assert.Contains("train-labels-idx1-ubyte", e.Message);
        Assert.Contains("no labels file", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => MnistDataset.Load(Path.Combine(dir.Path, "missing"), train: true));
    }

    [Fact]
    public void DebianFashionMnist_LoadsWithExpectedCountsAndRange()
    {
        Assert.Equal("/usr/share/datasets/fashion-mnist", MnistDataset.DebianFashionMnistDirectory);
        Assert.SkipUnless(MnistDataset.DebianFashionMnistAvailable,
            $"Fashion-MNIST is not installed in {MnistDataset.DebianFashionMnistDirectory} ({MnistDataset.DebianInstallHint}).");

        var train = MnistDataset.Load(MnistDataset.DebianFashionMnistDirectory, train: true);
        var test = MnistDataset.Load(MnistDataset.DebianFashionMnistDirectory, train: false);
        Assert.Equal(60000, train.Count);
        Assert.Equal(10000, test.Count);
        Assert.Equal(new[] { 1, 28, 28 }, train.SampleShape);
        Assert.Equal(new[] { 1, 28, 28 }, test.SampleShape);

        foreach (var ds in new[] { train, test })
        {
            var images = ds.ImagesAsFloat();
            Assert.Equal(ds.Count * 784, images.Length);
            Assert.Equal(-1f, images.Min());
            Assert.Equal(1f, images.Max());
            double mean = images.Average();
            Assert.InRange(mean, -0.6, -0.2);   // Fashion-MNIST mean pixel ~0.286 -> about -0.43
            var counts = new int[10];
            foreach (var l in ds.LabelsAsFloat())
            {
                Assert.InRange(l, 0f, 9f);
                Assert.Equal(MathF.Round(l), l);
                counts[(int)l]++;
            }
            Assert.All(counts, c => Assert.Equal(ds.Count / 10, c));
        }
    }
}
