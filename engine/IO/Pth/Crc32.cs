namespace NativeGan.IO;

/// <summary>
/// The zip CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), slicing by 8 bytes. ZipArchive does not check
/// CRCs of stored entries, and torch.save stores its entries, so the reader checks them itself: without it a
/// flipped bit in a weight would load silently.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>Continues a CRC over more bytes: start from 0, feed every span in order, the result is the CRC.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var t = Table;
        crc = ~crc;
        while (data.Length >= 8)
        {
            uint a = crc ^ (uint)(data[0] | data[1] << 8 | data[2] << 16 | data[3] << 24);
            uint b = (uint)(data[4] | data[5] << 8 | data[6] << 16 | data[7] << 24);
            crc = t[7 * 256 + (a & 0xff)] ^ t[6 * 256 + ((a >> 8) & 0xff)] ^ t[5 * 256 + ((a >> 16) & 0xff)] ^ t[4 * 256 + (a >> 24)]
                ^ t[3 * 256 + (b & 0xff)] ^ t[2 * 256 + ((b >> 8) & 0xff)] ^ t[256 + ((b >> 16) & 0xff)] ^ t[b >> 24];
            data = data[8..];
        }
        foreach (byte x in data) crc = t[(crc ^ x) & 0xff] ^ (crc >> 8);
        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var t = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        for (int s = 1; s < 8; s++)
            for (int i = 0; i < 256; i++)
                t[s * 256 + i] = t[(s - 1) * 256 + i] >> 8 ^ t[t[(s - 1) * 256 + i] & 0xff];
        return t;
    }
}

/// <summary>A read-only pass-through stream that keeps the CRC-32 of everything read through it.</summary>
internal sealed class Crc32Stream(Stream inner) : Stream
{
    public uint Crc { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        Crc = Crc32.Append(Crc, buffer[..n]);
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
