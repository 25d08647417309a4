using NativeGan.Cli;
using NativeGan.IO;

namespace NativeGan.Tests.Cli;

/// <summary>
/// Real-ESRGAN's compact models through `nativegan convert` and `forward`, run in-process on the PyTorch fixture
/// (tools/make_srvgg_fixtures.py: srvgg_tiny_x4_conv2.pth is saved as Real-ESRGAN releases, under 'params').
/// </summary>
public sealed class RealEsrganZooVerbTests : IDisposable
{
    private static readonly string Models = Path.Combine(AppContext.BaseDirectory, "fixtures", "models");
    private readonly string _dir = Directory.CreateTempSubdirectory("nativegan-zoo-verbs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static (int Code, string Out, string Err) Run(params string[] args) => NativeGan.Tests.Cli.CliRun.Run(args);

    private static void AssertOutputIsPyTorchs(string outputFile)
    {
        var expected = Safetensors.Read(Path.Combine(Models, "srvgg_tiny_x4_conv2.io.safetensors")).Tensors["output"];
        var actual = Safetensors.Read(outputFile).Tensors["output"];
        Assert.Equal(expected.Shape, actual.Shape);
        Fixtures.Assertions.AssertClose(expected.Data, actual.Data, 1e-4, 1e-5, "SRVGGNetCompact through `forward`");
    }

    [Fact]
    public void Forward_SrvggPth_ReproducesPyTorch()
    {
        string output = Path.Combine(_dir, "out.safetensors");
        var (code, stdout, stderr) = Run("forward", "--weights", Path.Combine(Models, "srvgg_tiny_x4_conv2.pth"),
            "--input", Path.Combine(Models, "srvgg_tiny_x4_conv2.io.safetensors"), "--output", output, "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Contains("SRVGGNetCompact x4 (num_feat 8, num_conv 2, act_type prelu", stdout);
        Assert.Contains("'params'", stdout);
        AssertOutputIsPyTorchs(output);
    }

    [Fact]
    public void Convert_SrvggPth_KeepsKeysAndTheConvertedFileRunsTheSame()
    {
        string converted = Path.Combine(_dir, "srvgg.safetensors");
        var (code, stdout, stderr) = Run("convert", Path.Combine(Models, "srvgg_tiny_x4_conv2.pth"), converted);
        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Contains("under 'params'", stdout);
        var written = Safetensors.Read(converted).Tensors;
        var reference = Safetensors.Read(Path.Combine(Models, "srvgg_tiny_x4_conv2.weights.safetensors")).Tensors;
        Assert.Equal(reference.Keys.Order(StringComparer.Ordinal), written.Keys.Order(StringComparer.Ordinal));
        foreach (var (k, e) in reference) Assert.Equal(e.Data, written[k].Data);

        string output = Path.Combine(_dir, "out.safetensors");
        (code, _, stderr) = Run("forward", "--weights", converted,
            "--input", Path.Combine(Models, "srvgg_tiny_x4_conv2.io.safetensors"), "--output", output, "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, stderr);
        AssertOutputIsPyTorchs(output);
    }
}
