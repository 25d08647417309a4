using NativeGan.Models.ImageToImage;

namespace NativeGan.Tests.ImageToImage;

internal static class I2iTestUtil
{
    /// <summary>tests/fixtures/srdata/images: astronaut 96x96, chelsea 96x80, coffee 90x75 (skimage data, public domain).</summary>
    public static string Photos => Path.Combine(AppContext.BaseDirectory, "fixtures", "srdata", "images");

    /// <summary>One real edges -> photo pair: the astronaut photo center-cropped square, resized to size x size, and
    /// its Sobel edge map computed by the engine (1 channel).</summary>
    public static (I2iImage Edges, I2iImage Photo) AstronautPair(int size)
    {
        var photo = I2iFiles.SquareCrop(I2iImage.Read(Path.Combine(Photos, "astronaut.png"), 3));
        var resized = Models.Data.ImageResize.Resize(photo.Planar, 3, photo.Height, photo.Width, size, size, Models.Data.ResizeFilter.Bicubic)
            .Select(v => Math.Clamp(v, 0f, 1f)).ToArray();
        var small = new I2iImage(resized, 3, size, size, photo.Source);
        return (EdgeFilter.EdgeImage(small, 1), small);
    }
}
