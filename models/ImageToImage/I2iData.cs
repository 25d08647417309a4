using NativeGan.Models.Data;
using NativeGan.Models.Imaging;

namespace NativeGan.Models.ImageToImage;

/// <summary>An image as planar floats [C, H, W] in [0, 1].</summary>
public sealed record I2iImage(float[] Planar, int Channels, int Height, int Width, string Source)
{
    /// <summary>Reads a PNG / JPEG and converts it to 1 channel (PIL's "L": 0.299 R + 0.587 G + 0.114 B) or 3 (gray repeated); alpha is dropped.</summary>
    public static I2iImage Read(string path, int channels)
    {
        var img = ImageIO.Read(path);
        return FromImageData(img, channels);
    }

    public static I2iImage FromImageData(ImageData img, int channels)
    {
        if (channels != 1 && channels != 3) throw new ArgumentException($"{img.Source}: expected 1 or 3 channels to be asked for, got {channels}.");
        int plane = img.PlaneSize;
        var src = img.CopyPlanes(0, img.ColorChannels);
        var dst = new float[channels * plane];
        if (img.ColorChannels == channels) Array.Copy(src, dst, dst.Length);
        else if (channels == 3)
            for (int c = 0; c < 3; c++) Array.Copy(src, 0, dst, c * plane, plane);
        else
            for (int i = 0; i < plane; i++) dst[i] = 0.299f * src[i] + 0.587f * src[plane + i] + 0.114f * src[2 * plane + i];
        return new I2iImage(dst, channels, img.Height, img.Width, img.Source);
    }

    /// <summary>Columns [x0, x0 + width) (the left / right half of pix2pix's A|B files).</summary>
    public I2iImage Columns(int x0, int width)
    {
        var dst = new float[Channels * Height * width];
        for (int c = 0; c < Channels; c++)
            for (int y = 0; y < Height; y++)
                Array.Copy(Planar, (c * Height + y) * Width + x0, dst, (c * Height + y) * width, width);
        return new I2iImage(dst, Channels, Height, width, Source);
    }

    /// <summary>Values mapped from [0, 1] to [-1, 1] as a [1, C, H, W] tensor.</summary>
    public Tensor ToTensor(Device device) => Tensor.FromArray(Planar.Select(v => v * 2f - 1f).ToArray(), new[] { 1, Channels, Height, Width }, device);
}

/// <summary>
/// pix2pix's get_params / get_transform for 'resize_and_crop': resize to load x load (bicubic), crop crop x crop at
/// (x, y), flip horizontally, map to [-1, 1]. One set of parameters is applied to both images of a pair.
/// </summary>
public readonly record struct JitterParams(int LoadSize, int CropSize, int X, int Y, bool Flip)
{
    /// <summary>get_params: x, y uniform in [0, load - crop], flip with probability 0.5 (when allowed).</summary>
    public static JitterParams Draw(int loadSize, int cropSize, bool allowFlip, Random rng)
    {
        int x = rng.Next(0, Math.Max(0, loadSize - cropSize) + 1);
        int y = rng.Next(0, Math.Max(0, loadSize - cropSize) + 1);
        bool flip = allowFlip && rng.NextDouble() > 0.5;
        return new JitterParams(loadSize, cropSize, x, y, flip);
    }

    /// <summary>No jitter: resize straight to crop x crop (what sample grids and translate use).</summary>
    public static JitterParams None(int cropSize) => new(cropSize, cropSize, 0, 0, false);

    /// <summary>The pixels of <paramref name="img"/> transformed, as [C, crop, crop] in [-1, 1].</summary>
    public float[] Apply(I2iImage img)
    {
        int c = img.Channels, load = LoadSize, crop = CropSize;
        var resized = img.Height == load && img.Width == load ? img.Planar
            : ImageResize.Resize(img.Planar, c, img.Height, img.Width, load, load, ResizeFilter.Bicubic);
        var dst = new float[c * crop * crop];
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < crop; y++)
                for (int x = 0; x < crop; x++)
                {
                    int sx = X + (Flip ? crop - 1 - x : x);
                    float v = resized[(ch * load + Y + y) * load + sx];
                    dst[(ch * crop + y) * crop + x] = Math.Clamp(v, 0f, 1f) * 2f - 1f;
                }
        return dst;
    }
}

