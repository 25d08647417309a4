using NativeGan.Cli;

namespace NativeGan.Tests.Cli;

/// <summary>
/// README's install step, for real: `dotnet pack` the CLI into a folder, `dotnet tool install` it from there into a
/// tool folder (nothing downloaded), and run the installed `nativegan` as a process.
/// </summary>
public sealed class CliInstallTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nativegan-install-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    [Trait("Category", "Slow")]
    public void PackedToolInstallsFromAFolderAndRuns()
    {
        string? dotnet = CliRun.DotnetExecutable;
        Assert.SkipWhen(dotnet == null, "no `dotnet` executable (DOTNET_HOST_PATH or PATH): the SDK is needed to pack and install the tool.");
        var minutes = TimeSpan.FromMinutes(8);
        string packages = Path.Combine(_dir, "packages"), tools = Path.Combine(_dir, "tools");
        var env = new Dictionary<string, string?> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };

        var pack = CliRun.Process(dotnet!, ["pack", Path.Combine(CliRun.RepositoryRoot, "cli"), "-c", "Release", "-o", packages], minutes, environment: env);
        Assert.True(pack.Code == 0, pack.Out + pack.Err);
        Assert.Contains(Directory.GetFiles(packages), f => Path.GetFileName(f).StartsWith("nativegan.") && f.EndsWith(".nupkg"));

        // --source: the folder replaces every configured feed, so nothing is fetched and no network is needed.
        var install = CliRun.Process(dotnet!, ["tool", "install", "nativegan", "--tool-path", tools, "--source", packages],
            minutes, workingDirectory: _dir, environment: env);
        Assert.True(install.Code == 0, install.Out + install.Err);

        string exe = Path.Combine(tools, OperatingSystem.IsWindows() ? "nativegan.exe" : "nativegan");
        Assert.True(File.Exists(exe), $"{exe} was not installed: {install.Out}");
        var oneMinute = TimeSpan.FromMinutes(1);

        var version = CliRun.Process(exe, ["version"], oneMinute, _dir);
        Assert.True(version.Code == ExitCodes.Ok, version.Err);
        Assert.StartsWith($"nativegan {CliApp.Version}", version.Out);
        Assert.Contains("runtime: .NET", version.Out);
        var flag = CliRun.Process(exe, ["--version"], oneMinute, _dir);
        Assert.Equal((0, $"nativegan {CliApp.Version}"), (flag.Code, flag.Out.Trim()));

        var devices = CliRun.Process(exe, ["devices"], oneMinute, _dir);
        Assert.True(devices.Code == ExitCodes.Ok, devices.Err);
        Assert.Contains("DEVICE", devices.Out);
        Assert.Contains("cpu", devices.Out);
        Assert.Contains("default: ", devices.Out);

        // The process's exit codes and stderr are what the README documents.
        var typo = CliRun.Process(exe, ["devcies"], oneMinute, _dir);
        Assert.Equal(ExitCodes.BadArguments, typo.Code);
        Assert.Equal("error: unknown verb 'devcies'; did you mean 'devices'? See `nativegan --help`.", typo.Err.Trim());
        Assert.Equal("", typo.Out);
        var missing = CliRun.Process(exe, ["train", "--config", "no such config.yml"], oneMinute, _dir);
        Assert.Equal(ExitCodes.BadArguments, missing.Code);
        Assert.StartsWith("error: ", missing.Err);
        Assert.DoesNotContain("   at ", missing.Err);
    }
}
