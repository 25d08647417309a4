using NativeGan.Graph;

namespace NativeGan.Models.Sr.Upscaling;

public enum UpscaleEventKind
{
    /// <summary>A tile went through the model and was blended in.</summary>
    TileDone,
    /// <summary>The device ran out of memory: the tile was halved and the pass starts again.</summary>
    TileSizeReduced,
    /// <summary>A tile's output held NaN or infinity (broken weights?); those pixels come out black after clamping.</summary>
    NonFiniteOutput,
}

/// <summary>
/// One progress report. <see cref="Pass"/> names what is being upscaled ("color", "alpha", ...); <see cref="Tile"/>
/// counts from 1 to <see cref="TileCount"/> within the pass; <see cref="TileSize"/> is the tile edge in input pixels
/// now in use (after any halving). Reports arrive synchronously on the upscaling thread.
/// </summary>
public sealed record UpscaleProgress(UpscaleEventKind Kind, string Pass, int Tile, int TileCount, int TileSize, string Message);

/// <summary>How <see cref="TiledUpscaler"/> cuts an image.</summary>
public sealed record TiledUpscaleOptions
{
    /// <summary>Tile edge in input pixels (the part each tile is responsible for); 0 runs the whole image as one tile.</summary>
    public int Tile { get; init; }
    /// <summary>Context each tile reads beyond its own area on every side (clipped at the image border).</summary>
    public int TilePad { get; init; } = 10;
    /// <summary>Reflect-padding added on every side of the image before the model and cropped after it (Real-ESRGAN's pre_pad, on all four sides).</summary>
    public int PrePad { get; init; }
    /// <summary>
    /// The model needs heights and widths divisible by this (pixel-unshuffle models: 2 for x2, 4 for x1). The image is
    /// reflect-padded at the bottom and right up to a multiple, and every tile boundary and pad is a multiple of it.
    /// </summary>
    public int SizeMultiple { get; init; } = 1;
    /// <summary>Halving the tile on out-of-memory stops here: below it the error is rethrown.</summary>
    public int MinTile { get; init; } = 16;

    /// <summary>Host memory the whole-image output may take (its float planes and blend weights); null: what the
    /// runtime says this process may use. Tiles bound the model's memory, never the output's, so an output that does
    /// not fit is refused before any work.</summary>
    public long? HostMemoryLimitBytes { get; init; }
}

/// <summary>A planar (CHW) float image produced by the upscaler.</summary>
public sealed record UpscaledPlanes(float[] Data, int Channels, int Height, int Width);

/// <summary>
/// Runs a super-resolution model over an image tile by tile. Each tile is cut on the host, uploaded, run and
/// downloaded before the next, so the device never holds more than one tile and its activations.
/// <para>
/// Tiles partition the (padded) image into nearly equal cores of at most <see cref="TiledUpscaleOptions.Tile"/>
/// pixels. Neighbouring outputs are cross-faded with linear weights over a band of width <c>TilePad</c> centred on
/// their common boundary, and each tile reads <c>TilePad + ceil(TilePad / 2)</c> pixels of context on every side, so
/// every pixel a tile contributes to still has <c>TilePad</c> pixels of context beyond it (the model's zero padding
/// stays that far away): at least the context Real-ESRGAN's crop-and-paste tiles give the pixels beside a seam at the
/// same pad, and no hard seam remains. (Reading only <c>TilePad</c> made blending worse than crop-and-paste for deep
/// networks: tools/compare_tiling.py, TilingAgainstCropAndPasteTests.) When the model's receptive field reaches at
/// most <c>TilePad</c> input pixels the result equals the untiled one up to float rounding; beyond that, the fade
/// hides the difference instead of cutting along a line.
/// </para>
/// On an out-of-memory error the tile is halved, the event reported, and the image started again; the smaller tile
/// is kept for later images.
/// </summary>
public sealed class TiledUpscaler
{
    private readonly Func<Tensor, Tensor> model;

