using System.Security.Cryptography;
using System.Text.Json;
using NativeGan.Models.Imaging;

namespace NativeGan.Tests.Data.Prepare;

/// <summary>PilResample.Lanczos against Pillow 9.4's Image.resize(size, Image.LANCZOS), sample for sample.</summary>
public sealed class PilResampleTests
{
    public static TheoryData<string> References()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(PrepareFixtures.Lanczos, "*.png").OrderBy(f => f, StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    private static (string Source, int Width, int Height) Parse(string referenceName)
    {
        string stem = Path.GetFileNameWithoutExtension(referenceName);
        int cut = stem.LastIndexOf('_');
        var size = stem[(cut + 1)..].Split('x');
        return (stem[..cut], int.Parse(size[0]), int.Parse(size[1]));
    }

    [Theory]
    [MemberData(nameof(References))]
    public void Lanczos_EqualsPillow(string reference)
    {
        var (source, w, h) = Parse(reference);
        var input = ImageIO.Read(PrepareFixtures.Photo(source));
        var expected = ImageIO.Read(Path.Combine(PrepareFixtures.Lanczos, reference));

        var actual = PilResample.Lanczos(input, w, h);

        Assert.Equal((expected.Width, expected.Height, expected.Channels, expected.BitDepth),
            (actual.Width, actual.Height, actual.Channels, actual.BitDepth));
        Assert.Equal(input.Channels, actual.Channels);     // gray stays gray, alpha stays
        Assert.Equal(input.BitDepth, actual.BitDepth);     // 16-bit stays 16-bit
        int[] e = PrepareFixtures.Levels(expected), a = PrepareFixtures.Levels(actual);
        int mismatches = 0, first = -1;
        for (int i = 0; i < e.Length; i++)
            if (e[i] != a[i]) { mismatches++; if (first < 0) first = i; }
        Assert.True(mismatches == 0,
            $"{reference}: {mismatches} of {e.Length} samples differ from Pillow; first at {first}: Pillow {e[Math.Max(first, 0)]}, ours {a[Math.Max(first, 0)]}");
    }

    [Fact]
    public void Lanczos_ShortestSide400_HashEqualsPillow()
    {
        // Pillow's NAMET3 copies (shortest side 400, an upscale of these small photos), as SHA-256 of HWC bytes.
        var hashes = JsonDocument.Parse(File.ReadAllText(Path.Combine(PrepareFixtures.Lanczos, "hashes.json"))).RootElement;
        int checkedCount = 0;
        foreach (var entry in hashes.EnumerateObject())
        {
            var (source, w, h) = Parse(entry.Name + ".png");
            var actual = PilResample.Lanczos(ImageIO.Read(PrepareFixtures.Photo(source)), w, h);
            string hash = Convert.ToHexString(SHA256.HashData(ImageIO.Interleave8(actual))).ToLowerInvariant();
            Assert.True(hash == entry.Value.GetString(), $"{entry.Name}: SHA-256 of our samples differs from Pillow's");
            checkedCount++;
        }
        Assert.Equal(3, checkedCount);
    }

    [Fact]
    public void Lanczos_SameSize_CopiesSamples()
    {
        var input = ImageIO.Read(PrepareFixtures.Photo("coffee"));
        var same = PilResample.Lanczos(input, input.Width, input.Height);
        Assert.NotSame(input.Planar, same.Planar);
        Assert.Equal(input.Planar, same.Planar);
    }

    [Fact]
    public void Coefficients_SumToOne_SupportWidensWhenShrinking()
    {
        foreach (var (inSize, outSize) in new[] { (200, 66), (133, 99), (96, 130), (75, 25) })
        {
            var (bounds, kk, ksize) = PilResample.Coefficients(inSize, outSize);
            double scale = Math.Max((double)inSize / outSize, 1.0);
            Assert.Equal((int)Math.Ceiling(3 * scale) * 2 + 1, ksize);
            for (int i = 0; i < outSize; i++)
            {
                double sum = 0;
                for (int k = 0; k < bounds[2 * i + 1]; k++) sum += kk[i * ksize + k];
                Assert.True(Math.Abs(sum - 1) < 1e-12, $"{inSize}->{outSize}: weights of output {i} sum to {sum}");
                Assert.True(bounds[2 * i] >= 0 && bounds[2 * i] + bounds[2 * i + 1] <= inSize);
            }
        }
        Assert.Equal(1.0, PilResample.LanczosFilter(0));
        Assert.Equal(0.0, PilResample.LanczosFilter(3.0));
        Assert.True(Math.Abs(PilResample.LanczosFilter(1.5) - Math.Sin(1.5 * Math.PI) / (1.5 * Math.PI) * Math.Sin(0.5 * Math.PI) / (0.5 * Math.PI)) < 1e-15);
    }

    [Fact]
    public void Lanczos_16BitOpaqueAlpha_EqualsTheImageWithoutAlpha()
    {
        // Pillow has no 16-bit RGBA, so no reference: premultiplying by an opaque alpha must change nothing, and the
        // colour planes must come out as the 16-bit path (checked against Pillow's mode I above) gives them.
        var gray = ImageIO.Read(PrepareFixtures.Photo("camera16_120x90"));
        int plane = gray.PlaneSize;
        var rgb = new float[3 * plane];
        var rgba = new float[4 * plane];
        for (int c = 0; c < 3; c++)
        {
            gray.Planar.AsSpan().CopyTo(rgb.AsSpan(c * plane));
            gray.Planar.AsSpan().CopyTo(rgba.AsSpan(c * plane));
        }
        rgba.AsSpan(3 * plane).Fill(1f);
        var a = PilResample.Lanczos(new ImageData(gray.Width, gray.Height, 3, 16, rgb), 90, 67);
        var b = PilResample.Lanczos(new ImageData(gray.Width, gray.Height, 4, 16, rgba), 90, 67);
        var g = PilResample.Lanczos(gray, 90, 67);
        Assert.Equal(a.Planar, b.Planar.AsSpan(0, 3 * a.PlaneSize).ToArray());
        Assert.All(b.Planar.AsSpan(3 * a.PlaneSize).ToArray(), v => Assert.Equal(1f, v));
        Assert.Equal(g.Planar, a.Planar.AsSpan(0, a.PlaneSize).ToArray());
    }

    [Fact]
    public void Lanczos_ZeroSize_NamesTheImage()
    {
        var input = ImageIO.Read(PrepareFixtures.Photo("coffee"));
        var e = Assert.Throws<ArgumentException>(() => PilResample.Lanczos(input, 0, 5));
        Assert.Contains("coffee.png", e.Message);
        Assert.Contains("0 x 5", e.Message);
    }
}
