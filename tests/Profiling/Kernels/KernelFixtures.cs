namespace NativeGan.Tests.Profiling.Kernels;

/// <summary>tests/fixtures/kernels: real ptxas -v and cuobjdump -sass texts, written by tools/make_kernel_fixtures.sh.</summary>
internal static class KernelFixtures
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "fixtures", "kernels");

    public static string Read(string name) => File.ReadAllText(Path.Combine(Folder, name));

    public static string Ptxas(string kernel, string arch = "sm_90") => Read($"{kernel}.{arch}.ptxas.txt");

    public static string Sass(string kernel, string arch = "sm_90") => Read($"{kernel}.{arch}.sass");
}
