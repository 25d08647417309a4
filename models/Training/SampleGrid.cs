using NativeGan.Models.Imaging;
using StbImageWriteSharp;

namespace NativeGan.Models.Training;

/// <summary>Text around a sample grid: a label left of each row and/or a header above each column (null or
/// missing entries draw nothing).</summary>
public sealed record GridLabels(IReadOnlyList<string?>? Rows = null, IReadOnlyList<string?>? Columns = null)
{
    internal bool HasRows => Rows is { Count: > 0 } && Rows.Any(t => !string.IsNullOrEmpty(t));
    internal bool HasColumns => Columns is { Count: > 0 } && Columns.Any(t => !string.IsNullOrEmpty(t));
}

/// <summary>
/// Where everything of a sample grid lies, in output pixels: the torchvision grid scaled by <see cref="Scale"/>
/// (nearest neighbour, padding included) starts at (<see cref="LabelWidth"/>, <see cref="HeaderHeight"/>); the
/// row labels fill the band left of it, the column headers the band above it, drawn at <see cref="FontScale"/>.
/// </summary>
public sealed record GridLayout(int Rows, int Columns, int ImageHeight, int ImageWidth, int Padding, int Scale,
    int FontScale, int LabelWidth, int HeaderHeight, int Width, int Height)
{
    /// <summary>Left edge of column <paramref name="column"/>'s images.</summary>
    public int TileLeft(int column) => LabelWidth + (Padding + column * (ImageWidth + Padding)) * Scale;
    /// <summary>Top edge of row <paramref name="row"/>'s images.</summary>
    public int TileTop(int row) => HeaderHeight + (Padding + row * (ImageHeight + Padding)) * Scale;
    /// <summary>Space around label text, in output pixels.</summary>
    public int Margin => 3 * FontScale;
}

/// <summary>
/// Saves a batch of images as one PNG grid, laid out like
/// <c>torchvision.utils.save_image(images, path, nrow, padding, normalize=True, value_range=(-1, 1))</c>, optionally
/// enlarged by an integer factor (nearest neighbour, so every generated pixel stays a crisp square) and labelled with
/// a bitmap font in bands left of the rows and above the columns.
/// </summary>
public static class SampleGrid
{
    /// <summary><see cref="SaveReadable"/> enlarges a grid until it is at least this many pixels wide.</summary>
    public const int MinReadableWidth = 512;
    /// <summary>The largest enlargement <see cref="ReadableScale"/> picks.</summary>
    public const int MaxReadableScale = 16;

    /// <summary>
    /// Writes <paramref name="images"/> ([B, C, H, W], values in [-1, 1], C = 1 or 3) as a PNG grid with
    /// <paramref name="nrow"/> images per row and <paramref name="padding"/> black pixels around and between them.
    /// Unscaled and unlabelled, the picture is <c>((H + padding) * rows + padding) x ((W + padding) * min(nrow, B) + padding)</c>
    /// with <c>rows = ceil(B / min(nrow, B))</c>; <paramref name="scale"/> multiplies both, and <paramref name="labels"/>
    /// add black bands with white text (see <see cref="Plan"/>). Values are clamped to [-1, 1] and mapped to 0..255 as
    /// torchvision does (<c>(x + 1) / 2 * 255 + 0.5</c>, truncated); NaN becomes 0. A 3-channel batch is written as RGB,
    /// a 1-channel batch as an 8-bit grayscale PNG. The file is written atomically (temporary sibling file, then a rename).
    /// Unlike torchvision, a batch of one image is padded too, so the size formula holds for every batch.
    /// </summary>
    public static void Save(Tensor images, string path, int nrow = 8, int padding = 2, int scale = 1, GridLabels? labels = null)
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
        var layout = Plan(b, h, w, nrow, padding, scale, labels, shapeText);
        if ((long)layout.Width * layout.Height * c > int.MaxValue)
            throw new ArgumentException($"sample grid: the grid for images {shapeText} would be {layout.Width}x{layout.Height} pixels, too large.", nameof(images));
        int gw = layout.Width, gh = layout.Height;

