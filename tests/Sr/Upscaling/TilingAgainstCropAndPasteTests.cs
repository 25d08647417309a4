using NativeGan.Models.Imaging;
using NativeGan.Models.Sr;
using NativeGan.Models.Sr.Upscaling;

namespace NativeGan.Tests.Sr.Upscaling;

/// <summary>
/// Blended tiles against Real-ESRGAN's crop-and-paste tiles (realesrgan/utils.py tile_process) at the same tile and
/// pad, on a real photo through a network whose receptive field is larger than the pad: blending must not be further
/// from the untiled output. tools/compare_tiling.py measures the same on trained networks.
/// </summary>
public sealed class TilingAgainstCropAndPasteTests
{
    /// <summary>Real-ESRGAN's tile_process: tiles of <paramref name="tile"/> from the top-left, pad of context, core pasted.</summary>
    private static float[] CropAndPaste(SRVGGNetCompact net, float[] img, int c, int h, int w, int scale, int tile, int pad)
    {
        var output = new float[c * h * scale * w * scale];
        int ow = w * scale, oh = h * scale;
        for (int y0 = 0; y0 < h; y0 += tile)
            for (int x0 = 0; x0 < w; x0 += tile)
            {
                int y1 = Math.Min(y0 + tile, h), x1 = Math.Min(x0 + tile, w);
                int py0 = Math.Max(y0 - pad, 0), py1 = Math.Min(y1 + pad, h), px0 = Math.Max(x0 - pad, 0), px1 = Math.Min(x1 + pad, w);
                int th = py1 - py0, tw = px1 - px0;
                var input = new float[c * th * tw];
                for (int ch = 0; ch < c; ch++)
                    for (int y = 0; y < th; y++)
                        Array.Copy(img, (ch * h + py0 + y) * w + px0, input, (ch * th + y) * tw, tw);
                float[] result;
                using (Tensor.NoGrad())
                using (Tensor.Scope())
                    result = net.Forward(Tensor.FromArray(input, new[] { 1, c, th, tw }, Device.Cpu)).ToArray();
                int rw = tw * scale, rh = th * scale;
                for (int ch = 0; ch < c; ch++)
                    for (int y = y0 * scale; y < y1 * scale; y++)
                        for (int x = x0 * scale; x < x1 * scale; x++)
                            output[(ch * oh + y) * ow + x] = result[(ch * rh + y - py0 * scale) * rw + x - px0 * scale];
            }
        return output;
    }

    private static double Mse(float[] a, float[] b) => a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Average();

    [Theory]
    [InlineData(16, 4)]
    [InlineData(24, 6)]
    [InlineData(20, 10)]
    public void BlendedTilesAreNeverFurtherFromUntiledThanCropAndPaste(int tile, int pad)
    {
        // 12 convolutions: 12 pixels of receptive field each side, beyond every pad here.
        using var net = new SRVGGNetCompact(3, 3, 8, 10, 2, "prelu", Device.Cpu, new Generator(3));
        net.Eval();
        var photo = ImageIO.Read(Path.Combine(AppContext.BaseDirectory, "fixtures", "srdata", "images", "coffee.png"));
        int h = photo.Height, w = photo.Width;
        var whole = new TiledUpscaler(net.Forward, 2, Device.Cpu).Upscale(photo.Planar, 3, h, w, cancellationToken: TestContext.Current.CancellationToken).Data;
        var blended = new TiledUpscaler(net.Forward, 2, Device.Cpu, new TiledUpscaleOptions { Tile = tile, TilePad = pad })
            .Upscale(photo.Planar, 3, h, w, cancellationToken: TestContext.Current.CancellationToken).Data;
        var pasted = CropAndPaste(net, photo.Planar, 3, h, w, 2, tile, pad);

        double blendedMse = Mse(whole, blended), pastedMse = Mse(whole, pasted);
        Assert.True(pastedMse > 0, "the network must see past the pad, or the comparison says nothing");
        Assert.True(blendedMse <= pastedMse,
            $"tile {tile}, pad {pad}: blended tiles are {blendedMse:E3} (MSE) from the untiled output, crop-and-paste {pastedMse:E3}");
    }
}
