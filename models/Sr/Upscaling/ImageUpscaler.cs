using NativeGan.Models.Data;
using NativeGan.Models.Imaging;

namespace NativeGan.Models.Sr.Upscaling;

/// <summary>How the alpha channel of a gray + alpha or RGBA image is upscaled.</summary>
public enum AlphaUpsampler
{
    /// <summary>Bicubic resampling (Keys, a = -0.5), clamped to [0, 1].</summary>
    Bicubic,
    /// <summary>Alpha replicated to the model's colour channels and run through the model (Real-ESRGAN's alpha_upsampler 'realesrgan').</summary>
    Model,
}

/// <summary>What <see cref="ImageUpscaler"/> does with one image, and how it writes it.</summary>
public sealed record UpscaleOptions
{
    /// <summary>Tile edge in input pixels; 0 runs the whole image at once (halved automatically on out-of-memory).</summary>
    public int Tile { get; init; }
    /// <summary>Context read around each tile, in input pixels; overlapping outputs are cross-faded over this width.</summary>
    public int TilePad { get; init; } = 10;
    /// <summary>Reflect padding around the whole image before the model (cropped after).</summary>
    public int PrePad { get; init; }
    /// <summary>Out-of-memory halving stops at this tile edge.</summary>
    public int MinTile { get; init; } = 16;
    public AlphaUpsampler AlphaUpsampler { get; init; } = AlphaUpsampler.Bicubic;
    /// <summary>JPEG quality for .jpg/.jpeg outputs.</summary>
    public int JpegQuality { get; init; } = 95;
    /// <summary>Bits per sample of a PNG output: null keeps the input's (16-bit in, 16-bit out).</summary>
    public int? OutputBitDepth { get; init; }
    /// <summary>Largest input or output, in pixels; checked from the header before decoding.</summary>
    public long MaxPixels { get; init; } = ImageIO.DefaultMaxPixels;
    /// <summary>
    /// Real-ESRGAN's outscale: the model's output resized with Lanczos (Pillow's, <see cref="PilResample"/>) to
    /// (int)(w * OutScale) x (int)(h * OutScale) of the input's w x h; null, or a size equal to the model's, keeps the model's output.
    /// </summary>
    public double? OutScale { get; init; }
}

/// <summary>
/// The whole upscaling of one image: gray goes through an RGB model replicated to three channels and comes back as
/// gray (Rec. 601 luma of the output), alpha is upscaled separately (bicubic, or by the model) and kept, 16-bit input
/// stays 16-bit to the output file without 8-bit rounding on the way, the output format follows the extension.
/// </summary>
public sealed class ImageUpscaler
{
    private readonly TiledUpscaler tiler;

    /// <param name="model">[1, modelChannels, h, w] in [0, 1] on <paramref name="device"/> to [1, modelChannels, h * scale, w * scale].</param>
    /// <param name="scale">The model's upscaling factor.</param>
    /// <param name="device">Where the model's weights live and tiles run.</param>
    /// <param name="modelChannels">Colour channels the model takes and returns: 3 (RGB) or 1 (gray).</param>
    /// <param name="sizeMultiple">Heights and widths the model needs divisible by (pixel-unshuffle: 2 at x2, 4 at x1).</param>
    public ImageUpscaler(Func<Tensor, Tensor> model, int scale, Device device, UpscaleOptions? options = null,
        int modelChannels = 3, int sizeMultiple = 1)
    {
        options ??= new UpscaleOptions();
        if (modelChannels is not 1 and not 3)
            throw new ArgumentException($"ImageUpscaler: the model must take 1 (gray) or 3 (RGB) channels, got {modelChannels}.");
        if (options.OutputBitDepth is not null and not 8 and not 16)
            throw new ArgumentException($"ImageUpscaler: output bit depth must be 8 or 16, got {options.OutputBitDepth}.");
        if (options.JpegQuality is < 1 or > 100)
            throw new ArgumentException($"ImageUpscaler: JPEG quality must be 1..100, got {options.JpegQuality}.");
        if (options.OutScale is double o && !(o > 0 && double.IsFinite(o)))
            throw new ArgumentException($"ImageUpscaler: the output scale must be a positive number, got {o}.");
        Options = options;
        ModelChannels = modelChannels;
        tiler = new TiledUpscaler(model, scale, device, new TiledUpscaleOptions
        {
            Tile = options.Tile,
            TilePad = options.TilePad,
            PrePad = options.PrePad,
            SizeMultiple = sizeMultiple,
            MinTile = options.MinTile,
        });
    }

    public UpscaleOptions Options { get; }
    public int Scale => tiler.Scale;
    public Device Device => tiler.Device;
    public int ModelChannels { get; }
    /// <summary>The tile edge now in use (0 = whole image); smaller than <see cref="UpscaleOptions.Tile"/> after an out-of-memory retry.</summary>
    public int CurrentTile => tiler.CurrentTile;

