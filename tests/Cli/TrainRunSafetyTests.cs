using System.Globalization;
using System.Text.RegularExpressions;
using NativeGan.Cli;
using NativeGan.Models.Training;
using NativeGan.Tests.Data;
using static NativeGan.Tests.Training.TrainerTests;

namespace NativeGan.Tests.Cli;

/// <summary>
/// `nativegan train` against a second real process: a training in progress holds its folder (a second one is
/// refused, naming it; a kill -9 frees it), and SIGTERM / SIGHUP / SIGINT checkpoint, exit 130 and resume.
/// </summary>
public partial class TrainRunSafetyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120); // the machine may be busy

    /// <summary>A tiny GAN config long enough to be interrupted, printing a progress line every iteration.</summary>
    private static string LongConfig(TempDir dir)
    {
        string cfg = dir.File("long.yml");
        File.WriteAllText(cfg, TinyYaml(WriteTinyIdx(dir), "gan", iterations: 50, checkpointEvery: 1_000_000, sampleEvery: 1_000_000));
        return cfg;
    }

    private static bool IsProgress(string line, long atLeast)
    {
        var m = ProgressLine().Match(line);
        return m.Success && long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) >= atLeast;
    }

    [GeneratedRegex(@"^iter\s+(\d+)/")]
    private static partial Regex ProgressLine();

    [Fact]
    public void ASecondTrainingInALiveRunFolderIsRefusedNamingTheHolderAndAKilledHolderFreesIt()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "signals and the child's kill are tested on Unix");
        using var dir = new TempDir();
        string cfg = LongConfig(dir);
        string run = Path.Combine(dir.Path, "run");
        using var first = CliChildProcess.Start("train", "--config", cfg, "--out", run, "--iterations", "1000000", "--device", "cpu");
        first.WaitForLine(l => IsProgress(l, 1), Patience);
        string configBefore = File.ReadAllText(Path.Combine(run, "config.yml"));

        foreach (var second in new[]
        {
            new[] { "train", "--config", cfg, "--out", run },
            new[] { "train", "--resume", run },
            new[] { "train", "--config", cfg, "--out", run, "--auto-resume" },
        })
        {
            var (code, output, error) = CliRun.Run(second);
            string shown = string.Join(' ', second) + ":\n" + output + error;
            Assert.True(code == ExitCodes.BadArguments, shown);
            Assert.StartsWith("error: ", error);
            Assert.Contains($"pid {first.Id}", error);
            Assert.Contains("nativegan train --config", error);
            Assert.Contains("--iterations 1000000", error);
            Assert.Contains($"kill -TERM {first.Id}", error);
            Assert.DoesNotContain("training ", output);
        }
        // The refused trainings wrote nothing: the live run's config and (absent) checkpoints are as they were.
        Assert.Equal(configBefore, File.ReadAllText(Path.Combine(run, "config.yml")));
        Assert.False(CheckpointStore.HoldsRun(run));
        Assert.True(IsProgress(first.WaitForLine(l => IsProgress(l, 2), Patience), 2)); // and the first one goes on

        // kill -9: no cleanup runs, yet the OS drops the lock with the process.
        first.KillHard();
        using (var free = RunLock.Acquire(run)) Assert.True(free.IsHeld);
        var (c, o, e) = CliRun.Run("train", "--config", cfg, "--out", run, "--auto-resume", "--iterations", "2");
        Assert.True(c == ExitCodes.Ok, o + e);
        Assert.Contains("done: 2/2", o);
    }

    [Theory]
    [InlineData(15, "SIGTERM")]
    [InlineData(1, "SIGHUP")]
    [InlineData(2, "Ctrl+C (SIGINT)")]
    public void ASignalCheckpointsStopsWithExitCode130AndTheRunResumesFromIt(int signal, string name)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "POSIX signals");
        using var dir = new TempDir();
        string cfg = LongConfig(dir);
        string run = Path.Combine(dir.Path, "run");
        long reached;
        using (var child = CliChildProcess.Start("train", "--config", cfg, "--out", run, "--iterations", "1000000", "--device", "cpu"))
        {
            child.WaitForLine(l => IsProgress(l, 3), Patience);
            child.Signal(signal);
            int code = child.WaitForExit(Patience);
            string output = child.Output;
            Assert.True(code == ExitCodes.Interrupted, $"exit {code}:\n{output}");
            var m = Regex.Match(output, $@"interrupted by {Regex.Escape(name)} at iteration (\d+) of 1000000: checkpoint written \((.+)\)\.");
            Assert.True(m.Success, output);
            reached = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(reached >= 3, output);
            string checkpoint = Path.Combine(Path.GetFullPath(run), "checkpoints", CheckpointStore.FileName(reached));
            Assert.Equal(checkpoint, m.Groups[2].Value);
            Assert.Equal(checkpoint, CheckpointStore.Latest(run));
            Assert.Contains($"resume with: nativegan train --resume {Path.GetFullPath(run)}", output);
            Assert.Equal(reached + 1, File.ReadAllLines(Path.Combine(run, "log.csv")).Length);
        }
        // The run remembers its length (1000000, not the config's 50).
        using (var t = GanTrainer.Resume(run))
        {
            Assert.Equal(reached, t.Iteration);
            Assert.Equal(1_000_000, t.TotalIterations);
        }
        var (c, o, e) = CliRun.Run("train", "--resume", run, "--iterations", (reached + 2).ToString(CultureInfo.InvariantCulture));
        Assert.True(c == ExitCodes.Ok, o + e);
        Assert.Contains($"at iteration {reached} of {reached + 2}", o);
        Assert.Contains($"done: {reached + 2}/{reached + 2} iterations (2 in ", o);
    }
}