/// <summary>A list of (A, B) training items: aligned pairs, or two unpaired sets.</summary>
public interface II2iSource
{
    /// <summary>Items per epoch (pairs; for unpaired data the size of set A, as the reference's len = max(A, B) is for shuffled B).</summary>
    int Count { get; }
    bool Paired { get; }
    int ChannelsA { get; }
    int ChannelsB { get; }
    /// <summary>Item i's A (and for paired data its B; for unpaired data, B item <paramref name="bIndex"/>).</summary>
    (I2iImage A, I2iImage B) Get(int i, int bIndex);
    int CountB { get; }
    string Name(int i);
}

/// <summary>
/// pix2pix's aligned data: files holding A and B side by side (A the left half, B the right), or two folders with
/// files of matching names. <c>direction</c> BtoA swaps them. Images are read once and kept in memory.
/// </summary>
public sealed class AlignedSource : II2iSource
{
    private readonly List<(I2iImage A, I2iImage B)> items = new();

    private AlignedSource(int channelsA, int channelsB) { ChannelsA = channelsA; ChannelsB = channelsB; }

    public int Count => items.Count;
    public int CountB => items.Count;
    public bool Paired => true;
    public int ChannelsA { get; }
    public int ChannelsB { get; }
    public (I2iImage A, I2iImage B) Get(int i, int bIndex) => items[i];
    public string Name(int i) => items[i].A.Source;

    /// <summary>The (A, B) pairs in order.</summary>
    public IReadOnlyList<(I2iImage A, I2iImage B)> Pairs => items;

    /// <summary>A folder of A|B files (each twice as wide as it is tall, as the reference's facades / edges2shoes).</summary>
    public static AlignedSource FromCombined(string folder, int channelsA, int channelsB, bool bToA = false, int? maxSamples = null)
    {
        var files = I2iFiles.List(folder, maxSamples);
        var s = new AlignedSource(bToA ? channelsB : channelsA, bToA ? channelsA : channelsB);
        foreach (var f in files)
        {
            var full = ImageIO.Read(f);
            if (full.Width < 2 || full.Width % 2 != 0)
                throw new InvalidDataException($"{f}: an aligned A|B image needs an even width (A left half, B right half), got {full.Width} x {full.Height}.");
            int w2 = full.Width / 2;
            var a = I2iImage.FromImageData(full, channelsA).Columns(0, w2);
            var b = I2iImage.FromImageData(full, channelsB).Columns(w2, w2);
            s.items.Add(bToA ? (b, a) : (a, b));
        }
        return s;
    }

    /// <summary>Two folders whose files pair by name (extension ignored).</summary>
    public static AlignedSource FromFolders(string folderA, string folderB, int channelsA, int channelsB, int? maxSamples = null)
    {
        var a = I2iFiles.List(folderA, maxSamples);
        var bByName = I2iFiles.List(folderB, null).ToDictionary(p => Path.GetFileNameWithoutExtension(p), StringComparer.Ordinal);
        var s = new AlignedSource(channelsA, channelsB);
        foreach (var fa in a)
        {
            string name = Path.GetFileNameWithoutExtension(fa);
            if (!bByName.TryGetValue(name, out var fb))
                throw new InvalidDataException($"{fa}: no file named {name}.* in {folderB} (paired folders need matching names).");
            var ia = I2iImage.Read(fa, channelsA);
            var ib = I2iImage.Read(fb, channelsB);
            if (ia.Width * ib.Height != ib.Width * ia.Height)
                throw new InvalidDataException($"{fa} ({ia.Width} x {ia.Height}) and {fb} ({ib.Width} x {ib.Height}) differ in aspect ratio; a pair should show the same scene.");
            s.items.Add((ia, ib));
        }
        return s;
    }

