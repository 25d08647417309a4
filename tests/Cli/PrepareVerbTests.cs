using NativeGan.Cli;
using NativeGan.Models.Data.Prepare;
using NativeGan.Models.Imaging;
using NativeGan.Tests.Data.Prepare;

namespace NativeGan.Tests.Cli;

/// <summary>`nativegan prepare multiscale|subimages|meta-info`, run in-process on real photos.</summary>
public sealed class PrepareVerbTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nativegan-prepare-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => NativeGan.Tests.Cli.CliRun.Run(args);

    [Fact]
    public void Subimages_RealEsrganDefaults_CountsFollowTheFormula_ExistingOutputRefused()
    {
        string input = PrepareFixtures.PhotoFolder(_dir, "HR", "chelsea_200x133", "camera_160x120", "coffee", "camera16_120x90");
        string output = Path.Combine(_dir, "HR_sub");

        var (code, stdout, stderr) = Run("prepare", "subimages", "--input", input, "--output", output,
            "--crop-size", "64", "--step", "32", "--thresh-size", "0");

        Assert.True(code == ExitCodes.Ok, stderr);
        int expected = 0;
        foreach (var photo in new[] { "chelsea_200x133", "camera_160x120", "coffee", "camera16_120x90" })
        {
            var h = ImageIO.ReadHeader(PrepareFixtures.Photo(photo));
            int n = Subimages.Starts(h.Height, 64, 32, 0).Length * Subimages.Starts(h.Width, 64, 32, 0).Length;
            string stem = Subimages.OutputStem(photo + ".png");
            Assert.Equal(n, Directory.GetFiles(output, stem + "_s*.png").Length);
            Assert.True(File.Exists(Path.Combine(output, $"{stem}_s{n:000}.png")));
            Assert.Contains($"{photo}.png: {n} crops", stdout);
            expected += n;
        }
        Assert.Equal(expected, Directory.GetFiles(output).Length);
        Assert.Contains($"done: 4/4 images, {expected} crops", stdout);
        Assert.Equal(16, ImageIO.ReadHeader(Path.Combine(output, "camera16_120x90_s001.png")).BitDepth);
        Assert.Equal(1, ImageIO.ReadHeader(Path.Combine(output, "camera_160x120_s001.png")).Channels);

        // Again: refused, nothing touched.
        (code, _, stderr) = Run("prepare", "subimages", "--input", input, "--output", output, "--crop-size", "64", "--step", "32");
        Assert.Equal(ExitCodes.RuntimeFailure, code);
        Assert.Contains("already exists", stderr);
        Assert.Contains(output, stderr);
        Assert.Contains("--overwrite", stderr);
        Assert.Equal(expected, Directory.GetFiles(output).Length);

        // With --overwrite and Real-ESRGAN's underscore spellings: earlier crops of these images are replaced.
        (code, _, stderr) = Run("prepare", "subimages", "--input", input, "--output", output, "--crop_size", "64", "--step", "200",
            "--thresh_size", "0", "--overwrite", "--n_thread", "2", "--compression_level", "1");
        Assert.True(code == ExitCodes.Ok, stderr);
        int again = 0;
        foreach (var photo in new[] { "chelsea_200x133", "camera_160x120", "coffee", "camera16_120x90" })
        {
            var h = ImageIO.ReadHeader(PrepareFixtures.Photo(photo));
            again += Subimages.Starts(h.Height, 64, 200, 0).Length * Subimages.Starts(h.Width, 64, 200, 0).Length;
        }
        Assert.Equal(again, Directory.GetFiles(output).Length);
    }

    [Fact]
    public void Subimages_SmallImage_OneLineNamingIt_NothingWritten()
    {
        string input = PrepareFixtures.PhotoFolder(_dir, "HR", "chelsea_200x133", "coffee");
        string output = Path.Combine(_dir, "HR_sub");
        var (code, _, stderr) = Run("prepare", "subimages", "--input", input, "--output", output, "--crop-size", "80", "--step", "40");
        Assert.Equal(ExitCodes.RuntimeFailure, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("coffee.png", stderr);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Multiscale_WritesT0ToT3()
    {
        string input = PrepareFixtures.PhotoFolder(_dir, "DF2K_HR", "coffee", "astronaut");
        string output = Path.Combine(_dir, "DF2K_multiscale");

        var (code, stdout, stderr) = Run("prepare", "multiscale", "--input", input, "--output", output);

        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Contains("done: 2/2 images, 8 files", stdout);
        foreach (var (stem, w, h) in new[] { ("coffee", 90, 75), ("astronaut", 96, 96) })
        {
            var sizes = Multiscale.OutputSizes(w, h);
            for (int t = 0; t < 4; t++)
            {
                var header = ImageIO.ReadHeader(Path.Combine(output, $"{stem}T{t}.png"));
                Assert.Equal(sizes[t], (header.Width, header.Height));
            }
        }
        var t0 = ImageIO.Read(Path.Combine(output, "coffeeT0.png"));
        var pillow = ImageIO.Read(Path.Combine(PrepareFixtures.Lanczos, "coffee_67x56.png"));
        Assert.Equal(pillow.Planar, t0.Planar);
    }

    [Fact]
    public void MetaInfo_ListsEveryImage_CheckNamesTheBrokenOne()
    {
        string root = Path.Combine(_dir, "DF2K");
        string hr = PrepareFixtures.PhotoFolder(root, "DF2K_HR", "coffee", "chelsea");
        string ms = PrepareFixtures.PhotoFolder(root, "DF2K_multiscale", "astronaut");
        string metaFile = Path.Combine(root, "meta_info", "meta_info_DF2Kmultiscale.txt");

        var (code, stdout, stderr) = Run("prepare", "meta-info", "--input", $"{hr},{ms}", "--root", $"{root},{root}", "--meta-info", metaFile);
        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Equal(new[] { "DF2K_HR/chelsea.png", "DF2K_HR/coffee.png", "DF2K_multiscale/astronaut.png" }, File.ReadAllLines(metaFile));
        Assert.Contains("3 lines", stdout);

        string broken = Path.Combine(ms, "broken.png");
        var bytes = File.ReadAllBytes(PrepareFixtures.Photo("chelsea_200x133"));
        File.WriteAllBytes(broken, bytes.AsSpan(0, bytes.Length / 2).ToArray());
        (code, stdout, stderr) = Run("prepare", "meta-info", "--input", hr, ms, "--root", root, root, "--meta_info", metaFile, "--check");
        Assert.Equal(ExitCodes.RuntimeFailure, code);
        Assert.Contains(broken, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("1 images failed the check", stdout);
        Assert.Equal(new[] { "DF2K_HR/chelsea.png", "DF2K_HR/coffee.png", "DF2K_multiscale/astronaut.png" }, File.ReadAllLines(metaFile));
    }

    [Theory]
    [InlineData("prepare", "bogus", "--input", "x", "--output", "y")]
    [InlineData("prepare", "multiscale", "--input", "x", "--output", "y", "--crop-size", "64")]
    [InlineData("prepare", "meta-info", "--input", "x", "--root", "x")]
    [InlineData("prepare", "subimages", "--input", "x")]
    [InlineData("prepare", "subimages", "--input", "x", "--output", "y", "--step", "0")]
    public void BadArguments_OneLine(params string[] args)
    {
        var (code, _, stderr) = Run(args);
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.StartsWith("error: ", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}
