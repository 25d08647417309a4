using NativeGan.Models.Imaging;

namespace NativeGan.Tests.Imaging;

/// <summary>ImageWriteOptions.PngZlibLevel: OpenCV's / zlib's numeric levels: 0 stores, others compress (zlib-ng need not shrink monotonically on a small photo), samples never change.</summary>
public sealed class PngZlibLevelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nativegan-zlib-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Levels_SameSamples_CompressedAboveZero()
    {
        var photo = ImageIO.Read(Path.Combine(AppContext.BaseDirectory, "fixtures", "srdata", "images", "chelsea.png"));
        var sizes = new Dictionary<int, long>();
        foreach (int level in new[] { 0, 3, 9 })
        {
            string path = Path.Combine(_dir, $"l{level}.png");
            ImageIO.Write(path, photo, new ImageWriteOptions { PngZlibLevel = level });
            Assert.Equal(photo.Planar, ImageIO.Read(path).Planar);
            sizes[level] = new FileInfo(path).Length;
        }
        Assert.True(sizes[0] > photo.Width * photo.Height * 3, $"level 0 stores the rows uncompressed, got {sizes[0]} bytes");
        Assert.True(sizes[3] < sizes[0] && sizes[9] < sizes[0], $"sizes: 0 -> {sizes[0]}, 3 -> {sizes[3]}, 9 -> {sizes[9]}");
        var e = Assert.Throws<ArgumentException>(() => ImageIO.Write(Path.Combine(_dir, "bad.png"), photo, new ImageWriteOptions { PngZlibLevel = 10 }));
        Assert.Contains("10", e.Message);
    }
}
