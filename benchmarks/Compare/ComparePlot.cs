using ScottPlot;

namespace NativeGan.Benchmarks.Compare;

/// <summary>The `compare --png` chart: one bar per workload, PyTorch time / ours (above the 1.0 line we are faster),
/// with each workload's goal drawn as a marker.</summary>
internal static class ComparePlot
{
    public static void Save(IReadOnlyList<CompareRow> rows, string path, string title)
    {
        var measured = rows.Where(r => r.Ratio != null).ToList();
        var plt = new Plot();
        try
        {
            var bars = measured.Select((r, i) => new Bar
            {
                Position = i,
                Value = r.Ratio!.Value,
                FillColor = r.MeetsGoal == true ? Colors.SeaGreen : Colors.IndianRed,
                Label = r.Ratio!.Value.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + "x",
            }).ToList();
            var barPlot = plt.Add.Bars(bars);
            barPlot.ValueLabelStyle.FontSize = 12;
            var parity = plt.Add.HorizontalLine(1.0);
            parity.LinePattern = LinePattern.Dashed;
            parity.Color = Colors.Black;
            plt.Axes.Bottom.SetTicks(measured.Select((_, i) => (double)i).ToArray(), measured.Select(r => r.Name).ToArray());
            plt.Axes.Bottom.TickLabelStyle.Rotation = 30;
            plt.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plt.Axes.Bottom.MinimumSize = 140;
            plt.Axes.Margins(bottom: 0);
            plt.Title(title);
            plt.YLabel("PyTorch time / NativeGan time (green: meets the goal)");
            plt.SavePng(path + ".tmp.png", 1100, 600);
            File.Move(path + ".tmp.png", path, overwrite: true);
        }
        finally
        {
            plt.Dispose();
        }
    }
}
