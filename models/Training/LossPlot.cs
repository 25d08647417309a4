using System.Globalization;
using ScottPlot;

namespace NativeGan.Models.Training;

/// <summary>Loss curves as a PNG line chart (ScottPlot), and the CSV training log they are drawn from.</summary>
public static class LossPlot
{
    /// <summary>Width of the PNG written by <see cref="Save"/>, in pixels.</summary>
    public const int Width = 900;
    /// <summary>Height of the PNG written by <see cref="Save"/>, in pixels.</summary>
    public const int Height = 540;

    /// <summary>
    /// Draws each series (x = iteration, y = value) as its raw values, faint, under a smoothed line of the same colour
    /// (<see cref="Curves"/>), with a legend, and writes a <see cref="Width"/> x <see cref="Height"/> PNG atomically
    /// (temporary sibling file, then a rename). Non-finite points (NaN, infinity) are left out and their neighbours
    /// joined; a series with no finite point gets no line.
    /// </summary>
    public static void Save(IReadOnlyList<(string Name, IReadOnlyList<double> Iterations, IReadOnlyList<double> Values)> series,
        string path, string title = "Losses")
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentException.ThrowIfNullOrEmpty(path);
        for (int i = 0; i < series.Count; i++)
        {
            var (name, its, vals) = series[i];
            if (its is null || vals is null)
                throw new ArgumentException($"loss plot: series {i} ('{name}') has null iterations or values.", nameof(series));
            if (its.Count != vals.Count)
                throw new ArgumentException(
                    $"loss plot: series {i} ('{name}') has {its.Count} iterations but {vals.Count} values.", nameof(series));
        }

