using NativeGan.Backends.Ilgpu;

namespace NativeGan.Tests.Kernels;

/// <summary>One PTX compiler for the whole test class: ILGPU's backends are costly to build, compiling is not.</summary>
public sealed class PtxCompilerFixture : IDisposable
{
    public PtxKernelCompiler Compiler { get; } = new();
    public void Dispose() => Compiler.Dispose();
}

/// <summary>
/// Every catalog kernel compiles to PTX for every checked architecture with ILGPU's own PTX backend, no GPU
/// needed: ILGPU's CPU accelerator runs .NET math that PTX may not have, so only this shows a GPU user's failure.
/// </summary>
public class PtxCompileTests(PtxCompilerFixture fixture) : IClassFixture<PtxCompilerFixture>
{
    public static TheoryData<string, string> KernelsAndArchitectures()
    {
        var data = new TheoryData<string, string>();
        foreach (var arch in PtxKernelCompiler.CheckedArchitectures)
            foreach (var k in KernelCatalog.All)
                data.Add(k.Name, arch);
        return data;
    }

    [Theory]
    [MemberData(nameof(KernelsAndArchitectures))]
    public void CompilesToPtx(string kernel, string arch)
    {
        var result = fixture.Compiler.Compile(KernelCatalog.Find(kernel)!, arch);
        Assert.True(result.Succeeded, $"{kernel} for {arch}: {result.Error}");
        Assert.Contains(".entry", result.Ptx);
        Assert.Contains(".version 7.8", result.Ptx);
    }

    [Theory]
    [InlineData("sm_86", 8, 6)]
    [InlineData("8.9", 8, 9)]
    [InlineData("SM_90", 9, 0)]
    [InlineData("sm_100", 10, 0)]
    public void ParsesArchitectures(string text, int major, int minor)
    {
        var a = PtxKernelCompiler.ParseArchitecture(text);
        Assert.Equal((major, minor), (a.Major, a.Minor));
    }

    [Theory]
    [InlineData("ampere")]
    [InlineData("sm_")]
    [InlineData("")]
    public void RefusesUnknownArchitectures(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => PtxKernelCompiler.ParseArchitecture(text));
        Assert.Contains("sm_XY", e.Message);
    }
}
