namespace NativeGan.Models.ImageToImage;

/// <summary>
/// CycleGAN's history of generated images (util/image_pool.py, Shrivastava et al.): per image of a batch, while the
/// pool holds fewer than <see cref="Size"/> images the image is stored and returned; once full, with probability 0.5
/// a random stored image is returned and replaced by the new one, else the new image is returned. Size 0 returns the
/// batch as it is. Images are stored detached (copies); the randomness is a seeded host stream whose state, with the
/// stored images, goes into checkpoints (<see cref="StateDict"/>), so a resumed run draws what an uninterrupted one would.
/// </summary>
public sealed class ImagePool : IDisposable
{
    private readonly List<Tensor> images = new();
    private readonly List<Tensor> toDispose = new();
    private ulong rngState;

    public ImagePool(int size, ulong seed)
    {
        if (size < 0) throw new ArgumentException($"ImagePool: size must be >= 0, got {size}.");
        Size = size;
        rngState = seed ^ 0x9E3779B97F4A7C15UL;
    }

    public int Size { get; }
    public int Count => images.Count;

    /// <summary>The stored images ([1, C, H, W] each), oldest slot first.</summary>
    public IReadOnlyList<Tensor> Images => images;

    /// <summary>SplitMix64: the next 64 random bits.</summary>
    private ulong NextBits()
    {
        ulong z = rngState += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) (random.uniform(0, 1)).</summary>
    internal double NextUniform() => (NextBits() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n) (random.randint(0, n - 1)).</summary>
    internal int NextIndex(int n) => (int)(NextUniform() * n);

    /// <summary>Returns a batch [N, C, H, W] of images from the pool (a new tensor without a graph).</summary>
    public Tensor Query(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Rank != 4) throw new ArgumentException($"ImagePool.Query: expected a batch [N, C, H, W], got {I2iLayers.Format(batch)}.");
        using var noGrad = Tensor.NoGrad();
        if (Size == 0) return batch.Detach().Contiguous();
        var outputs = new List<Tensor>();
        try
        {
            for (int i = 0; i < batch.Size(0); i++)
            {
                // A copy of its own: the pool must not alias the caller's batch storage.
                using var view = batch.Narrow(0, i, 1).Detach();
                var image = Tensor.ZerosLike(view).DetachFromScope();
                image.CopyFrom(view);
                if (images.Count < Size)
                {
                    images.Add(image);
                    outputs.Add(image);
                }
                else if (NextUniform() > 0.5)
                {
                    int id = NextIndex(Size);
                    outputs.Add(images[id]);
                    images[id] = image;
                    toDispose.Add(outputs[^1]);
                }
                else
                {
                    outputs.Add(image);
                    toDispose.Add(image);
                }
            }
            return Tensor.Cat(outputs, 0);
        }
        finally
        {
            foreach (var t in toDispose) t.Dispose();
            toDispose.Clear();
        }
    }


    /// <summary>The pool's images (<c>N</c> as keys "0", "1", ...) and its random state ("rng").</summary>
    public Dictionary<string, (int[] Shape, float[] Data)> StateDict()
    {
        var d = new Dictionary<string, (int[], float[])>();
        for (int i = 0; i < images.Count; i++) d[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = (images[i].Shape.ToArray(), images[i].ToArray());
        // The 64-bit state as four 16-bit words, each exact in a float.
        d["rng"] = (new[] { 4 }, Enumerable.Range(0, 4).Select(k => (float)((rngState >> (16 * k)) & 0xFFFF)).ToArray());
        return d;
    }

    public void LoadStateDict(IReadOnlyDictionary<string, float[]> state, int[] imageShape, Device device)
    {
        if (!state.TryGetValue("rng", out var rng) || rng.Length != 4)
            throw new ArgumentException("ImagePool.LoadStateDict: the 'rng' entry is missing.");
        foreach (var t in images) t.Dispose();
        images.Clear();
        for (int i = 0; state.TryGetValue(i.ToString(System.Globalization.CultureInfo.InvariantCulture), out var data); i++)
        {
            if (i >= Size) throw new ArgumentException($"ImagePool.LoadStateDict: more than {Size} stored images.");
            images.Add(Tensor.FromArray(data, imageShape, device).DetachFromScope());
        }
        rngState = 0;
        for (int k = 0; k < 4; k++) rngState |= (ulong)rng[k] << (16 * k);
    }

    public void Dispose()
    {
        foreach (var t in images) t.Dispose();
        images.Clear();
    }
}
