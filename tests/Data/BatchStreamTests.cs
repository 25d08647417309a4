using NativeGan.Models.Data;

namespace NativeGan.Tests.Data;

/// <summary>The epoch / position / prefetch machinery every loader shares.</summary>
public class BatchStreamTests
{
    private static BatchStream<int[]> Stream(int count, int batch, bool dropLast, int prefetch) =>
        new("TestLoader", count, batch, dropLast, prefetch, e => DataLoader.EpochOrder(count, 7, e), (e, p, indices) => indices);

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Batches_follow_the_epoch_order_in_slices(int prefetch)
    {
        using var s = Stream(10, 4, dropLast: false, prefetch);
        Assert.Equal(3, s.BatchesPerEpoch);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var order = s.EpochOrder(epoch);
            Assert.Equal(order[..4], s.Next());
            Assert.Equal(order[4..8], s.Next());
            Assert.Equal(order[8..], s.Next());   // the short last batch
            Assert.Equal((epoch + 1, 0), (s.Epoch, s.Position));
        }
    }

    [Fact]
    public void Drop_last_skips_the_short_batch_and_seek_recreates_any_batch()
    {
        using var s = Stream(10, 4, dropLast: true, prefetch: 2);
        Assert.Equal(2, s.BatchesPerEpoch);
        var expected = Enumerable.Range(0, 6).Select(_ => s.Next()).ToList();
        s.Seek(1, 1);
        Assert.Equal(expected[3], s.Next());
        s.Seek(0, 2); // the end of epoch 0 is the start of epoch 1
        Assert.Equal((1, 0), (s.Epoch, s.Position));
        Assert.Equal(expected[2], s.Next());
        Assert.Equal(expected[5], s.Assemble(2, 1));
        Assert.Throws<ArgumentException>(() => s.Seek(0, 3));
        Assert.Throws<ArgumentException>(() => s.Assemble(0, 2));
    }

    [Fact]
    public void A_failing_batch_names_the_loader_and_the_next_call_retries_it()
    {
        int calls = 0;
        using var s = new BatchStream<int[]>("TestLoader", 8, 4, false, 2, e => Enumerable.Range(0, 8).ToArray(),
            (e, p, indices) => ++calls == 1 ? throw new IOException("sample.png is truncated") : indices);
        var error = Assert.Throws<InvalidDataException>(() => s.Next());
        Assert.Contains("TestLoader", error.Message);
        Assert.Contains("sample.png is truncated", error.Message);
        Assert.False(s.PrefetchThreadAlive);
        Assert.Equal(new[] { 0, 1, 2, 3 }, s.Next());
    }

    [Fact]
    public void Parallel_samples_surface_the_samples_own_exception()
    {
        var e = Assert.Throws<FileNotFoundException>(() => BatchStream<int[]>.ForEachSample(8, 4,
            i => { if (i == 5) throw new FileNotFoundException("missing: b.png"); }));
        Assert.Equal("missing: b.png", e.Message);
    }
}
