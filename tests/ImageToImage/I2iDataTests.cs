using NativeGan.Models.Imaging;
using NativeGan.Models.ImageToImage;
using NativeGan.Tests.Data;

namespace NativeGan.Tests.ImageToImage;

public class I2iDataTests
{
    /// <summary>An A|B file whose halves are the same photo: pix2pix's jitter (resize 36, random 32 crop, flip) must give
    /// identical A and B (one set of parameters per pair), and different parameters across draws.</summary>
    [Fact]
    public void AlignedFilesSplitAndJitterPairsAlike()
    {
        using var dir = new TempDir();
        var photo = I2iFiles.SquareCrop(I2iImage.Read(Path.Combine(I2iTestUtil.Photos, "astronaut.png"), 3));
        int s = photo.Height, plane = s * s;
        var ab = new float[3 * s * 2 * s];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < s; y++)
                for (int x = 0; x < 2 * s; x++)
                    ab[(c * s + y) * 2 * s + x] = photo.Planar[c * plane + y * s + x % s];
        ImageIO.Write(Path.Combine(dir.Path, "1.png"), new ImageData(2 * s, s, 3, 8, ab));
        var src = AlignedSource.FromCombined(dir.Path, 3, 3);
        Assert.Equal(1, src.Count);
        var loader = new I2iLoader(src, 1, 36, 32, flip: true, seed: 4, Device.Cpu);
        var seen = new HashSet<string>();
        for (int i = 0; i < 12; i++)
        {
            var (a, b, ended) = loader.Next();
            Assert.True(ended);
            var av = a.ToArray();
            Assert.Equal(av, b.ToArray());
            Assert.Equal(new[] { 1, 3, 32, 32 }, a.Shape.ToArray());
            seen.Add(string.Join(",", av.Take(40)));
            a.Dispose();
            b.Dispose();
        }
        Assert.True(seen.Count >= 4, $"only {seen.Count} distinct crops in 12 draws");
        Assert.Equal(12, loader.Epoch);
    }

    /// <summary>Positions count items: a run that stopped after the first batch of two resumes with the same second
    /// batch (order and jitter), and the short last batch ends the epoch.</summary>
    [Fact]
    public void SeekResumesAtAnItemPositionWithTheSameBatches()
    {
        using var dir = new TempDir();
        var photo = I2iFiles.SquareCrop(I2iImage.Read(Path.Combine(I2iTestUtil.Photos, "astronaut.png"), 3));
        int s = photo.Height, plane = s * s;
        for (int n = 0; n < 3; n++)
        {
            var ab = new float[3 * s * 2 * s];
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < s; y++)
                    for (int x = 0; x < 2 * s; x++)
                        ab[(c * s + y) * 2 * s + x] = Math.Clamp(photo.Planar[c * plane + y * s + x % s] + 0.1f * n, 0f, 1f);
            ImageIO.Write(Path.Combine(dir.Path, $"{n}.png"), new ImageData(2 * s, s, 3, 8, ab));
        }
        var src = AlignedSource.FromCombined(dir.Path, 3, 3);
        var loader = new I2iLoader(src, 2, 36, 32, flip: true, seed: 9, Device.Cpu);
        var (a0, _, ended0) = loader.Next();
        Assert.False(ended0);
        Assert.Equal(2, loader.Position);
        var (a1, _, ended1) = loader.Next();
        Assert.True(ended1);
        Assert.Equal(1, a1.Shape[0]);
        Assert.Equal((1, 0), (loader.Epoch, loader.Position));

        var resumed = new I2iLoader(src, 2, 36, 32, flip: true, seed: 9, Device.Cpu);
        resumed.Seek(0, 2);
        var (r1, _, rended) = resumed.Next();
        Assert.True(rended);
        Assert.Equal(a1.ToArray(), r1.ToArray());
        Assert.Throws<ArgumentException>(() => resumed.Seek(0, 1));
        resumed.Seek(0, 3); // the item count of an epoch is the start of the next
        Assert.Equal((1, 0), (resumed.Epoch, resumed.Position));
        GC.KeepAlive(a0);
    }

    [Fact]
    public void FoldersPairByNameAndMissingPartnerIsNamed()
    {
        using var dir = new TempDir();
        string a = Path.Combine(dir.Path, "A"), b = Path.Combine(dir.Path, "B");
        Directory.CreateDirectory(a);
        Directory.CreateDirectory(b);
        var img = new ImageData(8, 8, 3, 8, Enumerable.Range(0, 192).Select(i => i / 192f).ToArray());
        ImageIO.Write(Path.Combine(a, "x.png"), img);
        ImageIO.Write(Path.Combine(b, "x.png"), img);
        var src = AlignedSource.FromFolders(a, b, 3, 1);
        Assert.Equal((1, 3, 1), (src.Count, src.ChannelsA, src.ChannelsB));
        ImageIO.Write(Path.Combine(a, "y.png"), img);
        var e = Assert.Throws<InvalidDataException>(() => AlignedSource.FromFolders(a, b, 3, 3));
        Assert.Contains("y.*", e.Message);
    }

    /// <summary>The engine's Sobel edge map: white (1) on the flat background, dark where the photo has edges.</summary>
    [Fact]
    public void EdgeMapIsDarkOnEdgesOnly()
    {
        var plane = new float[16 * 16];
        for (int y = 0; y < 16; y++) for (int x = 8; x < 16; x++) plane[y * 16 + x] = 1f; // a vertical step at x = 8
        var edges = EdgeFilter.EdgeImage(new I2iImage(plane, 1, 16, 16, "step"), 1);
        Assert.Equal(1f, edges.Planar[5 * 16 + 2]);
        Assert.Equal(1f, edges.Planar[5 * 16 + 13]);
        Assert.True(edges.Planar[5 * 16 + 7] < 0.01f && edges.Planar[5 * 16 + 8] < 0.01f);
    }

    [Fact]
    public void ColorToGraySetsDifferVisibly()
    {
        var src = UnpairedSource.ColorToGray(I2iTestUtil.Photos);
        Assert.Equal((2, 1), (src.Count, src.CountB));
        var (color, gray) = src.Get(0, 0);
        int plane = gray.Height * gray.Width;
        Assert.Equal(gray.Planar.AsSpan(0, plane).ToArray(), gray.Planar.AsSpan(plane, plane).ToArray());
        Assert.NotEqual(color.Planar.AsSpan(0, color.Height * color.Width).ToArray(), color.Planar.AsSpan(color.Height * color.Width, color.Height * color.Width).ToArray());
    }
}