    /// <summary>
    /// Reads <paramref name="inputPath"/>, upscales it and writes <paramref name="outputPath"/> (format from its extension).
    /// The input's header is checked (size, upscaled size, whether the output format can hold it) before anything is
    /// decoded or run. Returns the header of the input.
    /// </summary>
    public ImageHeader UpscaleFile(string inputPath, string outputPath, IProgress<UpscaleProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var header = ImageIO.ReadHeader(inputPath);
        ImageIO.CheckSize(header, Scale, Options.MaxPixels);
        var (outW, outH) = OutputSize(header.Width, header.Height, inputPath);
        ImageIO.CheckWritable(outputPath, outW, outH, header.Channels);
        var image = ImageIO.Decode(header);
        var result = Upscale(image, progress, cancellationToken);
        if (result.Width != outW || result.Height != outH) result = PilResample.Lanczos(result, outW, outH);
        ImageIO.Write(outputPath, result, new ImageWriteOptions { JpegQuality = Options.JpegQuality, BitDepth = Options.OutputBitDepth });
        return header;
    }

    /// <summary>
    /// The size of the written image for a <paramref name="width"/> x <paramref name="height"/> input: the model's
    /// scale, or (int)(w * OutScale) x (int)(h * OutScale) as Real-ESRGAN truncates it.
    /// </summary>
    /// <exception cref="ImageTooLargeException">That size is empty or over <see cref="UpscaleOptions.MaxPixels"/>.</exception>
    public (int Width, int Height) OutputSize(int width, int height, string source = "<memory>")
    {
        if (Options.OutScale is not double o) return (width * Scale, height * Scale);
        double w = Math.Floor(width * o), h = Math.Floor(height * o);
        if (w < 1 || h < 1 || w * h > Options.MaxPixels)
            throw new ImageTooLargeException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{source}: {width} x {height} at outscale {o} would be {w} x {h} pixels; expected at least 1 x 1 and at most {Options.MaxPixels} pixels."),
                source, width, height, Scale, Options.MaxPixels);
        return ((int)w, (int)h);
    }

    /// <summary>Upscales a decoded image; the result has the same channels and bit depth, values clamped to [0, 1].</summary>
    public ImageData Upscale(ImageData image, IProgress<UpscaleProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        int s = Scale, h = image.Height, w = image.Width, plane = h * w;
        long outPixels = (long)w * s * h * s;
        if (outPixels > Options.MaxPixels || outPixels * image.Channels > Array.MaxLength)
            throw new ImageTooLargeException(
                $"{image.Source}: {w} x {h} upscaled x{s} would be {(long)w * s} x {(long)h * s} = {outPixels} pixels, over the limit of {Options.MaxPixels}.",
                image.Source, w, h, s, Options.MaxPixels);
        int colors = image.ColorChannels;
        if (colors == 3 && ModelChannels == 1)
            throw new ArgumentException($"{image.Source}: an RGB image cannot go through a model that takes 1 (gray) channel.");

        // Colour: gray through an RGB model is gray replicated to three channels.
        float[] color = image.CopyPlanes(0, colors);
        float[] colorOut = RunPlanes(color, colors, h, w, "color", progress, cancellationToken);
        long outPlane = outPixels;
        float[] planar = colorOut; // no alpha: the colour planes are the result (no copy of a large output)
        if (image.HasAlpha)
        {
            planar = new float[outPlane * image.Channels];
            Array.Copy(colorOut, planar, outPlane * colors);
        }

        if (image.HasAlpha)
        {
            float[] alpha = image.CopyPlanes(colors, 1);
            float[] alphaOut = Options.AlphaUpsampler == AlphaUpsampler.Model
                ? RunPlanes(alpha, 1, h, w, "alpha", progress, cancellationToken)
                : ImageResize.Resize(alpha, 1, h, w, h * s, w * s, ResizeFilter.Bicubic);
            Array.Copy(alphaOut, 0, planar, outPlane * colors, outPlane);
        }
        for (long i = 0; i < planar.LongLength; i++)
        {
            float v = planar[i];
            planar[i] = v > 0f ? (v < 1f ? v : 1f) : 0f; // NaN -> 0
        }
        return new ImageData(w * s, h * s, image.Channels, image.BitDepth, planar, image.Source);
    }

    /// <summary>
    /// Runs <paramref name="channels"/> planes (1 or 3) through the model, replicating one plane to the model's three
    /// channels when needed and folding three output channels back to one (Rec. 601 luma, as OpenCV's BGR2GRAY).
    /// Returns <paramref name="channels"/> upscaled planes.
    /// </summary>
    private float[] RunPlanes(float[] planes, int channels, int h, int w, string pass, IProgress<UpscaleProgress>? progress,
        CancellationToken ct)
    {
        int plane = h * w;
        float[] input = planes;
        if (channels == 1 && ModelChannels == 3)
        {
            input = new float[3L * plane];
            for (int c = 0; c < 3; c++) Array.Copy(planes, 0, input, (long)c * plane, plane);
        }
        var result = tiler.Upscale(input, ModelChannels, h, w, progress, pass, ct);
        if (result.Channels == channels) return result.Data;
        long op = (long)result.Height * result.Width;
        if (channels == 1 && result.Channels == 3)
        {
            var gray = new float[op];
            var d = result.Data;
            for (long p = 0; p < op; p++) gray[p] = 0.299f * d[p] + 0.587f * d[op + p] + 0.114f * d[2 * op + p];
            return gray;
        }
        throw new InvalidOperationException(
            $"ImageUpscaler: the model returned {result.Channels} channels for {ModelChannels} in; expected {ModelChannels}.");
    }
}
