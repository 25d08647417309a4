using System.Runtime.InteropServices;

namespace NativeGan.Distributed;

/// <summary>The 128 opaque bytes that name an NCCL communicator (ncclUniqueId); rank 0 makes it, MPI carries it to
/// the others, as Horovod does.</summary>
[StructLayout(LayoutKind.Sequential, Size = NcclLibrary.UniqueIdBytes)]
internal unsafe struct NcclUniqueId
{
    public fixed byte Bytes[NcclLibrary.UniqueIdBytes];
}

/// <summary>NVIDIA's NCCL, bound at run time from libnccl.so.2: all-reduce and broadcast of device buffers, queued on
/// a CUDA stream.</summary>
internal sealed unsafe class NcclLibrary
{
    public const string SoName = "libnccl.so.2";
    public const string Packages = "libnccl2 (NVIDIA's CUDA repository, Debian contrib, Ubuntu multiverse) or NVIDIA's nccl archive on LD_LIBRARY_PATH";
    public const int UniqueIdBytes = 128;
    public const int Float32 = 7;               // ncclFloat32
    public const int OpSum = 0, OpMax = 2, OpMin = 3, OpAvg = 4;

    private static readonly object Gate = new();
    private static NcclLibrary? loaded;
    private static string? loadError;

    public readonly delegate* unmanaged<int*, int> GetVersion;
    public readonly delegate* unmanaged<NcclUniqueId*, int> GetUniqueId;
    public readonly delegate* unmanaged<nint*, int, NcclUniqueId, int, int> CommInitRank;
    public readonly delegate* unmanaged<nint, int> CommDestroy;
    public readonly delegate* unmanaged<nint, int*, int> CommGetAsyncError;
    public readonly delegate* unmanaged<nint, nint, nuint, int, int, nint, nint, int> AllReduce;
    public readonly delegate* unmanaged<nint, nint, nuint, int, int, nint, nint, int> Broadcast;
    public readonly delegate* unmanaged<int, nint> GetErrorString;

    private NcclLibrary(nint h)
    {
        nint F(string name) => NativeLoader.Export(h, SoName, name);
        GetVersion = (delegate* unmanaged<int*, int>)F("ncclGetVersion");
        GetUniqueId = (delegate* unmanaged<NcclUniqueId*, int>)F("ncclGetUniqueId");
        CommInitRank = (delegate* unmanaged<nint*, int, NcclUniqueId, int, int>)F("ncclCommInitRank");
        CommDestroy = (delegate* unmanaged<nint, int>)F("ncclCommDestroy");
        CommGetAsyncError = (delegate* unmanaged<nint, int*, int>)F("ncclCommGetAsyncError");
        AllReduce = (delegate* unmanaged<nint, nint, nuint, int, int, nint, nint, int>)F("ncclAllReduce");
        Broadcast = (delegate* unmanaged<nint, nint, nuint, int, int, nint, nint, int>)F("ncclBroadcast");
        GetErrorString = (delegate* unmanaged<int, nint>)F("ncclGetErrorString");
        Version = ReadVersion();
    }

    /// <summary>NCCL's version as major.minor.patch.</summary>
    public Version Version { get; }

    /// <summary>The loaded library, or null with <paramref name="error"/> naming libnccl.so.2 and where to get it.</summary>
    public static NcclLibrary? TryLoad(out string? error) => TryLoad(SoName, out error);

    /// <summary>As <see cref="TryLoad(out string?)"/> with another file name (tests name one that does not exist).</summary>
    internal static NcclLibrary? TryLoad(string soname, out string? error)
    {
        lock (Gate)
        {
            if (soname != SoName) return LoadUncached(soname, out error);
            if (loaded == null && loadError == null) loaded = LoadUncached(soname, out loadError);
            error = loadError;
            return loaded;
        }
    }

    private static NcclLibrary? LoadUncached(string soname, out string? error)
    {
        error = null;
        nint h = NativeLoader.TryLoad(soname, global: false, out string? reason);
        if (h == 0)
        {
            error = $"NCCL is not available: {soname} could not be loaded ({reason}). CUDA tensors are reduced across processes by NCCL; install {Packages}.";
            return null;
        }
        try { return new NcclLibrary(h); }
        catch (DistributedException e) { error = e.Message; return null; }
    }

    public static NcclLibrary Load() => TryLoad(out string? error) ?? throw new DistributedException(error!);

    private Version ReadVersion()
    {
        int code = 0;
        if (GetVersion(&code) != 0 || code <= 0) return new Version(0, 0);
        // NCCL_VERSION_CODE is major*10000 + minor*100 + patch since 2.9, major*1000 + minor*100 + patch before.
        return code >= 20900 ? new Version(code / 10000, code / 100 % 100, code % 100)
                             : new Version(code / 1000, code / 100 % 10, code % 100);
    }

    public string Describe(int result)
    {
        nint s = GetErrorString(result);
        return s != 0 ? Marshal.PtrToStringUTF8(s) ?? $"NCCL error {result}" : $"NCCL error {result}";
    }

    public int Op(ReduceOp op) => op switch
    {
        ReduceOp.Sum => OpSum,
        ReduceOp.Average => Version >= new Version(2, 10) ? OpAvg : OpSum,
        ReduceOp.Max => OpMax,
        ReduceOp.Min => OpMin,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown reduce op."),
    };
}
