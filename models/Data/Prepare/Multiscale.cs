using NativeGan.Models.Imaging;

namespace NativeGan.Models.Data.Prepare;

/// <summary>One input of <see cref="Multiscale"/>: the file, its size and the four output sizes.</summary>
public sealed record MultiscaleJob(string Input, string Stem, ImageHeader Header, IReadOnlyList<(int Width, int Height)> Sizes);

/// <summary>
/// Real-ESRGAN's scripts/generate_multiscale_DF2K.py: for every image, Pillow-Lanczos copies at 0.75, 0.5 and 1/3 of
/// the size (each side int(side * scale), truncated) named NAMET0.png, NAMET1.png, NAMET2.png, and one whose shortest
/// side is 400 (the other int(400 * long / short), truncated; larger than the input when the input is smaller)
/// named NAMET3.png. Every copy is made from the original, and written as PNG whatever the input's format, at zlib
/// level 6 (Pillow's default). Gray stays gray, 16-bit stays 16-bit (Pillow itself would drop 16-bit RGB to 8 bits).
/// </summary>
public static class Multiscale
{
    public static IReadOnlyList<double> Scales { get; } = new[] { 0.75, 0.5, 1.0 / 3 };
    public const int ShortestEdge = 400;
    /// <summary>Pillow's PNG compress_level default.</summary>
    public const int DefaultZlibLevel = 6;

    /// <summary>The four output sizes in T order, with the script's arithmetic.</summary>
    public static (int Width, int Height)[] OutputSizes(int width, int height)
    {
        var sizes = new (int, int)[Scales.Count + 1];
        for (int i = 0; i < Scales.Count; i++)
            sizes[i] = ((int)(width * Scales[i]), (int)(height * Scales[i]));
        if (width < height)
        {
            double ratio = (double)height / width;
            sizes[^1] = (ShortestEdge, (int)(ShortestEdge * ratio));
        }
        else
        {
            double ratio = (double)width / height;
            sizes[^1] = ((int)(ShortestEdge * ratio), ShortestEdge);
        }
        return sizes;
    }

    /// <summary>NAMET{index}.png, NAME being the input's name without its extension.</summary>
    public static string OutputName(string stem, int index) => $"{stem}T{index}.png";

    /// <summary>
    /// Lists the images of <paramref name="inputFolder"/> and reads their headers. Throws a <see cref="PrepareException"/>
    /// naming every unreadable file, every image too small for a 1-pixel 1/3 copy and every pair of inputs with the
    /// same name, before anything is written.
    /// </summary>
    public static IReadOnlyList<MultiscaleJob> Plan(string inputFolder)
    {
        var files = PrepareFiles.ListImages(inputFolder);
        if (files.Count == 0) throw new PrepareException($"{inputFolder}: no PNG, JPEG or BMP images in this folder.");
        var problems = new List<string>();
        var jobs = new List<MultiscaleJob>();
        foreach (var file in files)
        {
            ImageHeader header;
            try { header = ImageIO.ReadHeader(file); ImageIO.CheckSize(header); }
            catch (Exception e) when (e is IOException or InvalidDataException) { problems.Add(e.Message); continue; }
            var sizes = OutputSizes(header.Width, header.Height);
            int bad = Array.FindIndex(sizes, s => s.Width < 1 || s.Height < 1);
            if (bad >= 0)
            {
                problems.Add($"{file}: a {header.Width} x {header.Height} image is too small: its T{bad} copy would be " +
                             $"{sizes[bad].Width} x {sizes[bad].Height} pixels.");
                continue;
            }
            jobs.Add(new MultiscaleJob(file, Path.GetFileNameWithoutExtension(file), header, sizes));
        }
        PrepareFiles.CheckUniqueStems(jobs.Select(j => (j.Input, j.Stem, OutputName(j.Stem, 0))), problems);
        PrepareFiles.ThrowIfAny(problems);
        return jobs;
    }

    /// <summary>Writes the four copies of one input into <paramref name="outputFolder"/>; returns 4.</summary>
    public static int Resize(MultiscaleJob job, string outputFolder, int zlibLevel = DefaultZlibLevel)
    {
        var image = ImageIO.Read(job.Input);
        var options = new ImageWriteOptions { PngZlibLevel = zlibLevel };
        for (int i = 0; i < job.Sizes.Count; i++)
        {
            var (w, h) = job.Sizes[i];
            ImageIO.Write(Path.Combine(outputFolder, OutputName(job.Stem, i)), PilResample.Lanczos(image, w, h), options);
        }
        return job.Sizes.Count;
    }
}
