using System.Text;
using NativeGan.IO;

namespace NativeGan.Tests.IO;

/// <summary>WeightsFile tells a .pth from a safetensors file by content, whatever the file is called.</summary>
public sealed class WeightsFileDetectTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nativegan-weightsfile-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// A safetensors header 640 bytes long starts the file with 80 02 00 .., the start of a legacy pickle: it was
    /// read as a .pth and failed (an SRVGGNetCompact's released weights with their metadata hit exactly that).
    /// </summary>
    [Fact]
    public void SafetensorsWhoseHeaderLengthLooksLikeAPickleIsSafetensors()
    {
        string json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"__metadata__\":{\"note\":\"x\"}}";
        var header = Encoding.UTF8.GetBytes(json.PadRight(0x280));
        var bytes = new byte[8 + header.Length + 8];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (ulong)header.Length);
        header.CopyTo(bytes, 8);
        BitConverter.TryWriteBytes(bytes.AsSpan(8 + header.Length, 4), 1.5f);
        BitConverter.TryWriteBytes(bytes.AsSpan(12 + header.Length, 4), -2f);
        string path = Path.Combine(_dir, "header640.safetensors");
        File.WriteAllBytes(path, bytes);
        Assert.Equal(new byte[] { 0x80, 0x02 }, bytes[..2]);
        Assert.Equal(WeightsFormat.Safetensors, WeightsFile.Detect(path));
        Assert.Equal(new[] { 1.5f, -2f }, WeightsFile.Load(path)["w"].Data);
    }
}
