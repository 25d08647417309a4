using System.Globalization;
using System.Text;

namespace NativeGan.Models.Training;

/// <summary>
/// A run's <c>log.csv</c>: a header, then one row per iteration (iteration first, round-trip floats, an empty cell
/// for a value the iteration did not have), flushed after every row. Opening it for a run that continues from a
/// checkpoint drops the rows past that checkpoint's iteration (the interrupted run logged them; they are redone).
/// </summary>
public sealed class TrainingLog : IDisposable
{
    private StreamWriter? writer;

    /// <param name="path">The CSV file.</param>
    /// <param name="header">The header line, <c>iteration,...</c>.</param>
    public TrainingLog(string path, string header)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(header);
        Path = path;
        Header = header;
    }

    public string Path { get; }
    public string Header { get; }
    public bool IsOpen => writer != null;

    /// <summary>Opens for appending (once); an existing file keeps only its rows up to <paramref name="iteration"/>.</summary>
    public void Open(long iteration)
    {
        if (writer != null) return;
        bool fresh = !File.Exists(Path) || new FileInfo(Path).Length == 0;
        if (!fresh)
        {
            var keep = new List<string> { Header };
            foreach (var line in File.ReadAllLines(Path).Skip(1))
            {
                int comma = line.IndexOf(',');
                if (comma > 0 && long.TryParse(line.AsSpan(0, comma), NumberStyles.Integer, CultureInfo.InvariantCulture, out long it) && it <= iteration)
                    keep.Add(line);
            }
            string tmp = Path + ".tmp";
            File.WriteAllLines(tmp, keep);
            File.Move(tmp, Path, overwrite: true);
        }
        writer = new StreamWriter(new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { NewLine = "\n" };
        if (fresh) { writer.WriteLine(Header); writer.Flush(); }
    }

    /// <summary>Closes and opens again keeping only the rows up to <paramref name="iteration"/> (a rollback).</summary>
    public void Reopen(long iteration)
    {
        Dispose();
        Open(iteration);
    }

    /// <summary>Appends and flushes one row: the iteration, then the values (null: an empty cell).</summary>
    public void WriteRow(long iteration, IEnumerable<float?> values)
    {
        if (writer == null) throw new InvalidOperationException($"TrainingLog: {Path} is not open; call Open first.");
        writer.WriteLine(iteration.ToString(CultureInfo.InvariantCulture) + "," + string.Join(',', values.Select(Format)));
        writer.Flush();
    }

    public void Flush() => writer?.Flush();

    /// <summary>A float as the log writes it: round-trip invariant text, empty for null.</summary>
    public static string Format(float? v) => v is float f ? f.ToString("R", CultureInfo.InvariantCulture) : "";

    public void Dispose()
    {
        writer?.Dispose();
        writer = null;
    }
}
