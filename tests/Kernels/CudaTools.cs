using NativeGan.Profiling.Kernels;

namespace NativeGan.Tests.Kernels;

/// <summary>
/// NVIDIA's offline tools for the tests that assemble kernels. Without them such a test is skipped with a message
/// naming the fetch script, except where NATIVEGAN_REQUIRE_PTXAS=1 (CI sets it): there their absence is a failure.
/// </summary>
public static class CudaTools
{
    public const string RequireVariable = "NATIVEGAN_REQUIRE_PTXAS";

    public static CudaToolchain Require()
    {
        var search = CudaToolchain.Search();
        bool complete = search.Toolchain is { IsComplete: true };
        string why = search.Found && !complete
            ? $"{search.Describe()}; run {CudaToolchain.FetchScript}"
            : search.Describe();
        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
            Assert.True(complete, $"{RequireVariable}=1 but the CUDA tools are missing: {why}");
        Assert.SkipUnless(complete, why);
        return search.Toolchain!;
    }
}
