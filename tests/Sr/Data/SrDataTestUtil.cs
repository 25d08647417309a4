using NativeGan.IO;
using StbImageWriteSharp;

namespace NativeGan.Tests.Sr.Data;

internal static class SrFixtures
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "fixtures", "srdata");
    public static string Images => Path.Combine(Directory, "images");
    public static readonly string[] ImageNames = { "astronaut.png", "chelsea.png", "coffee.png" };

    public static SafetensorsFile Load(string name) => Safetensors.Read(Path.Combine(Directory, name));

    public static float[] Data(this SafetensorsFile f, string key) =>
        f.Tensors.TryGetValue(key, out var e) ? e.Data : throw new KeyNotFoundException($"fixture has no tensor '{key}'; it has {string.Join(", ", f.Tensors.Keys)}");

    public static int[] Shape(this SafetensorsFile f, string key) => f.Tensors[key].Shape;

    /// <summary>Asserts |a - e| &lt;= atol or &lt;= rtol * |e| elementwise, naming the first element that is not.</summary>
    public static void Close(float[] expected, float[] actual, double rtol, double atol, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)actual[i] - expected[i]);
            Assert.True(d <= atol || d <= rtol * Math.Abs(expected[i]),
                $"{what}: element {i} is {actual[i]}, expected {expected[i]} (diff {d:E2})");
        }
    }

    /// <summary>Writes CHW floats in [0, 1] as an 8-bit RGB PNG (rounded) and returns the bytes it holds / 255.</summary>
    public static float[] WritePng(string path, float[] chw, int h, int w)
    {
        var rgb = new byte[h * w * 3];
        var stored = new float[chw.Length];
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < h * w; p++)
            {
                byte b = (byte)Math.Clamp(MathF.Round(chw[c * h * w + p] * 255f), 0, 255);
                rgb[p * 3 + c] = b;
                stored[c * h * w + p] = b / 255f;
            }
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var fs = File.Create(path);
        new ImageWriter().WritePng(rgb, w, h, ColorComponents.RedGreenBlue, fs);
        return stored;
    }

    /// <summary>A folder holding copies of the fixture photos (GT) and, when <paramref name="scale"/> &gt; 0,
    /// an LQ folder with their mod-cropped imresize(1/scale) saved as PNG under <paramref name="lqTemplate"/>.</summary>
    public static (string Gt, string Lq) MakePairedFolders(string root, int scale, string lqTemplate = "{}")
    {
        string gt = Path.Combine(root, "gt"), lq = Path.Combine(root, "lq");
        System.IO.Directory.CreateDirectory(gt);
        System.IO.Directory.CreateDirectory(lq);
        var hrSource = new NativeGan.Models.Sr.Data.HrFolderSource(Images, scale);
        for (int i = 0; i < hrSource.Count; i++)
        {
            string stem = Path.GetFileNameWithoutExtension(hrSource.Name(i));
            var pair = hrSource.Read(i);
            // GT: the mod-cropped image, so GT = scale * LQ exactly
            WritePng(Path.Combine(gt, stem + ".png"), pair.Gt, pair.GtHeight, pair.GtWidth);
            WritePng(Path.Combine(lq, lqTemplate.Replace("{}", stem) + ".png"), pair.Lq, pair.LqHeight, pair.LqWidth);
        }
        return (gt, lq);
    }
}
