using NativeGan.Cli;
using NativeGan.IO;

namespace NativeGan.Tests.Cli;

/// <summary>`nativegan convert in.pth out.safetensors`, run in-process.</summary>
public sealed class ConvertVerbTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures");
    private readonly string _dir = Directory.CreateTempSubdirectory("nativegan-convert-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => NativeGan.Tests.Cli.CliRun.Run(args);

    [Fact]
    public void Convert_WritesTheParamsEmaStateDictAsFloat32Safetensors()
    {
        string input = Path.Combine(Fixtures, "models", "rrdbnet_tiny_x4.pth");
        string output = Path.Combine(_dir, "rrdbnet.safetensors");

        var (code, stdout, stderr) = Run("convert", input, output);

        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Contains("72 tensors", stdout);
        Assert.Contains("'params_ema'", stdout);
        var expected = PthReader.ReadStateDict(input);
        var written = Safetensors.Read(output);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), written.Tensors.Keys);
        foreach (var (key, entry) in expected)
        {
            Assert.Equal("F32", written.Tensors[key].DType);
            Assert.Equal(entry.Shape, written.Tensors[key].Shape);
            Assert.Equal(entry.Data, written.Tensors[key].Data);
        }
        Assert.Equal("params_ema", written.Metadata["state_dict_key"]);
        Assert.Equal([output], Directory.GetFiles(_dir)); // no temporary file left behind
    }

    [Fact]
    public void Convert_LegacyFileWithIntegerTensors_NotesTheConversion()
    {
        string output = Path.Combine(_dir, "sd.safetensors");
        var (code, stdout, stderr) = Run("convert", Path.Combine(Fixtures, "pth", "ordered_dict.pth"), output);
        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Contains("top-level state dict", stdout);
        Assert.Contains("1 integer/bool tensor(s) stored as float32 (1.num_batches_tracked)", stdout);
        Assert.Equal(7f, Safetensors.Read(output).Tensors["1.num_batches_tracked"].Data.Single());

        (code, _, stderr) = Run("convert", Path.Combine(Fixtures, "pth", "legacy.pth"), output);
        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Equal(5, Safetensors.Read(output).Tensors.Count);
    }

    [Fact]
    public void Convert_BrokenOrForbiddenInput_IsAnErrorLineAndWritesNothing()
    {
        string output = Path.Combine(_dir, "out.safetensors");
        string broken = Path.Combine(_dir, "broken.pth");
        File.WriteAllBytes(broken, File.ReadAllBytes(Path.Combine(Fixtures, "pth", "views.pth"))[..500]);

        var (code, _, stderr) = Run("convert", broken, output);
        Assert.Equal(ExitCodes.BadArguments, code);   // a broken input file: 1
        Assert.StartsWith("error: Cannot read PyTorch file", stderr);
        Assert.Contains("broken.pth", stderr);
        Assert.DoesNotContain("   at ", stderr);

        (code, _, stderr) = Run("convert", Path.Combine(Fixtures, "pth", "forbidden_system.pth"), output);
        Assert.Equal(ExitCodes.BadArguments, code);   // a pickle that would run code is refused as input: 1
        Assert.Contains("'posix.system'", stderr);
        Assert.Equal([broken], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Convert_WithoutTheOutputPath_IsABadArgument()
    {
        var (code, _, stderr) = Run("convert", Path.Combine(Fixtures, "pth", "views.pth"));
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Contains("output", stderr);
    }
}