        float[] data = images.ToArray();
        var pixels = new byte[gh * gw * c]; // zero = black padding and label bands
        int plane = h * w;
        for (int k = 0; k < b; k++)
        {
            int top = layout.TileTop(k / layout.Columns);
            int left = layout.TileLeft(k % layout.Columns);
            int imgBase = k * c * plane;
            for (int y = 0; y < h * scale; y++)
            {
                int rowOut = ((top + y) * gw + left) * c;
                int rowIn = imgBase + y / scale * w;
                for (int x = 0; x < w * scale; x++)
                {
                    int src = rowIn + x / scale;
                    int dst = rowOut + x * c;
                    for (int ch = 0; ch < c; ch++)
                        pixels[dst + ch] = ToByte(data[src + ch * plane]);
                }
            }
        }
        if (labels != null) DrawLabels(pixels, c, layout, labels);

        using var ms = new MemoryStream(gh * gw * c / 2 + 1024);
        new ImageWriter().WritePng(pixels, gw, gh, c == 3 ? ColorComponents.RedGreenBlue : ColorComponents.Grey, ms);
        AtomicFile.WriteAllBytes(path, ms.GetBuffer().AsSpan(0, (int)ms.Length));
    }

    /// <summary>
    /// <see cref="Save"/> enlarged by <see cref="ReadableScale"/>, so small samples (28x28 Fashion-MNIST, a ProGAN
    /// at 8x8) can be looked at without zooming.
    /// </summary>
    public static void SaveReadable(Tensor images, string path, int nrow = 8, GridLabels? labels = null, int padding = 2)
    {
        ArgumentNullException.ThrowIfNull(images);
        var shape = images.Shape;
        int columns = shape.Count == 4 ? Math.Min(Math.Max(nrow, 1), Math.Max(shape[0], 1)) : 1;
        int scale = shape.Count == 4 ? ReadableScale(shape[3], columns, Math.Max(padding, 0)) : 1;
        Save(images, path, nrow, padding, scale, labels);
    }

    /// <summary>
    /// The smallest integer factor that makes a grid of <paramref name="columns"/> images <paramref name="imageWidth"/>
    /// pixels wide (with <paramref name="padding"/>) at least <see cref="MinReadableWidth"/> pixels wide; at most
    /// <see cref="MaxReadableScale"/>, and 1 for a grid that is wide enough already.
    /// </summary>
    public static int ReadableScale(int imageWidth, int columns, int padding)
    {
        if (imageWidth < 1 || columns < 1 || padding < 0)
            throw new ArgumentException($"sample grid: expected a positive image width and column count and a non-negative padding, got {imageWidth}, {columns} and {padding}.");
        long gridWidth = (long)(imageWidth + padding) * columns + padding;
        return (int)Math.Clamp((MinReadableWidth + gridWidth - 1) / gridWidth, 1, MaxReadableScale);
    }

    /// <summary>
    /// The layout <see cref="Save"/> draws for <paramref name="count"/> images of <paramref name="height"/> x
    /// <paramref name="width"/>. The font scale is 1 for tiles under 48 pixels high (after scaling), 2 under 160, else 3,
    /// lowered until every column header fits its column (a header that does not fit even at 1 is cut at the column's
    /// right edge). The row label band is as wide as the longest label plus a margin on each side; the header band is
    /// one line of text plus margins.
    /// </summary>
    public static GridLayout Plan(int count, int height, int width, int nrow = 8, int padding = 2, int scale = 1, GridLabels? labels = null) =>
        Plan(count, height, width, nrow, padding, scale, labels, $"[{count}, C, {height}, {width}]");

    private static GridLayout Plan(int b, int h, int w, int nrow, int padding, int scale, GridLabels? labels, string shapeText)
    {
        if (b <= 0 || h <= 0 || w <= 0)
            throw new ArgumentException($"sample grid: expected a non-empty batch of non-empty images, got {shapeText}.", "images");
        if (nrow < 1)
            throw new ArgumentException($"sample grid: nrow must be at least 1, got {nrow} (images {shapeText}).", nameof(nrow));
        if (padding < 0)
            throw new ArgumentException($"sample grid: padding must be non-negative, got {padding} (images {shapeText}).", nameof(padding));
        if (scale < 1)
            throw new ArgumentException($"sample grid: scale must be at least 1, got {scale} (images {shapeText}).", nameof(scale));
        int xmaps = Math.Min(nrow, b);
        int ymaps = (b + xmaps - 1) / xmaps;
        if (labels?.Rows != null && labels.Rows.Count > ymaps)
            throw new ArgumentException($"sample grid: {labels.Rows.Count} row labels for a grid of {ymaps} rows (images {shapeText}, {xmaps} per row).", nameof(labels));
        if (labels?.Columns != null && labels.Columns.Count > xmaps)
            throw new ArgumentException($"sample grid: {labels.Columns.Count} column headers for a grid of {xmaps} columns (images {shapeText}).", nameof(labels));
        long gridH = ((long)(h + padding) * ymaps + padding) * scale;
        long gridW = ((long)(w + padding) * xmaps + padding) * scale;
        if (gridH > int.MaxValue / 4 || gridW > int.MaxValue / 4)
            throw new ArgumentException($"sample grid: the grid for images {shapeText} would be {gridW}x{gridH} pixels, too large.", "images");

        int tileH = h * scale;
        int fontScale = tileH < 48 ? 1 : tileH < 160 ? 2 : 3;
        int columnSpan = (w + padding) * scale;
        if (labels?.HasColumns == true)
            while (fontScale > 1 && labels.Columns!.Any(t => BitmapFont.MeasureWidth(t ?? "", fontScale) > columnSpan)) fontScale--;
        int margin = 3 * fontScale;
        int labelWidth = labels?.HasRows == true
            ? labels.Rows!.Max(t => BitmapFont.MeasureWidth(t ?? "", fontScale)) + 2 * margin
            : 0;
        int headerHeight = labels?.HasColumns == true ? BitmapFont.MeasureHeight(fontScale) + 2 * margin : 0;
        return new GridLayout(ymaps, xmaps, h, w, padding, scale, fontScale, labelWidth, headerHeight,
            labelWidth + (int)gridW, headerHeight + (int)gridH);
    }

    /// <summary>Row labels left-aligned in their band and centred on their row; headers centred over their column.</summary>
    private static void DrawLabels(byte[] pixels, int channels, GridLayout l, GridLabels labels)
    {
        int textH = BitmapFont.MeasureHeight(l.FontScale);
        int tileH = l.ImageHeight * l.Scale, tileW = l.ImageWidth * l.Scale;
        if (labels.Rows != null)
            for (int r = 0; r < labels.Rows.Count; r++)
            {
                string? text = labels.Rows[r];
                if (string.IsNullOrEmpty(text)) continue;
                BitmapFont.Draw(pixels, l.Width, l.Height, channels, text, l.Margin, l.TileTop(r) + (tileH - textH) / 2, l.FontScale);
            }
        if (labels.Columns != null)
            for (int col = 0; col < labels.Columns.Count; col++)
            {
                string? text = labels.Columns[col];
                if (string.IsNullOrEmpty(text)) continue;
                int textW = BitmapFont.MeasureWidth(text, l.FontScale);
                int left = Math.Max(l.TileLeft(col) + (tileW - textW) / 2, l.TileLeft(col) - l.Padding * l.Scale);
                int right = l.TileLeft(col) + tileW + l.Padding * l.Scale;
                BitmapFont.Draw(pixels, l.Width, l.Height, channels, text, left, l.Margin, l.FontScale, clipRight: right);
            }
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