    /// <summary>Edges -> photo pairs from a folder of photos: A is the engine's Sobel edge map of the photo
    /// (<see cref="EdgeFilter"/>), B the photo, both center-cropped square.</summary>
    public static AlignedSource FromPhotosAsEdges(string folder, int channelsA, int channelsB, int? maxSamples = null)
    {
        var s = new AlignedSource(channelsA, channelsB);
        foreach (var f in I2iFiles.List(folder, maxSamples))
        {
            var photo = I2iFiles.SquareCrop(I2iImage.Read(f, channelsB));
            s.items.Add((EdgeFilter.EdgeImage(photo, channelsA), photo));
        }
        return s;
    }

    /// <summary>Pairs built in memory (tests).</summary>
    public static AlignedSource FromPairs(IEnumerable<(I2iImage A, I2iImage B)> pairs)
    {
        var list = pairs.ToList();
        if (list.Count == 0) throw new ArgumentException("AlignedSource.FromPairs: no pairs.");
        var s = new AlignedSource(list[0].A.Channels, list[0].B.Channels);
        s.items.AddRange(list);
        return s;
    }
}

/// <summary>CycleGAN's unaligned data: two sets of any sizes (trainA / trainB), or color vs grayscale versions of two halves of one photo folder.</summary>
public sealed class UnpairedSource : II2iSource
{
    private readonly List<I2iImage> a, b;

    public UnpairedSource(IEnumerable<I2iImage> a, IEnumerable<I2iImage> b)
    {
        this.a = a.ToList();
        this.b = b.ToList();
        if (this.a.Count == 0 || this.b.Count == 0)
            throw new ArgumentException($"UnpairedSource: both sets need images, got {this.a.Count} in A and {this.b.Count} in B.");
        ChannelsA = this.a[0].Channels;
        ChannelsB = this.b[0].Channels;
    }

    public int Count => a.Count;
    public int CountB => b.Count;
    public bool Paired => false;
    public int ChannelsA { get; }
    public int ChannelsB { get; }
    public (I2iImage A, I2iImage B) Get(int i, int bIndex) => (a[i], b[bIndex]);
    public string Name(int i) => a[i].Source;

    /// <summary><c>root/trainA</c> and <c>root/trainB</c> (the reference's layout).</summary>
    public static UnpairedSource FromFolders(string root, int channelsA, int channelsB, int? maxSamples = null)
    {
        string fa = Path.Combine(root, "trainA"), fb = Path.Combine(root, "trainB");
        return new UnpairedSource(I2iFiles.List(fa, maxSamples).Select(p => I2iImage.Read(p, channelsA)),
            I2iFiles.List(fb, maxSamples).Select(p => I2iImage.Read(p, channelsB)));
    }

    /// <summary>Color photos (the first half of the folder, A, 3 channels) and grayscale versions of the other
    /// half (B, the gray value in all 3 channels): two unpaired sets that differ visibly.</summary>
    public static UnpairedSource ColorToGray(string folder, int? maxSamples = null)
    {
        var files = I2iFiles.List(folder, maxSamples);
        if (files.Count < 2) throw new InvalidDataException($"{folder}: color2gray needs at least 2 photos (one per set), found {files.Count}.");
        int half = (files.Count + 1) / 2;
        return new UnpairedSource(files.Take(half).Select(p => I2iImage.Read(p, 3)),
            files.Skip(half).Select(p => I2iImage.Read(p, 1)).Select(g => I2iImage.FromImageData(new ImageData(g.Width, g.Height, 1, 8, g.Planar, g.Source), 3)));
    }
}

/// <summary>File listing and small image helpers of this folder.</summary>
public static class I2iFiles
{
    private static readonly string[] Extensions = { ".png", ".jpg", ".jpeg" };

