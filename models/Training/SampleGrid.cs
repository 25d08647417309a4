using StbImageWriteSharp;

namespace NativeGan.Models.Training;

/// <summary>
/// Saves a batch of images as one PNG grid, laid out like
/// <c>torchvision.utils.save_image(images, path, nrow, padding, normalize=True, value_range=(-1, 1))</c>.
/// </summary>
public static class SampleGrid
{
    /// <summary>
    /// Writes <paramref name="images"/> ([B, C, H, W], values in [-1, 1], C = 1 or 3) as a PNG grid with
    /// <paramref name="nrow"/> images per row and <paramref name="padding"/> black pixels around and between them.
    /// The picture is <c>((H + padding) * rows + padding) x ((W + padding) * min(nrow, B) + padding)</c> with
    /// <c>rows = ceil(B / min(nrow, B))</c>. Values are clamped to [-1, 1] and mapped to 0..255 as torchvision does
    /// (<c>(x + 1) / 2 * 255 + 0.5</c>, truncated); NaN becomes 0. A 3-channel batch is written as RGB, a 1-channel batch as
    /// an 8-bit grayscale PNG. The file is written atomically (temporary sibling file, then a rename).
    /// Unlike torchvision, a batch of one image is padded too, so the size formula holds for every batch.
    /// </summary>
    public static void Save(Tensor images, string path, int nrow = 8, int padding = 2)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var shape = images.Shape;
        string shapeText = "[" + string.Join(", ", shape) + "]";
        if (shape.Count != 4)
            throw new ArgumentException($"sample grid: expected images of shape [B, C, H, W], got {shapeText}.", nameof(images));
        int b = shape[0], c = shape[1], h = shape[2], w = shape[3];
        if (c != 1 && c != 3)
            throw new ArgumentException($"sample grid: expected 1 or 3 channels in [B, C, H, W], got {shapeText}.", nameof(images));
        if (b == 0 || h == 0 || w == 0)
            throw new ArgumentException($"sample grid: expected a non-empty batch of non-empty images, got {shapeText}.", nameof(images));
        if (nrow < 1)
            throw new ArgumentException($"sample grid: nrow must be at least 1, got {nrow} (images {shapeText}).", nameof(nrow));
        if (padding < 0)
            throw new ArgumentException($"sample grid: padding must be non-negative, got {padding} (images {shapeText}).", nameof(padding));

        int xmaps = Math.Min(nrow, b);
        int ymaps = (b + xmaps - 1) / xmaps;
        long gridH = (long)(h + padding) * ymaps + padding;
        long gridW = (long)(w + padding) * xmaps + padding;
        if (gridH * gridW * c > int.MaxValue)
            throw new ArgumentException($"sample grid: the grid for images {shapeText} would be {gridW}x{gridH} pixels, too large.", nameof(images));
        int gh = (int)gridH, gw = (int)gridW;

        float[] data = images.ToArray();
        var pixels = new byte[gh * gw * c]; // zero = black padding
        int plane = h * w;
        for (int k = 0; k < b; k++)
        {
            int top = (k / xmaps) * (h + padding) + padding;
            int left = (k % xmaps) * (w + padding) + padding;
            int imgBase = k * c * plane;
            for (int y = 0; y < h; y++)
            {
                int rowOut = ((top + y) * gw + left) * c;
                for (int x = 0; x < w; x++)
                {
                    int src = imgBase + y * w + x;
                    int dst = rowOut + x * c;
                    for (int ch = 0; ch < c; ch++)
                        pixels[dst + ch] = ToByte(data[src + ch * plane]);
                }
            }
        }

        using var ms = new MemoryStream(gh * gw * c / 2 + 1024);
        new ImageWriter().WritePng(pixels, gw, gh, c == 3 ? ColorComponents.RedGreenBlue : ColorComponents.Grey, ms);
        AtomicFile.WriteAllBytes(path, ms.GetBuffer().AsSpan(0, (int)ms.Length));
    }

    /// <summary>torchvision: clamp to [-1, 1], (x - low) / (high - low), then mul(255).add(0.5).clamp(0, 255).to(uint8).</summary>
    private static byte ToByte(float v)
    {
        if (float.IsNaN(v)) return 0;
        float n = (Math.Clamp(v, -1f, 1f) - -1f) / 2f;
        float s = n * 255f + 0.5f;
        return (byte)Math.Clamp(s, 0f, 255f);
    }
}
