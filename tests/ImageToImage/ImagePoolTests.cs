using NativeGan.Models.ImageToImage;

namespace NativeGan.Tests.ImageToImage;

public class ImagePoolTests
{
    private static Tensor Batch(params float[] ids) => Tensor.FromArray(ids.SelectMany(i => Enumerable.Repeat(i, 4)).ToArray(), new[] { ids.Length, 1, 2, 2 }, Device.Cpu);

    private static float[] Ids(Tensor t) => Enumerable.Range(0, t.Size(0)).Select(i => t.ToArray()[i * 4]).ToArray();

    [Fact]
    public void SizeZeroReturnsTheBatch()
    {
        using var pool = new ImagePool(0, 1);
        using var b = Batch(1, 2, 3);
        using var q = pool.Query(b);
        Assert.Equal(new float[] { 1, 2, 3 }, Ids(q));
        Assert.Equal(0, pool.Count);
    }

    /// <summary>util/image_pool.py: while filling, each image is stored and returned; once full, per image, half the time a
    /// random stored image is returned and replaced by the new one, else the new image comes back and the pool is unchanged.</summary>
    [Fact]
    public void FillsThenSwapsHalfTheTimePerImage()
    {
        using var pool = new ImagePool(4, 42);
        using (var b = Batch(1, 2, 3))
        using (var q = pool.Query(b)) Assert.Equal(new float[] { 1, 2, 3 }, Ids(q));
        using (var b = Batch(4, 5))
        using (var q = pool.Query(b))
        {
            // 4 fills the pool; 5 arrives at a full pool.
            var ids = Ids(q);
            Assert.Equal(4f, ids[0]);
            Assert.Contains(ids[1], new float[] { 1, 2, 3, 4, 5 });
        }
        Assert.Equal(4, pool.Count);

        int swapped = 0, total = 0;
        float next = 100;
        for (int call = 0; call < 200; call++)
        {
            var before = pool.Images.Select(t => t.ToArray()[0]).ToArray();
            using var b = Batch(next, next + 1);
            using var q = pool.Query(b);
            var ids = Ids(q);
            var after = pool.Images.Select(t => t.ToArray()[0]).ToArray();
            var inPool = before.ToList();
            for (int k = 0; k < 2; k++)
            {
                float incoming = next + k;
                total++;
                if (ids[k] == incoming)
                {
                    // not stored: the simulated pool below stays as it was
                }
                else
                {
                    swapped++;
                    Assert.Contains(ids[k], inPool);            // an image stored before
                    int slot = inPool.IndexOf(ids[k]);
                    inPool[slot] = incoming;
                }
            }
            Assert.Equal(inPool, after);
            next += 2;
        }
        // 400 Bernoulli(0.5) draws: 200 +- 10 sd; [160, 240] is four sd.
        Assert.InRange(swapped, 160, 240);
        Assert.Equal(4, pool.Count);
    }

    [Fact]
    public void SeededAndRestoredPoolsDrawTheSame()
    {
        using var a = new ImagePool(3, 7);
        using var b = new ImagePool(3, 7);
        for (int i = 0; i < 5; i++)
        {
            using var x = Batch(i * 10, i * 10 + 1);
            using var qa = a.Query(x);
            using var qb = b.Query(x);
            Assert.Equal(Ids(qa), Ids(qb));
        }
        var state = a.StateDict();
        using var c = new ImagePool(3, 999);
        c.LoadStateDict(state.ToDictionary(kv => kv.Key, kv => kv.Value.Data), new[] { 1, 1, 2, 2 }, Device.Cpu);
        for (int i = 0; i < 10; i++)
        {
            using var x = Batch(500 + i);
            using var qa = a.Query(x);
            using var qc = c.Query(x);
            Assert.Equal(Ids(qa), Ids(qc));
        }
    }
}
