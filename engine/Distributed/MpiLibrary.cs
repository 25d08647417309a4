using System.Runtime.InteropServices;
using System.Text;

namespace NativeGan.Distributed;

/// <summary>
/// Open MPI's C API, bound at run time from libmpi.so.40 (the MPI.NET package is built for Microsoft MPI's
/// msmpi.dll and its integer handles; Open MPI's handles are pointers to global objects, so MPI_COMM_WORLD is the
/// address of ompi_mpi_comm_world, MPI_FLOAT of ompi_mpi_float, and so on).
/// </summary>
internal sealed unsafe class MpiLibrary
{
    public const string SoName = "libmpi.so.40";
    public const string Packages = "Debian/Ubuntu: apt-get install openmpi-bin (libopenmpi3); Fedora: dnf install openmpi";
    public const int Success = 0;
    public const int ThreadSerialized = 2;   // Open MPI's MPI_THREAD_SERIALIZED
    public static readonly nint InPlace = 1; // Open MPI's MPI_IN_PLACE is (void*)1
    private const int MaxString = 256;       // MPI_MAX_LIBRARY_VERSION_STRING and MPI_MAX_ERROR_STRING in Open MPI

    private static readonly object Gate = new();
    private static MpiLibrary? loaded;
    private static string? loadError;

    public readonly nint CommWorld, Float, Int64, Byte, OpSum, OpMax, OpMin, ErrorsReturn;
    public readonly delegate* unmanaged<int*, int> Initialized, Finalized;
    public readonly delegate* unmanaged<int*, nint*, int, int*, int> InitThread;
    public readonly delegate* unmanaged<int> Finalize;
    public readonly delegate* unmanaged<nint, int*, int> CommRank, CommSize;
    public readonly delegate* unmanaged<nint, nint, int> CommSetErrhandler;
    public readonly delegate* unmanaged<nint, nint, int, nint, nint, nint, int> Allreduce;
    public readonly delegate* unmanaged<nint, nint, int, nint, nint, nint, nint*, int> Iallreduce;
    public readonly delegate* unmanaged<nint*, nint, int> Wait;
    public readonly delegate* unmanaged<nint*, int*, nint, int> Test;
    public readonly delegate* unmanaged<nint, int, nint, int, nint, int> Bcast;
    public readonly delegate* unmanaged<nint, int> Barrier;
    public readonly delegate* unmanaged<nint, int, nint, nint, int, nint, nint, int> Allgather;
    public readonly delegate* unmanaged<byte*, int*, int> GetLibraryVersion;
    public readonly delegate* unmanaged<int*, int*, int> GetVersion;
    public readonly delegate* unmanaged<int, byte*, int*, int> ErrorString;
    public readonly delegate* unmanaged<nint, int, int> Abort;

    private MpiLibrary(nint h)
    {
        nint F(string name) => NativeLoader.Export(h, SoName, name);
        CommWorld = F("ompi_mpi_comm_world");
        Float = F("ompi_mpi_float");
        Int64 = F("ompi_mpi_int64_t");
        Byte = F("ompi_mpi_byte");
        OpSum = F("ompi_mpi_op_sum");
        OpMax = F("ompi_mpi_op_max");
        OpMin = F("ompi_mpi_op_min");
        ErrorsReturn = F("ompi_mpi_errors_return");
        Initialized = (delegate* unmanaged<int*, int>)F("MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)F("MPI_Finalized");
        InitThread = (delegate* unmanaged<int*, nint*, int, int*, int>)F("MPI_Init_thread");
        Finalize = (delegate* unmanaged<int>)F("MPI_Finalize");
        CommRank = (delegate* unmanaged<nint, int*, int>)F("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<nint, int*, int>)F("MPI_Comm_size");
        CommSetErrhandler = (delegate* unmanaged<nint, nint, int>)F("MPI_Comm_set_errhandler");
        Allreduce = (delegate* unmanaged<nint, nint, int, nint, nint, nint, int>)F("MPI_Allreduce");
        Iallreduce = (delegate* unmanaged<nint, nint, int, nint, nint, nint, nint*, int>)F("MPI_Iallreduce");
        Wait = (delegate* unmanaged<nint*, nint, int>)F("MPI_Wait");
        Test = (delegate* unmanaged<nint*, int*, nint, int>)F("MPI_Test");
        Bcast = (delegate* unmanaged<nint, int, nint, int, nint, int>)F("MPI_Bcast");
        Barrier = (delegate* unmanaged<nint, int>)F("MPI_Barrier");
        Allgather = (delegate* unmanaged<nint, int, nint, nint, int, nint, nint, int>)F("MPI_Allgather");
        GetLibraryVersion = (delegate* unmanaged<byte*, int*, int>)F("MPI_Get_library_version");
        GetVersion = (delegate* unmanaged<int*, int*, int>)F("MPI_Get_version");
        ErrorString = (delegate* unmanaged<int, byte*, int*, int>)F("MPI_Error_string");
        Abort = (delegate* unmanaged<nint, int, int>)F("MPI_Abort");
    }

    /// <summary>The loaded library, or null with <paramref name="error"/> saying what is missing and how to get it.</summary>
    public static MpiLibrary? TryLoad(out string? error) => TryLoad(SoName, out error);

    /// <summary>As <see cref="TryLoad(out string?)"/> with another file name (tests name one that does not exist).</summary>
    internal static MpiLibrary? TryLoad(string soname, out string? error)
    {
        lock (Gate)
        {
            if (soname != SoName) return LoadUncached(soname, out error);
            if (loaded == null && loadError == null) loaded = LoadUncached(soname, out loadError);
            error = loadError;
            return loaded;
        }
    }

    private static MpiLibrary? LoadUncached(string soname, out string? error)
    {
        error = null;
        nint h = NativeLoader.TryLoad(soname, global: true, out string? reason);
        if (h == 0)
        {
            error = $"MPI is not available: {soname} (Open MPI) could not be loaded ({reason}). Install it ({Packages}).";
            return null;
        }
        try { return new MpiLibrary(h); }
        catch (DistributedException e) { error = e.Message; return null; }
    }

    public static MpiLibrary Load() =>
        TryLoad(out string? error) ?? throw new DistributedException(error!);

    public nint Op(ReduceOp op) => op switch
    {
        ReduceOp.Sum or ReduceOp.Average => OpSum,
        ReduceOp.Max => OpMax,
        ReduceOp.Min => OpMin,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown reduce op."),
    };

    /// <summary>MPI_Get_library_version, e.g. "Open MPI v4.1.4, package: Debian OpenMPI, ...". Callable before MPI_Init.</summary>
    public string LibraryVersion()
    {
        byte* buffer = stackalloc byte[MaxString + 1];
        int length = 0;
        if (GetLibraryVersion(buffer, &length) != Success) return "unknown";
        return Encoding.UTF8.GetString(buffer, Math.Clamp(length, 0, MaxString)).TrimEnd('\0', ' ', '\n');
    }

    /// <summary>The MPI standard the library implements, e.g. "3.1".</summary>
    public string StandardVersion()
    {
        int major = 0, minor = 0;
        return GetVersion(&major, &minor) == Success ? $"{major}.{minor}" : "unknown";
    }

    public string Describe(int code)
    {
        byte* buffer = stackalloc byte[MaxString + 1];
        int length = 0;
        if (ErrorString(code, buffer, &length) != Success) return $"MPI error {code}";
        return Encoding.UTF8.GetString(buffer, Math.Clamp(length, 0, MaxString)).TrimEnd('\0');
    }
}
