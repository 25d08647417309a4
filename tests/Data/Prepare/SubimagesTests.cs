using NativeGan.Models.Data.Prepare;
using NativeGan.Models.Imaging;

namespace NativeGan.Tests.Data.Prepare;

/// <summary>Subimages (extract_subimages.py) on real photos: window starts, counts, names, pixels, output folder rules.</summary>
public sealed class SubimagesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Starts_EqualExtractSubimagesFormula()
    {
        // cases.json holds numpy's arange(0, size - crop + 1, step) (+ size - crop when the leftover exceeds thresh).
        int n = 0;
        foreach (var c in PrepareFixtures.Cases().GetProperty("subimages").EnumerateArray())
        {
            int size = c.GetProperty("size").GetInt32(), crop = c.GetProperty("crop").GetInt32();
            int step = c.GetProperty("step").GetInt32(), thresh = c.GetProperty("thresh").GetInt32();
            var expected = c.GetProperty("starts").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            Assert.True(expected.SequenceEqual(Subimages.Starts(size, crop, step, thresh)),
                $"size {size} crop {crop} step {step} thresh {thresh}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", Subimages.Starts(size, crop, step, thresh))}]");
            n++;
        }
        Assert.True(n >= 15);
        // Hand-checked: DF2K's 2040 wide at 400/200: 0..1600 then 1640 (40 left over > 0).
        Assert.Equal(new[] { 0, 200, 400, 600, 800, 1000, 1200, 1400, 1600, 1640 }, Subimages.Starts(2040, 400, 200, 0));
        Assert.Equal(new[] { 0, 200, 400, 600 }, Subimages.Starts(1000, 400, 200, 0));
        Assert.Equal(new[] { 0 }, Subimages.Starts(400, 400, 200, 0));
        Assert.Equal(new[] { 0, 1 }, Subimages.Starts(401, 400, 200, 0));
        Assert.Equal(new[] { 0 }, Subimages.Starts(401, 400, 200, 1));
    }

    [Fact]
    public void Starts_SideShorterThanCrop_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Subimages.Starts(90, 96, 48, 0));
        Assert.Contains("90", e.Message);
        Assert.Contains("96", e.Message);
    }

    [Fact]
    public void Names_AsTheScript()
    {
        Assert.Equal("0001", Subimages.OutputStem("/data/DIV2K_train_LR_bicubic/X4/0001x4.png"));
        Assert.Equal("0801", Subimages.OutputStem("0801x2.png"));
        Assert.Equal("img_1024048", Subimages.OutputStem("img_1024x2048.png")); // the script removes "x2" .. "x8" anywhere
        Assert.Equal("chelsea_200x133", Subimages.OutputStem("chelsea_200x133.png"));
        Assert.Equal("coffee_s001.png", Subimages.OutputName("coffee", 1, ".png"));
        Assert.Equal("coffee_s042.png", Subimages.OutputName("coffee", 42, ".png"));
        Assert.Equal("coffee_s1000.png", Subimages.OutputName("coffee", 1000, ".png"));
    }

    [Theory]
    [InlineData("chelsea_200x133", 64, 32, 0)]
    [InlineData("chelsea_200x133", 64, 48, 20)]
    [InlineData("chelsea_200x133", 100, 70, 0)]
    [InlineData("camera16_120x90", 32, 20, 5)]
    [InlineData("coffee_rgba_100x100", 48, 40, 0)]
    [InlineData("coffee", 32, 16, 0)]
    [InlineData("astronaut", 96, 10, 0)]
    public void Extract_RealPhoto_CountsNamesAndPixelsFollowTheFormula(string photo, int crop, int step, int thresh)
    {
        string input = PrepareFixtures.PhotoFolder(_dir.Path, "in", photo);
        string output = Path.Combine(_dir.Path, "out");
        var options = new SubimageOptions { CropSize = crop, Step = step, ThreshSize = thresh };
        var source = ImageIO.Read(PrepareFixtures.Photo(photo));
        var tops = Subimages.Starts(source.Height, crop, step, thresh);
        var lefts = Subimages.Starts(source.Width, crop, step, thresh);

        var jobs = Subimages.Plan(input, options);
        Subimages.PrepareOutput(input, output, jobs, overwrite: false);
        int written = Subimages.Extract(Assert.Single(jobs), output, options);

        Assert.Equal(tops.Length * lefts.Length, written);
        string stem = Subimages.OutputStem(photo + ".png");
        var expectedNames = Enumerable.Range(1, written).Select(i => $"{stem}_s{i:000}.png").ToArray();
        var names = Directory.GetFiles(output).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.Equal(expectedNames, names);
        // Windows are numbered row by row; the last one sits at (last top, last left), the formula's flush window.
        foreach (var (index, top, left) in new[] { (1, tops[0], lefts[0]), (lefts.Length, tops[0], lefts[^1]), (written, tops[^1], lefts[^1]) })
        {
            var cropImage = ImageIO.Read(Path.Combine(output, $"{stem}_s{index:000}.png"));
            Assert.Equal((crop, crop, source.Channels, source.BitDepth), (cropImage.Width, cropImage.Height, cropImage.Channels, cropImage.BitDepth));
            for (int c = 0; c < source.Channels; c++)
                for (int y = 0; y < crop; y++)
                    for (int x = 0; x < crop; x++)
                    {
                        float want = source.Planar[(c * source.Height + top + y) * source.Width + left + x];
                        float got = cropImage.Planar[(c * crop + y) * crop + x];
                        if (want != got)
                            Assert.Fail($"{photo} crop {index} at ({left}, {top}): channel {c} pixel ({x}, {y}) is {got}, the photo has {want}");
                    }
        }
    }

    [Fact]
    public void Extract_LastWindowFlushWithEdge_WhenLeftoverExceedsThresh()
    {
        // chelsea_200x133 at 64/32: rows 0, 32 (+64 = 96, 37 left > 0) then 69; columns 0..128 then 136.
        string input = PrepareFixtures.PhotoFolder(_dir.Path, "in", "chelsea_200x133");
        var job = Assert.Single(Subimages.Plan(input, new SubimageOptions { CropSize = 64, Step = 32, ThreshSize = 0 }));
        Assert.Equal(new[] { 0, 32, 64, 69 }, job.Tops);
        Assert.Equal(new[] { 0, 32, 64, 96, 128, 136 }, job.Lefts);
        // With a threshold above the leftover the flush window is dropped.
        job = Assert.Single(Subimages.Plan(input, new SubimageOptions { CropSize = 64, Step = 32, ThreshSize = 8 }));
        Assert.Equal(new[] { 0, 32, 64 }, job.Tops);
        Assert.Equal(new[] { 0, 32, 64, 96, 128 }, job.Lefts);
    }

    [Fact]
    public void Plan_ImageSmallerThanCrop_NamesIt()
    {
        string input = PrepareFixtures.PhotoFolder(_dir.Path, "in", "chelsea_200x133", "coffee");
        var e = Assert.Throws<PrepareException>(() => Subimages.Plan(input, new SubimageOptions { CropSize = 100, Step = 50 }));
        var problem = Assert.Single(e.Problems);
        Assert.Contains("coffee.png", problem);
        Assert.Contains("90 x 75", problem);
        Assert.Contains("100", problem);
    }

    [Fact]
    public void Plan_TwoInputsWithTheSameCropNames_NamesBoth()
    {
        string input = PrepareFixtures.PhotoFolder(_dir.Path, "in", "coffee");
        File.Copy(Path.Combine(input, "coffee.png"), Path.Combine(input, "coffeex4.png"));
        var e = Assert.Throws<PrepareException>(() => Subimages.Plan(input, new SubimageOptions { CropSize = 32, Step = 32 }));
        Assert.Contains("coffee.png", e.Message);
        Assert.Contains("coffeex4.png", e.Message);
    }

    [Fact]
    public void Plan_BrokenImage_NamesIt()
    {
        string input = PrepareFixtures.PhotoFolder(_dir.Path, "in", "coffee");
        File.WriteAllBytes(Path.Combine(input, "broken.png"), new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 });
        var e = Assert.Throws<PrepareException>(() => Subimages.Plan(input, new SubimageOptions { CropSize = 32, Step = 32 }));
        Assert.Contains("broken.png", Assert.Single(e.Problems));
    }

    [Fact]
    public void PrepareOutput_ExistingFolder_RefusedUnlessOverwrite_ThenOnlyStaleCropsGo()
    {
        string input = PrepareFixtures.PhotoFolder(_dir.Path, "in", "coffee");
        string output = Path.Combine(_dir.Path, "out");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "notes.txt"), "keep");
        File.WriteAllText(Path.Combine(output, "coffee_s999.png"), "stale crop of an earlier run");
        File.WriteAllText(Path.Combine(output, "other_s001.png"), "crop of another image");
        var options = new SubimageOptions { CropSize = 32, Step = 32 };
        var jobs = Subimages.Plan(input, options);

        var e = Assert.Throws<PrepareException>(() => Subimages.PrepareOutput(input, output, jobs, overwrite: false));
        Assert.Contains(output, e.Message);
        Assert.Contains("--overwrite", e.Message);
        Assert.Throws<PrepareException>(() => Subimages.PrepareOutput(input, input, jobs, overwrite: true));

        Subimages.PrepareOutput(input, output, jobs, overwrite: true);
        Assert.False(File.Exists(Path.Combine(output, "coffee_s999.png")));
        Assert.True(File.Exists(Path.Combine(output, "notes.txt")));
        Assert.True(File.Exists(Path.Combine(output, "other_s001.png")));
    }

    [Fact]
    public void Run_TwoFilesAtOnce_ReportsEveryFileOnce()
    {
        string input = PrepareFixtures.PhotoFolder(_dir.Path, "in", "coffee", "chelsea", "astronaut", "chelsea_200x133", "camera_160x120");
        string output = Path.Combine(_dir.Path, "out");
        var options = new SubimageOptions { CropSize = 48, Step = 24 };
        var jobs = Subimages.Plan(input, options);
        Subimages.PrepareOutput(input, output, jobs, overwrite: false);
        var completed = new List<int>();
        var byInput = jobs.ToDictionary(j => j.Input);
        int active = 0, most = 0;

        var results = PrepareFiles.Run(jobs.Select(j => j.Input).ToList(), f =>
        {
            int now = Interlocked.Increment(ref active);
            lock (completed) most = Math.Max(most, now);
            // Hold the first file until a second one runs beside it (both cores busy), 10 s at most.
            var wait = System.Diagnostics.Stopwatch.StartNew();
            while (Volatile.Read(ref most) < 2 && wait.ElapsedMilliseconds < 10_000) Thread.Sleep(1);
            try { return Subimages.Extract(byInput[f], output, options); }
            finally { Interlocked.Decrement(ref active); }
        }, threads: 2, done: (_, n) => completed.Add(n), cancellation: TestContext.Current.CancellationToken);

        Assert.Equal(2, most); // two files at once, never more than asked
        Assert.All(results, r => Assert.True(r.Ok, r.Error));
        Assert.Equal(Enumerable.Range(1, jobs.Count), completed);
        Assert.Equal(jobs.Sum(j => j.Count), results.Sum(r => r.Written));
        Assert.Equal(jobs.Sum(j => j.Count), Directory.GetFiles(output).Length);
    }
}
