using NativeGan.Cli;
using NativeGan.IO;
using NativeGan.Tests.Fixtures;

namespace NativeGan.Tests.Cli;

public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => NativeGan.Tests.Cli.CliRun.Run(args);

    [Fact]
    public void DevicesListsTheCpuAndTheDefault()
    {
        var (code, output, _) = Run("devices");
        Assert.Equal(0, code);
        Assert.Contains("cpu", output);
        Assert.Contains("ilgpu-cpu", output);
    }

    [Fact]
    public void UnknownVerbShowsHelpWithoutAStackTrace()
    {
        var (code, output, error) = Run("frobnicate");
        Assert.Equal(1, code);
        Assert.DoesNotContain("   at ", output + error);
        Assert.Contains("devices", output + error);
    }

    [Fact]
    public void GradcheckPassesEveryShippedReferenceCase()
    {
        var (code, output, _) = Run("gradcheck", "--fixtures", FixtureCase.Directory);
        var last = output.TrimEnd().Split('\n')[^1].Trim();
        Assert.Matches(@"^\d+ passed, 0 failed$", last);
        Assert.Equal(0, code);
    }

    [Fact]
    public void GradcheckFailsOnAnUnknownOpAWrongValueAndABrokenFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nativegan-gradcheck-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var relu = FixtureCase.Load("relu_0.safetensors");
            var tensors = relu.File.Tensors.Values.Select(t => (t.Name, t.Shape, t.Name == "out" ? t.Data.Select(v => v + 1f).ToArray() : t.Data)).ToList();
            Safetensors.Write(Path.Combine(dir, "relu_wrong.safetensors"), tensors, relu.File.Metadata);
            Safetensors.Write(Path.Combine(dir, "mystery_0.safetensors"), new[] { ("in.x", new[] { 2 }, new[] { 1f, 2f }) },
                new Dictionary<string, string> { ["op"] = "mystery", ["args"] = "{}" });
            File.WriteAllBytes(Path.Combine(dir, "broken_0.safetensors"), new byte[] { 1, 2, 3 });
            // A correct case at a shape the shipped fixtures do not have.
            var x = Enumerable.Range(0, 7 * 3).Select(i => i % 5 - 2f).ToArray();
            Safetensors.Write(Path.Combine(dir, "relu_big.safetensors"), new[]
            {
                ("in.x", new[] { 7, 3 }, x), ("out", new[] { 7, 3 }, x.Select(v => Math.Max(v, 0f)).ToArray()),
                ("gout", new[] { 7, 3 }, x.Select(_ => 1f).ToArray()), ("grad.x", new[] { 7, 3 }, x.Select(v => v > 0 ? 1f : 0f).ToArray()),
            }, new Dictionary<string, string> { ["op"] = "relu", ["args"] = "{}" });

            var (code, output, _) = Run("gradcheck", "--fixtures", dir);
            Assert.NotEqual(0, code);
            Assert.Contains("unknown op 'mystery'", output);
            Assert.Contains("broken_0", output);
            Assert.Matches(@"relu_big\s+relu\s+\S+\s+pass", output);
            Assert.Matches(@"relu_wrong\s+relu\s+\S+\s+FAIL", output);
            Assert.Contains("1 passed, 3 failed", output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void GradcheckOfAMissingFolderIsAnErrorLine()
    {
        var (code, _, error) = Run("gradcheck", "--fixtures", "/nonexistent/folder");
        Assert.Equal(ExitCodes.BadArguments, code);   // a missing input folder: 1
        Assert.StartsWith("error:", error.Trim());
        Assert.Contains("/nonexistent/folder", error);
    }
}