        var plt = new Plot();
        try
        {
            int drawn = AddLines(plt, series, null);
            plt.Title(title ?? "");
            plt.XLabel("iteration");
            plt.YLabel("loss");
            if (drawn > 0) plt.ShowLegend(Alignment.UpperRight);
            byte[] png = plt.GetImageBytes(Width, Height, ImageFormat.Png);
            AtomicFile.WriteAllBytes(path, png);
        }
        finally
        {
            plt.Dispose();
        }
    }

    /// <summary>Height of the validation panel under the losses (<see cref="SaveWithValidation"/>), in pixels.</summary>
    public const int ValidationPanelHeight = 300;

    /// <summary>
    /// As <see cref="Save"/>, with a second panel under the losses for validation metrics (x = iteration):
    /// the first <paramref name="leftAxisSeries"/> series (PSNR, dB) on the left axis, the others (SSIM) on the right
    /// axis. Without a finite validation point the PNG is the losses alone.
    /// </summary>
    public static void SaveWithValidation(IReadOnlyList<(string Name, IReadOnlyList<double> Iterations, IReadOnlyList<double> Values)> series,
        IReadOnlyList<(string Name, IReadOnlyList<double> Iterations, IReadOnlyList<double> Values)> validation, string path, string title = "Losses",
        int leftAxisSeries = 1)
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (leftAxisSeries < 1 || leftAxisSeries > Math.Max(1, validation.Count))
            throw new ArgumentOutOfRangeException(nameof(leftAxisSeries), leftAxisSeries, $"LossPlot.SaveWithValidation: expected 1..{Math.Max(1, validation.Count)} series on the left axis, got {leftAxisSeries}.");
        if (!validation.Any(v => v.Values.Any(double.IsFinite)))
        {
            Save(series, path, title);
            return;
        }
        var top = new Plot();
        var bottom = new Plot();
        try
        {
            if (AddLines(top, series, null) > 0) top.ShowLegend(Alignment.UpperRight);
            top.Title(title ?? "");
            top.YLabel("loss");
            AddLines(bottom, validation.Take(leftAxisSeries).ToList(), null, smooth: false);
            if (validation.Count > leftAxisSeries) AddLines(bottom, validation.Skip(leftAxisSeries).ToList(), bottom.Axes.Right, smooth: false, firstColor: leftAxisSeries);
            bottom.ShowLegend(Alignment.LowerRight);
            bottom.XLabel("iteration");
            bottom.YLabel(string.Join(", ", validation.Take(leftAxisSeries).Select(v => v.Name)));
            if (validation.Count > leftAxisSeries) bottom.Axes.Right.Label.Text = string.Join(", ", validation.Skip(leftAxisSeries).Select(v => v.Name));
            var multi = new Multiplot();
            multi.Reset(top);   // a new Multiplot starts with an empty plot of its own
            multi.AddPlot(bottom);
            var rows = new ScottPlot.MultiplotLayouts.DraggableRows();
            rows.SetHeights(new float[] { Height, ValidationPanelHeight });
            multi.Layout = rows;
            byte[] png = multi.Render(Width, Height + ValidationPanelHeight).GetImageBytes(ImageFormat.Png, 100);
            AtomicFile.WriteAllBytes(path, png);
        }
        finally
        {
            top.Dispose();
            bottom.Dispose();
        }
    }

    /// <summary>
    /// One series as it is drawn: its finite points in order (a loss logged only every few iterations, or with empty
    /// cells between, becomes one connected line), and the smoothed values at the same iterations.
    /// </summary>
    public sealed record Curve(string Name, double[] Iterations, double[] Values, double[] Smoothed);

    /// <summary>
    /// TensorBoard's smoothing weight for a curve of <paramref name="points"/> points: <c>1 - 20 / points</c>, kept in
    /// [0.6, 0.9], so a short run keeps its shape and a long one averages over about <c>points / 20</c> steps.
    /// </summary>
    public static double SmoothingWeight(int points) => Math.Clamp(1.0 - 20.0 / Math.Max(points, 1), 0.6, 0.9);

    /// <summary>
    /// TensorBoard's scalar smoothing: an exponential moving average <c>last = last * w + (1 - w) * v</c> started at 0
    /// and debiased by dividing by <c>1 - w^k</c> after k values (so the first output is the first value, not a
    /// fraction of it). A non-finite value is passed through and left out of the average.
    /// </summary>
    public static double[] Smooth(IReadOnlyList<double> values, double weight)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(weight >= 0 && weight < 1))
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "LossPlot.Smooth: expected a weight in [0, 1).");
        var result = new double[values.Count];
        double last = 0;
        int count = 0;
        for (int i = 0; i < values.Count; i++)
        {
            double v = values[i];
            if (!double.IsFinite(v)) { result[i] = v; continue; }
            last = last * weight + (1 - weight) * v;
            count++;
            result[i] = last / (1 - Math.Pow(weight, count));
        }
        return result;
    }

    /// <summary>
    /// The curves <see cref="Save"/> hands to ScottPlot: each series' finite points (a non-finite iteration or value is
    /// left out, so the points on either side join), smoothed with <see cref="SmoothingWeight"/> of its point count.
    /// Series without a finite point give no curve.
    /// </summary>
    public static List<Curve> Curves(IReadOnlyList<(string Name, IReadOnlyList<double> Iterations, IReadOnlyList<double> Values)> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var curves = new List<Curve>(series.Count);
        foreach (var (name, its, vals) in series)
        {
            var xs = new List<double>(its.Count);
            var ys = new List<double>(its.Count);
            for (int j = 0; j < its.Count; j++)
            {
                if (!double.IsFinite(its[j]) || !double.IsFinite(vals[j])) continue;
                xs.Add(its[j]);
                ys.Add(vals[j]);
            }
            if (xs.Count == 0) continue;
            curves.Add(new Curve(name ?? "", xs.ToArray(), ys.ToArray(), Smooth(ys, SmoothingWeight(ys.Count))));
        }
        return curves;
    }

    /// <summary>
    /// One curve per series with finite points (on <paramref name="axis"/> when given); returns how many were drawn.
    /// With <paramref name="smooth"/>, the raw values are a faint line and the smoothed values a solid line of the
    /// same colour that carries the legend entry; without, the raw values are the solid line.
    /// </summary>
    private static int AddLines(Plot plt, IReadOnlyList<(string Name, IReadOnlyList<double> Iterations, IReadOnlyList<double> Values)> series,
        IYAxis? axis, bool smooth = true, int firstColor = 0)
    {
        var curves = Curves(series);
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < curves.Count; i++)
        {
            var curve = curves[i];
            var color = palette.GetColor(firstColor + i);
            bool single = curve.Iterations.Length == 1;
            if (smooth && !single)
            {
                var raw = plt.Add.ScatterLine(curve.Iterations, curve.Values, color.WithAlpha(0.25));
                raw.LineWidth = 1f;
                raw.MarkerSize = 0;
                if (axis != null) raw.Axes.YAxis = axis;
            }
            var line = plt.Add.ScatterLine(curve.Iterations, smooth ? curve.Smoothed : curve.Values, color);
            line.LegendText = curve.Name;
            line.LineWidth = smooth ? 2f : 1.5f;
            line.MarkerSize = single ? 5 : 0;
            if (axis != null) line.Axes.YAxis = axis;
        }
        return curves.Count;
    }

    /// <summary>
    /// Reads a CSV training log whose header is <c>iteration,&lt;loss1&gt;,&lt;loss2&gt;,...</c>. Each loss column becomes one
    /// series holding only the rows where its cell is not empty (a loss not computed at that iteration is left
    /// empty). Blank lines are skipped; a row may have fewer cells than the header (the missing ones count as empty).
    /// Numbers use the invariant culture; <c>nan</c>/<c>inf</c> are accepted.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The header or a row is malformed; the message names the file and line.</exception>
    public static List<(string Name, List<double> Iterations, List<double> Values)> ReadCsv(string csvPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(csvPath);
        if (!File.Exists(csvPath))
            throw new FileNotFoundException($"loss csv: file '{csvPath}' does not exist.", csvPath);

        using var reader = new StreamReader(csvPath);
        string? header = reader.ReadLine();
        int lineNo = 1;
        while (header is not null && header.Trim().Length == 0) { header = reader.ReadLine(); lineNo++; }
        if (header is null)
            throw new InvalidDataException($"loss csv '{csvPath}': the file is empty; expected a header 'iteration,<loss1>,...'.");
        var names = header.TrimStart('\uFEFF').Split(',').Select(s => Unquote(s.Trim())).ToArray();
        if (!string.Equals(names[0], "iteration", StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException(
                $"loss csv '{csvPath}' line {lineNo}: expected the header to start with 'iteration', got '{header}'.");

        var result = new List<(string Name, List<double> Iterations, List<double> Values)>(names.Length - 1);
        for (int k = 1; k < names.Length; k++) result.Add((names[k], new List<double>(), new List<double>()));

        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Trim().Length == 0) continue;
            var cells = line.Split(',');
            if (cells.Length > names.Length)
                throw new InvalidDataException(
                    $"loss csv '{csvPath}' line {lineNo}: {cells.Length} cells but the header has {names.Length} columns.");
            string itText = cells[0].Trim();
            if (!TryParse(itText, out double iteration) || !double.IsFinite(iteration))
                throw new InvalidDataException($"loss csv '{csvPath}' line {lineNo}: iteration '{itText}' is not a number.");
            for (int k = 1; k < cells.Length; k++)
            {
                string cell = cells[k].Trim();
                if (cell.Length == 0) continue;
                if (!TryParse(cell, out double v))
                    throw new InvalidDataException(
                        $"loss csv '{csvPath}' line {lineNo}: column '{names[k]}' value '{cell}' is not a number.");
                result[k - 1].Iterations.Add(iteration);
                result[k - 1].Values.Add(v);
            }
        }
        return result;
    }

    private static string Unquote(string s) =>
        s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1].Replace("\"\"", "\"") : s;

    private static bool TryParse(string s, out double v)
    {
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v)) return true;
        switch (s.ToLowerInvariant())
        {
            case "nan": v = double.NaN; return true;
            case "inf": case "+inf": case "infinity": v = double.PositiveInfinity; return true;
            case "-inf": case "-infinity": v = double.NegativeInfinity; return true;
            default: return false;
        }
    }
}
