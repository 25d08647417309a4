using NativeGan.Models.Imaging;
using NativeGan.Models.Sr.Upscaling;

namespace NativeGan.Tests.Sr.Upscaling;

public sealed class ImageUpscalerTests : IDisposable
{
    private const int H = 29, W = 37;
    private readonly string dir = Directory.CreateTempSubdirectory("nativegan-upscale-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch { /* best effort */ }
    }

    /// <summary>An "RGB model" that is nearest upsampling x2 and insists on three channels.</summary>
    private static Tensor Nearest2(Tensor x)
    {
        Assert.Equal(3, x.Shape[1]);
        return x.Upsample(2);
    }

    private static float NearestAt(float[] planes, int c, int y, int x) => planes[(c * H + y / 2) * W + x / 2];

    [Fact]
    public void Gray_goes_through_the_RGB_model_and_stays_gray()
    {
        var img = new ImageData(W, H, 1, 8, TiledUpscalerTests.RandomImage(1, H, W, 1));
        var up = new ImageUpscaler(Nearest2, 2, Device.Cpu, new UpscaleOptions { Tile = 16, TilePad = 4 });
        var result = up.Upscale(img, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal((2 * W, 2 * H, 1, 8), (result.Width, result.Height, result.Channels, result.BitDepth));
        for (int y = 0; y < 2 * H; y++)
            for (int x = 0; x < 2 * W; x++)
                Assert.Equal(NearestAt(img.Planar, 0, y, x), result.Planar[y * 2 * W + x], 1e-6f);
    }

    [Fact]
    public void Gray_with_a_real_network_matches_the_luma_of_the_rgb_output()
    {
        var net = TiledUpscalerTests.SmallNet();
        var gray = TiledUpscalerTests.RandomImage(1, H, W, 2);
        var result = new ImageUpscaler(net.Call, 2, Device.Cpu).Upscale(new ImageData(W, H, 1, 8, gray), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(1, result.Channels);
        var rgb = new float[3 * H * W];
        for (int c = 0; c < 3; c++) Array.Copy(gray, 0, rgb, c * H * W, H * W);
        var direct = new TiledUpscaler(net.Call, 2, Device.Cpu).Upscale(rgb, 3, H, W, cancellationToken: TestContext.Current.CancellationToken).Data;
        int op = 4 * H * W;
        for (int p = 0; p < op; p++)
        {
            float luma = Math.Clamp(0.299f * direct[p] + 0.587f * direct[op + p] + 0.114f * direct[2 * op + p], 0f, 1f);
            Assert.Equal(luma, result.Planar[p], 1e-6f);
        }
    }

    [Fact]
    public void Alpha_is_kept_bicubic_by_default()
    {
        var planar = TiledUpscalerTests.RandomImage(4, H, W, 3);
        Array.Fill(planar, 0.5f, 3 * H * W, H * W); // constant alpha: bicubic keeps it exactly
        var events = new List<UpscaleProgress>();
        var result = new ImageUpscaler(Nearest2, 2, Device.Cpu, new UpscaleOptions { Tile = 20 })
            .Upscale(new ImageData(W, H, 4, 8, planar), new TiledUpscalerTests.SyncProgress(events.Add), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(4, result.Channels);
        int op = 4 * H * W;
        for (int p = 0; p < op; p++) Assert.Equal(0.5f, result.Planar[3 * op + p], 1e-6f);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 2 * H; y++)
                for (int x = 0; x < 2 * W; x++)
                    Assert.Equal(NearestAt(planar, c, y, x), result.Planar[(c * 2 * H + y) * 2 * W + x], 1e-6f);
        Assert.All(events, e => Assert.Equal("color", e.Pass)); // alpha did not go through the model
    }

    [Fact]
    public void Alpha_through_the_model_when_asked()
    {
        var planar = TiledUpscalerTests.RandomImage(2, H, W, 4); // gray + alpha
        var events = new List<UpscaleProgress>();
        var result = new ImageUpscaler(Nearest2, 2, Device.Cpu, new UpscaleOptions { AlphaUpsampler = AlphaUpsampler.Model })
            .Upscale(new ImageData(W, H, 2, 16, planar), new TiledUpscalerTests.SyncProgress(events.Add), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal((2, 16), (result.Channels, result.BitDepth));
        for (int c = 0; c < 2; c++)
            for (int y = 0; y < 2 * H; y++)
                for (int x = 0; x < 2 * W; x++)
                    Assert.Equal(NearestAt(planar, c, y, x), result.Planar[(c * 2 * H + y) * 2 * W + x], 1e-6f);
        Assert.Contains(events, e => e.Pass == "alpha");
    }

    [Fact]
    public void Sixteen_bit_file_in_gives_sixteen_bit_file_out_without_eight_bit_rounding()
    {
        // Values 1/65535 apart: any trip through 8 bits would merge them.
        var planar = new float[3 * H * W];
        for (int i = 0; i < planar.Length; i++) planar[i] = (20000 + i) / 65535f;
        string input = Path.Combine(dir, "in16.png"), output = Path.Combine(dir, "out16.png");
        ImageIO.Write(input, new ImageData(W, H, 3, 16, planar));
        var up = new ImageUpscaler(Nearest2, 2, Device.Cpu, new UpscaleOptions { Tile = 12, TilePad = 3 });
        var header = up.UpscaleFile(input, output, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(16, header.BitDepth);
        var back = ImageIO.Read(output);
        Assert.Equal((2 * W, 2 * H, 3, 16), (back.Width, back.Height, back.Channels, back.BitDepth));
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 2 * H; y++)
                for (int x = 0; x < 2 * W; x++)
                    Assert.Equal(NearestAt(planar, c, y, x), back.Planar[(c * 2 * H + y) * 2 * W + x]);
    }

    [Fact]
    public void Palette_with_transparency_file_upscales_to_rgba_png()
    {
        string output = Path.Combine(dir, "pal.png");
        new ImageUpscaler(Nearest2, 2, Device.Cpu).UpscaleFile(Imaging.ImageIOTests.Fixture("palette_trns.png"), output, cancellationToken: TestContext.Current.CancellationToken);
        var back = ImageIO.Read(output);
        Assert.Equal((14, 10, 4, 8), (back.Width, back.Height, back.Channels, back.BitDepth));
    }

    [Fact]
    public void Refusals_happen_before_the_model_runs()
    {
        int calls = 0;
        Tensor Counting(Tensor x)
        {
            calls++;
            return x.Upsample(4);
        }
        var up = new ImageUpscaler(Counting, 4, Device.Cpu, new UpscaleOptions { MaxPixels = 100_000 });
        var tooBig = Assert.Throws<ImageTooLargeException>(() =>
            up.UpscaleFile(Imaging.ImageIOTests.Fixture("huge_header.png"), Path.Combine(dir, "o.png"), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("60000 x 60000", tooBig.Message);

        // 37 x 29 is fine, 148 x 116 upscaled is over 10,000 pixels.
        string small = Path.Combine(dir, "small.png");
        ImageIO.Write(small, new ImageData(W, H, 3, 8, TiledUpscalerTests.RandomImage(3, H, W, 5)));
        var up2 = new ImageUpscaler(Counting, 4, Device.Cpu, new UpscaleOptions { MaxPixels = 10_000 });
        var e = Assert.Throws<ImageTooLargeException>(() => up2.UpscaleFile(small, Path.Combine(dir, "o.png"), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("148 x 116", e.Message);

        // RGBA to JPEG is refused before any work.
        string rgba = Path.Combine(dir, "rgba.png");
        ImageIO.Write(rgba, new ImageData(W, H, 4, 8, TiledUpscalerTests.RandomImage(4, H, W, 6)));
        var jpg = Assert.Throws<ArgumentException>(() => up.UpscaleFile(rgba, Path.Combine(dir, "o.jpg"), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("alpha", jpg.Message);
        Assert.Equal(0, calls);
        Assert.False(File.Exists(Path.Combine(dir, "o.png")));
    }

    [Fact]
    public void Jpeg_output_by_extension()
    {
        string input = Path.Combine(dir, "in.png"), output = Path.Combine(dir, "out.jpg");
        var flat = new float[3 * H * W];
        Array.Fill(flat, 0.6f);
        ImageIO.Write(input, new ImageData(W, H, 3, 8, flat));
        new ImageUpscaler(Nearest2, 2, Device.Cpu).UpscaleFile(input, output, cancellationToken: TestContext.Current.CancellationToken);
        var header = ImageIO.ReadHeader(output);
        Assert.Equal((ImageFileFormat.Jpeg, 2 * W, 2 * H, 3), (header.Format, header.Width, header.Height, header.Channels));
    }
}
