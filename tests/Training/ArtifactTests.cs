using NativeGan.Models.Training;
using StbImageSharp;

namespace NativeGan.Tests.Training;

public sealed class ArtifactTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "nativegan-art-" + Guid.NewGuid().ToString("N"));

    public ArtifactTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch { }
    }

    private string FilePath(string name) => Path.Combine(dir, name);

    private static ImageResult Decode(string path) =>
        ImageResult.FromMemory(File.ReadAllBytes(path), StbImageSharp.ColorComponents.Default);

    /// <summary>Images [B, C, H, W] where image k is filled with fill(k).</summary>
    private static Tensor Batch(int b, int c, int h, int w, Func<int, float> fill)
    {
        var data = new float[b * c * h * w];
        for (int k = 0; k < b; k++)
            Array.Fill(data, fill(k), k * c * h * w, c * h * w);
        return Tensor.FromArray(data, new[] { b, c, h, w }, Device.Cpu);
    }

    private static int Pixel(ImageResult img, int x, int y, int ch)
    {
        int comps = (int)img.Comp;
        return img.Data[(y * img.Width + x) * comps + ch];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Grid_has_torchvision_size_and_values(int channels)
    {
        // 5 images, nrow 3 -> 2 rows; image k is -1 (black) for even k, +1 (white) for odd k.
        int b = 5, h = 4, w = 6, nrow = 3, pad = 2;
        using var images = Batch(b, channels, h, w, k => k % 2 == 0 ? -1f : 1f);
        string path = FilePath("grid.png");
        SampleGrid.Save(images, path, nrow, pad);

        var img = Decode(path);
        Assert.Equal((w + pad) * nrow + pad, img.Width);
        Assert.Equal((h + pad) * 2 + pad, img.Height);
        Assert.Equal(channels == 3 ? StbImageSharp.ColorComponents.RedGreenBlue : StbImageSharp.ColorComponents.Grey, img.SourceComp);
        Assert.Equal(img.SourceComp, img.Comp);

        var inside = new bool[img.Width, img.Height];
        for (int k = 0; k < b; k++)
        {
            int top = (k / nrow) * (h + pad) + pad, left = (k % nrow) * (w + pad) + pad;
            int expected = k % 2 == 0 ? 0 : 255;
            for (int y = top; y < top + h; y++)
            for (int x = left; x < left + w; x++)
            {
                inside[x, y] = true;
                for (int ch = 0; ch < channels; ch++) Assert.Equal(expected, Pixel(img, x, y, ch));
            }
        }
        // Everything else (padding and the empty sixth cell) is black.
        for (int y = 0; y < img.Height; y++)
        for (int x = 0; x < img.Width; x++)
            if (!inside[x, y])
                for (int ch = 0; ch < channels; ch++) Assert.Equal(0, Pixel(img, x, y, ch));
    }

    [Fact]
    public void Grid_maps_values_and_channels_like_torchvision()
    {
        // One 1x1 RGB image per value; torchvision: clamp(-1, 1), (x + 1) / 2, *255 + 0.5, truncate.
        float[] values = { -2f, -1f, -0.5f, 0f, 0.5f, 1f, 3f };
        int b = values.Length;
        var data = new float[b * 3];
        for (int k = 0; k < b; k++) { data[k * 3] = values[k]; data[k * 3 + 1] = -1f; data[k * 3 + 2] = 1f; }
        using var images = Tensor.FromArray(data, new[] { b, 3, 1, 1 }, Device.Cpu);
        string path = FilePath("values.png");
        SampleGrid.Save(images, path, nrow: b, padding: 0);

        var img = Decode(path);
        Assert.Equal(b, img.Width);
        Assert.Equal(1, img.Height);
        int[] expectedRed = { 0, 0, 64, 128, 191, 255, 255 };
        for (int k = 0; k < b; k++)
        {
            Assert.Equal(expectedRed[k], Pixel(img, k, 0, 0));
            Assert.Equal(0, Pixel(img, k, 0, 1));
            Assert.Equal(255, Pixel(img, k, 0, 2));
        }
    }

    [Fact]
    public void Grid_with_fewer_images_than_nrow_uses_one_short_row_and_overwrites()
    {
        string path = FilePath("short.png");
        File.WriteAllText(path, "old");
        using var images = Batch(2, 1, 3, 3, _ => 1f);
        SampleGrid.Save(images, path); // nrow 8, padding 2
        var img = Decode(path);
        Assert.Equal((3 + 2) * 2 + 2, img.Width);
        Assert.Equal((3 + 2) * 1 + 2, img.Height);
        Assert.Single(Directory.GetFiles(dir));
    }

    [Theory]
    [InlineData(new[] { 2, 4, 4 })]
    [InlineData(new[] { 1, 2, 2, 2, 2 })]
    [InlineData(new[] { 2, 2, 4, 4 })]
    [InlineData(new[] { 2, 4, 4, 4 })]
    [InlineData(new[] { 0, 3, 4, 4 })]
    public void Grid_rejects_bad_shapes(int[] shape)
    {
        using var images = Tensor.Zeros(shape, Device.Cpu);
        var ex = Assert.Throws<ArgumentException>(() => SampleGrid.Save(images, FilePath("bad.png")));
        Assert.Contains("sample grid", ex.Message);
        Assert.Contains("[" + string.Join(", ", shape) + "]", ex.Message);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void Grid_rejects_bad_nrow_and_padding()
    {
        using var images = Batch(2, 1, 2, 2, _ => 0f);
        Assert.Contains("sample grid", Assert.Throws<ArgumentException>(() => SampleGrid.Save(images, FilePath("a.png"), nrow: 0)).Message);
        Assert.Contains("sample grid", Assert.Throws<ArgumentException>(() => SampleGrid.Save(images, FilePath("a.png"), padding: -1)).Message);
    }

    [Fact]
    public void Failed_writes_leave_no_temp_file()
    {
        string missing = Path.Combine(dir, "missing");
        using var images = Batch(1, 3, 2, 2, _ => 0f);
        Assert.ThrowsAny<IOException>(() => SampleGrid.Save(images, Path.Combine(missing, "grid.png")));
        Assert.ThrowsAny<IOException>(() => LossPlot.Save(new[] { Series("d", new double[] { 1, 2 }, new double[] { 0.5, 0.4 }) },
            Path.Combine(missing, "loss.png")));
        Assert.False(Directory.Exists(missing));
        Assert.Empty(Directory.GetFileSystemEntries(dir));

        // Target is a directory: the temporary file is written, the move fails, and it is cleaned up.
        string target = FilePath("taken");
        Directory.CreateDirectory(target);
        Assert.ThrowsAny<IOException>(() => SampleGrid.Save(images, target));
        Assert.Equal(new[] { target }, Directory.GetFileSystemEntries(dir));
    }

    private static (string Name, IReadOnlyList<double> Iterations, IReadOnlyList<double> Values) Series(
        string name, double[] its, double[] vals) => (name, its, vals);

    [Fact]
    public void Loss_plot_is_a_png_of_the_stated_size_with_content()
    {
        var its = Enumerable.Range(0, 200).Select(i => (double)i).ToArray();
        var d = its.Select(i => 1.4 * Math.Exp(-i / 50) + 0.1 * Math.Sin(i / 3)).ToArray();
        var g = its.Select(i => 0.7 + 0.5 * Math.Cos(i / 20)).ToArray();
        var gp = new double[] { 0, 50, 100, 150 };
        string path = FilePath("loss.png");
        LossPlot.Save(new[] { Series("loss_d", its, d), Series("loss_g", its, g),
            Series("gp", gp, new[] { 3.0, double.NaN, 1.0, 0.5 }), Series("empty", Array.Empty<double>(), Array.Empty<double>()) },
            path, "DCGAN");

        var img = Decode(path);
        Assert.Equal(LossPlot.Width, img.Width);
        Assert.Equal(LossPlot.Height, img.Height);
        var colours = new HashSet<int>();
        int comps = (int)img.Comp;
        for (int p = 0; p < img.Width * img.Height; p++)
            colours.Add(img.Data[p * comps] << 16 | img.Data[p * comps + 1] << 8 | img.Data[p * comps + 2]);
        Assert.True(colours.Count > 3, $"the plot has only {colours.Count} colours");
        Assert.Single(Directory.GetFiles(dir));

        // Overwrites in place.
        LossPlot.Save(new[] { Series("loss_d", its, d) }, path);
        Assert.Equal(LossPlot.Width, Decode(path).Width);
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void Loss_plot_rejects_mismatched_series()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            LossPlot.Save(new[] { Series("loss_g", new double[] { 1, 2, 3 }, new double[] { 1, 2 }) }, FilePath("x.png")));
        Assert.Contains("loss_g", ex.Message);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void Validation_panel_takes_several_series_on_the_left_axis_and_rejects_a_bad_count()
    {
        var its = new double[] { 100, 200, 300 };
        var losses = new[] { Series("l_pix", its, new[] { 0.3, 0.2, 0.1 }) };
        // psnr of the EMA and of the plain weights share the dB axis; ssim of both go on the right.
        var validation = new[]
        {
            Series("psnr", its, new[] { 24.0, 26.0, 27.0 }), Series("psnr_plain", its, new[] { 25.0, 25.5, 26.0 }),
            Series("ssim", its, new[] { 0.7, 0.75, 0.8 }), Series("ssim_plain", its, new[] { 0.72, 0.74, 0.76 }),
        };
        string path = FilePath("loss.png");
        LossPlot.SaveWithValidation(losses, validation, path, "SR", leftAxisSeries: 2);
        var img = Decode(path);
        Assert.Equal((LossPlot.Width, LossPlot.Height + LossPlot.ValidationPanelHeight), (img.Width, img.Height));

        foreach (int bad in new[] { 0, 5 })
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => LossPlot.SaveWithValidation(losses, validation, FilePath("bad.png"), leftAxisSeries: bad));
            Assert.Contains($"expected 1..4 series on the left axis, got {bad}", ex.Message);
        }
        Assert.False(File.Exists(FilePath("bad.png")));
    }

    [Fact]
    public void ReadCsv_parses_empty_cells_and_redraws()
    {
        string csv = FilePath("log.csv");
        File.WriteAllText(csv,
            "iteration,loss_d,loss_g,gp\n" +
            "1,0.693,,\n" +
            "2,0.6,1.25,3.5\r\n" +
            "\n" +
            "3,0.5,1e-1\n" +
            "4,,nan,2\n");
        var series = LossPlot.ReadCsv(csv);
        Assert.Equal(new[] { "loss_d", "loss_g", "gp" }, series.Select(s => s.Name));
        Assert.Equal(new double[] { 1, 2, 3 }, series[0].Iterations);
        Assert.Equal(new[] { 0.693, 0.6, 0.5 }, series[0].Values);
        Assert.Equal(new double[] { 2, 3, 4 }, series[1].Iterations);
        Assert.Equal(1.25, series[1].Values[0]);
        Assert.Equal(0.1, series[1].Values[1], 12);
        Assert.True(double.IsNaN(series[1].Values[2]));
        Assert.Equal(new double[] { 2, 4 }, series[2].Iterations);
        Assert.Equal(new[] { 3.5, 2.0 }, series[2].Values);

        string png = FilePath("loss.png");
        LossPlot.Save(series.Select(s => (s.Name, (IReadOnlyList<double>)s.Iterations, (IReadOnlyList<double>)s.Values)).ToList(), png);
        Assert.Equal(LossPlot.Height, Decode(png).Height);
    }

    [Fact]
    public void ReadCsv_reports_bad_files()
    {
        Assert.Throws<FileNotFoundException>(() => LossPlot.ReadCsv(FilePath("none.csv")));
        string bad = FilePath("bad.csv");
        File.WriteAllText(bad, "step,loss\n1,2\n");
        Assert.Contains("iteration", Assert.Throws<InvalidDataException>(() => LossPlot.ReadCsv(bad)).Message);
        File.WriteAllText(bad, "iteration,loss\n1,abc\n");
        var ex = Assert.Throws<InvalidDataException>(() => LossPlot.ReadCsv(bad));
        Assert.Contains("line 2", ex.Message);
        Assert.Contains("abc", ex.Message);
        File.WriteAllText(bad, "iteration,loss\n1,2,3\n");
        Assert.Contains("line 2", Assert.Throws<InvalidDataException>(() => LossPlot.ReadCsv(bad)).Message);
        var headerOnly = FilePath("header.csv");
        File.WriteAllText(headerOnly, "iteration,loss_d,loss_g\n");
        var empty = LossPlot.ReadCsv(headerOnly);
        Assert.Equal(2, empty.Count);
        Assert.All(empty, s => Assert.Empty(s.Values));
    }
}
