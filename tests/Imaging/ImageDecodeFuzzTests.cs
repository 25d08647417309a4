using System.Diagnostics;
using NativeGan.Models.Imaging;

namespace NativeGan.Tests.Imaging;

/// <summary>
/// Truncations and bit flips of small real PNG and JPEG files (fixed seed, bounded): each decodes or is refused
/// with an InvalidDataException / ImageTooLargeException that names the file, never another exception type.
/// </summary>
public sealed class ImageDecodeFuzzTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("ng-img-fuzz-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData("rgb8_pil.png")]
    [InlineData("palette_trns.png")]
    [InlineData("rgb16.png")]
    [InlineData("rgb.jpg")]
    public void CorruptCopies_DecodeOrNameTheFile(string seedName)
    {
        var seed = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "imaging", seedName));
        var rng = new Random(7 + seedName.Length);
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        int cases = 0;
        string path = Path.Combine(dir, "case" + Path.GetExtension(seedName));
        for (; cases < 400 && clock.Elapsed < TimeSpan.FromSeconds(15); cases++)
        {
            byte[] mutated;
            if (rng.Next(3) == 0) mutated = seed[..rng.Next(1, seed.Length)];
            else
            {
                mutated = (byte[])seed.Clone();
                for (int f = rng.Next(1, 4); f > 0; f--) mutated[rng.Next(mutated.Length)] ^= (byte)(1 << rng.Next(8));
            }
            File.WriteAllBytes(path, mutated);
            try
            {
                ImageIO.Read(path, maxPixels: 1 << 22);
            }
            catch (Exception e) when (e is InvalidDataException or ImageTooLargeException)
            {
                if (!e.Message.Contains(path, StringComparison.Ordinal)) failures.Add($"case {cases}: message does not name the file: {e.Message}");
            }
            catch (Exception e)
            {
                failures.Add($"case {cases}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(cases >= 50, $"only {cases} cases ran");
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} misbehaved:\n{string.Join("\n", failures.Take(8))}");
    }
}
