using NativeGan.Tests.Fixtures;
using NativeGan.Models.Sr.Upscaling;
using NativeGan.NN;

namespace NativeGan.Tests.Sr.Upscaling;

public sealed class TiledUpscalerTests
{
    private const int H = 29, W = 37;

    /// <summary>Conv(3, 12) + LeakyReLU + Conv(12, 12) + PixelShuffle(2): x2, receptive field 2 input pixels each side.</summary>
    internal static Module SmallNet(ulong seed = 7)
    {
        var g = new Generator(seed);
        return new Sequential(
            new Conv2d(3, 12, 3, padding: 1, device: Device.Cpu, generator: g),
            new LeakyReLU(0.2f),
            new Conv2d(12, 12, 3, padding: 1, device: Device.Cpu, generator: g),
            new PixelShuffle(2));
    }

    /// <summary>Real-ESRGAN x2's shape: PixelUnshuffle(2) in front, so sizes must be even; receptive field 4 input pixels.</summary>
    private static Module UnshuffleNet()
    {
        var g = new Generator(11);
        return new Sequential(
            new PixelUnshuffle(2),
            new Conv2d(12, 16, 3, padding: 1, device: Device.Cpu, generator: g),
            new LeakyReLU(0.2f),
            new Conv2d(16, 48, 3, padding: 1, device: Device.Cpu, generator: g),
            new PixelShuffle(4));
    }

    internal static float[] RandomImage(int channels, int h, int w, int seed)
    {
        var rng = new Random(seed);
        var data = new float[channels * h * w];
        for (int i = 0; i < data.Length; i++) data[i] = (float)rng.NextDouble();
        return data;
    }

