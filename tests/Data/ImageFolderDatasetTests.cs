using NativeGan.Models.Data;
using StbImageWriteSharp;

namespace NativeGan.Tests.Data;

public sealed class ImageFolderDatasetTests
{
    /// <summary>HWC RGB bytes of a w x h image from a colour function.</summary>
    private static byte[] Rgb(int w, int h, Func<int, int, (byte R, byte G, byte B)> color)
    {
        var data = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var (r, g, b) = color(x, y);
                int k = (y * w + x) * 3;
                data[k] = r; data[k + 1] = g; data[k + 2] = b;
            }
        return data;
    }

    private static void Write(string path, byte[] rgb, int w, int h)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var fs = File.Create(path);
        var writer = new ImageWriter();
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".png": writer.WritePng(rgb, w, h, ColorComponents.RedGreenBlue, fs); break;
            case ".bmp": writer.WriteBmp(rgb, w, h, ColorComponents.RedGreenBlue, fs); break;
            case ".jpg": case ".jpeg": writer.WriteJpg(rgb, w, h, ColorComponents.RedGreenBlue, fs, 95); break;
            default: throw new ArgumentException(path);
        }
    }

    private static float N(int v) => v / 127.5f - 1f;

    [Fact]
    public void Folder_RecursiveSorted_ClassesFromSubfolders_PngJpegBmp()
    {
        using var dir = new TempDir();
        var red = Rgb(8, 8, (x, y) => (255, 0, 0));
        Write(dir.File("cats/b.png"), red, 8, 8);
        Write(dir.File("cats/a.jpg"), red, 8, 8);
        Write(dir.File("dogs/deep/c.bmp"), red, 8, 8);
        Write(dir.File("root.png"), red, 8, 8);
        File.WriteAllText(dir.File("cats/notes.txt"), "ignored");

        var ds = new ImageFolderDataset(dir.Path, size: 8, channels: 3);
        Assert.Equal(4, ds.Count);
        Assert.Equal(new[] { "cats/a.jpg", "cats/b.png", "dogs/deep/c.bmp", "root.png" },
            ds.Files.Select(f => Path.GetRelativePath(dir.Path, f)).ToArray());
        Assert.Equal(new[] { "", "cats", "dogs" }, ds.Classes);
        Assert.Equal(new[] { 3, 8, 8 }, ds.SampleShape);

        var x = new float[3 * 64];
        var labels = new List<float>();
        for (int i = 0; i < ds.Count; i++)
        {
            labels.Add(ds.ReadSample(i, x));
            float tol = ds.Files[i].EndsWith(".jpg") ? 0.05f : 0f;
            for (int p = 0; p < 64; p++)
            {
                Assert.Equal(1f, x[p], tol);          // R plane
                Assert.Equal(-1f, x[64 + p], tol);    // G plane
                Assert.Equal(-1f, x[128 + p], tol);   // B plane
            }
        }
        Assert.Equal(new[] { 1f, 1f, 2f, 0f }, labels);
    }

    [Fact]
    public void Png_SameSize_IsExactChwInMinusOneOne()
    {
        using var dir = new TempDir();
        Write(dir.File("img.png"), Rgb(5, 4, (x, y) => ((byte)(x * 50), (byte)(y * 60), (byte)(x * 10 + y))), 5, 4);
        // 5 wide, 4 high: the short side (4) is already the size; the centre 4 x 4 crop drops column 0 (round(0.5) = 0) ...
        var ds = new ImageFolderDataset(dir.Path, size: 4, channels: 3);
        var v = new float[3 * 16];
        ds.ReadSample(0, v);
        int left = (int)Math.Round(0.5, MidpointRounding.ToEven);   // torchvision: int(round((5 - 4) / 2)) = 0
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
            {
                int sx = x + left;
                Assert.Equal(N(sx * 50), v[0 * 16 + y * 4 + x], 1e-6f);
                Assert.Equal(N(y * 60), v[1 * 16 + y * 4 + x], 1e-6f);
                Assert.Equal(N(sx * 10 + y), v[2 * 16 + y * 4 + x], 1e-6f);
            }
    }

    [Fact]
    public void Grayscale_UsesLuma()
    {
        using var dir = new TempDir();
        Write(dir.File("g.png"), Rgb(4, 4, (x, y) => (200, 100, 50)), 4, 4);
        var ds = new ImageFolderDataset(dir.Path, size: 4, channels: 1);
        Assert.Equal(new[] { 1, 4, 4 }, ds.SampleShape);
        var v = new float[16];
        ds.ReadSample(0, v);
        float luma = (200 * 77 + 100 * 150 + 50 * 29) >> 8;   // stb's integer luma
        Assert.All(v, p => Assert.Equal(N((int)luma), p, 1e-6f));
    }

    [Fact]
    public void Resize_Bilinear_MatchesPilAndTorchOnAnUpscale()
    {
        // PIL / torchvision (align_corners=False) bilinear of [0, 255] to 4 pixels: [0, 63.75, 191.25, 255].
        var up = ImageResize.Resize(new float[] { -1f, 1f }, 1, 1, 2, 1, 4, ResizeFilter.Bilinear);
        Assert.Equal(new[] { -1f, -0.5f, 0.5f, 1f }, up);
    }

    [Fact]
    public void Resize_Downscale_IsAntialiased()
    {
        // An alternating +-1 pattern shrunk 2x averages out in the interior (no aliasing to +-1).
        var src = Enumerable.Range(0, 32).Select(i => i % 2 == 0 ? 1f : -1f).ToArray();
        foreach (var f in new[] { ResizeFilter.Bilinear, ResizeFilter.Bicubic })
        {
            var dst = ImageResize.Resize(src, 1, 1, 32, 1, 16, f);
            for (int i = 2; i < 14; i++) Assert.Equal(0f, dst[i], 1e-6f);
        }
        // A linear ramp stays linear (symmetric filters reproduce it away from the borders).
        var ramp = Enumerable.Range(0, 40).Select(i => i / 40f).ToArray();
        foreach (var f in new[] { ResizeFilter.Bilinear, ResizeFilter.Bicubic })
        {
            var dst = ImageResize.Resize(ramp, 1, 1, 40, 1, 10, f);
            for (int i = 2; i < 8; i++) Assert.Equal(((i + 0.5f) * 4 - 0.5f) / 40f, dst[i], 1e-5f);
        }
    }

    [Theory]
    [InlineData(ResizeFilter.Bilinear)]
    [InlineData(ResizeFilter.Bicubic)]
    public void NonSquare_ShortSideResized_ThenCenterCropped(ResizeFilter filter)
    {
        using var dir = new TempDir();
        // 40 wide x 20 high, left half black, right half white, top row band irrelevant
        Write(dir.File("wide.png"), Rgb(40, 20, (x, y) => x < 20 ? ((byte)0, (byte)0, (byte)0) : ((byte)255, (byte)255, (byte)255)), 40, 20);
        var ds = new ImageFolderDataset(dir.Path, size: 10, channels: 1, new ImageFolderOptions { Filter = filter });
        var v = new float[100];
        ds.ReadSample(0, v);
        // -> 20 x 10 after resize, centre crop keeps columns 5..14: columns 0..3 of the crop are black, 6..9 white.
        for (int y = 0; y < 10; y++)
        {
            for (int x = 0; x < 4; x++) Assert.Equal(-1f, v[y * 10 + x], 1e-5f);
            for (int x = 6; x < 10; x++) Assert.Equal(1f, v[y * 10 + x], 1e-5f);
            Assert.InRange(v[y * 10 + 4], -1f, 0f);
            Assert.InRange(v[y * 10 + 5], 0f, 1f);
        }
        Assert.All(v, p => Assert.InRange(p, -1f, 1f));
    }

    [Fact]
    public void UnreadableFile_NamesTheFile()
    {
        using var dir = new TempDir();
        Write(dir.File("a.png"), Rgb(4, 4, (x, y) => (1, 2, 3)), 4, 4);
        var bad = dir.File("b.png");
        File.WriteAllText(bad, "this is not a png");
        var ds = new ImageFolderDataset(dir.Path, size: 4);
        var v = new float[48];
        ds.ReadSample(0, v);
        var e = Assert.Throws<InvalidDataException>(() => ds.ReadSample(1, v));
        Assert.Contains(bad, e.Message);

        // A valid header followed by garbage: the decode fails, with the file's name.
        var png = File.ReadAllBytes(dir.File("a.png"));
        var truncated = dir.File("c.png");
        File.WriteAllBytes(truncated, png[..40]);
        ds = new ImageFolderDataset(dir.Path, size: 4);
        e = Assert.Throws<InvalidDataException>(() => ds.ReadSample(2, v));
        Assert.Contains(truncated, e.Message);
    }

    [Fact]
    public void OversizedImage_RefusedFromHeader_WithDimensions()
    {
        using var dir = new TempDir();
        Write(dir.File("big.png"), Rgb(64, 48, (x, y) => (0, 0, 0)), 64, 48);
        var ds = new ImageFolderDataset(dir.Path, size: 16, options: new ImageFolderOptions { MaxPixels = 1000 });
        var e = Assert.Throws<InvalidDataException>(() => ds.ReadSample(0, new float[3 * 256]));
        Assert.Contains("64 x 48", e.Message);
        Assert.Contains("1000", e.Message);
        Assert.Contains("big.png", e.Message);

        // PNGs whose header claims a huge size are refused before any decoding is attempted
        // (over the default limit, and over the 1 GiB stb itself accepts).
        var png = File.ReadAllBytes(dir.File("big.png"));
        foreach (int side in new[] { 16000, 100000 })
        {
            var hdr = png.ToArray();
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(hdr.AsSpan(16), side);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(hdr.AsSpan(20), side);
            File.WriteAllBytes(dir.File("big.png"), hdr);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            e = Assert.Throws<InvalidDataException>(() => new ImageFolderDataset(dir.Path, size: 16).ReadSample(0, new float[3 * 256]));
            Assert.True(e.Message.Contains($"{side} x {side}"), e.Message);
            Assert.True(sw.ElapsedMilliseconds < 2000);
        }
    }

    [Fact]
    public void EmptyFolder_And_BadArguments_AreReported()
    {
        using var dir = new TempDir();
        Assert.Throws<InvalidDataException>(() => new ImageFolderDataset(dir.Path, 8));
        Assert.Throws<DirectoryNotFoundException>(() => new ImageFolderDataset(Path.Combine(dir.Path, "none"), 8));
        var e = Assert.Throws<ArgumentException>(() => new ImageFolderDataset(dir.Path, 8, channels: 4));
        Assert.Contains("channels", e.Message);
    }

    [Fact]
    public void CachedAndLoader_GiveTheSameSamples()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 6; i++)
            Write(dir.File($"img{i}.png"), Rgb(12, 10, (x, y) => ((byte)(i * 40), (byte)(x * 20), (byte)(y * 25))), 12, 10);
        var plain = new ImageFolderDataset(dir.Path, size: 8, channels: 3);
        var cached = new ImageFolderDataset(dir.Path, size: 8, channels: 3, new ImageFolderOptions { CacheInMemory = true });
        using var loader = new DataLoader(cached, batchSize: 4, device: Device.Cpu, shuffle: true, seed: 3, decodeThreads: 2);
        for (int epoch = 0; epoch < 2; epoch++)
            foreach (var batch in loader.EnumerateEpoch())
            {
                using (batch)
                {
                    Assert.Equal(new[] { batch.Count, 3, 8, 8 }, batch.Images.Shape.ToArray());
                    var got = batch.Images.ToArray();
                    var expected = new float[192];
                    for (int b = 0; b < batch.Count; b++)
                    {
                        plain.ReadSample(batch.Indices[b], expected);
                        Assert.Equal(expected, got.AsSpan(b * 192, 192).ToArray());
                    }
                }
            }
    }
}
