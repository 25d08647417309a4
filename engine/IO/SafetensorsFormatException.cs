namespace NativeGan.IO;

/// <summary>
/// A safetensors file that does not follow the format. The message names the file and says what was
/// expected and what arrived, so that a user can tell a truncated download from a wrong file.
/// </summary>
public sealed class SafetensorsFormatException : FormatException
{
    public SafetensorsFormatException(string sourceName, string detail, Exception? inner = null)
        : base($"Invalid safetensors file '{sourceName}': {detail}", inner)
    {
        SourceName = sourceName;
    }

    /// <summary>The file path or stream name given to the reader.</summary>
    public string SourceName { get; }
}
