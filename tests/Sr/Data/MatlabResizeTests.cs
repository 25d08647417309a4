using System.Diagnostics;
using NativeGan.Models.Sr.Data;

namespace NativeGan.Tests.Sr.Data;

public sealed class MatlabResizeTests
{
    [Theory]
    [InlineData("down4", 0.25, true, 5, 6)]
    [InlineData("down3", 1 / 3.0, true, 6, 8)]
    [InlineData("down2", 0.5, true, 9, 12)]
    [InlineData("up2", 2.0, true, 34, 46)]
    [InlineData("up3", 3.0, true, 51, 69)]
    [InlineData("down3_noaa", 1 / 3.0, false, 6, 8)]
    [InlineData("down1_5", 1 / 1.5, true, 12, 16)]
    public void Imresize_MatchesBasicSrReference(string name, double scale, bool antialiasing, int outH, int outW)
    {
        var f = SrFixtures.Load("imresize.safetensors");
        var img = f.Data("in.image");
        var (data, h, w) = MatlabResize.Imresize(img, 3, 17, 23, scale, antialiasing);
        Assert.Equal((outH, outW), (h, w));
        Assert.Equal(new[] { 3, outH, outW }, f.Shape("out." + name));
        SrFixtures.Close(f.Data("out." + name), data, 1e-4, 1e-5, name);
    }

    [Fact]
    public void Imresize_OneChannel_MatchesReference()
    {
        var f = SrFixtures.Load("imresize.safetensors");
        var (data, h, w) = MatlabResize.Imresize(f.Data("in.gray"), 1, 12, 16, 0.25);
        Assert.Equal((3, 4), (h, w));
        SrFixtures.Close(f.Data("out.gray_down4"), data, 1e-4, 1e-5, "gray_down4");
    }

    [Fact]
    public void ImresizeCrop_EqualsCropOfFullResize_Bitwise()
    {
        var rng = new Random(5);
        int c = 3, h = 40, w = 52;
        var img = new float[c * h * w];
        for (int i = 0; i < img.Length; i++) img[i] = (float)rng.NextDouble();
        foreach (var scale in new[] { 0.25, 1 / 3.0, 0.5, 2.0 })
        {
            var (full, oh, ow) = MatlabResize.Imresize(img, c, h, w, scale);
            foreach (var (top, left, ph, pw) in new[] { (0, 0, 3, 4), (oh - 3, ow - 2, 3, 2), (1, 2, oh - 2, 3), (0, 0, oh, ow) })
            {
                var window = MatlabResize.ImresizeCrop(img, c, h, w, scale, top, left, ph, pw);
                Assert.Equal(SrTransforms.Crop(full, c, oh, ow, top, left, ph, pw), window);

                // from only the input region the plan asks for
                var plan = new MatlabResizePlan(h, w, scale);
                var (rt, rl, rh, rw) = plan.InputRegion(top, left, ph, pw);
                var region = SrTransforms.Crop(img, c, h, w, rt, rl, rh, rw);
                Assert.Equal(window, plan.Apply(region, c, rt, rl, rh, rw, top, left, ph, pw));
            }
        }
    }

    [Fact]
    public void ImresizeOfCrop_EqualsCropOfImresize_AwayFromTheBorders()
    {
        // An interior, scale-aligned HR crop with a margin of the kernel support gives the same LR pixels as the
        // LR of the whole image (only the border pixels of the crop's LR see the crop's padding).
        var rng = new Random(6);
        int c = 3, h = 64, w = 64, s = 4;
        var img = new float[c * h * w];
        for (int i = 0; i < img.Length; i++) img[i] = (float)rng.NextDouble();
        var (full, _, fw) = MatlabResize.Imresize(img, c, h, w, 1.0 / s);
        int top = 16, left = 24, size = 32;   // HR crop, aligned to the scale
        var crop = SrTransforms.Crop(img, c, h, w, top, left, size, size);
        var (lr, lh, lw) = MatlabResize.Imresize(crop, c, size, size, 1.0 / s);
        Assert.Equal((8, 8), (lh, lw));
        int margin = 2;   // LR pixels whose 16-tap HR support reaches outside the crop
        for (int ch = 0; ch < c; ch++)
            for (int y = margin; y < lh - margin; y++)
                for (int x = margin; x < lw - margin; x++)
                {
                    float a = lr[(ch * lh + y) * lw + x], b = full[(ch * (h / s) + top / s + y) * fw + left / s + x];
                    Assert.True(Math.Abs(a - b) <= 1e-6f, $"({ch}, {y}, {x}): {a} vs {b}");
                }
    }

    [Fact]
    public void Imresize_ConstantImageStaysConstant_AndIdentityScaleKeepsPixels()
    {
        var img = Enumerable.Repeat(0.3f, 2 * 9 * 7).ToArray();
        var (down, _, _) = MatlabResize.Imresize(img, 2, 9, 7, 0.5);
        Assert.All(down, v => Assert.Equal(0.3f, v, 1e-6f));
        var rng = new Random(1);
        var x = Enumerable.Range(0, 2 * 9 * 7).Select(_ => (float)rng.NextDouble()).ToArray();
        var (same, h, w) = MatlabResize.Imresize(x, 2, 9, 7, 1.0);
        Assert.Equal((9, 7), (h, w));
        SrFixtures.Close(x, same, 0, 1e-6, "scale 1");
    }

    [Fact]
    public void Imresize_BadArguments_SayWhatWasExpected()
    {
        var e = Assert.Throws<ArgumentException>(() => MatlabResize.Imresize(new float[10], 3, 2, 2, 0.5));
        Assert.Contains("3 x 2 x 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => MatlabResize.Imresize(new float[12], 3, 2, 2, -1));
        Assert.Contains("scale", e.Message);
        e = Assert.Throws<ArgumentException>(() => MatlabResize.ImresizeCrop(new float[3 * 8 * 8], 3, 8, 8, 0.5, 3, 0, 2, 2));
        Assert.Contains("outside the output 4 x 4", e.Message);
    }

    [Fact]
    public void Imresize_LargeImage_IsFastEnoughForDataLoading()
    {
        // 3 x 512 x 512 -> 128 x 128 (16 taps per axis); a loose bound that still catches a pathological slowdown.
        var img = new float[3 * 512 * 512];
        var rng = new Random(2);
        for (int i = 0; i < img.Length; i++) img[i] = (float)rng.NextDouble();
        MatlabResize.Imresize(img, 3, 64, 64 * 64, 0.25);   // warm-up (shape differs, same code)
        var sw = Stopwatch.StartNew();
        var (_, h, w) = MatlabResize.Imresize(img, 3, 512, 512, 0.25);
        sw.Stop();
        Assert.Equal((128, 128), (h, w));
        Assert.True(sw.ElapsedMilliseconds < 2000, $"imresize of 3 x 512 x 512 took {sw.ElapsedMilliseconds} ms");
    }
}
