using NativeGan.Models.Data;

namespace NativeGan.Tests.Distributed;

public class DistributedSamplerTests
{
    [Theory]
    [InlineData(96, 2, true)]
    [InlineData(101, 2, true)]
    [InlineData(101, 3, true)]
    [InlineData(100, 4, false)]
    [InlineData(7, 7, true)]
    public void ShardsAreDisjointAndTogetherAreTheOneProcessOrdersSamples(int count, int world, bool shuffle)
    {
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var single = new DistributedSampler(count, 1, 0, shuffle, seed: 11, dropLast: true).Indices(epoch);
            Assert.Equal(DataLoader.EpochOrder(count, 11, epoch, shuffle), single);
            var shards = Enumerable.Range(0, world)
                .Select(r => new DistributedSampler(count, world, r, shuffle, seed: 11, dropLast: true).Indices(epoch)).ToArray();
            int perRank = count / world;
            Assert.All(shards, s => Assert.Equal(perRank, s.Length));
            var union = shards.SelectMany(s => s).ToList();
            Assert.Equal(union.Count, union.Distinct().Count());                               // disjoint
            Assert.Equal(single.Take(perRank * world).OrderBy(i => i), union.OrderBy(i => i));  // the same samples
            // Rank-strided: position j of rank r is position r + j * world of the one-process order.
            for (int r = 0; r < world; r++)
                for (int j = 0; j < perRank; j++)
                    Assert.Equal(single[r + j * world], shards[r][j]);
        }
    }

    [Fact]
    public void GlobalBatchesSplitOverRanksHoldTheOneProcessBatchesSamples()
    {
        const int count = 64, world = 2, globalBatch = 8, rankBatch = globalBatch / world;
        var single = DataLoader.EpochOrder(count, 5, 0);
        var shards = Enumerable.Range(0, world).Select(r => new DistributedSampler(count, world, r, seed: 5, dropLast: true).Indices(0)).ToArray();
        for (int step = 0; step < count / globalBatch; step++)
        {
            var expected = single.Skip(step * globalBatch).Take(globalBatch).OrderBy(i => i);
            var fromRanks = shards.SelectMany(s => s.Skip(step * rankBatch).Take(rankBatch)).OrderBy(i => i);
            Assert.Equal(expected, fromRanks);
        }
    }

    [Fact]
    public void EveryRankDrawsTheSamePermutationPerEpochAndEpochsDiffer()
    {
        var a = new DistributedSampler(50, 2, 0, seed: 9);
        var b = new DistributedSampler(50, 2, 1, seed: 9);
        Assert.Equal(a.IndicesOf(1, 4), b.Indices(4));
        a.Epoch = 1;
        Assert.Equal(a.Indices(1), a.Indices());
        Assert.NotEqual(a.Indices(0), a.Indices(1));
        Assert.Equal(a.Indices(2), new DistributedSampler(50, 2, 0, seed: 9).Indices(2));
    }

    [Fact]
    public void WithoutDropLastThePaddingRepeatsTheOrdersHeadAsPyTorchDoes()
    {
        // torch: indices += indices[:padding]; 10 samples over 4 ranks: total 12, the first 2 repeat.
        var order = Enumerable.Range(0, 10).ToArray();
        var shards = Enumerable.Range(0, 4).Select(r => new DistributedSampler(10, 4, r, shuffle: false).Indices(0)).ToArray();
        Assert.All(shards, s => Assert.Equal(3, s.Length));
        Assert.Equal(new[] { 0, 4, 8 }, shards[0]);
        Assert.Equal(new[] { 1, 5, 9 }, shards[1]);
        Assert.Equal(new[] { 2, 6, 0 }, shards[2]);
        Assert.Equal(new[] { 3, 7, 1 }, shards[3]);
        Assert.Equal(order, shards.SelectMany(s => s).Distinct().OrderBy(i => i));
        // Padding wraps again when there are fewer samples than ranks.
        Assert.Equal(new[] { 0 }, new DistributedSampler(2, 5, 4, shuffle: false).Indices(0));
    }

    [Fact]
    public void BadArgumentsAreRefusedWithTheValues()
    {
        Assert.Contains("rank 2 is outside the world of 2", Assert.Throws<ArgumentException>(() => new DistributedSampler(10, 2, 2)).Message);
        Assert.Contains("only 3 samples", Assert.Throws<ArgumentException>(() => new DistributedSampler(3, 4, 0, dropLast: true)).Message);
        Assert.Contains("got 0", Assert.Throws<ArgumentException>(() => new DistributedSampler(0, 1, 0)).Message);
    }
}
