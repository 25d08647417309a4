using NativeGan.Distributed;

namespace NativeGan.Tests.Distributed;

public class LaunchEnvironmentTests
{
    private static LaunchEnvironment Detect(params (string Name, string Value)[] vars)
    {
        var map = vars.ToDictionary(v => v.Name, v => v.Value);
        return LaunchEnvironment.Detect(name => map.TryGetValue(name, out var v) ? v : null);
    }

    [Fact]
    public void NoLauncherIsOneProcess()
    {
        var e = Detect();
        Assert.Equal(LaunchEnvironment.Single, e);
        Assert.False(e.IsMpiLaunch);
    }

    [Fact]
    public void OpenMpiVariablesGiveRankLocalRankAndSize()
    {
        var e = Detect(("OMPI_COMM_WORLD_SIZE", "4"), ("OMPI_COMM_WORLD_RANK", "3"), ("OMPI_COMM_WORLD_LOCAL_RANK", "1"),
            ("SLURM_PROCID", "0"), ("SLURM_NTASKS", "1"));
        Assert.Equal(new LaunchEnvironment("mpirun", 3, 1, 4), e);
        Assert.True(e.IsMpiLaunch);
    }

    [Fact]
    public void SlurmIsTheFallbackAndOneTaskNeedsNoMpi()
    {
        Assert.Equal(new LaunchEnvironment("slurm", 5, 1, 8), Detect(("SLURM_PROCID", "5"), ("SLURM_LOCALID", "1"), ("SLURM_NTASKS", "8")));
        Assert.True(Detect(("SLURM_PROCID", "5"), ("SLURM_LOCALID", "1"), ("SLURM_NTASKS", "8")).IsMpiLaunch);
        Assert.False(Detect(("SLURM_PROCID", "0"), ("SLURM_NTASKS", "1")).IsMpiLaunch);
        Assert.Equal(new LaunchEnvironment("pmi", 1, 1, 2), Detect(("PMI_SIZE", "2"), ("PMI_RANK", "1")));
    }

    [Fact]
    public void InconsistentVariablesAreErrorsNamingThem()
    {
        var e = Assert.Throws<DistributedException>(() => Detect(("OMPI_COMM_WORLD_SIZE", "2"), ("OMPI_COMM_WORLD_RANK", "2")));
        Assert.Contains("OMPI_COMM_WORLD_RANK=2", e.Message);
        Assert.Contains("OMPI_COMM_WORLD_SIZE='x'", Assert.Throws<DistributedException>(() => Detect(("OMPI_COMM_WORLD_SIZE", "x"))).Message);
        Assert.Contains("not OMPI_COMM_WORLD_RANK", Assert.Throws<DistributedException>(() => Detect(("OMPI_COMM_WORLD_SIZE", "2"))).Message);
    }
}