    /// <param name="model">Takes [1, C, h, w] in [0, 1] on <paramref name="device"/> and returns [1, C', h * scale, w * scale].</param>
    /// <param name="scale">The model's integer upscaling factor.</param>
    /// <param name="device">Where tiles are uploaded and the model runs.</param>
    public TiledUpscaler(Func<Tensor, Tensor> model, int scale, Device device, TiledUpscaleOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(device);
        options ??= new TiledUpscaleOptions();
        if (scale < 1) throw new ArgumentException($"TiledUpscaler: scale must be at least 1, got {scale}.");
        if (options.Tile < 0) throw new ArgumentException($"TiledUpscaler: tile must be 0 (whole image) or positive, got {options.Tile}.");
        if (options.TilePad < 0) throw new ArgumentException($"TiledUpscaler: tile pad must be 0 or more, got {options.TilePad}.");
        if (options.PrePad < 0) throw new ArgumentException($"TiledUpscaler: pre-pad must be 0 or more, got {options.PrePad}.");
        if (options.SizeMultiple < 1) throw new ArgumentException($"TiledUpscaler: size multiple must be at least 1, got {options.SizeMultiple}.");
        if (options.MinTile < 1) throw new ArgumentException($"TiledUpscaler: minimum tile must be at least 1, got {options.MinTile}.");
        this.model = model;
        Scale = scale;
        Device = device;
        Options = options;
        CurrentTile = options.Tile;
    }

    public int Scale { get; }
    public Device Device { get; }
    public TiledUpscaleOptions Options { get; }
    /// <summary>The tile edge in use: <see cref="TiledUpscaleOptions.Tile"/> until an out-of-memory error halved it (0 = whole image).</summary>
    public int CurrentTile { get; private set; }

    /// <summary>
    /// Upscales a planar image (<paramref name="channels"/> x <paramref name="height"/> x <paramref name="width"/>, values
    /// in [0, 1]). The result is the model's raw output (not clamped), <c>scale</c> times larger.
    /// </summary>
    public UpscaledPlanes Upscale(float[] planar, int channels, int height, int width,
        IProgress<UpscaleProgress>? progress = null, string pass = "image", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(planar);
        if (channels < 1 || height < 1 || width < 1)
            throw new ArgumentException($"TiledUpscaler.Upscale: channels, height and width must be positive, got {channels} x {height} x {width}.");
        if (planar.LongLength != (long)channels * height * width)
            throw new ArgumentException($"TiledUpscaler.Upscale: {channels} x {height} x {width} planes need {(long)channels * height * width} floats, got {planar.LongLength}.");

        CheckOutputFits(channels, height, width);
        var geometry = new Geometry(height, width, Options.PrePad, Options.SizeMultiple);
        int m = Options.SizeMultiple;
        int minTile = AlignDown(Math.Max(Options.MinTile, m), m);
        while (true)
        {
            int tile = CurrentTile > 0 ? CurrentTile : Math.Max(geometry.PaddedHeight, geometry.PaddedWidth);
            tile = Math.Max(m, AlignDown(tile, m));
            try
            {
                return Run(planar, channels, geometry, tile, progress, pass, cancellationToken);
            }
            catch (OutOfMemoryException e)
            {
                try { Device.EmptyCache(); } catch { /* the retry reports the real problem */ }
                int next = Math.Max(minTile, AlignDown(tile / 2, m));
                if (next >= tile)
                    throw new DeviceOutOfMemoryException(
                        $"Out of memory on {Device} ({Device.Name}) upscaling a {width} x {height} image even with {tile}-pixel tiles " +
                        $"(the minimum is {minTile}). Use a smaller model, another device, or free device memory.", e);
                CurrentTile = next;
                progress?.Report(new UpscaleProgress(UpscaleEventKind.TileSizeReduced, pass, 0, 0, next,
                    $"Out of memory on {Device} with {tile}-pixel tiles; retrying this image with {next}-pixel tiles."));
            }
        }
    }

    /// <summary>The output planes (as many channels as the input) and the blend weights live on the host whole, whatever
    /// the tile: when they cannot fit, say so now, not after the tile has been halved down to its minimum.</summary>
    private void CheckOutputFits(int channels, int height, int width)
    {
        long outPixels = (long)height * Scale * width * Scale;
        long need = 4L * outPixels * (channels + 1);
        long limit = Options.HostMemoryLimitBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (need > limit)
        {
            var c = System.Globalization.CultureInfo.InvariantCulture;
            string needGiB = (need / 1073741824.0).ToString("0.0", c), limitGiB = (limit / 1073741824.0).ToString("0.0", c);
            throw new InsufficientMemoryException(
                $"The {width * (long)Scale} x {height * (long)Scale} output image ({channels} channels) needs {needGiB} GiB of host memory " +
                $"for its planes and blend weights, more than the {limitGiB} GiB this process may use; smaller tiles do not help. " +
                "Upscale a smaller image, or a part of it.");
        }
    }

