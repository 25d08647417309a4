using NativeGan.Distributed;
using NativeGan.MpiWorker;

namespace NativeGan.Tests.Distributed;

/// <summary>Two real ranks under mpirun on this machine. Skipped, saying why, where Open MPI is not installed.</summary>
[Collection(nameof(MpiProcessTests))]
[CollectionDefinition(nameof(MpiProcessTests), DisableParallelization = true)]
public sealed class MpiProcessTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);
    private readonly string dir = Directory.CreateTempSubdirectory("nativegan-mpi-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static void RequireMpi()
    {
        string? reason = MpiLauncher.MissingReason();
        Assert.SkipWhen(reason != null, reason ?? "");
    }

    private static void AssertSucceeded(MpiLauncher.Result r) =>
        Assert.True(r.ExitCode == 0, $"mpirun exited with {r.ExitCode}:\n{r.Output}");

    [Fact]
    public void CollectivesAgreeWithTheirDefinitions()
    {
        RequireMpi();
        AssertSucceeded(MpiLauncher.Run(2, Limit, "collectives", dir));
        float[] R(string name, int rank) => TestData.Read(dir, name, rank);
        static float[] Combine(float[] a, float[] b, Func<float, float, float> f) => a.Zip(b, f).ToArray();
        for (int rank = 0; rank < 2; rank++)
        {
            Assert.Equal(Combine(TestData.Uniform(1000, 1_000_003), TestData.Uniform(1001, 1_000_003), (a, b) => a + b), R("allreduce-sum", rank));
            Assert.Equal(Combine(TestData.Uniform(2000, 257), TestData.Uniform(2001, 257), MathF.Max), R("allreduce-max", rank));
            Assert.Equal(Combine(TestData.Uniform(3000, 105), TestData.Uniform(3001, 105), (a, b) => (a + b) * 0.5f), R("allreduce-average-tensor", rank));
            Assert.Equal(Combine(TestData.Uniform(4000, 1 << 20), TestData.Uniform(4001, 1 << 20), (a, b) => a + b), R("allreduce-async-big", rank));
            Assert.Equal(Combine(TestData.Uniform(5000, 4097), TestData.Uniform(5001, 4097), (a, b) => a + b), R("allreduce-async-small", rank));
            Assert.Equal(Combine(TestData.Uniform(8000, 1000), TestData.Uniform(8001, 1000), (a, b) => a + b), R("allreduce-ilgpu-cpu", rank));
            Assert.Equal(TestData.Uniform(6001, 333), R("broadcast-span", rank));      // from the last rank
            Assert.Equal(TestData.Uniform(7000, 6), R("broadcast-tensor", rank));      // from rank 0
            Assert.Equal(new[] { 7f, 17f }, R("allgather", rank));
            Assert.Equal(new[] { 1f }, R("null-reference-caught", rank));
        }
        // Milliseconds since 1970 of [arrived, left] at the barrier.
        long[] Times(int rank)
        {
            var t = R("barrier", rank);
            return new[] { (long)t[0] * 1_000_000 + (long)t[1], (long)t[2] * 1_000_000 + (long)t[3] };
        }
        long rank0Arrived = Times(0)[0];
        Assert.All(new[] { 0, 1 }, rank => Assert.True(Times(rank)[1] >= rank0Arrived,
            $"rank {rank} left the barrier at {Times(rank)[1]} before rank 0 arrived at {rank0Arrived}"));
        Assert.True(Times(1)[0] < rank0Arrived - 1000, $"rank 1 arrived at {Times(1)[0]}, rank 0 at {rank0Arrived}: rank 0 sleeps 1.5 s first");
    }

    [Theory]
    [InlineData("sgd", "blocking")]
    [InlineData("adam", "overlap")]
    public void TwoRanksWithHalfBatchesTrainAsOneProcessWithTheWholeBatch(string optimizer, string mode)
    {
        RequireMpi();
        const int steps = 10, globalBatch = 16;
        const long bucketBytes = 200;   // several buckets, so their order and overlap matter
        AssertSucceeded(MpiLauncher.Run(2, Limit, "train", dir, optimizer, steps.ToString(), globalBatch.ToString(), bucketBytes.ToString(), mode));
        var reference = DataParallelTraining.Run(new SingleProcessGroup(), new DataParallelOptions(optimizer, steps, globalBatch, mode == "overlap", bucketBytes));
        var rank0 = TestData.Read(dir, $"train-{optimizer}-{mode}", 0);
        var rank1 = TestData.Read(dir, $"train-{optimizer}-{mode}", 1);
        Assert.Equal(rank0, rank1);   // the ranks hold identical weights, bit for bit
        Assert.Equal(reference.Length, rank0.Length);
        for (int i = 0; i < reference.Length; i++)
            Assert.True(MathF.Abs(reference[i] - rank0[i]) <= 1e-5f + 1e-5f * MathF.Abs(reference[i]),
                $"weight {i}: one process {reference[i]}, two ranks {rank0[i]}");
        // And the weights moved: a run that never stepped would also agree.
        var untrained = DataParallelTraining.Run(new SingleProcessGroup(), new DataParallelOptions(optimizer, 0, globalBatch, false, bucketBytes));
        Assert.True(reference.Zip(untrained, (a, b) => MathF.Abs(a - b)).Max() > 1e-2f);
    }

    [Fact]
    public void KillingOneRankEndsTheOtherWithinSecondsNamingBothRanks()
    {
        RequireMpi();
        var r = MpiLauncher.Run(2, Limit, "die");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("rank 1 with PID", r.Output);                                   // mpirun names the dead rank
        Assert.Contains("rank 0 of 2 was stopped by the MPI launcher during MPI_Allreduce", r.Output);
        Assert.DoesNotContain("kept reducing", r.Output);
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(30), $"took {r.Elapsed.TotalSeconds:F1} s:\n{r.Output}");
    }
}
