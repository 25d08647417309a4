using NativeGan.Cli;
using NativeGan.Models.Data;
using NativeGan.Tests.Data;

namespace NativeGan.Tests.Training;

public class QuickstartTests
{
    [Fact]
    public void QuickstartTrainsAndWritesSamplesAndALossPlot()
    {
        using var dir = new TempDir();
        string run = Path.Combine(dir.Path, "qs");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(new[] { "quickstart", "--iters", "3", "--batch-size", "4", "--device", "cpu", "--out", run }, stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        Assert.Contains("data: ", stdout.ToString());
        Assert.True(File.Exists(Path.Combine(run, "loss.png")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(run, "samples"), "*.png"));
        Assert.Equal(4, File.ReadAllLines(Path.Combine(run, "log.csv")).Length); // header + 3 iterations
    }

    [Fact]
    public void ProceduralShapesAreDeterministicShapesInRange()
    {
        var data = new ProceduralShapesDataset(30);
        var a = new float[28 * 28];
        var b = new float[28 * 28];
        for (int i = 0; i < data.Count; i++)
        {
            float label = data.ReadSample(i, a);
            data.ReadSample(i, b);
            Assert.Equal(i % 3, (int)label);
            Assert.Equal(a, b);
            Assert.All(a, v => Assert.InRange(v, -1f, 1f));
            int lit = a.Count(v => v > 0);
            Assert.InRange(lit, 20, 28 * 28 / 2); // a visible shape on a mostly black background
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => data.ReadSample(30, a));
    }
}
