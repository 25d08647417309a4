using System.Text.RegularExpressions;
using NativeGan.Models.Imaging;

namespace NativeGan.Models.Data.Prepare;

/// <summary>Settings of <see cref="Subimages"/>, with Real-ESRGAN's extract_subimages.py defaults.</summary>
public sealed record SubimageOptions
{
    public int CropSize { get; init; } = 480;
    public int Step { get; init; } = 240;
    /// <summary>A last window flush with the far edge is added when more than this many pixels are left over.</summary>
    public int ThreshSize { get; init; }
    /// <summary>zlib level of PNG crops (the script's --compression_level, OpenCV's default 3).</summary>
    public int ZlibLevel { get; init; } = 3;
    /// <summary>JPEG quality of crops of JPEG inputs (OpenCV's imwrite default).</summary>
    public int JpegQuality { get; init; } = 95;

    public void Validate()
    {
        var problems = new List<string>();
        if (CropSize < 1) problems.Add($"crop size must be at least 1, got {CropSize}.");
        if (Step < 1) problems.Add($"step must be at least 1, got {Step}.");
        if (ThreshSize < 0) problems.Add($"thresh size must be 0 or more, got {ThreshSize}.");
        if (ZlibLevel is < 0 or > 9) problems.Add($"PNG compression level must be 0..9, got {ZlibLevel}.");
        if (JpegQuality is < 1 or > 100) problems.Add($"JPEG quality must be 1..100, got {JpegQuality}.");
        PrepareFiles.ThrowIfAny(problems);
    }
}

/// <summary>One input of <see cref="Subimages"/>: its windows' top rows and left columns, row-major order.</summary>
public sealed record SubimageJob(string Input, string Stem, string Extension, ImageHeader Header, int[] Tops, int[] Lefts)
{
    public int Count => Tops.Length * Lefts.Length;

    /// <summary>The file name of window <paramref name="index"/> (1-based, row-major).</summary>
    public string OutputName(int index) => Subimages.OutputName(Stem, index, Extension);
}

/// <summary>
/// Real-ESRGAN's scripts/extract_subimages.py (BasicSR's scripts/data_preparation/extract_subimages.py): every
/// image is cut into crop x crop windows at rows <see cref="Starts"/>(height) and columns <see cref="Starts"/>(width),
/// numbered row by row from 1 and written as NAME_s001.EXT, NAME_s002.EXT ... (the input's extension; NAME with any
/// "x2", "x3", "x4", "x8" removed, as the script does for DIV2K's LR file names). Samples are copied, not resampled:
/// gray stays gray, alpha stays, 16-bit stays 16-bit.
/// </summary>
public static class Subimages
{
    /// <summary>
    /// Start positions along one side: 0, step, 2 step ... while start + crop &lt;= size, plus size - crop when more than
    /// <paramref name="threshSize"/> pixels are left after the last of them. The side must be at least the crop.
    /// </summary>
    public static int[] Starts(int size, int cropSize, int step, int threshSize)
    {
        if (cropSize < 1 || step < 1 || threshSize < 0)
            throw new ArgumentException($"Subimages.Starts: crop {cropSize} and step {step} must be at least 1 and thresh {threshSize} at least 0.");
        if (size < cropSize)
            throw new ArgumentException($"Subimages.Starts: a side of {size} pixels is shorter than the crop size {cropSize}.");
        var starts = new List<int>();
        for (int s = 0; s <= size - cropSize; s += step) starts.Add(s);
        if (size - (starts[^1] + cropSize) > threshSize) starts.Add(size - cropSize);
        return starts.ToArray();
    }

    /// <summary>The file name without extension, with "x2", "x3", "x4" and "x8" removed as extract_subimages.py does.</summary>
    public static string OutputStem(string path) =>
        Path.GetFileNameWithoutExtension(path).Replace("x2", "").Replace("x3", "").Replace("x4", "").Replace("x8", "");

    /// <summary>NAME_s{index:000}EXT.</summary>
    public static string OutputName(string stem, int index, string extension) => $"{stem}_s{index:000}{extension}";