    /// <summary>The PNG / JPEG files of a folder, sorted by name (the first <paramref name="max"/>).</summary>
    public static List<string> List(string folder, int? max)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no such image folder.");
        var files = Directory.EnumerateFiles(folder).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .OrderBy(f => f, StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InvalidDataException($"{folder}: no PNG or JPEG images in it.");
        return max is int m ? files.Take(m).ToList() : files;
    }

    /// <summary>The largest centered square of an image.</summary>
    public static I2iImage SquareCrop(I2iImage img)
    {
        int s = Math.Min(img.Height, img.Width);
        var planar = ImageResize.CenterCrop(img.Planar, img.Channels, img.Height, img.Width, s, s);
        return new I2iImage(planar, img.Channels, s, s, img.Source);
    }
}

/// <summary>
/// The engine's edge map of a photo: Sobel gradients of the grayscale image by <see cref="Tensor.Conv2d"/> (replicated
/// borders avoided by reflection padding), magnitude sqrt(gx^2 + gy^2), scaled so the image's 99th-percentile
/// magnitude is 1, then inverted (dark edges on white, as edges2shoes).
/// </summary>
public static class EdgeFilter
{
    public static I2iImage EdgeImage(I2iImage photo, int channels)
    {
        int h = photo.Height, w = photo.Width, plane = h * w;
        var gray = new float[plane];
        if (photo.Channels == 1) Array.Copy(photo.Planar, gray, plane);
        else for (int i = 0; i < plane; i++) gray[i] = 0.299f * photo.Planar[i] + 0.587f * photo.Planar[plane + i] + 0.114f * photo.Planar[2 * plane + i];
        float[] mag;
        using (Tensor.NoGrad())
        using (var scope = Tensor.Scope())
        {
            var x = Tensor.FromArray(gray, new[] { 1, 1, h, w }, Device.Cpu).ReflectionPad2d(1);
            var k = Tensor.FromArray(new float[] { -1, 0, 1, -2, 0, 2, -1, 0, 1, -1, -2, -1, 0, 0, 0, 1, 2, 1 }, new[] { 2, 1, 3, 3 }, Device.Cpu);
            var g = Tensor.Conv2d(x, k, null);
            mag = g.Square().Sum(new[] { 1 }, keepDim: false).Sqrt().ToArray();
        }
        var sorted = (float[])mag.Clone();
        Array.Sort(sorted);
        float scale = Math.Max(sorted[(int)(0.99 * (sorted.Length - 1))], 1e-6f);
        var edge = new float[channels * plane];
        for (int i = 0; i < plane; i++)
        {
            float v = 1f - Math.Clamp(mag[i] / scale, 0f, 1f);
            for (int c = 0; c < channels; c++) edge[c * plane + i] = v;
        }
        return new I2iImage(edge, channels, h, w, photo.Source + " (edges)");
    }
}

/// <summary>
/// Batches of jittered (A, B) items (<see cref="BatchStream{THost}"/>): a shuffled order per epoch and per-item jitter
/// both derived from (seed, epoch, position), so <see cref="Seek"/> resumes exactly. For unpaired data each A item
/// draws a random B item (the reference's serial_batches false) and A and B get their own jitter. Positions count
/// items, not batches (what checkpoints store).
/// </summary>
public sealed class I2iLoader
{
    private readonly BatchStream<HostPair> stream;

    private sealed record HostPair(float[] A, float[] B, int Count);

    public I2iLoader(II2iSource source, int batchSize, int loadSize, int cropSize, bool flip, ulong seed, Device device)
    {
        Source = source ?? throw new ArgumentNullException(nameof(source));
        if (batchSize < 1) throw new ArgumentException($"I2iLoader: batch_size must be >= 1, got {batchSize}.");
        if (loadSize < cropSize) throw new ArgumentException($"I2iLoader: load_size ({loadSize}) must be >= crop_size ({cropSize}).");
        LoadSize = loadSize;
        CropSize = cropSize;
        Flip = flip;
        Seed = seed;
        Device = device;
        // Items are assembled on the calling thread (no prefetch thread to stop, so nothing to dispose): the sources
        // read and cache images without locks.
        stream = new BatchStream<HostPair>("I2iLoader", source.Count, batchSize, dropLast: false, prefetch: 0, EpochOrder, Assemble);
    }

