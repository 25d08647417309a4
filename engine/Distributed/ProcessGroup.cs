namespace NativeGan.Distributed;

/// <summary>What `nativegan devices` says about multi-process training on this machine.</summary>
/// <param name="MpiVersion">MPI_Get_library_version's text, e.g. "Open MPI v4.1.4, package: Debian OpenMPI, ...".</param>
/// <param name="MpiStandard">The MPI standard the library implements, e.g. "3.1".</param>
/// <param name="MpiError">Why MPI is unavailable (the library and the package to install), or null.</param>
/// <param name="NcclVersion">ncclGetVersion as major.minor.patch.</param>
/// <param name="NcclError">Why NCCL is unavailable (libnccl.so.2 and where it comes from), or null.</param>
/// <param name="Launch">Rank, local rank and world size from the launcher's environment.</param>
public sealed record DistributedSupport(
    bool MpiAvailable, string? MpiVersion, string? MpiStandard, string? MpiError,
    bool NcclAvailable, string? NcclVersion, string? NcclError,
    LaunchEnvironment Launch);

/// <summary>Makes the process group of this process (torch.distributed.init_process_group; Horovod's hvd.init()).</summary>
public static class ProcessGroup
{
    /// <summary>
    /// An <see cref="MpiProcessGroup"/> when an MPI launcher started this process (Open MPI's OMPI_COMM_WORLD_SIZE,
    /// MPICH's PMI_SIZE, or srun with more than one task), otherwise a <see cref="SingleProcessGroup"/>, so a run
    /// without a launcher behaves as before. A launch whose libmpi.so.40 is missing is an error naming it.
    /// </summary>
    /// <param name="onLauncherStop">See <see cref="MpiProcessGroup(Action{string}?)"/>.</param>
    public static IProcessGroup Create(Action<string>? onLauncherStop = null) =>
        LaunchEnvironment.Detect().IsMpiLaunch ? new MpiProcessGroup(onLauncherStop) : new SingleProcessGroup();

    /// <summary>MPI's and NCCL's availability and versions; loads the libraries but initialises neither.</summary>
    public static DistributedSupport Describe()
    {
        var mpi = MpiLibrary.TryLoad(out string? mpiError);
        var nccl = NcclLibrary.TryLoad(out string? ncclError);
        LaunchEnvironment launch;
        try { launch = LaunchEnvironment.Detect(); }
        catch (DistributedException) { launch = LaunchEnvironment.Single; }
        return new DistributedSupport(
            mpi != null, mpi?.LibraryVersion(), mpi?.StandardVersion(), mpiError,
            nccl != null, nccl?.Version.ToString(), ncclError, launch);
    }
}
