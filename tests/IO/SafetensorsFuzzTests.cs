using System.Diagnostics;
using NativeGan.IO;
using NativeGan.Models.Training;

namespace NativeGan.Tests.IO;

/// <summary>
/// Corrupt safetensors files: every damaged header or data section is a SafetensorsFormatException naming the file,
/// and auto-resume falls back past such a checkpoint to the older complete one. Cases the fuzz loop once found are
/// kept under fixtures/fuzz/safetensors and run as regressions.
/// </summary>
public sealed class SafetensorsFuzzTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("ng-st-fuzz-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static string RegressionDirectory => Path.Combine(AppContext.BaseDirectory, "fixtures", "fuzz", "safetensors");

    /// <summary>A small checkpoint as the trainers write it: a few tensors plus iteration/format/config metadata.</summary>
    private static void WriteCheckpoint(string path, long iteration)
    {
        var tensors = new List<(string, int[], float[])>
        {
            ("net_g.layer.weight", new[] { 3, 2 }, new[] { 1f, -2f, 3f, 0.5f, 0.25f, -1f }),
            ("net_g.layer.bias", new[] { 3 }, new[] { 0.1f, 0.2f, 0.3f }),
            ("optim_g.step", Array.Empty<int>(), new[] { (float)iteration }),
        };
        Safetensors.Write(path, tensors, new Dictionary<string, string>
        {
            ["iteration"] = iteration.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["format"] = "nativegan-gan-checkpoint-v1",
            ["config"] = "model: vanilla\nbatch_size: 4\n",
        });
    }

    /// <summary>Reading must either succeed or throw SafetensorsFormatException naming the file; returns the failure, if any.</summary>
    private static string? Misbehaviour(string path)
    {
        try
        {
            Safetensors.Read(path);
            return null;
        }
        catch (SafetensorsFormatException e)
        {
            return e.Message.Contains(path, StringComparison.Ordinal) ? null : $"the message does not name the file: {e.Message}";
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    [Fact]
    public void InvalidUtf8ByteInAName_IsAFormatErrorNamingTheFile()
    {
        string path = Path.Combine(dir, "bad_utf8.safetensors");
        WriteCheckpoint(path, 10);
        var bytes = File.ReadAllBytes(path);
        int at = IndexOf(bytes, "net_g.layer.bias"u8.ToArray()) + 2;
        bytes[at] = 0xFF; // not a UTF-8 byte anywhere
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("UTF-8", e.Message);
    }

    [Fact]
    public void AutoResume_SkipsANewestCheckpointWithACorruptHeader_AndWarns()
    {
        string folder = Path.Combine(dir, CheckpointStore.FolderName);
        Directory.CreateDirectory(folder);
        WriteCheckpoint(Path.Combine(folder, "iter_000010.safetensors"), 10);
        string newest = Path.Combine(folder, "iter_000020.safetensors");
        WriteCheckpoint(newest, 20);
        var bytes = File.ReadAllBytes(newest);
        bytes[IndexOf(bytes, "iteration"u8.ToArray()) + 1] = 0xC3; // a lead byte without its continuation
        File.WriteAllBytes(newest, bytes);

        var warnings = new List<string>();
        var found = CheckpointStore.NewestComplete(dir, warnings.Add);
        Assert.NotNull(found);
        Assert.EndsWith("iter_000010.safetensors", found.Value.Path);
        Assert.Contains(warnings, w => w.Contains("iter_000020.safetensors") && w.Contains("UTF-8"));
    }

    [Fact]
    public void KeptFuzzCases_AreFormatErrorsNamingTheFile()
    {
        var files = Directory.GetFiles(RegressionDirectory, "*.safetensors");
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            var problem = Misbehaviour(f);
            Assert.True(problem == null, $"{Path.GetFileName(f)}: {problem}");
            Assert.Throws<SafetensorsFormatException>(() => Safetensors.Read(f));
        }
    }

    [Fact]
    public void BitFlipsAndTruncations_OfARealCheckpoint_AreReadOrRefusedCleanly()
    {
        string seedPath = Path.Combine(dir, "seed.safetensors");
        WriteCheckpoint(seedPath, 1234);
        var seed = File.ReadAllBytes(seedPath);
        int headerEnd = 8 + (int)BitConverter.ToUInt64(seed, 0);
        var rng = new Random(20261206);
        var failures = new List<string>();
        // Set NATIVEGAN_FUZZ_KEEP to a folder to keep each failing input there (that is how the regression files were made).
        string? keep = Environment.GetEnvironmentVariable("NATIVEGAN_FUZZ_KEEP");
        var clock = Stopwatch.StartNew();
        int cases = 0;
        string path = Path.Combine(dir, "case.safetensors");
        for (; cases < 3000 && clock.Elapsed < TimeSpan.FromSeconds(20); cases++)
        {
            byte[] mutated;
            int kind = rng.Next(4);
            if (kind == 0)
            {
                mutated = seed[..rng.Next(seed.Length)];
            }
            else
            {
                mutated = (byte[])seed.Clone();
                int flips = kind == 3 ? rng.Next(2, 6) : 1;
                for (int f = 0; f < flips; f++)
                {
                    // Mostly the length field and header, where parsing happens; sometimes the data.
                    int at = rng.Next(4) == 0 ? rng.Next(mutated.Length) : rng.Next(headerEnd);
                    mutated[at] ^= (byte)(1 << rng.Next(8));
                }
            }
            File.WriteAllBytes(path, mutated);
            var problem = Misbehaviour(path);
            if (problem == null) continue;
            failures.Add($"case {cases}: {problem}");
            if (keep != null) File.WriteAllBytes(Path.Combine(keep, $"case_{cases:D4}.safetensors"), mutated);
        }
        Assert.True(cases >= 500, $"only {cases} cases ran in the time allowed");
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases misbehaved:\n{string.Join("\n", failures.Take(10))}");
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        throw new InvalidOperationException("marker not found in the file");
    }
}
