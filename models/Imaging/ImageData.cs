namespace NativeGan.Models.Imaging;

/// <summary>
/// A decoded image as planar floats in [0, 1]: channel c, row y, column x at <c>Planar[(c * Height + y) * Width + x]</c>.
/// Channels are gray (1), gray + alpha (2), RGB (3) or RGBA (4); alpha, when present, is the last plane.
/// <see cref="BitDepth"/> is what the file stored per sample (8 or 16) and what a write keeps by default.
/// </summary>
public sealed class ImageData
{
    public ImageData(int width, int height, int channels, int bitDepth, float[] planar, string? source = null)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentException($"ImageData: width and height must be positive, got {width} x {height}.");
        if (channels is < 1 or > 4)
            throw new ArgumentException($"ImageData: channels must be 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA), got {channels}.");
        if (bitDepth is not 8 and not 16)
            throw new ArgumentException($"ImageData: bit depth must be 8 or 16, got {bitDepth}.");
        ArgumentNullException.ThrowIfNull(planar);
        long expected = (long)channels * width * height;
        if (planar.LongLength != expected)
            throw new ArgumentException(
                $"ImageData: {channels} x {height} x {width} planes need {expected} floats, got {planar.LongLength}.");
        Width = width;
        Height = height;
        Channels = channels;
        BitDepth = bitDepth;
        Planar = planar;
        Source = source ?? "<memory>";
    }

    public int Width { get; }
    public int Height { get; }
    /// <summary>1 gray, 2 gray + alpha, 3 RGB, 4 RGBA.</summary>
    public int Channels { get; }
    /// <summary>Bits per sample in the file it came from (8 or 16); writes keep it unless told otherwise.</summary>
    public int BitDepth { get; }
    /// <summary>Planar samples in [0, 1], channel-major (CHW).</summary>
    public float[] Planar { get; }
    /// <summary>The file this image was read from (or "&lt;memory&gt;"), for error messages.</summary>
    public string Source { get; }

    public bool HasAlpha => Channels is 2 or 4;
    /// <summary>Channels without the alpha plane: 1 (gray) or 3 (RGB).</summary>
    public int ColorChannels => HasAlpha ? Channels - 1 : Channels;
    public int PlaneSize => Width * Height;

    /// <summary>A copy of planes [first, first + count).</summary>
    public float[] CopyPlanes(int first, int count)
    {
        if (first < 0 || count < 0 || first + count > Channels)
            throw new ArgumentOutOfRangeException(nameof(first), $"ImageData.CopyPlanes: planes [{first}, {first + count}) of an image with {Channels} channels.");
        return Planar.AsSpan(first * PlaneSize, count * PlaneSize).ToArray();
    }

    /// <summary>"RGBA", "RGB", "gray + alpha" or "gray".</summary>
    public static string ModeName(int channels) => channels switch
    {
        1 => "gray",
        2 => "gray + alpha",
        3 => "RGB",
        4 => "RGBA",
        _ => $"{channels} channels",
    };

    public override string ToString() => $"{Source}: {Width} x {Height} {ModeName(Channels)}, {BitDepth}-bit";
}
