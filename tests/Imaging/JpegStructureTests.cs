using NativeGan.Models.Imaging;
using NativeGan.Tests.Data;

namespace NativeGan.Tests.Imaging;

/// <summary>JPEGs that StbImageSharp would decode anyway are refused from their bytes, naming the file.</summary>
public class JpegStructureTests
{
    private static byte[] RealJpeg(TempDir dir, int w, int h)
    {
        var r = new Random(5);
        var planar = new float[3 * w * h];
        for (int i = 0; i < planar.Length; i++) planar[i] = (float)r.NextDouble();
        string path = Path.Combine(dir.Path, "real.jpg");
        ImageIO.Write(path, new ImageData(w, h, 3, 8, planar));
        return File.ReadAllBytes(path);
    }

    private static int IndexOfMarker(byte[] bytes, byte marker)
    {
        for (int i = 2; i + 1 < bytes.Length; i++)
            if (bytes[i] == 0xFF && bytes[i + 1] == marker) return i;
        throw new InvalidOperationException($"no 0xFF{marker:X2} marker");
    }

    [Fact]
    public void An_intact_jpeg_decodes()
    {
        using var dir = new TempDir();
        RealJpeg(dir, 40, 24);
        var img = ImageIO.Read(Path.Combine(dir.Path, "real.jpg"));
        Assert.Equal((40, 24), (img.Width, img.Height));
    }

    [Fact]
    public void A_jpeg_cut_inside_its_scan_data_is_refused()
    {
        using var dir = new TempDir();
        var bytes = RealJpeg(dir, 40, 24);
        int sos = IndexOfMarker(bytes, 0xDA);
        string cut = Path.Combine(dir.Path, "cut.jpg");
        File.WriteAllBytes(cut, bytes[..((sos + bytes.Length) / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => ImageIO.Read(cut));
        Assert.Contains(cut, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_jpeg_cut_before_its_scan_data_is_refused()
    {
        using var dir = new TempDir();
        var bytes = RealJpeg(dir, 40, 24);
        string cut = Path.Combine(dir.Path, "headers-only.jpg");
        File.WriteAllBytes(cut, bytes[..IndexOfMarker(bytes, 0xDA)]);
        var e = Assert.Throws<InvalidDataException>(() => ImageIO.Read(cut));
        Assert.Contains(cut, e.Message);
        Assert.Contains("no start-of-scan", e.Message);
    }

    /// <summary>A small real JPEG whose frame header is rewritten to claim 65535 x 1 pixels: refused before the decoder
    /// allocates for the claimed size.</summary>
    [Fact]
    public void A_tiny_jpeg_claiming_a_huge_size_is_refused_before_decoding()
    {
        using var dir = new TempDir();
        var bytes = RealJpeg(dir, 8, 8);
        int sof = IndexOfMarker(bytes, 0xC0);
        bytes[sof + 5] = 0; bytes[sof + 6] = 1;        // height 1
        bytes[sof + 7] = 0xFF; bytes[sof + 8] = 0xFF;  // width 65535
        string bomb = Path.Combine(dir.Path, "bomb.jpg");
        File.WriteAllBytes(bomb, bytes);
        Assert.Equal((65535, 1), (ImageIO.ReadHeader(bomb).Width, ImageIO.ReadHeader(bomb).Height));
        var e = Assert.Throws<InvalidDataException>(() => ImageIO.Read(bomb));
        Assert.Contains(bomb, e.Message);
        Assert.Contains("65535 x 1", e.Message);
    }
}
