using NativeGan.Models.Data.Prepare;
using NativeGan.Models.Imaging;

namespace NativeGan.Tests.Data.Prepare;

/// <summary>Multiscale (generate_multiscale_DF2K.py): output sizes, names, and Pillow's Lanczos pixels.</summary>
public sealed class MultiscaleTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void OutputSizes_EqualTheScriptsArithmetic()
    {
        int n = 0;
        foreach (var c in PrepareFixtures.Cases().GetProperty("multiscale").EnumerateArray())
        {
            int w = c.GetProperty("width").GetInt32(), h = c.GetProperty("height").GetInt32();
            var expected = c.GetProperty("sizes").EnumerateArray()
                .Select(s => (s[0].GetInt32(), s[1].GetInt32())).ToArray();
            Assert.Equal(expected, Multiscale.OutputSizes(w, h));
            n++;
        }
        Assert.True(n >= 10);
        // DF2K's 2040 x 1356: 1530x1017, 1020x678, 680x452, 601x400.
        Assert.Equal(new[] { (1530, 1017), (1020, 678), (680, 452), (601, 400) }, Multiscale.OutputSizes(2040, 1356));
    }

    [Fact]
    public void Resize_RealPhotos_WritesT0ToT3_EqualToPillow()
    {
        string input = PrepareFixtures.PhotoFolder(_dir.Path, "in", "chelsea_200x133", "camera16_120x90", "coffee_rgba_100x100");
        string output = Path.Combine(_dir.Path, "out");
        Directory.CreateDirectory(output);

        var jobs = Multiscale.Plan(input);
        foreach (var job in jobs) Assert.Equal(4, Multiscale.Resize(job, output));

        var names = Directory.GetFiles(output).Select(Path.GetFileName).OrderBy(s => s, StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "camera16_120x90T0.png", "camera16_120x90T1.png", "camera16_120x90T2.png", "camera16_120x90T3.png",
            "chelsea_200x133T0.png", "chelsea_200x133T1.png", "chelsea_200x133T2.png", "chelsea_200x133T3.png",
            "coffee_rgba_100x100T0.png", "coffee_rgba_100x100T1.png", "coffee_rgba_100x100T2.png", "coffee_rgba_100x100T3.png" }, names);
        foreach (var job in jobs)
        {
            var source = ImageIO.Read(job.Input);
            var sizes = Multiscale.OutputSizes(source.Width, source.Height);
            for (int t = 0; t < 4; t++)
            {
                var image = ImageIO.Read(Path.Combine(output, $"{job.Stem}T{t}.png"));
                Assert.Equal((sizes[t].Width, sizes[t].Height, source.Channels, source.BitDepth), (image.Width, image.Height, image.Channels, image.BitDepth));
                if (t == 3) continue; // T3 (shortest side 400) is checked by hash in PilResampleTests
                var pillow = ImageIO.Read(Path.Combine(PrepareFixtures.Lanczos, $"{job.Stem}_{sizes[t].Width}x{sizes[t].Height}.png"));
                Assert.Equal(PrepareFixtures.Levels(pillow), PrepareFixtures.Levels(image));
            }
        }
        Assert.Equal((601, 400), ImageIO.ReadHeader(Path.Combine(output, "chelsea_200x133T3.png")) is var h ? (h.Width, h.Height) : default);
        Assert.Equal((533, 400), ImageIO.ReadHeader(Path.Combine(output, "camera16_120x90T3.png")) is var g ? (g.Width, g.Height) : default);
    }

    [Fact]
    public void Plan_TooSmallOrSameName_NamesTheFiles()
    {
        string input = PrepareFixtures.PhotoFolder(_dir.Path, "in", "coffee");
        var tiny = ImageIO.Read(PrepareFixtures.Photo("coffee"));
        ImageIO.Write(Path.Combine(input, "tiny.png"), new ImageData(2, 2, 3, 8, tiny.Planar.AsSpan(0, 12).ToArray()));
        ImageIO.Write(Path.Combine(input, "coffee.jpg"), tiny);

        var e = Assert.Throws<PrepareException>(() => Multiscale.Plan(input));

        Assert.Equal(2, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.Contains("tiny.png") && p.Contains("2 x 2") && p.Contains("T2"));
        Assert.Contains(e.Problems, p => p.Contains("coffee.jpg") && p.Contains("coffee.png") && p.Contains("coffeeT0.png"));
    }
}
