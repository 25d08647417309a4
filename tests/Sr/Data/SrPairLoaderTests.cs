using NativeGan.Models.Sr.Data;
using NativeGan.Tests.Data;

namespace NativeGan.Tests.Sr.Data;

public sealed class SrPairLoaderTests
{
    private static SrPairLoader Loader(ISrPairSource source, ulong seed, int prefetch = 2, int decodeThreads = 2, int batch = 2) =>
        new(source, batch, 16, 4, useHFlip: true, useRot: true, seed, Device.Cpu, prefetch: prefetch, decodeThreads: decodeThreads);

    [Fact]
    public void Batches_HaveShapesEpochPosition_AndStayInRange()
    {
        var source = new HrFolderSource(SrFixtures.Images, 4, new SrSourceOptions { CacheInMemory = true });
        using var loader = Loader(source, 1);
        Assert.Equal(1, loader.BatchesPerEpoch);   // 3 images, batch 2, drop last
        using var b0 = loader.Next();
        Assert.Equal(new[] { 2, 3, 4, 4 }, b0.Lq.Shape);
        Assert.Equal(new[] { 2, 3, 16, 16 }, b0.Gt.Shape);
        Assert.Equal((0, 0), (b0.Epoch, b0.Position));
        using var b1 = loader.Next();
        Assert.Equal((1, 0), (b1.Epoch, b1.Position));
        Assert.All(b1.Gt.ToArray(), v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(2, b1.Indices.Distinct().Count());
    }

    [Fact]
    public void SameSeed_SameBatches_WhateverThePrefetchAndThreads_OtherSeedDiffers()
    {
        var source = new HrFolderSource(SrFixtures.Images, 4);
        var a = Take(Loader(source, 42, prefetch: 2, decodeThreads: 2), 6);
        var b = Take(Loader(source, 42, prefetch: 0, decodeThreads: 1), 6);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Indices, b[i].Indices);
            Assert.Equal(a[i].Lq, b[i].Lq);
            Assert.Equal(a[i].Gt, b[i].Gt);
        }
        var c = Take(Loader(source, 43), 6);
        Assert.NotEqual(a.SelectMany(x => x.Gt), c.SelectMany(x => x.Gt));
    }

    [Fact]
    public void Seek_ReproducesTheBatchesOfAnUninterruptedRun()
    {
        var source = new HrFolderSource(SrFixtures.Images, 4);
        var all = Take(Loader(source, 7, batch: 1), 8);   // 3 batches an epoch
        using var resumed = Loader(source, 7, batch: 1);
        resumed.Seek(1, 2);   // batch 5 of the run
        for (int i = 5; i < 8; i++)
        {
            var h = resumed.NextHost();
            Assert.Equal((all[i].Epoch, all[i].Position), (h.Epoch, h.Position));
            Assert.Equal(all[i].Lq, h.Lq);
            Assert.Equal(all[i].Gt, h.Gt);
        }
        // seeking while prefetching discards the queue
        resumed.Seek(0, 1);
        Assert.Equal(all[1].Gt, resumed.NextHost().Gt);
        Assert.Equal((0, 2), (resumed.Epoch, resumed.Position));
        resumed.Seek(0, 3);   // the end of epoch 0 is the start of epoch 1
        Assert.Equal((1, 0), (resumed.Epoch, resumed.Position));
    }

    [Fact]
    public void Augmentation_IsAppliedToBothImagesAlike()
    {
        // with flips and transposes the LQ patch is still (in the interior) the imresize of the GT patch
        var source = new HrFolderSource(SrFixtures.Images, 2);
        using var loader = new SrPairLoader(source, 3, 32, 2, true, true, 5, Device.Cpu, prefetch: 0);
        var seen = new HashSet<SrAugmentation>();
        for (int n = 0; n < 4; n++)
        {
            var batch = loader.NextHost();
            for (int i = 0; i < batch.Count; i++)
            {
                var gt = batch.Gt.AsSpan(i * 3 * 32 * 32, 3 * 32 * 32).ToArray();
                var lq = batch.Lq.AsSpan(i * 3 * 16 * 16, 3 * 16 * 16).ToArray();
                var (lr, _, _) = MatlabResize.Imresize(gt, 3, 32, 32, 0.5);
                for (int c = 0; c < 3; c++)
                    for (int y = 3; y < 13; y++)
                        for (int x = 3; x < 13; x++)
                            Assert.True(Math.Abs(lr[(c * 16 + y) * 16 + x] - lq[(c * 16 + y) * 16 + x]) <= 1e-6f, $"batch {n} sample {i} ({c}, {y}, {x})");
                var random = SrRandom.ForSample(5, batch.Epoch, (long)batch.Position * 3 + i);
                random.NextUInt64(); random.NextUInt64();   // the source drew top and left (one number each), then the flags
                seen.Add(SrAugmentation.Draw(ref random, true, true));
            }
        }
        Assert.True(seen.Count > 1);
    }

    [Fact]
    public void ReadErrors_NameTheFile_AndTheLoaderRecovers()
    {
        using var dir = new TempDir();
        File.Copy(Path.Combine(SrFixtures.Images, "astronaut.png"), dir.File("a.png"));
        File.Copy(Path.Combine(SrFixtures.Images, "chelsea.png"), dir.File("b.png"));
        File.WriteAllText(dir.File("c.png"), "broken");
        var source = new HrFolderSource(dir.Path, 4);
        using var loader = new SrPairLoader(source, 3, 16, 4, false, false, 0, Device.Cpu);
        var e = Assert.Throws<InvalidDataException>(() => loader.Next());
        Assert.Contains(Path.Combine(dir.Path, "c.png"), e.Message);
        Assert.Equal((0, 0), (loader.Epoch, loader.Position));
        Assert.False(loader.PrefetchThreadAlive);
    }

    [Fact]
    public void BadArguments_SayWhatWasExpected()
    {
        var source = new HrFolderSource(SrFixtures.Images, 4);
        var e = Assert.Throws<ArgumentException>(() => new SrPairLoader(source, 2, 16, 2, true, true, 0, Device.Cpu));
        Assert.Contains("scale 2 does not match the source's scale 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => new SrPairLoader(source, 2, 18, 4, true, true, 0, Device.Cpu));
        Assert.Contains("multiple of the scale 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => new SrPairLoader(source, 4, 16, 4, true, true, 0, Device.Cpu));
        Assert.Contains("only 3 pairs", e.Message);
        using var partial = new SrPairLoader(source, 4, 16, 4, true, true, 0, Device.Cpu, dropLast: false);
        Assert.Equal(3, partial.NextHost().Count);
    }

    private static List<SrHostBatch> Take(SrPairLoader loader, int n)
    {
        using (loader) return Enumerable.Range(0, n).Select(_ => loader.NextHost()).ToList();
    }
}
