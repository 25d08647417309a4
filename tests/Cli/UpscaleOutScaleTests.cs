using NativeGan.Cli;
using NativeGan.Models.Imaging;
using NativeGan.Tests.Data.Prepare;

namespace NativeGan.Tests.Cli;

/// <summary>
/// `nativegan upscale -s/--outscale`: the network's output resized with Lanczos to int(w * s) x int(h * s). References
/// from tools/make_outscale_fixtures.py (PyTorch float64 forward of srvgg_tiny_x4_conv2, 8-bit, then Pillow's LANCZOS).
/// </summary>
public sealed class UpscaleOutScaleTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures");
    private static readonly string OutScaleDir = Path.Combine(Fixtures, "outscale");
    private static readonly string Weights = Path.Combine(Fixtures, "models", "srvgg_tiny_x4_conv2.pth");
    private static readonly string Coffee = Path.Combine(Fixtures, "srdata", "images", "coffee.png");
    private readonly string _dir = Directory.CreateTempSubdirectory("nativegan-outscale-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Upscale(string input, string name, params string[] extra)
    {
        string output = Path.Combine(_dir, name);
        var (code, stdout, stderr) = RealEsrganZooVerbTests.Run(
            new[] { "upscale", "-i", input, "-o", output, "-m", Weights, "--device", "cpu" }.Concat(extra).ToArray());
        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        return output;
    }

    private static int Mismatches(ImageData expected, ImageData actual, out int maxDiff)
    {
        Assert.Equal((expected.Width, expected.Height, expected.Channels, expected.BitDepth), (actual.Width, actual.Height, actual.Channels, actual.BitDepth));
        int[] e = PrepareFixtures.Levels(expected), a = PrepareFixtures.Levels(actual);
        int count = 0;
        maxDiff = 0;
        for (int i = 0; i < e.Length; i++)
        {
            int d = Math.Abs(e[i] - a[i]);
            if (d != 0) count++;
            maxDiff = Math.Max(maxDiff, d);
        }
        return count;
    }

    [Theory]
    [InlineData(225, 187)]
    [InlineData(117, 97)]
    [InlineData(477, 397)]
    [InlineData(45, 37)]
    public void LanczosOfTheNetworksOutputEqualsPillow(int w, int h)
    {
        var x4 = ImageIO.Read(Path.Combine(OutScaleDir, "coffee_x4.png"));
        var expected = ImageIO.Read(Path.Combine(OutScaleDir, $"coffee_x4_lanczos_{w}x{h}.png"));
        int diff = Mismatches(expected, PilResample.Lanczos(x4, w, h), out int max);
        Assert.True(diff == 0, $"{w}x{h}: {diff} samples differ from Pillow (largest difference {max} levels)");
    }

    [Theory]
    [InlineData("2.5", 225, 187)]
    [InlineData("1.3", 117, 97)]
    [InlineData("0.5", 45, 37)]
    public void OutScaleResizesTheModelsOutputToIntOfWTimesS(string s, int w, int h)
    {
        string x4 = Upscale(Coffee, "x4.png");
        string scaled = Upscale(Coffee, $"s{s}.png", "-s", s);

        var ours = ImageIO.Read(scaled);
        Assert.Equal((w, h, 3, 8), (ours.Width, ours.Height, ours.Channels, ours.BitDepth));
        // The CLI's -s output is exactly our Lanczos of its own x4 output ...
        int wiring = Mismatches(PilResample.Lanczos(ImageIO.Read(x4), w, h), ours, out _);
        Assert.True(wiring == 0, $"-s {s}: {wiring} samples differ from Lanczos of the x4 output");
        // ... and the x4 output is PyTorch's up to float32 rounding at the 8-bit step, so -s is Pillow's resize of it.
        int net = Mismatches(ImageIO.Read(Path.Combine(OutScaleDir, "coffee_x4.png")), ImageIO.Read(x4), out int max);
        Assert.True(max <= 1 && net < 100, $"x4 output against PyTorch: {net} samples differ, by up to {max} levels");
    }

    [Fact]
    public void OutScaleEqualToTheNetworksScaleWritesTheOutputUnchanged()
    {
        var plain = ImageIO.Read(Upscale(Coffee, "x4.png"));
        var same = ImageIO.Read(Upscale(Coffee, "s4.png", "--outscale", "4"));
        Assert.Equal(0, Mismatches(plain, same, out _));
    }

    [Theory]
    [InlineData("rgba16.png", 4, 16)]
    [InlineData("grayalpha8.png", 2, 8)]
    [InlineData("rgb16.png", 3, 16)]
    public void OutScaleKeepsAlphaGrayAndSixteenBits(string file, int channels, int bitDepth)
    {
        var input = ImageIO.Read(Path.Combine(Fixtures, "imaging", file));
        var ours = ImageIO.Read(Upscale(Path.Combine(Fixtures, "imaging", file), "out.png", "-s", "3.5"));
        Assert.Equal(((int)(input.Width * 3.5), (int)(input.Height * 3.5), channels, bitDepth), (ours.Width, ours.Height, ours.Channels, ours.BitDepth));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("NaN")]
    public void OutScaleMustBePositive(string s)
    {
        var (code, _, stderr) = RealEsrganZooVerbTests.Run("upscale", "-i", Coffee, "-o", Path.Combine(_dir, "o.png"), "-m", Weights, "-s", s);
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Contains("-s/--outscale must be a positive number", stderr);
    }
}