    private static int AlignDown(int v, int m) => Math.Max(0, v / m * m);

    /// <summary>The padded frame the tiles live in: the image at (Top, Left), reflect padding around it.</summary>
    internal readonly struct Geometry
    {
        public Geometry(int height, int width, int prePad, int multiple)
        {
            Height = height;
            Width = width;
            Top = Left = prePad;
            int h0 = height + 2 * prePad, w0 = width + 2 * prePad;
            PaddedHeight = h0 + (multiple - h0 % multiple) % multiple;
            PaddedWidth = w0 + (multiple - w0 % multiple) % multiple;
        }

        public int Height { get; }
        public int Width { get; }
        public int Top { get; }
        public int Left { get; }
        public int PaddedHeight { get; }
        public int PaddedWidth { get; }
    }

    /// <summary>
    /// Index of the source pixel for position <paramref name="i"/> of a line of <paramref name="n"/> pixels extended by
    /// reflection without repeating the edge (PyTorch's 'reflect'), folded again when the pad exceeds the line.
    /// </summary>
    public static int Reflect(int i, int n)
    {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - i;
    }

    /// <summary>Core boundaries along one axis: <c>count + 1</c> multiples of <paramref name="m"/> from 0 to length, cores at most <paramref name="tile"/> long.</summary>
    internal static int[] Boundaries(int length, int tile, int m)
    {
        int units = length / m, tileUnits = Math.Max(1, tile / m);
        int count = (units + tileUnits - 1) / tileUnits;
        var b = new int[count + 1];
        for (int k = 0; k <= count; k++) b[k] = (int)((long)k * units / count) * m;
        return b;
    }

    /// <summary>
    /// The blend weight along one axis for output pixel <paramref name="outIndex"/> (in padded output coordinates) of
    /// a tile whose core is [c0, c1) in input pixels: 1 inside, a linear fade of width <paramref name="ramp"/> centred
    /// on each boundary shared with a neighbour, 1 up to the image border on sides without one.
    /// </summary>
    internal static float Weight(int outIndex, int scale, int c0, int c1, bool lowNeighbour, bool highNeighbour, int ramp)
    {
        double u = (outIndex + 0.5) / scale;
        if (ramp == 0) return (!lowNeighbour || u >= c0) && (!highNeighbour || u < c1) ? 1f : 0f;
        double lo = lowNeighbour ? Math.Clamp((u - c0) / ramp + 0.5, 0, 1) : 1;
        double hi = highNeighbour ? Math.Clamp((c1 - u) / ramp + 0.5, 0, 1) : 1;
        return (float)Math.Min(lo, hi);
    }