    public II2iSource Source { get; }
    public int BatchSize => stream.BatchSize;
    public int LoadSize { get; }
    public int CropSize { get; }
    public bool Flip { get; }
    public ulong Seed { get; }
    public Device Device { get; }
    public int Epoch => stream.Epoch;

    /// <summary>Items of <see cref="Epoch"/> already returned.</summary>
    public int Position => stream.Position * BatchSize;

    /// <summary>Batches per epoch (the last one may be short).</summary>
    public int BatchesPerEpoch => stream.BatchesPerEpoch;

    /// <summary>Continues at item <paramref name="position"/> of epoch <paramref name="epoch"/> (a batch boundary, as
    /// <see cref="Position"/> always is; the item count of the epoch means the start of the next).</summary>
    public void Seek(int epoch, int position)
    {
        if (position >= Source.Count) { epoch++; position = 0; }
        if (position < 0 || position % BatchSize != 0)
            throw new ArgumentException($"I2iLoader.Seek: position must be a multiple of the batch size {BatchSize} in [0, {Source.Count}], got {position}.");
        stream.Seek(epoch, position / BatchSize);
    }

    private int[] EpochOrder(int epoch)
    {
        var r = new Random(Hash(Seed, (ulong)epoch, 0x5EED));
        var order = Enumerable.Range(0, Source.Count).ToArray();
        r.Shuffle(order);
        return order;
    }

    private static int Hash(ulong a, ulong b, ulong c)
    {
        ulong z = a * 0x9E3779B97F4A7C15UL ^ (b + 0xBF58476D1CE4E5B9UL) * 0x94D049BB133111EBUL ^ c;
        z = (z ^ (z >> 31)) * 0xD6E8FEB86659FD93UL;
        return (int)((z ^ (z >> 32)) & 0x7FFFFFFF);
    }

    /// <summary>The next batch (A [N, Ca, crop, crop], B [N, Cb, crop, crop] in [-1, 1]); true when it ended an epoch.</summary>
    public (Tensor A, Tensor B, bool EpochEnded) Next()
    {
        var (a, b, n) = stream.Next();
        bool ended = stream.Position == 0;
        int ca = Source.ChannelsA, cb = Source.ChannelsB;
        var ta = Tensor.FromArray(a, new[] { n, ca, CropSize, CropSize }, Device);
        try { return (ta, Tensor.FromArray(b, new[] { n, cb, CropSize, CropSize }, Device), ended); }
        catch { ta.Dispose(); throw; }
    }

    private HostPair Assemble(int epoch, int batch, int[] indices)
    {
        int n = indices.Length, position = batch * BatchSize;
        int ca = Source.ChannelsA, cb = Source.ChannelsB, plane = CropSize * CropSize;
        var a = new float[n * ca * plane];
        var b = new float[n * cb * plane];
        for (int k = 0; k < n; k++)
        {
            int idx = indices[k];
            var rng = new Random(Hash(Seed, (ulong)epoch, (ulong)(position + k) + 1));
            int bIndex = Source.Paired ? idx : rng.Next(Source.CountB);
            var (ia, ib) = Source.Get(idx, bIndex);
            var pa = JitterParams.Draw(LoadSize, CropSize, Flip, rng);
            var pb = Source.Paired ? pa : JitterParams.Draw(LoadSize, CropSize, Flip, rng);
            Array.Copy(pa.Apply(ia), 0, a, k * ca * plane, ca * plane);
            Array.Copy(pb.Apply(ib), 0, b, k * cb * plane, cb * plane);
        }
        return new HostPair(a, b, n);
    }

}
