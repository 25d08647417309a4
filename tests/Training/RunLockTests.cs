using NativeGan.Models.Training;
using NativeGan.Tests.Data;
using static NativeGan.Tests.Training.TrainerTests;

namespace NativeGan.Tests.Training;

/// <summary>The run folder's lock within one process (two handles conflict as two processes do), the trainer's
/// own lock, and the removal of temporary files left by killed writes. The CLI's tests start real second processes.</summary>
public class RunLockTests
{
    [Fact]
    public void ASecondLockOnAFolderIsRefusedNamingTheHolderAndIsFreeAgainAfterRelease()
    {
        using var dir = new TempDir();
        string run = Path.Combine(dir.Path, "run");
        using (var first = RunLock.Acquire(run, "nativegan train --out run"))
        {
            Assert.True(first.IsHeld);
            Assert.Equal(Path.GetFullPath(run), first.RunDir);
            var e = Assert.Throws<RunFolderInUseException>(() => RunLock.Acquire(run));
            Assert.Equal(Environment.ProcessId, e.Holder?.Pid);
            Assert.Equal("nativegan train --out run", e.Holder?.Command);
            Assert.Contains($"pid {Environment.ProcessId}", e.Message);
            Assert.Contains("`nativegan train --out run`", e.Message);
            Assert.Contains(Path.GetFullPath(run), e.Message);
            Assert.True(File.Exists(Path.Combine(run, RunLock.HolderFileName)));
        }
        Assert.False(File.Exists(Path.Combine(run, RunLock.HolderFileName)));
        using (var again = RunLock.Acquire(run)) Assert.True(again.IsHeld);
    }

    [Fact]
    public void ATrainerRunTakesTheFolderLockUnlessItsCallerHoldsIt()
    {
        using var dir = new TempDir();
        var config = GanConfig.Parse(TinyYaml(WriteTinyIdx(dir), "gan", iterations: 2, checkpointEvery: 100, sampleEvery: 100), "tiny.yml");
        string run = Path.Combine(dir.Path, "run");
        using var held = RunLock.Acquire(run, "another training");
        using var t = new GanTrainer(config, run);
        var e = Assert.Throws<RunFolderInUseException>(() => t.Run(cancellation: TestContext.Current.CancellationToken));
        Assert.Contains("another training", e.Message);
        Assert.Equal(0, t.Iteration);
        Assert.False(CheckpointStore.HoldsRun(run));

        t.FolderLock = held;
        Assert.Equal(2, t.Run(cancellation: TestContext.Current.CancellationToken).Iteration);
        // The trainer's run released nothing of its caller's.
        Assert.True(held.IsHeld);
        Assert.Throws<RunFolderInUseException>(() => RunLock.Acquire(run));
    }

    [Theory]
    [InlineData("iter_000004.safetensors.tmp-0123456789ab", true)]                        // Safetensors.Write
    [InlineData("latest.tmp-4242-0123456789abcdef0123456789abcdef", true)]                 // CheckpointStore.WriteTextAtomically
    [InlineData("iter_000002.png.tmp-a1b2c3d4e5f6", true)]                                 // ImageIO, AtomicFile
    [InlineData("iter_000004.safetensors", false)]
    [InlineData("notes.tmp-mine", false)]
    [InlineData("x.tmp-0123456789abc", false)]
    [InlineData("x.tmp-0123456789AB", false)]
    [InlineData(".tmp-0123456789ab", false)]
    [InlineData("latest.tmp-x-0123456789abcdef0123456789abcdef", false)]
    public void TemporaryNamesAreExactlyTheAtomicWritersOnes(string name, bool temporary) =>
        Assert.Equal(temporary, RunLock.IsTemporaryName(name));

    [Fact]
    public void LeftoverTemporariesOfTheRunFolderAreRemovedAndNothingElse()
    {
        using var dir = new TempDir();
        string run = Path.Combine(dir.Path, "run");
        var leftovers = new Dictionary<string, int>
        {
            ["checkpoints/iter_000006.safetensors.tmp-0123456789ab"] = 1000,
            ["checkpoints/latest.tmp-77-0123456789abcdef0123456789abcdef"] = 23,
            ["config.yml.tmp-123-fedcba9876543210fedcba9876543210"] = 7,
            ["samples/iter_000003.png.tmp-00aa11bb22cc"] = 300,
        };
        string[] kept =
        {
            "checkpoints/iter_000003.safetensors", "checkpoints/latest", "notes.tmp-mine", "samples/keep.tmp-0123456789abX",
        };
        foreach (var (name, size) in leftovers) File.WriteAllBytes(Path.Combine(Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(run, name))!).FullName, Path.GetFileName(name)), new byte[size]);
        foreach (var name in kept) File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(run, name))!).FullName, Path.GetFileName(name)), "x");
        // A temporary name beside the run folder is another folder's business.
        string outside = Path.Combine(dir.Path, "other.safetensors.tmp-0123456789ab");
        File.WriteAllText(outside, "x");

        using (var held = RunLock.Acquire(run))
        {
            Assert.Equal((4, 1330L), held.RemoveLeftoverTemporaries());
            Assert.Equal((0, 0L), held.RemoveLeftoverTemporaries());
        }
        foreach (var name in leftovers.Keys) Assert.False(File.Exists(Path.Combine(run, name)), name);
        foreach (var name in kept) Assert.True(File.Exists(Path.Combine(run, name)), name);
        Assert.True(File.Exists(outside));
    }

    [Fact]
    public void CliResumeRemovesTheRunsLeftoverTemporariesAndSaysHowManyBytes()
    {
        using var dir = new TempDir();
        string cfg = dir.File("tiny.yml");
        File.WriteAllText(cfg, TinyYaml(WriteTinyIdx(dir), "gan", iterations: 2, checkpointEvery: 100, sampleEvery: 100));
        string run = Path.Combine(dir.Path, "run");
        var (code, output, error) = TrainerTests.Cli("train", "--config", cfg, "--out", run);
        Assert.True(code == 0, output + error);
        Assert.DoesNotContain("leftover", output);
        // What a kill -9 during a checkpoint and a pointer update leaves.
        File.WriteAllBytes(Path.Combine(run, "checkpoints", "iter_000003.safetensors.tmp-0123456789ab"), new byte[4096]);
        File.WriteAllBytes(Path.Combine(run, "checkpoints", "latest.tmp-99-0123456789abcdef0123456789abcdef"), new byte[5]);

        (code, output, error) = TrainerTests.Cli("train", "--resume", run, "--iterations", "3");
        Assert.True(code == 0, output + error);
        Assert.Contains($"removed 2 leftover temporary files of interrupted writes (4101 bytes) from {Path.GetFullPath(run)}", output);
        Assert.Contains("done: 3/3", output);
        Assert.Empty(Directory.GetFiles(Path.Combine(run, "checkpoints"), "*.tmp-*"));
    }
}
