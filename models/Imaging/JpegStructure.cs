using System.Buffers.Binary;

namespace NativeGan.Models.Imaging;

/// <summary>
/// What a JPEG's bytes must hold before it is worth decoding. StbImageSharp decodes a file cut inside (or before) its
/// scan data as if the rest were zeros, where Pillow refuses it as truncated; and it allocates for the size the frame
/// header claims, so a 1 KB file claiming 65535 pixels a row costs seconds and gigabytes. Both are refused from the
/// bytes: every scan's entropy-coded data must be followed by the end-of-image marker, and that data must be at least
/// as long as one bit per 8x8 block of the first component (the shortest Huffman code of one block's DC difference).
/// </summary>
public static class JpegStructure
{
    public static void Check(string path, ReadOnlySpan<byte> bytes, int width, int height)
    {
        long entropyBytes = 0;
        bool sawScan = false;
        int i = 2;
        while (true)
        {
            // Next marker (fill bytes 0xFF allowed).
            while (i < bytes.Length && bytes[i] != 0xFF) i++;
            while (i < bytes.Length && bytes[i] == 0xFF) i++;
            if (i >= bytes.Length)
                throw new InvalidDataException(sawScan
                    ? $"{path}: the JPEG is truncated: its image data ends without the end-of-image marker (the file was cut short)."
                    : $"{path}: the JPEG is truncated before its image data (no start-of-scan marker).");
            byte marker = bytes[i++];
            if (marker == 0xD9)
            {
                if (!sawScan) throw new InvalidDataException($"{path}: the JPEG ends before its image data (no start-of-scan marker).");
                break;
            }
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) continue;
            if (i + 2 > bytes.Length)
                throw new InvalidDataException($"{path}: the JPEG is truncated inside a marker segment.");
            int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[i..]);
            if (length < 2 || i + length > bytes.Length)
                throw new InvalidDataException($"{path}: the JPEG is truncated inside a marker segment (0xFF{marker:X2}, {length} bytes declared).");
            i += length;
            if (marker != 0xDA) continue;
            // Entropy-coded data runs to the next marker that is not a stuffed zero or a restart marker.
            sawScan = true;
            int start = i;
            while (i + 1 < bytes.Length && !(bytes[i] == 0xFF && bytes[i + 1] != 0x00 && bytes[i + 1] is not (>= 0xD0 and <= 0xD7))) i++;
            entropyBytes += i - start;
            if (i + 1 >= bytes.Length)
                throw new InvalidDataException(
                    $"{path}: the JPEG is truncated: its image data ends without the end-of-image marker (the file was cut short).");
        }
        long blocks = ((width + 7L) / 8) * ((height + 7L) / 8);
        long minimum = (blocks + 7) / 8;
        if (entropyBytes < minimum)
            throw new InvalidDataException(
                $"{path}: the JPEG's header says {width} x {height} pixels, but its image data is {entropyBytes} bytes, less than the {minimum} " +
                "that many pixels take at the very least: a damaged or malicious file, refused before decoding.");
    }
}