    /// <summary>
    /// Lists the images of <paramref name="inputFolder"/> and plans their windows. Throws a <see cref="PrepareException"/>
    /// naming every unreadable file, every image smaller than the crop and every pair of inputs whose crops would share
    /// names, before anything is written.
    /// </summary>
    public static IReadOnlyList<SubimageJob> Plan(string inputFolder, SubimageOptions options)
    {
        options.Validate();
        var files = PrepareFiles.ListImages(inputFolder);
        if (files.Count == 0) throw new PrepareException($"{inputFolder}: no PNG, JPEG or BMP images in this folder.");
        var problems = new List<string>();
        var jobs = new List<SubimageJob>();
        foreach (var file in files)
        {
            ImageHeader header;
            try { header = ImageIO.ReadHeader(file); ImageIO.CheckSize(header); }
            catch (Exception e) when (e is IOException or InvalidDataException) { problems.Add(e.Message); continue; }
            if (header.Width < options.CropSize || header.Height < options.CropSize)
            {
                problems.Add($"{file}: a {header.Width} x {header.Height} image is smaller than the crop size {options.CropSize}; " +
                             "remove it or use a smaller crop size.");
                continue;
            }
            string ext = Path.GetExtension(file);
            jobs.Add(new SubimageJob(file, OutputStem(file), ext, header,
                Starts(header.Height, options.CropSize, options.Step, options.ThreshSize),
                Starts(header.Width, options.CropSize, options.Step, options.ThreshSize)));
        }
        PrepareFiles.CheckUniqueStems(jobs.Select(j => (j.Input, j.Stem + "|" + j.Extension, j.OutputName(1))), problems);
        PrepareFiles.ThrowIfAny(problems);
        return jobs;
    }

    /// <summary>
    /// Makes the output folder. One that exists is refused unless <paramref name="overwrite"/>; then crops these
    /// inputs would write (NAME_sNNN.EXT of a planned NAME, from an earlier run perhaps with other settings) are
    /// deleted first and every other file is left alone. The output may not be the input folder.
    /// </summary>
    public static void PrepareOutput(string inputFolder, string outputFolder, IReadOnlyList<SubimageJob> jobs, bool overwrite)
    {
        string input = Path.TrimEndingDirectorySeparator(Path.GetFullPath(inputFolder));
        string output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputFolder));
        if (string.Equals(input, output, StringComparison.Ordinal))
            throw new PrepareException($"{outputFolder}: the output folder is the input folder; choose another one.");
        if (File.Exists(output)) throw new PrepareException($"{outputFolder}: is a file; expected a folder for the crops.");
        if (Directory.Exists(output))
        {
            if (!overwrite)
                throw new PrepareException($"{outputFolder}: folder already exists; pass --overwrite to write into it " +
                                           "(earlier crops of these images are replaced, other files kept).");
            var stale = new HashSet<string>(jobs.Select(j => j.Stem + "\n" + j.Extension), StringComparer.Ordinal);
            var pattern = new Regex(@"^(?<stem>.*)_s\d{3,}(?<ext>\.[^.]*)$", RegexOptions.CultureInvariant);
            foreach (var f in Directory.EnumerateFiles(output))
            {
                var m = pattern.Match(Path.GetFileName(f));
                if (m.Success && stale.Contains(m.Groups["stem"].Value + "\n" + m.Groups["ext"].Value)) File.Delete(f);
            }
        }
        Directory.CreateDirectory(output);
    }

    /// <summary>Writes the crops of one input into <paramref name="outputFolder"/>; returns how many.</summary>
    public static int Extract(SubimageJob job, string outputFolder, SubimageOptions options)
    {
        var image = ImageIO.Read(job.Input);
        if (image.Width != job.Header.Width || image.Height != job.Header.Height)
            throw new InvalidDataException($"{job.Input}: decoded {image.Width} x {image.Height}, planned for {job.Header.Width} x {job.Header.Height}.");
        var write = new ImageWriteOptions { PngZlibLevel = options.ZlibLevel, JpegQuality = options.JpegQuality };
        int index = 0;
        foreach (int top in job.Tops)
            foreach (int left in job.Lefts)
            {
                index++;
                var crop = Crop(image, top, left, options.CropSize, options.CropSize);
                ImageIO.Write(Path.Combine(outputFolder, job.OutputName(index)), crop, write);
            }
        return index;
    }

    /// <summary>The window of <paramref name="height"/> rows and <paramref name="width"/> columns at (top, left), every channel.</summary>
    public static ImageData Crop(ImageData image, int top, int left, int height, int width)
    {
        if (top < 0 || left < 0 || height < 1 || width < 1 || top + height > image.Height || left + width > image.Width)
            throw new ArgumentException(
                $"{image.Source}: window {width} x {height} at ({left}, {top}) is outside the {image.Width} x {image.Height} image.");
        int inPlane = image.PlaneSize, outPlane = width * height;
        var planar = new float[(long)image.Channels * outPlane];
        for (int c = 0; c < image.Channels; c++)
            for (int y = 0; y < height; y++)
                image.Planar.AsSpan(c * inPlane + (top + y) * image.Width + left, width)
                    .CopyTo(planar.AsSpan(c * outPlane + y * width, width));
        return new ImageData(width, height, image.Channels, image.BitDepth, planar, image.Source);
    }
}
