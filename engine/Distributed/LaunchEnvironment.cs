namespace NativeGan.Distributed;

/// <summary>Who launched this process and where it sits in the job, read from the launcher's environment.</summary>
/// <param name="Launcher">"mpirun" (Open MPI), "pmi" (MPICH's Hydra, Intel MPI), "slurm" (srun) or "none".</param>
public sealed record LaunchEnvironment(string Launcher, int Rank, int LocalRank, int WorldSize)
{
    /// <summary>No launcher: one process.</summary>
    public static LaunchEnvironment Single { get; } = new("none", 0, 0, 1);

    /// <summary>Whether the job has more than this process, or was started by an MPI launcher at all.</summary>
    public bool IsMpiLaunch => Launcher is "mpirun" or "pmi" || (Launcher == "slurm" && WorldSize > 1);

    /// <summary>Reads the process's environment.</summary>
    public static LaunchEnvironment Detect() => Detect(Environment.GetEnvironmentVariable);

    /// <summary>Reads the given environment: Open MPI's OMPI_COMM_WORLD_*, then PMI_* / MPI_LOCALRANKID (MPICH,
    /// Intel MPI), then Slurm's SLURM_PROCID / SLURM_LOCALID / SLURM_NTASKS; none of them means one process.</summary>
    public static LaunchEnvironment Detect(Func<string, string?> getenv)
    {
        ArgumentNullException.ThrowIfNull(getenv);
        if (getenv("OMPI_COMM_WORLD_SIZE") != null)
            return Make("mpirun", getenv, "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_SIZE");
        if (getenv("PMI_SIZE") != null)
            return Make("pmi", getenv, "PMI_RANK", "MPI_LOCALRANKID", "PMI_SIZE");
        if (getenv("SLURM_PROCID") != null && getenv("SLURM_NTASKS") != null)
            return Make("slurm", getenv, "SLURM_PROCID", "SLURM_LOCALID", "SLURM_NTASKS");
        return Single;
    }

    private static LaunchEnvironment Make(string launcher, Func<string, string?> getenv, string rankVar, string localVar, string sizeVar)
    {
        int size = Parse(getenv, sizeVar, required: true, 1);
        int rank = Parse(getenv, rankVar, required: true, 0);
        int local = Parse(getenv, localVar, required: false, rank);
        if (size < 1) throw new DistributedException($"The launcher set {sizeVar}={size}; expected a world size of at least 1.");
        if (rank < 0 || rank >= size)
            throw new DistributedException($"The launcher set {rankVar}={rank} but {sizeVar}={size}; expected a rank in 0 .. {size - 1}.");
        if (local < 0) throw new DistributedException($"The launcher set {localVar}={local}; expected a local rank of at least 0.");
        return new LaunchEnvironment(launcher, rank, local, size);
    }

    private static int Parse(Func<string, string?> getenv, string name, bool required, int fallback)
    {
        string? text = getenv(name);
        if (text == null)
        {
            if (required) throw new DistributedException($"The launcher set part of its environment but not {name}.");
            return fallback;
        }
        if (!int.TryParse(text.Trim(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int v))
            throw new DistributedException($"The launcher set {name}='{text}'; expected an integer.");
        return v;
    }
}
