using System.Text.Json;
using NativeGan.Models.Imaging;

namespace NativeGan.Tests.Data.Prepare;

/// <summary>tests/fixtures/prepare (made by tools/make_prepare_fixtures.py from Debian python3-skimage photos).</summary>
internal static class PrepareFixtures
{
    public static readonly string Root = Path.Combine(AppContext.BaseDirectory, "fixtures", "prepare");
    public static readonly string Images = Path.Combine(Root, "images");
    public static readonly string Lanczos = Path.Combine(Root, "lanczos");
    public static readonly string SrPhotos = Path.Combine(AppContext.BaseDirectory, "fixtures", "srdata", "images");

    public static JsonElement Cases() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "cases.json"))).RootElement;

    /// <summary>A source photo by name (without .png): tests/fixtures/prepare/images or tests/fixtures/srdata/images.</summary>
    public static string Photo(string name)
    {
        string p = Path.Combine(Images, name + ".png");
        return File.Exists(p) ? p : Path.Combine(SrPhotos, name + ".png");
    }

    /// <summary>The samples as integers (k of 255 or 65535 levels), planar.</summary>
    public static int[] Levels(ImageData image)
    {
        float max = image.BitDepth == 8 ? 255f : 65535f;
        return image.Planar.Select(v => (int)MathF.Round(v * max)).ToArray();
    }

    /// <summary>Copies photos into a new folder of <paramref name="dir"/> and returns it.</summary>
    public static string PhotoFolder(string dir, string name, params string[] photos)
    {
        string folder = Path.Combine(dir, name);
        Directory.CreateDirectory(folder);
        foreach (var p in photos) File.Copy(Photo(p), Path.Combine(folder, p + ".png"));
        return folder;
    }
}
