using System.Globalization;

namespace NativeGan.Benchmarks.Harness;

/// <summary>
/// pixel_shuffle: [N, C r^2, H, W] -> [N, C, H r, W r], one strided copy; bytes = one read + one write of every element.
/// </summary>
internal sealed class PixelShuffleCase(int batch, int channels, int height, int width, int r) : KernelCase
{
    private Tensor? x;

    private long NumEl => (long)batch * channels * height * width;
    public override string Name => $"pixel_shuffle_{batch}x{channels}x{height}x{width}";
    public override string Shape => $"{batch}x{channels}x{height}x{width} r={r}";
    public override double Bytes => 2.0 * NumEl * 4;

    public override void Setup(Device device)
    {
        var g = new NativeGan.Generator(0x5F1E);
        x = Tensor.Rand(new[] { batch, channels, height, width }, device, g, -1f, 1f);
    }

    public override void Call() => x!.PixelShuffle(r).Dispose();

    /// <summary>
    /// A copy must be exact: y[b, c, h r + i, w r + j] = x[b, c r^2 + i r + j, h, w], checked at every output
    /// element (a host loop over at most a few tens of millions of indices).
    /// </summary>
    public override Validation Validate()
    {
        float[] y;
        int[] shape;
        using (var t = x!.PixelShuffle(r))
        {
            y = t.ToArray();
            shape = t.ShapeArray.ToArray();
        }
        int co = channels / (r * r), ho = height * r, wo = width * r;
        var expectedShape = new[] { batch, co, ho, wo };
        if (!shape.SequenceEqual(expectedShape))
            return new Validation(false, double.NaN, $"shape [{string.Join(", ", shape)}], expected [{string.Join(", ", expectedShape)}]");
        float[] hx = x.ToArray();
        long k = 0;
        for (int b = 0; b < batch; b++)
            for (int c = 0; c < co; c++)
                for (int oh = 0; oh < ho; oh++)
                    for (int ow = 0; ow < wo; ow++, k++)
                    {
                        int ci = c * r * r + (oh % r) * r + ow % r;
                        float expected = hx[(((long)b * channels + ci) * height + oh / r) * width + ow / r];
                        // Bitwise: a copy must not change a single bit (NaN payloads included).
                        if (BitConverter.SingleToInt32Bits(y[k]) != BitConverter.SingleToInt32Bits(expected))
                            return new Validation(false, Math.Abs((double)y[k] - expected), string.Create(CultureInfo.InvariantCulture,
                                $"y[{b},{c},{oh},{ow}] = {y[k]}, expected x[{b},{ci},{oh / r},{ow / r}] = {expected}"));
                    }
        return new Validation(true, 0, $"{k} elements checked");
    }

    public override void Dispose()
    {
        x?.Dispose();
        x = null;
    }
}
