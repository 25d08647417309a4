using NativeGan.Profiling.Kernels;
using NativeGan.Tests.Data;

namespace NativeGan.Tests.Profiling.Kernels;

public class CudaToolchainTests
{
    private static string FakeTools(TempDir dir, string folder, params string[] tools)
    {
        foreach (var t in tools)
        {
            string p = dir.File(Path.Combine(folder, t));
            File.WriteAllText(p, "#!/bin/sh\necho fake\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(p, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return Path.Combine(dir.Path, folder);
    }

    [Fact]
    public void SearchOrderIsEnvironmentThenPathThenCacheThenUsrLocal()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "fake tools are shell scripts");
        using var dir = new TempDir();
        string env = FakeTools(dir, "env/bin", "ptxas", "cuobjdump", "nvdisasm");
        string onPath = FakeTools(dir, "path", "ptxas", "cuobjdump", "nvdisasm");
        string home = dir.File("home");
        FakeTools(dir, "home/.cache/nativegan/cuda-11.8/bin", "ptxas", "cuobjdump", "nvdisasm");
        var vars = new Dictionary<string, string?> { ["NATIVEGAN_CUDA_TOOLS"] = Path.Combine(dir.Path, "env"), ["PATH"] = "/nonexistent:" + onPath };

        var s = CudaToolchain.Search(null, v => vars.GetValueOrDefault(v), home);
        Assert.Equal(env, s.Toolchain!.Folder);
        Assert.True(s.Toolchain.IsComplete);
        Assert.Equal([env, "/nonexistent", onPath, Path.Combine(home, ".cache", "nativegan", "cuda-11.8", "bin"), "/usr/local/cuda/bin"], s.Searched);

        vars.Remove("NATIVEGAN_CUDA_TOOLS");
        Assert.Equal(onPath, CudaToolchain.Search(null, v => vars.GetValueOrDefault(v), home).Toolchain!.Folder);
        vars["PATH"] = "/nonexistent";
        Assert.Equal(Path.Combine(home, ".cache", "nativegan", "cuda-11.8", "bin"), CudaToolchain.Search(null, v => vars.GetValueOrDefault(v), home).Toolchain!.Folder);
    }

    [Fact]
    public void AFolderWithAllThreeToolsBeatsAnEarlierOneWithPtxasOnly()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "fake tools are shell scripts");
        using var dir = new TempDir();
        string lone = FakeTools(dir, "lone", "ptxas");
        string full = FakeTools(dir, "full", "ptxas", "cuobjdump", "nvdisasm");
        var vars = new Dictionary<string, string?> { ["PATH"] = lone + Path.PathSeparator + full };
        Assert.Equal(full, CudaToolchain.Search(null, v => vars.GetValueOrDefault(v), null).Toolchain!.Folder);
        vars["PATH"] = lone;
        var partial = CudaToolchain.Search(null, v => vars.GetValueOrDefault(v), null).Toolchain!;
        Assert.Equal(lone, partial.Folder);
        Assert.Equal(["cuobjdump", "nvdisasm"], partial.MissingTools);
    }

    [Fact]
    public void ExplicitPtxasPathIsTheOnlyPlaceLooked()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "fake tools are shell scripts");
        using var dir = new TempDir();
        string folder = FakeTools(dir, "x", "ptxas", "cuobjdump");
        var found = CudaToolchain.Search(Path.Combine(folder, "ptxas"), _ => null, null);
        Assert.Equal(Path.Combine(folder, "cuobjdump"), found.Toolchain!.CuobjdumpPath);
        Assert.Null(found.Toolchain.NvdisasmPath);

        var missing = CudaToolchain.Search(Path.Combine(dir.Path, "nope", "ptxas"), _ => null, null);
        Assert.False(missing.Found);
        Assert.Contains("tools/fetch-cuda-tools.sh", missing.Describe());
    }

    [Fact]
    public void NoToolsAnywhere()
    {
        using var dir = new TempDir();
        var s = CudaToolchain.Search(null, _ => null, dir.Path);
        Assert.Equal([Path.Combine(dir.Path, ".cache", "nativegan", "cuda-11.8", "bin"), "/usr/local/cuda/bin"], s.Searched);
        if (!File.Exists("/usr/local/cuda/bin/ptxas")) Assert.Null(s.Toolchain);
    }

    [Fact]
    public void ToolRunsDrainBothStreamsAndStopAtTheTimeout()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "uses /bin/sh");
        // 1 MB on each stream: more than a pipe buffer, so reading one stream to its end first would deadlock.
        var big = ToolProcess.Run("/bin/sh", ["-c", "head -c 1000000 /dev/zero | tr '\\0' a; head -c 1000000 /dev/zero | tr '\\0' b >&2; exit 3"],
            TimeSpan.FromSeconds(60));
        Assert.Equal((3, false, 1_000_000, 1_000_000), (big.ExitCode, big.TimedOut, big.StandardOutput.Length, big.StandardError.Length));

        var slow = ToolProcess.Run("/bin/sh", ["-c", "sleep 30"], TimeSpan.FromMilliseconds(300));
        Assert.True(slow.TimedOut);
        Assert.False(slow.Succeeded);
    }
}
