using NativeGan.Models.Imaging;
using NativeGan.Models.Training;
using NativeGan.Tests.Data;
using StbImageSharp;

namespace NativeGan.Tests.Training;

public class LabelledGridTests
{
    private static ImageResult Decode(string path) =>
        ImageResult.FromMemory(File.ReadAllBytes(path), ColorComponents.Default);

    private static int Pixel(ImageResult img, int x, int y, int ch = 0) => img.Data[(y * img.Width + x) * (int)img.Comp + ch];

    /// <summary>Images [B, C, H, W]; pixel (y, x) of image k is value(k, y, x) in every channel.</summary>
    private static Tensor Batch(int b, int c, int h, int w, Func<int, int, int, float> value)
    {
        var data = new float[b * c * h * w];
        for (int k = 0; k < b; k++)
        for (int ch = 0; ch < c; ch++)
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            data[((k * c + ch) * h + y) * w + x] = value(k, y, x);
        return Tensor.FromArray(data, new[] { b, c, h, w }, Device.Cpu);
    }

    [Theory]
    [InlineData(28, 8, 2, 3)]    // Fashion-MNIST: 242 pixels -> 726
    [InlineData(8, 8, 2, 7)]     // ProGAN at 8x8: 82 -> 574
    [InlineData(16, 8, 2, 4)]    // 146 -> 584
    [InlineData(64, 8, 2, 1)]    // 530 is wide enough
    [InlineData(1, 1, 0, 16)]    // capped
    public void Readable_scale_is_the_smallest_integer_reaching_512_pixels(int width, int columns, int padding, int expected)
    {
        int scale = SampleGrid.ReadableScale(width, columns, padding);
        Assert.Equal(expected, scale);
        int grid = (width + padding) * columns + padding;
        if (scale < SampleGrid.MaxReadableScale) Assert.True(grid * scale >= SampleGrid.MinReadableWidth);
        if (scale > 1) Assert.True(grid * (scale - 1) < SampleGrid.MinReadableWidth);
    }

