namespace NativeGan.Models.Imaging;

/// <summary>
/// An image whose decoded (or upscaled) size is over the limit. Thrown from the header, before any pixel is decoded
/// or any device memory is taken; the message gives the file, the dimensions and the limit.
/// </summary>
public sealed class ImageTooLargeException : IOException
{
    public ImageTooLargeException(string message, string path, int width, int height, int scale, long limitPixels)
        : base(message)
    {
        Path = path;
        Width = width;
        Height = height;
        Scale = scale;
        LimitPixels = limitPixels;
    }

    public string Path { get; }
    /// <summary>The input's width and height (before any upscaling).</summary>
    public int Width { get; }
    public int Height { get; }
    /// <summary>The upscaling factor the check was made for (1: decoding only).</summary>
    public int Scale { get; }
    public long LimitPixels { get; }
}