    private static float MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        float m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }

    private static UpscaledPlanes Run(Func<Tensor, Tensor> model, int scale, float[] img, TiledUpscaleOptions options,
        IProgress<UpscaleProgress>? progress = null) =>
        new TiledUpscaler(model, scale, Device.Cpu, options).Upscale(img, 3, H, W, progress);

    [Theory]
    [InlineData(8, 4)]
    [InlineData(11, 4)]   // tiles that do not divide 37 x 29
    [InlineData(16, 6)]
    [InlineData(20, 5)]   // odd pad
    [InlineData(64, 4)]   // one tile bigger than the image
    public void Tiled_equals_untiled_for_a_real_network(int tile, int pad)
    {
        var net = SmallNet();
        var img = RandomImage(3, H, W, 1);
        var whole = Run(net.Call, 2, img, new TiledUpscaleOptions { Tile = 0, TilePad = pad });
        Assert.Equal((3, 2 * H, 2 * W), (whole.Channels, whole.Height, whole.Width));
        var tiled = Run(net.Call, 2, img, new TiledUpscaleOptions { Tile = tile, TilePad = pad });
        Assert.True(MaxAbsDiff(whole.Data, tiled.Data) < 2e-5f, $"max |tiled - untiled| = {MaxAbsDiff(whole.Data, tiled.Data)}");
    }


    [Theory]
    [Devices("ilgpu-cpu", "cuda")]
    public void Tiled_on_a_device_equals_untiled_on_the_cpu(string deviceName)
    {
        var device = Device.Parse(deviceName);
        const int h = 13, w = 15; // small: the ILGPU CPU accelerator emulates every GPU thread
        var img = RandomImage(3, h, w, 12);
        var reference = new TiledUpscaler(SmallNet().Call, 2, Device.Cpu).Upscale(img, 3, h, w, cancellationToken: TestContext.Current.CancellationToken);
        var net = SmallNet().To(device);
        var tiled = new TiledUpscaler(net.Call, 2, device, new TiledUpscaleOptions { Tile = 8, TilePad = 4 }).Upscale(img, 3, h, w, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(MaxAbsDiff(reference.Data, tiled.Data) < 1e-4f, $"max diff {MaxAbsDiff(reference.Data, tiled.Data)}");
    }

    [Fact]
    public void Untiled_equals_the_model_on_the_whole_image()
    {
        var net = SmallNet();
        var img = RandomImage(3, H, W, 2);
        var whole = Run(net.Call, 2, img, new TiledUpscaleOptions());
        using var x = Tensor.FromArray(img, new[] { 1, 3, H, W }, Device.Cpu);
        float[] direct;
        using (Tensor.NoGrad()) direct = net.Call(x).ToArray();
        Assert.Equal(direct, whole.Data);
    }

    [Fact]
    public void Small_pad_still_blends_without_a_seam()
    {
        // Pad 2 is smaller than twice the receptive field: tiles differ from the whole image near their edges, but
        // the cross-fade keeps the error small and spread out (a hard cut would put the whole error on one line).
        var net = SmallNet();
        var img = RandomImage(3, H, W, 3);
        var whole = Run(net.Call, 2, img, new TiledUpscaleOptions { TilePad = 2 });
        var tiled = Run(net.Call, 2, img, new TiledUpscaleOptions { Tile = 10, TilePad = 2 });
        float scaleOfOutput = whole.Data.Max(v => Math.Abs(v));
        Assert.True(MaxAbsDiff(whole.Data, tiled.Data) < 0.5f * scaleOfOutput);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(6, 0)]   // pad 0: hard cuts, every pixel covered exactly once
    [InlineData(7, 3)]
    [InlineData(9, 10)]  // pad larger than the tile
    public void Pointwise_model_gives_nearest_upsampling_exactly(int tile, int pad)
    {
        var img = RandomImage(3, H, W, 4);
        var up = Run(x => x.Upsample(3), 3, img, new TiledUpscaleOptions { Tile = tile, TilePad = pad, PrePad = 2 });
        Assert.Equal((3 * H, 3 * W), (up.Height, up.Width));
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 3 * H; y++)
                for (int x = 0; x < 3 * W; x++)
                    Assert.Equal(img[(c * H + y / 3) * W + x / 3], up.Data[(c * 3 * H + y) * 3 * W + x], 1e-6f);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(13)]
    public void Size_multiple_pads_every_tile_and_crops_back(int tile)
    {
        var net = UnshuffleNet();
        var img = RandomImage(3, H, W, 5);
        var seen = new List<(int H, int W)>();
        Tensor Model(Tensor x)
        {
            seen.Add((x.Shape[2], x.Shape[3]));
            Assert.True(x.Shape[2] % 2 == 0 && x.Shape[3] % 2 == 0, $"tile {x.Shape[2]} x {x.Shape[3]} is not even");
            return net.Call(x);
        }
        var whole = Run(net.Call, 2, img, new TiledUpscaleOptions { SizeMultiple = 2, TilePad = 10 });
        var tiled = Run(Model, 2, img, new TiledUpscaleOptions { Tile = tile, SizeMultiple = 2, TilePad = 10 });
        Assert.Equal((2 * H, 2 * W), (tiled.Height, tiled.Width));
        Assert.NotEmpty(seen);
        Assert.True(MaxAbsDiff(whole.Data, tiled.Data) < 2e-5f, $"max diff {MaxAbsDiff(whole.Data, tiled.Data)}");
    }

    [Fact]
    public void Tiles_never_exceed_tile_plus_pads_and_progress_counts_every_tile()
    {
        var net = SmallNet();
        var img = RandomImage(3, H, W, 6);
        int largest = 0;
        var events = new List<UpscaleProgress>();
        var progress = new SyncProgress(events.Add);
        Tensor Model(Tensor x)
        {
            largest = Math.Max(largest, Math.Max(x.Shape[2], x.Shape[3]));
            return net.Call(x);
        }
        Run(Model, 2, img, new TiledUpscaleOptions { Tile = 12, TilePad = 3 }, progress);
        // Each side reads the pad plus half of it (the fade band's half beyond the boundary keeps a full pad of context).
        Assert.True(largest <= 12 + 2 * (3 + 2), $"a tile of {largest} pixels went to the device");
        // 29 x 37 with tiles of at most 12: 3 x 4 tiles.
        Assert.Equal(12, events.Count);
        Assert.All(events, e => Assert.Equal(UpscaleEventKind.TileDone, e.Kind));
        Assert.Equal(Enumerable.Range(1, 12), events.Select(e => e.Tile));
        Assert.All(events, e => Assert.Equal(12, e.TileCount));
    }

    [Fact]
    public void Out_of_memory_halves_the_tile_and_retries()
    {
        var net = SmallNet();
        var img = RandomImage(3, H, W, 7);
        var whole = Run(net.Call, 2, img, new TiledUpscaleOptions { TilePad = 4 });
        int calls = 0;
        Tensor Model(Tensor x)
        {
            calls++;
            if (x.Shape[2] > 21 || x.Shape[3] > 21)
                throw new DeviceOutOfMemoryException($"pretend the device has no room for {x.Shape[2]} x {x.Shape[3]}");
            return net.Call(x);
        }
        var events = new List<UpscaleProgress>();
        var up = new TiledUpscaler(Model, 2, Device.Cpu, new TiledUpscaleOptions { Tile = 0, TilePad = 4, MinTile = 4 });
        var result = up.Upscale(img, 3, H, W, new SyncProgress(events.Add), "color", cancellationToken: TestContext.Current.CancellationToken);
        var reductions = events.Where(e => e.Kind == UpscaleEventKind.TileSizeReduced).ToList();
        // Whole image (37 wide) -> 18 (3 x 2 tiles of about 12 x 15, plus 2 x 6 context (pad 4 and half of it): over 21)
        // -> 9 (at most 9 + 12 = 21).
        Assert.Equal(new[] { 18, 9 }, reductions.Select(e => e.TileSize));
        Assert.Contains("retrying", reductions[0].Message);
        Assert.Equal(9, up.CurrentTile);
        Assert.True(MaxAbsDiff(whole.Data, result.Data) < 2e-5f);

        // The next image starts with the reduced tile: no more reductions.
        events.Clear();
        up.Upscale(img, 3, H, W, new SyncProgress(events.Add), cancellationToken: TestContext.Current.CancellationToken);
        Assert.DoesNotContain(events, e => e.Kind == UpscaleEventKind.TileSizeReduced);
    }

    [Fact]
    public void Out_of_memory_at_the_smallest_tile_is_rethrown_with_the_sizes()
    {
        var img = RandomImage(3, H, W, 8);
        var up = new TiledUpscaler(_ => throw new OutOfMemoryException("no room"), 2, Device.Cpu,
            new TiledUpscaleOptions { Tile = 32, TilePad = 2, MinTile = 8 });
        var e = Assert.Throws<DeviceOutOfMemoryException>(() => up.Upscale(img, 3, H, W, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("8-pixel tiles", e.Message);
        Assert.Contains("37 x 29", e.Message);
        Assert.IsType<OutOfMemoryException>(e.InnerException);
    }

    /// <summary>The whole output lives on the host whatever the tile: one that cannot fit is refused before the model
    /// runs, saying it is the output, not halved down to the smallest tile first.</summary>
    [Fact]
    public void An_output_too_large_for_host_memory_is_refused_before_any_tile()
    {
        int calls = 0;
        var img = RandomImage(3, H, W, 10);
        var up = new TiledUpscaler(x => { calls++; return x; }, 2, Device.Cpu,
            new TiledUpscaleOptions { Tile = 16, HostMemoryLimitBytes = 4L * (2 * H) * (2 * W) * 4 - 1 });
        var e = Assert.Throws<InsufficientMemoryException>(() => up.Upscale(img, 3, H, W));
        Assert.Equal(0, calls);
        Assert.Contains($"{2 * W} x {2 * H} output image", e.Message);
        Assert.DoesNotContain("-pixel tiles", e.Message);
        Assert.Equal(16, up.CurrentTile);
    }

    [Fact]
    public void Other_errors_are_not_mistaken_for_out_of_memory()
    {
        var img = RandomImage(3, H, W, 9);
        var up = new TiledUpscaler(_ => throw new InvalidOperationException("bad weights"), 2, Device.Cpu,
            new TiledUpscaleOptions { Tile = 16 });
        Assert.Throws<InvalidOperationException>(() => up.Upscale(img, 3, H, W, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(16, up.CurrentTile);
    }

    [Fact]
    public void Wrong_output_shape_names_both_shapes()
    {
        var img = RandomImage(3, H, W, 10);
        var up = new TiledUpscaler(x => x.Upsample(2), 4, Device.Cpu);
        var e = Assert.Throws<InvalidOperationException>(() => up.Upscale(img, 3, H, W, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("[1, 3, 58, 74]", e.Message);
        Assert.Contains("scale 4", e.Message);
    }

    [Fact]
    public void Non_finite_model_output_is_reported()
    {
        var img = RandomImage(3, H, W, 11);
        var events = new List<UpscaleProgress>();
        var up = new TiledUpscaler(x => x.Upsample(2).Mul(float.NaN), 2, Device.Cpu, new TiledUpscaleOptions { Tile = 20 });
        var result = up.Upscale(img, 3, H, W, new SyncProgress(events.Add), "color", cancellationToken: TestContext.Current.CancellationToken);
        var bad = events.Where(e => e.Kind == UpscaleEventKind.NonFiniteOutput).ToList();
        Assert.Equal(4, bad.Count);
        Assert.Contains("NaN", bad[0].Message);
    }

    [Fact]
    public void Reflect_folds_like_pytorch()
    {
        int[] got = Enumerable.Range(-5, 15).Select(i => TiledUpscaler.Reflect(i, 4)).ToArray();
        // 0 1 2 3 2 1 0 1 2 ... around the line [0, 4)
        Assert.Equal(new[] { 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3 }, got);
        Assert.Equal(0, TiledUpscaler.Reflect(7, 1));
    }

    /// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    internal sealed class SyncProgress(Action<UpscaleProgress> report) : IProgress<UpscaleProgress>
    {
        public void Report(UpscaleProgress value) => report(value);
    }
}
