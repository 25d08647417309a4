namespace NativeGan.IO;

/// <summary>
/// A PyTorch .pth file that cannot be read: truncated or corrupt, in a layout the reader does not know, or
/// naming a Python global outside the reader's allow-list (which would run code in Python). The message
/// names the file and says what was expected and what arrived.
/// </summary>
public sealed class PthFormatException : FormatException
{
    public PthFormatException(string sourceName, string detail, Exception? inner = null)
        : base($"Cannot read PyTorch file '{sourceName}': {detail}", inner)
    {
        SourceName = sourceName;
    }

    /// <summary>The file path given to the reader.</summary>
    public string SourceName { get; }
}
