namespace NativeGan.Cli;

/// <summary>
/// Quotes a word for a POSIX shell, so that a printed hint (`resume with: nativegan train --resume 'runs/my run'`)
/// can be pasted back as it is. Plain words stay as they are.
/// </summary>
public static class ShellQuote
{
    /// <summary>
    /// <paramref name="word"/> unchanged when it holds only characters no shell treats specially (letters, digits and
    /// <c>-_./:=+@%,</c>), else in single quotes, with each single quote written as <c>'\''</c>.
    /// </summary>
    public static string Quote(string word)
    {
        if (word.Length > 0 && word.All(IsPlain)) return word;
        return "'" + word.Replace("'", "'\\''") + "'";
    }

    /// <summary>A command line of several words, each quoted as needed.</summary>
    public static string Join(params string[] words) => string.Join(' ', words.Select(Quote));

    private static bool IsPlain(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.' or '/' or ':' or '=' or '+' or '@' or '%' or ',';
}
