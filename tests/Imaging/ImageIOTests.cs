using NativeGan.Models.Imaging;

namespace NativeGan.Tests.Imaging;

/// <summary>
/// Reading the fixtures of tools/make_imaging_fixtures.py (written by a minimal Python PNG writer and by PIL, so not
/// by our encoder), PNG round trips at 8 and 16 bits, JPEG/BMP writing, and size refusal from the header.
/// </summary>
public sealed class ImageIOTests : IDisposable
{
    private const int W = 7, H = 5;
    private static readonly int[][] Palette = { new[] { 255, 0, 0 }, new[] { 0, 255, 0 }, new[] { 0, 0, 255 }, new[] { 250, 200, 10 } };
    private static readonly int[] Trns = { 0, 128, 255, 64 };
    private readonly string dir = Directory.CreateTempSubdirectory("nativegan-imaging-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch { /* best effort */ }
    }

    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "imaging", name);

    private static int S8(int x, int y, int c) => (x * 37 + y * 59 + c * 83) % 256;
    private static int S16(int x, int y, int c) => (x * 4099 + y * 9973 + c * 30011 + 7) % 65536;

    private static int Q(ImageData img, int c, int x, int y)
    {
        float v = img.Planar[(c * img.Height + y) * img.Width + x];
        return (int)MathF.Round(v * (img.BitDepth == 16 ? 65535f : 255f));
    }

    [Theory]
    [InlineData("gray8.png", 1, 8)]
    [InlineData("gray16.png", 1, 16)]
    [InlineData("grayalpha8.png", 2, 8)]
    [InlineData("grayalpha16.png", 2, 16)]
    [InlineData("rgb16.png", 3, 16)]
    [InlineData("rgba16.png", 4, 16)]
    [InlineData("rgb8_pil.png", 3, 8)]
    [InlineData("rgba8_pil.png", 4, 8)]
    [InlineData("rgb.bmp", 3, 8)]
    public void Reads_channels_and_bit_depth_exactly(string name, int channels, int depth)
    {
        var header = ImageIO.ReadHeader(Fixture(name));
        Assert.Equal((W, H, channels, depth), (header.Width, header.Height, header.Channels, header.BitDepth));
        var img = ImageIO.Read(Fixture(name));
        Assert.Equal((W, H, channels, depth), (img.Width, img.Height, img.Channels, img.BitDepth));
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    Assert.Equal(depth == 16 ? S16(x, y, c) : S8(x, y, c), Q(img, c, x, y));
    }

    [Theory]
    [InlineData("palette_trns.png")]
    [InlineData("palette2bit_trns.png")]
    public void Palette_with_tRNS_becomes_RGBA(string name)
    {
        var img = ImageIO.Read(Fixture(name));
        Assert.Equal(4, img.Channels);
        Assert.Equal(8, img.BitDepth);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                int i = (x + 2 * y) % 4;
                for (int c = 0; c < 3; c++) Assert.Equal(Palette[i][c], Q(img, c, x, y));
                Assert.Equal(Trns[i], Q(img, 3, x, y));
            }
    }

    [Fact]
    public void Palette_without_tRNS_is_RGB()
    {
        var img = ImageIO.Read(Fixture("palette.png"));
        Assert.Equal(3, img.Channels);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                for (int c = 0; c < 3; c++) Assert.Equal(Palette[(x + 2 * y) % 4][c], Q(img, c, x, y));
    }

    [Fact]
    public void Gray_with_tRNS_colour_key_gains_alpha()
    {
        var img = ImageIO.Read(Fixture("gray8_trns.png"));
        Assert.Equal(2, img.Channels);
        int key = S8(2, 1, 0);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                Assert.Equal(S8(x, y, 0), Q(img, 0, x, y));
                Assert.Equal(S8(x, y, 0) == key ? 0 : 255, Q(img, 1, x, y));
            }
    }

    [Fact]
    public void Jpeg_gray_reads_as_one_channel_and_colour_as_three()
    {
        var gray = ImageIO.Read(Fixture("gray.jpg"));
        Assert.Equal(1, gray.Channels);
        Assert.All(gray.Planar, v => Assert.InRange(v * 255f, 98f, 102f));
        var rgb = ImageIO.Read(Fixture("rgb.jpg"));
        Assert.Equal(3, rgb.Channels);
        int[] want = { 200, 100, 50 };
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < W * H; p++) Assert.InRange(rgb.Planar[c * W * H + p] * 255f, want[c] - 3f, want[c] + 3f);
    }

    private static ImageData RandomImage(int w, int h, int channels, int depth, int seed)
    {
        var rng = new Random(seed);
        float max = depth == 16 ? 65535f : 255f;
        var planar = new float[channels * w * h];
        for (int i = 0; i < planar.Length; i++) planar[i] = rng.Next((int)max + 1) / max;
        // Make some rows flat and some gradients so every PNG filter gets chosen somewhere.
        for (int x = 0; x < w; x++) planar[x] = MathF.Round(0.5f * max) / max;
        return new ImageData(w, h, channels, depth, planar, "random");
    }

    [Theory]
    [InlineData(1, 8)]
    [InlineData(2, 8)]
    [InlineData(3, 8)]
    [InlineData(4, 8)]
    [InlineData(1, 16)]
    [InlineData(2, 16)]
    [InlineData(3, 16)]
    [InlineData(4, 16)]
    public void Png_round_trip_is_bit_exact(int channels, int depth)
    {
        var img = RandomImage(37, 29, channels, depth, seed: channels * 100 + depth);
        string path = Path.Combine(dir, $"rt_{channels}_{depth}.png");
        ImageIO.Write(path, img);
        var back = ImageIO.Read(path);
        Assert.Equal((img.Width, img.Height, img.Channels, img.BitDepth), (back.Width, back.Height, back.Channels, back.BitDepth));
        for (int i = 0; i < img.Planar.Length; i++) Assert.Equal(img.Planar[i], back.Planar[i]);
        Assert.Single(Directory.GetFiles(dir)); // the temporary file was renamed, not left behind
    }

    [Fact]
    public void Sixteen_bit_png_keeps_values_eight_bits_cannot_hold_and_can_be_written_as_eight()
    {
        var planar = new float[37 * 29];
        for (int i = 0; i < planar.Length; i++) planar[i] = (1000 + i * 37) / 65535f; // steps of 37/65535 < 1/255
        var img = new ImageData(37, 29, 1, 16, planar);
        string p16 = Path.Combine(dir, "a16.png"), p8 = Path.Combine(dir, "a8.png");
        ImageIO.Write(p16, img);
        ImageIO.Write(p8, img, new ImageWriteOptions { BitDepth = 8 });
        var back16 = ImageIO.Read(p16);
        var back8 = ImageIO.Read(p8);
        Assert.Equal(16, back16.BitDepth);
        Assert.Equal(8, back8.BitDepth);
        Assert.Equal(planar, back16.Planar);
        for (int i = 0; i < planar.Length; i++) Assert.Equal(MathF.Round(planar[i] * 255f) / 255f, back8.Planar[i], 1e-6f);
    }

    [Fact]
    public void Jpeg_write_keeps_gray_as_gray_and_refuses_alpha()
    {
        var gray = new ImageData(37, 29, 1, 8, Enumerable.Repeat(0.4f, 37 * 29).ToArray());
        string pg = Path.Combine(dir, "g.jpg");
        ImageIO.Write(pg, gray);
        Assert.Equal(1, ImageIO.ReadHeader(pg).Channels);
        var back = ImageIO.Read(pg);
        Assert.Equal(1, back.Channels);
        Assert.All(back.Planar, v => Assert.InRange(v, 0.4f - 2f / 255f, 0.4f + 2f / 255f));

        var rgb = RandomImage(37, 29, 3, 8, 5);
        Array.Fill(rgb.Planar, 0.25f, 0, 37 * 29);
        Array.Fill(rgb.Planar, 0.75f, 37 * 29, 37 * 29);
        Array.Fill(rgb.Planar, 0.5f, 2 * 37 * 29, 37 * 29);
        string pc = Path.Combine(dir, "c.jpeg");
        ImageIO.Write(pc, rgb, new ImageWriteOptions { JpegQuality = 95 });
        var backRgb = ImageIO.Read(pc);
        Assert.Equal(3, backRgb.Channels);
        for (int i = 0; i < rgb.Planar.Length; i++) Assert.InRange(backRgb.Planar[i] - rgb.Planar[i], -3f / 255f, 3f / 255f);

        var rgba = RandomImage(5, 4, 4, 8, 6);
        var e = Assert.Throws<ArgumentException>(() => ImageIO.Write(Path.Combine(dir, "x.jpg"), rgba));
        Assert.Contains("alpha", e.Message);
        Assert.Empty(Directory.GetFiles(dir, "x.jpg*"));
    }

    [Fact]
    public void Bmp_write_round_trips_rgb()
    {
        var img = RandomImage(37, 29, 3, 8, 9);
        string path = Path.Combine(dir, "b.bmp");
        ImageIO.Write(path, img);
        var back = ImageIO.Read(path);
        Assert.Equal(3, back.Channels);
        Assert.Equal(img.Planar, back.Planar);
    }

    [Fact]
    public void Unknown_extension_is_refused()
    {
        var img = RandomImage(3, 3, 3, 8, 1);
        var e = Assert.Throws<ArgumentException>(() => ImageIO.Write(Path.Combine(dir, "out.tiff"), img));
        Assert.Contains(".tiff", e.Message);
    }

    [Fact]
    public void Oversized_header_is_refused_before_decoding()
    {
        // The file is 68 bytes: a 60000 x 60000 IHDR and a 16-byte IDAT. Decoding it would fail differently.
        string path = Fixture("huge_header.png");
        var header = ImageIO.ReadHeader(path);
        Assert.Equal((60000, 60000, 3), (header.Width, header.Height, header.Channels));
        var e = Assert.Throws<ImageTooLargeException>(() => ImageIO.Read(path));
        Assert.Contains("60000 x 60000", e.Message);
        Assert.Contains("huge_header.png", e.Message);
        Assert.Equal(60000, e.Width);
    }

    [Fact]
    public void Upscaled_size_over_the_limit_is_refused_with_both_sizes()
    {
        string path = Fixture("rgb16.png"); // 7 x 5
        Assert.NotNull(ImageIO.Read(path, maxPixels: 40 * 40));
        var e = Assert.Throws<ImageTooLargeException>(() => ImageIO.Read(path, maxPixels: 40 * 40, scale: 8));
        Assert.Contains("7 x 5", e.Message);
        Assert.Contains("56 x 40", e.Message);
        Assert.Equal(8, e.Scale);
    }

    [Fact]
    public void Not_an_image_names_the_file()
    {
        string path = Path.Combine(dir, "notes.png");
        File.WriteAllText(path, "hello, world");
        var e = Assert.Throws<InvalidDataException>(() => ImageIO.Read(path));
        Assert.Contains("notes.png", e.Message);
    }
}
