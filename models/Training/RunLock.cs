using System.Globalization;
using System.Text.RegularExpressions;

namespace NativeGan.Models.Training;

/// <summary>
/// The exclusive hold of one training on its run folder, so that two trainings never write the same checkpoints,
/// <c>latest</c> pointer and log. It is an operating-system lock on <c>.train.lock</c> (a <see cref="FileStream"/>
/// opened with <see cref="FileShare.None"/>: an advisory <c>flock</c> on Linux and macOS, a sharing lock on Windows),
/// so the operating system drops it when the process ends in any way, a <c>kill -9</c> included; a stale file never
/// keeps a folder locked. The lock file is left in place (removing it would let a process that opened it just before
/// hold a lock on a deleted file beside a new one). Who holds the lock (pid, host, command line, start time) is written
/// to <c>.train.lock.holder</c>, because on Unix .NET cannot read a file another process holds with
/// <see cref="FileShare.None"/>; it is removed on release and is only read when the lock is refused.
/// </summary>
public sealed partial class RunLock : IDisposable
{
    public const string FileName = ".train.lock";
    public const string HolderFileName = ".train.lock.holder";

    private FileStream? stream;

    private RunLock(string runDir, FileStream stream)
    {
        RunDir = runDir;
        this.stream = stream;
    }

    /// <summary>The run folder held (a full path).</summary>
    public string RunDir { get; }

    /// <summary>Whether the lock is still held (not yet disposed).</summary>
    public bool IsHeld => stream != null;

    /// <summary>
    /// Takes the lock on <paramref name="runDir"/> (created when missing), or throws <see cref="RunFolderInUseException"/>
    /// naming the process that holds it. Never waits.
    /// </summary>
    /// <param name="runDir">The run folder.</param>
    /// <param name="command">The command line written for a refused process to show (default: this process's).</param>
    public static RunLock Acquire(string runDir, string? command = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDir);
        string dir = Path.GetFullPath(runDir);
        Directory.CreateDirectory(dir);
        string lockPath = Path.Combine(dir, FileName);
        FileStream fs;
        try
        {
            fs = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (IsSharingViolation(e))
        {
            throw new RunFolderInUseException(dir, ReadHolder(dir), e);
        }
        var held = new RunLock(dir, fs);
        try
        {
            var c = CultureInfo.InvariantCulture;
            string text = $"pid: {Environment.ProcessId}\nhost: {Environment.MachineName}\ncommand: {command ?? Environment.CommandLine}\n" +
                $"started: {DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", c)}\n";
            CheckpointStore.WriteTextAtomically(Path.Combine(dir, HolderFileName), text);
        }
        catch
        {
            held.Dispose();
            throw;
        }
        return held;
    }

    /// <summary>The holder's description from <c>.train.lock.holder</c> ("pid 123 on host, `command`, since ..."), or
    /// null when it cannot be read (the holder is just starting, or its file was removed).</summary>
    private static RunHolder? ReadHolder(string dir)
    {
        string path = Path.Combine(dir, HolderFileName);
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        string? Field(string key) => lines.FirstOrDefault(l => l.StartsWith(key + ": ", StringComparison.Ordinal))?[(key.Length + 2)..];
        return int.TryParse(Field("pid"), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            ? new RunHolder(pid, Field("host") ?? "?", Field("command") ?? "?", Field("started"))
            : null;
    }

    /// <summary>Whether an open failed because another handle holds the file (EWOULDBLOCK from flock on Unix,
    /// ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION on Windows), rather than for a missing or unwritable folder.</summary>
    private static bool IsSharingViolation(IOException e) =>
        e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException)
        && (e.HResult is unchecked((int)0x80070020) or unchecked((int)0x80070021) || !OperatingSystem.IsWindows() && e.HResult is 11 or 35);

    /// <summary>
    /// Removes what killed atomic writes left in the run folder and its subfolders: files named
    /// <c>NAME.tmp-HEX12</c> (<see cref="AtomicFile"/>, image and safetensors writers) or <c>NAME.tmp-PID-HEX32</c>
    /// (<see cref="CheckpointStore.WriteTextAtomically"/>). Only while the lock is held, so no live writer's temporary
    /// file is touched. Returns how many files and bytes were removed.
    /// </summary>
    public (int Files, long Bytes) RemoveLeftoverTemporaries()
    {
        ObjectDisposedException.ThrowIf(stream == null, this);
        int files = 0;
        long bytes = 0;
        foreach (var path in Directory.EnumerateFiles(RunDir, "*.tmp-*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            if (!IsTemporaryName(Path.GetFileName(path))) continue;
            long length = new FileInfo(path).Length;
            File.Delete(path);
            files++;
            bytes += length;
        }
        return (files, bytes);
    }

    /// <summary>Whether a file name is one of the temporary names the atomic writers use.</summary>
    public static bool IsTemporaryName(string fileName) => TemporaryName().IsMatch(fileName);

    [GeneratedRegex(@"^.+\.tmp-(?:[0-9]+-[0-9a-f]{32}|[0-9a-f]{12})$", RegexOptions.CultureInvariant)]
    private static partial Regex TemporaryName();

    /// <summary>Releases the lock (removing the holder file first, while still holding it).</summary>
    public void Dispose()
    {
        if (stream == null) return;
        try { File.Delete(Path.Combine(RunDir, HolderFileName)); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        stream.Dispose();
        stream = null;
    }
}

/// <summary>The process that holds a run folder's lock, as its holder file says.</summary>
public sealed record RunHolder(int Pid, string Host, string Command, string? Started);

/// <summary>A run folder is held by another training (another process, or another trainer in this one).</summary>
public sealed class RunFolderInUseException : IOException
{
    public RunFolderInUseException(string runDir, RunHolder? holder, Exception? inner = null)
        : base(Describe(runDir, holder), inner)
    {
        RunDir = runDir;
        Holder = holder;
    }

    public string RunDir { get; }
    public RunHolder? Holder { get; }

    private static string Describe(string runDir, RunHolder? h)
    {
        string who = h == null ? "another training (its holder file is not written yet)"
            : $"another training: pid {h.Pid} on {h.Host}{(h.Started != null ? $" since {h.Started}" : "")}, running `{h.Command}`";
        string stop = h == null ? "" : $" (`kill -TERM {h.Pid}` makes it checkpoint and stop)";
        return $"{runDir} is in use by {who}. Wait for it to finish or stop it{stop}, or choose another --out.";
    }
}