    private UpscaledPlanes Run(float[] planar, int channels, Geometry g, int tile, IProgress<UpscaleProgress>? progress,
        string pass, CancellationToken ct)
    {
        int s = Scale, m = Options.SizeMultiple;
        int pad = (Options.TilePad + m - 1) / m * m;
        // Context read beyond the core: the fade reaches pad / 2 past the boundary and keeps pad of context beyond that.
        int reach = pad + ((pad + 1) / 2 + m - 1) / m * m;
        int outH = g.Height * s, outW = g.Width * s;
        int plane = g.Height * g.Width;
        var rowMap = new int[g.PaddedHeight];
        var colMap = new int[g.PaddedWidth];
        for (int y = 0; y < rowMap.Length; y++) rowMap[y] = Reflect(y - g.Top, g.Height);
        for (int x = 0; x < colMap.Length; x++) colMap[x] = Reflect(x - g.Left, g.Width);

        int[] by = Boundaries(g.PaddedHeight, tile, m), bx = Boundaries(g.PaddedWidth, tile, m);
        int ny = by.Length - 1, nx = bx.Length - 1, count = ny * nx;
        float[]? output = null;
        var weightSum = new float[(long)outH * outW];
        int outChannels = 0;

        for (int iy = 0; iy < ny; iy++)
        for (int ix = 0; ix < nx; ix++)
        {
            ct.ThrowIfCancellationRequested();
            int cy0 = by[iy], cy1 = by[iy + 1], cx0 = bx[ix], cx1 = bx[ix + 1];
            int ey0 = Math.Max(0, cy0 - reach), ey1 = Math.Min(g.PaddedHeight, cy1 + reach);
            int ex0 = Math.Max(0, cx0 - reach), ex1 = Math.Min(g.PaddedWidth, cx1 + reach);
            int th = ey1 - ey0, tw = ex1 - ex0;

            // Cut the tile on the host (reflect padding through the index maps), then run it.
            var input = new float[(long)channels * th * tw];
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < th; y++)
                {
                    int src = c * plane + rowMap[ey0 + y] * g.Width, dst = (c * th + y) * tw;
                    for (int x = 0; x < tw; x++) input[dst + x] = planar[src + colMap[ex0 + x]];
                }
            float[] result = RunModel(input, channels, th, tw, out int tileChannels);
            int nonFinite = 0;
            foreach (float v in result) if (!float.IsFinite(v)) nonFinite++;
            if (nonFinite > 0)
                progress?.Report(new UpscaleProgress(UpscaleEventKind.NonFiniteOutput, pass, iy * nx + ix + 1, count, tile,
                    $"{pass}: the model returned {nonFinite} NaN or infinite values in tile {iy * nx + ix + 1}/{count} " +
                    $"(input rows {ey0 - g.Top}..{ey1 - g.Top - 1}, columns {ex0 - g.Left}..{ex1 - g.Left - 1}); they come out black."));
            if (output == null)
            {
                outChannels = tileChannels;
                output = new float[(long)outChannels * outH * outW];
            }
            else if (tileChannels != outChannels)
                throw new InvalidOperationException(
                    $"TiledUpscaler: the model returned {tileChannels} channels for one tile and {outChannels} for another.");

            // Blend: weights along y and x for this tile's output rows/columns, kept to the cropped image.
            int oth = th * s, otw = tw * s;
            var wy = new float[oth];
            var wx = new float[otw];
            for (int y = 0; y < oth; y++) wy[y] = Weight(ey0 * s + y, s, cy0, cy1, iy > 0, iy < ny - 1, pad);
            for (int x = 0; x < otw; x++) wx[x] = Weight(ex0 * s + x, s, cx0, cx1, ix > 0, ix < nx - 1, pad);
            int xFirst = Math.Max(0, g.Left * s - ex0 * s), xLast = Math.Min(otw, outW + g.Left * s - ex0 * s);
            for (int y = 0; y < oth; y++)
            {
                float a = wy[y];
                int yo = ey0 * s + y - g.Top * s;
                if (a == 0f || yo < 0 || yo >= outH) continue;
                long wRow = (long)yo * outW - g.Left * s + ex0 * s;   // index of tile column 0 in the output row
                for (int x = xFirst; x < xLast; x++)
                {
                    float w = a * wx[x];
                    if (w != 0f) weightSum[wRow + x] += w;
                }
                for (int c = 0; c < outChannels; c++)
                {
                    long oRow = (long)c * outH * outW + wRow;
                    long tRow = ((long)c * oth + y) * otw;
                    for (int x = xFirst; x < xLast; x++)
                    {
                        float w = a * wx[x];
                        if (w != 0f) output[oRow + x] += w * result[tRow + x];
                    }
                }
            }
            int index = iy * nx + ix + 1;
            progress?.Report(new UpscaleProgress(UpscaleEventKind.TileDone, pass, index, count, tile,
                $"{pass}: tile {index}/{count} ({tw} x {th} pixels)"));
        }

        // Weights sum to 1 by construction; dividing also absorbs rounding.
        long planeOut = (long)outH * outW;
        for (int c = 0; c < outChannels; c++)
            for (long p = 0; p < planeOut; p++)
            {
                float ws = weightSum[p];
                if (ws > 0f) output![c * planeOut + p] /= ws;
            }
        return new UpscaledPlanes(output!, outChannels, outH, outW);
    }

    /// <summary>Uploads one tile, runs the model without recording a graph, downloads the output and frees everything.</summary>
    private float[] RunModel(float[] input, int channels, int h, int w, out int outChannels)
    {
        using var noGrad = Tensor.NoGrad();
        using var scope = Tensor.Scope();
        var x = Tensor.FromArray(input, new[] { 1, channels, h, w }, Device);
        var y = model(x);
        var shape = y.Shape;
        if (shape.Count != 4 || shape[0] != 1 || shape[2] != h * Scale || shape[3] != w * Scale)
            throw new InvalidOperationException(
                $"TiledUpscaler: the model returned [{string.Join(", ", shape)}] for a tile of [1, {channels}, {h}, {w}]; " +
                $"expected [1, C, {h * Scale}, {w * Scale}] for scale {Scale}.");
        outChannels = shape[1];
        return y.ToArray();
    }
}
