using NativeGan.Models.Training;
using NativeGan.Tests.Data;
using StbImageSharp;

namespace NativeGan.Tests.Training;

public class LossPlotSmoothingTests
{
    [Fact]
    public void Smoothing_is_tensorboards_debiased_moving_average()
    {
        // By hand, weight 0.6: last = 0.6 * last + 0.4 * v, divided by 1 - 0.6^k.
        //   v = 1: last 0.4,   debias 0.4   -> 1
        //   v = 3: last 1.44,  debias 0.64  -> 2.25
        //   v = 2: last 1.664, debias 0.784 -> 2.12244898...
        //   v = 0: last 0.9984, debias 0.8704 -> 1.14705882...
        var smoothed = LossPlot.Smooth(new double[] { 1, 3, 2, 0 }, 0.6);
        Assert.Equal(4, smoothed.Length);
        Assert.Equal(1.0, smoothed[0], 12);
        Assert.Equal(2.25, smoothed[1], 12);
        Assert.Equal(1.664 / 0.784, smoothed[2], 12);
        Assert.Equal(0.9984 / 0.8704, smoothed[3], 12);
        // Weight 0 is no smoothing; a non-finite value passes through and is left out of the average.
        Assert.Equal(new double[] { 1, 3, 2 }, LossPlot.Smooth(new double[] { 1, 3, 2 }, 0));
        var withNan = LossPlot.Smooth(new double[] { 1, double.NaN, 3 }, 0.6);
        Assert.True(double.IsNaN(withNan[1]));
        Assert.Equal(2.25, withNan[2], 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => LossPlot.Smooth(new double[] { 1 }, 1.0));
    }

    [Theory]
    [InlineData(1, 0.6)]
    [InlineData(40, 0.6)]
    [InlineData(100, 0.8)]
    [InlineData(200, 0.9)]
    [InlineData(5000, 0.9)]
    public void Smoothing_weight_grows_with_the_number_of_points(int points, double expected) =>
        Assert.Equal(expected, LossPlot.SmoothingWeight(points), 12);

    [Fact]
    public void Sparse_columns_of_the_log_become_connected_curves()
    {
        // WGAN-GP logs g_loss only every d_steps (5) iterations; the other cells are empty.
        using var dir = new TempDir();
        string csv = dir.File("log.csv");
        var lines = new List<string> { "iteration,d_loss,g_loss" };
        for (int i = 1; i <= 20; i++) lines.Add($"{i},{-i * 0.5},{(i % 5 == 0 ? (i * 0.1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}");
        File.WriteAllLines(csv, lines);
        var columns = LossPlot.ReadCsv(csv);
        var curves = LossPlot.Curves(columns.Select(c => (c.Name, (IReadOnlyList<double>)c.Iterations, (IReadOnlyList<double>)c.Values)).ToList());

        Assert.Equal(2, curves.Count);
        var g = curves.Single(c => c.Name == "g_loss");
        Assert.Equal(new double[] { 5, 10, 15, 20 }, g.Iterations);   // one line through the logged points, no gaps
        Assert.Equal(new[] { 0.5, 1.0, 1.5, 2.0 }, g.Values, new ToleranceComparer(1e-12));
        Assert.All(g.Smoothed, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(LossPlot.Smooth(g.Values, LossPlot.SmoothingWeight(4)), g.Smoothed);
        Assert.Equal(20, curves.Single(c => c.Name == "d_loss").Iterations.Length);
    }

    [Fact]
    public void Non_finite_points_are_dropped_and_their_neighbours_joined()
    {
        var series = new List<(string, IReadOnlyList<double>, IReadOnlyList<double>)>
        {
            ("loss", new double[] { 1, 2, 3, 4 }, new double[] { 0.5, double.NaN, double.PositiveInfinity, 0.25 }),
            ("empty", new double[] { 1 }, new double[] { double.NaN }),
        };
        var curves = LossPlot.Curves(series);
        var only = Assert.Single(curves);
        Assert.Equal(new double[] { 1, 4 }, only.Iterations);
        Assert.Equal(new[] { 0.5, 0.25 }, only.Values);
        Assert.Equal(LossPlot.Smooth(new[] { 0.5, 0.25 }, 0.6), only.Smoothed);
    }

    [Fact]
    public void Plot_draws_a_faint_raw_line_and_a_solid_smoothed_line_of_the_same_colour()
    {
        // A noisy loss: the raw line crosses many more pixels of faint colour than the smoothed line.
        var its = Enumerable.Range(1, 200).Select(i => (double)i).ToArray();
        var vals = its.Select(i => 1.0 + (i % 2 == 0 ? 0.5 : -0.5)).ToArray();
        using var dir = new TempDir();
        string png = dir.File("loss.png");
        LossPlot.Save(new[] { ("d_loss", (IReadOnlyList<double>)its, (IReadOnlyList<double>)vals) }, png);
        var img = ImageResult.FromMemory(File.ReadAllBytes(png), ColorComponents.RedGreenBlue);
        Assert.Equal((LossPlot.Width, LossPlot.Height), (img.Width, img.Height));
        // Category10's first colour is #1F77B4; on white, the faint line is a pale blue, the smoothed line the full colour.
        int full = 0, faint = 0;
        for (int p = 0; p < img.Width * img.Height; p++)
        {
            int r = img.Data[3 * p], gr = img.Data[3 * p + 1], b = img.Data[3 * p + 2];
            if (Math.Abs(r - 0x1F) < 12 && Math.Abs(gr - 0x77) < 12 && Math.Abs(b - 0xB4) < 12) full++;
            else if (b > 200 && r > 120 && r < 235 && gr > 160 && b > r + 10) faint++;
        }
        Assert.True(full > 100, $"{full} pixels of the smoothed line's colour");
        Assert.True(faint > 1000, $"{faint} pixels of the faint raw line's colour");
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double v) => 0;
    }
}
