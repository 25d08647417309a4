using NativeGan.Models.Data.Prepare;

namespace NativeGan.Tests.Data.Prepare;

/// <summary>MetaInfo (generate_meta_info.py): relative paths of every image, several folders, the --check decode.</summary>
public sealed class MetaInfoTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void List_TwoFolders_RelativeToTheirRoots_SortedByName()
    {
        string df2k = Path.Combine(_dir.Path, "DF2K");
        string hr = PrepareFixtures.PhotoFolder(df2k, "DF2K_HR", "coffee", "astronaut", "chelsea");
        string ms = PrepareFixtures.PhotoFolder(df2k, "DF2K_multiscale", "camera_160x120", "chelsea_200x133");
        File.WriteAllText(Path.Combine(hr, "readme.txt"), "not an image");
        File.Copy(PrepareFixtures.Photo("coffee"), Path.Combine(hr, ".hidden.png"));
        Directory.CreateDirectory(Path.Combine(hr, "sub"));
        File.Copy(PrepareFixtures.Photo("coffee"), Path.Combine(hr, "sub", "nested.png"));

        var entries = MetaInfo.List(new[] { hr, ms }, new[] { df2k, df2k });

        Assert.Equal(new[] { "DF2K_HR/astronaut.png", "DF2K_HR/chelsea.png", "DF2K_HR/coffee.png",
            "DF2K_multiscale/camera_160x120.png", "DF2K_multiscale/chelsea_200x133.png" }, entries.Select(e => e.Relative));
        Assert.All(entries, e => Assert.Equal(Path.GetFullPath(Path.Combine(df2k, e.Relative)), Path.GetFullPath(e.Path)));
        // A root beside the folder gives ../, as os.path.relpath.
        Assert.Equal("../DF2K_HR/coffee.png", MetaInfo.RelativePath(Path.Combine(hr, "coffee.png"), ms));
    }

    [Fact]
    public void List_CountsDiffer_SaysBoth()
    {
        string a = PrepareFixtures.PhotoFolder(_dir.Path, "a", "coffee");
        var e = Assert.Throws<PrepareException>(() => MetaInfo.List(new[] { a, a }, new[] { _dir.Path }));
        Assert.Contains("2 input folders", e.Message);
        Assert.Contains("1 roots", e.Message);
        e = Assert.Throws<PrepareException>(() => MetaInfo.List(new[] { Path.Combine(_dir.Path, "missing") }, new[] { _dir.Path }));
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void Check_BrokenImages_AreNamed_GoodOnesPass()
    {
        string a = PrepareFixtures.PhotoFolder(_dir.Path, "a", "coffee", "camera16_120x90");
        string garbage = Path.Combine(a, "garbage.png");
        File.WriteAllText(garbage, "this is not a PNG");
        string truncated = Path.Combine(a, "truncated.png");
        var bytes = File.ReadAllBytes(PrepareFixtures.Photo("chelsea_200x133"));
        File.WriteAllBytes(truncated, bytes.AsSpan(0, bytes.Length / 3).ToArray());

        Assert.Null(MetaInfo.Check(Path.Combine(a, "coffee.png")));
        Assert.Null(MetaInfo.Check(Path.Combine(a, "camera16_120x90.png")));
        Assert.Contains("garbage.png", MetaInfo.Check(garbage));
        Assert.Contains("truncated.png", MetaInfo.Check(truncated));
    }

    [Fact]
    public void Write_OneLinePerEntry_MakesTheFolder()
    {
        string file = Path.Combine(_dir.Path, "meta_info", "meta_info_DF2Kmultiscale.txt");
        MetaInfo.Write(file, new[] { "DF2K_HR/0001.png", "DF2K_multiscale/0001T0.png" });
        Assert.Equal("DF2K_HR/0001.png\nDF2K_multiscale/0001T0.png\n", File.ReadAllText(file));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(file)!)); // no temporary file left behind
    }
}
