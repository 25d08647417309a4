using System.Buffers.Binary;
using System.IO.Compression;

namespace NativeGan.Tests.Data;

/// <summary>A temporary directory removed on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nativegan-data-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name)
    {
        var p = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
        return p;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

internal static class IdxWriter
{
    public static byte[] Images(int n, int rows, int cols, Func<int, int, int, byte> pixel)
    {
        var data = new byte[16 + n * rows * cols];
        BinaryPrimitives.WriteInt32BigEndian(data, 0x00000803);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), n);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(12), cols);
        int k = 16;
        for (int i = 0; i < n; i++)
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    data[k++] = pixel(i, r, c);
        return data;
    }

    public static byte[] Labels(int n, Func<int, byte> label)
    {
        var data = new byte[8 + n];
        BinaryPrimitives.WriteInt32BigEndian(data, 0x00000801);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), n);
        for (int i = 0; i < n; i++) data[8 + i] = label(i);
        return data;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }
}
