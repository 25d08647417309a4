using NativeGan.Distributed;

namespace NativeGan.Tests.Distributed;

public class ProcessGroupTests
{
    [Fact]
    public void WithoutALauncherTheGroupIsOneProcessAndCollectivesChangeNothing()
    {
        Assert.SkipWhen(LaunchEnvironment.Detect().IsMpiLaunch, "this test process was itself started by an MPI launcher");
        using var g = ProcessGroup.Create();
        Assert.IsType<SingleProcessGroup>(g);
        Assert.Equal((0, 0, 1, "single"), (g.Rank, g.LocalRank, g.WorldSize, g.Backend));
        var data = new[] { 1f, -2f, 3.5f };
        foreach (var op in Enum.GetValues<ReduceOp>()) g.AllReduce(data, op);
        g.Broadcast(data);
        g.Barrier();
        Assert.Equal(new[] { 1f, -2f, 3.5f }, data);
        using var t = Tensor.FromArray(new[] { 4f, 5f }, new[] { 2 }, Device.Cpu);
        g.AllReduce(t, ReduceOp.Average);
        g.AllReduceAsync(t).Wait();
        Assert.Equal(new[] { 4f, 5f }, t.ToArray());
        Assert.Equal(new[] { 42L }, g.AllGather(42));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.Broadcast(data, root: 1));
    }

    [Fact]
    public void DescribeSaysWhetherMpiAndNcclAreThereAndWhy()
    {
        var d = ProcessGroup.Describe();
        if (d.MpiAvailable)
        {
            Assert.Contains("MPI", d.MpiVersion!);
            Assert.Matches(@"^\d+\.\d+$", d.MpiStandard!);
            Assert.Null(d.MpiError);
        }
        else
        {
            Assert.Contains("libmpi.so.40", d.MpiError!);
            Assert.Contains("openmpi-bin", d.MpiError!);
        }
        if (d.NcclAvailable) Assert.Matches(@"^2\.\d+\.\d+$", d.NcclVersion!);
        else
        {
            Assert.Contains("libnccl.so.2", d.NcclError!);
            Assert.Contains("libnccl2", d.NcclError!);
        }
    }

    [Fact]
    public void AMissingNcclOrMpiLibraryIsAnErrorNamingTheLibraryAndItsPackage()
    {
        Assert.Null(NcclLibrary.TryLoad("libnccl-absent-for-test.so.2", out string? nccl));
        Assert.Contains("libnccl-absent-for-test.so.2 could not be loaded", nccl);
        Assert.Contains("install libnccl2", nccl);
        Assert.Null(MpiLibrary.TryLoad("libmpi-absent-for-test.so.40", out string? mpi));
        Assert.Contains("libmpi-absent-for-test.so.40 (Open MPI) could not be loaded", mpi);
        Assert.Contains("openmpi-bin (libopenmpi3)", mpi);
    }
}