    [Fact]
    public void Enlarged_grid_repeats_every_pixel_scale_times()
    {
        // 3 images of 4x5 with a distinct value per pixel, 2 per row, padding 1, scale 3.
        int b = 3, h = 4, w = 5, pad = 1, scale = 3;
        using var images = Batch(b, 1, h, w, (k, y, x) => -1f + 2f * (k * 20 + y * 5 + x) / 59f);
        using var dir = new TempDir();
        string path = dir.File("grid.png");
        SampleGrid.Save(images, path, nrow: 2, padding: pad, scale: scale);
        var img = Decode(path);
        Assert.Equal(((w + pad) * 2 + pad) * scale, img.Width);
        Assert.Equal(((h + pad) * 2 + pad) * scale, img.Height);
        for (int k = 0; k < b; k++)
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            float v = -1f + 2f * (k * 20 + y * 5 + x) / 59f;
            int expected = (int)((v + 1f) / 2f * 255f + 0.5f);
            int top = ((k / 2) * (h + pad) + pad + y) * scale, left = ((k % 2) * (w + pad) + pad + x) * scale;
            for (int dy = 0; dy < scale; dy++)
            for (int dx = 0; dx < scale; dx++)
                Assert.Equal(expected, Pixel(img, left + dx, top + dy));
        }
        Assert.Equal(0, Pixel(img, 0, 0));                    // padding stays black, enlarged too
        Assert.Equal(0, Pixel(img, pad * scale - 1, img.Height - 1));
    }

    [Fact]
    public void Glyphs_render_their_bitmaps()
    {
        // 'T': a full top row and a centre column; 'L': a left column and a full bottom row; ' ' has no ink.
        for (int x = 0; x < 5; x++) Assert.True(BitmapFont.IsInk('T', x, 0));
        for (int y = 0; y < 7; y++) Assert.True(BitmapFont.IsInk('T', 2, y));
        Assert.False(BitmapFont.IsInk('T', 0, 3));
        for (int y = 0; y < 7; y++) Assert.True(BitmapFont.IsInk('L', 0, y));
        for (int x = 0; x < 5; x++) Assert.True(BitmapFont.IsInk('L', x, 6));
        Assert.False(BitmapFont.IsInk('L', 4, 0));
        for (int x = 0; x < 5; x++) for (int y = 0; y < 7; y++) Assert.False(BitmapFont.IsInk(' ', x, y));
        // Every printable character but the space has ink, and no two of the letters and digits look the same.
        var shapes = new HashSet<string>();
        for (char c = '!'; c <= '~'; c++)
        {
            var bits = string.Concat(Enumerable.Range(0, 35).Select(i => BitmapFont.IsInk(c, i % 5, i / 5) ? '#' : '.'));
            Assert.Contains('#', bits);
            if (char.IsLetterOrDigit(c)) Assert.True(shapes.Add(bits), $"'{c}' has the same glyph as another character");
        }
        // Unknown characters draw as '?'.
        Assert.True(Enumerable.Range(0, 35).All(i => BitmapFont.IsInk('é', i % 5, i / 5) == BitmapFont.IsInk('?', i % 5, i / 5)));
    }

    [Fact]
    public void Drawn_text_matches_the_glyphs_at_its_scale()
    {
        int width = 40, height = 20, scale = 2;
        var pixels = new byte[width * height * 3];
        int inked = BitmapFont.Draw(pixels, width, height, 3, "Hi", 1, 2, scale, value: 200);
        Assert.Equal(BitmapFont.MeasureWidth("Hi", scale), (2 * 6 - 1) * 2);
        int expectedInk = 0;
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            int gx = (x - 1) / scale, gy = (y - 2) / scale;
            bool ink = x >= 1 && y >= 2 && gy < 7 && gx < 12 && gx % 6 < 5 && BitmapFont.IsInk("Hi"[gx / 6], gx % 6, gy);
            if (ink) expectedInk++;
            for (int ch = 0; ch < 3; ch++) Assert.Equal(ink ? 200 : 0, pixels[(y * width + x) * 3 + ch]);
        }
        Assert.Equal(expectedInk, inked);
        Assert.True(inked > 0);
    }

    [Fact]
    public void Row_labels_and_column_headers_are_drawn_in_their_bands()
    {
        // A CGAN-like grid: 2 rows of 3 mid-grey 28x28 images, labelled by class and by column.
        int b = 6, h = 28, w = 28;
        using var images = Batch(b, 1, h, w, (_, _, _) => 0f); // 0 -> grey 128
        var labels = new GridLabels(new[] { "T-shirt/top", "Ankle boot" }, new[] { "cat 0", "cat 1", "cat 2" });
        using var dir = new TempDir();
        string path = dir.File("labelled.png");
        SampleGrid.SaveReadable(images, path, nrow: 3, labels: labels);

        int scale = SampleGrid.ReadableScale(w, 3, 2);
        Assert.Equal(6, scale);                        // 92 pixels wide -> 552
        var layout = SampleGrid.Plan(b, h, w, 3, 2, scale, labels);
        Assert.Equal(3, layout.FontScale);            // tiles 168 high; "cat 0" (87 pixels) fits its 180-pixel column
        var img = Decode(path);
        Assert.Equal((layout.Width, layout.Height), (img.Width, img.Height));
        Assert.Equal(BitmapFont.MeasureWidth("T-shirt/top", layout.FontScale) + 2 * layout.Margin, layout.LabelWidth);
        Assert.Equal(((w + 2) * 3 + 2) * scale + layout.LabelWidth, img.Width);
        Assert.Equal(((h + 2) * 2 + 2) * scale + layout.HeaderHeight, img.Height);

        // Each row label's ink lies where its text was drawn: left margin, centred on the row.
        int textH = BitmapFont.MeasureHeight(layout.FontScale);
        for (int r = 0; r < 2; r++)
        {
            string text = labels.Rows![r]!;
            int top = layout.TileTop(r) + (h * scale - textH) / 2;
            AssertText(img, text, layout.Margin, top, layout.FontScale);
        }
        for (int c = 0; c < 3; c++)
        {
            string text = labels.Columns![c]!;
            int left = layout.TileLeft(c) + (w * scale - BitmapFont.MeasureWidth(text, layout.FontScale)) / 2;
            AssertText(img, text, left, layout.Margin, layout.FontScale);
        }
        // The bands hold nothing but the text: black below the row labels' lines and above/right of the headers.
        Assert.Equal(0, Pixel(img, 1, img.Height - 1));
        Assert.Equal(0, Pixel(img, img.Width - 1, 0));
        // Images sit where the layout says.
        Assert.Equal(128, Pixel(img, layout.TileLeft(2), layout.TileTop(1)));
        Assert.Equal(128, Pixel(img, layout.TileLeft(0) + w * scale - 1, layout.TileTop(0) + h * scale - 1));
        Assert.Equal(0, Pixel(img, layout.TileLeft(0) - 1, layout.TileTop(0)));
    }

    /// <summary>Every pixel of the text's box is white where its glyph has ink and black elsewhere.</summary>
    private static void AssertText(ImageResult img, string text, int left, int top, int scale)
    {
        int ink = 0;
        for (int y = 0; y < 7 * scale; y++)
        for (int x = 0; x < BitmapFont.MeasureWidth(text, scale); x++)
        {
            int gx = x / scale, gy = y / scale;
            bool expected = gx % 6 < 5 && BitmapFont.IsInk(text[gx / 6], gx % 6, gy);
            Assert.True((expected ? 255 : 0) == Pixel(img, left + x, top + y), $"'{text}' pixel ({x}, {y}) at ({left}, {top})");
            if (expected) ink++;
        }
        Assert.True(ink > 0, $"'{text}' drew no ink");
    }

    [Fact]
    public void Headers_too_wide_for_their_column_shrink_the_font_then_are_cut_at_the_column()
    {
        // 8x8 tiles at scale 1: "a very long header" does not fit 10 pixels even at font scale 1.
        using var images = Batch(2, 3, 8, 8, (_, _, _) => -1f);
        var labels = new GridLabels(Columns: new[] { "a very long header", null });
        using var dir = new TempDir();
        string path = dir.File("narrow.png");
        SampleGrid.Save(images, path, nrow: 2, padding: 2, scale: 1, labels: labels);
        var layout = SampleGrid.Plan(2, 8, 8, 2, 2, 1, labels);
        Assert.Equal(1, layout.FontScale);
        var img = Decode(path);
        Assert.Equal(layout.Width, img.Width);
        int rightOfFirstColumn = layout.TileLeft(0) + 8 + 2;
        for (int y = 0; y < layout.HeaderHeight; y++)
        for (int x = rightOfFirstColumn; x < img.Width; x++)
            Assert.Equal(0, Pixel(img, x, y));
        Assert.Contains(Enumerable.Range(0, layout.HeaderHeight * rightOfFirstColumn), i => Pixel(img, i % rightOfFirstColumn, i / rightOfFirstColumn) == 255);
    }

    [Fact]
    public void Too_many_labels_are_rejected()
    {
        using var images = Batch(4, 1, 4, 4, (_, _, _) => 0f);
        using var dir = new TempDir();
        var ex = Assert.Throws<ArgumentException>(() => SampleGrid.Save(images, dir.File("x.png"), nrow: 2, labels: new GridLabels(new[] { "a", "b", "c" })));
        Assert.Contains("3 row labels for a grid of 2 rows", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => SampleGrid.Save(images, dir.File("x.png"), nrow: 2, labels: new GridLabels(Columns: new[] { "a", "b", "c" })));
        Assert.Contains("3 column headers for a grid of 2 columns", ex.Message);
        Assert.Throws<ArgumentException>(() => SampleGrid.Save(images, dir.File("x.png"), scale: 0));
        Assert.False(File.Exists(dir.File("x.png")));
    }

    [Fact]
    public void Gan_labels_name_cgan_rows_by_class_and_infogan_rows_and_columns_by_code()
    {
        var config = GanConfig.Parse("model: cgan");
        var names = GanGridLabels.ClassNames(config, null, 10);
        Assert.Equal(new[] { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" }, names);
        var cgan = GanGridLabels.Cgan(names, 64, 8);
        Assert.Equal(names.Take(8), cgan.Rows);
        Assert.Null(cgan.Columns);
        Assert.Equal(Enumerable.Repeat("Bag", 2), GanGridLabels.Cgan(names, 16, 8, fixedLabel: 8).Rows);
        Assert.Equal(new[] { "disc", "square", "ring", "class 3" },
            GanGridLabels.ClassNames(config, new NativeGan.Models.Data.ProceduralShapesDataset(3), 4));

        var info = GanGridLabels.InfoGan(10, 64, 8);
        Assert.Equal(Enumerable.Range(0, 8).Select(k => $"cat {k}"), info.Columns);
        Assert.Equal("c1=-1.00", info.Rows![0]);
        Assert.Equal("c1=-0.71", info.Rows[1]);
        Assert.Equal("c1=+1.00", info.Rows[7]);
        Assert.Null(GanGridLabels.InfoGan(10, 16, 8, fixedCategory: 3, codesFixed: true).Rows);
        Assert.All(GanGridLabels.InfoGan(10, 16, 8, fixedCategory: 3).Columns!, c => Assert.Equal("cat 3", c));
    }
}
