using System.Runtime.InteropServices;

namespace NativeGan.Distributed;

/// <summary>Loads a shared library by its soname and resolves exports, saying which library and which package are
/// missing when it cannot.</summary>
internal static class NativeLoader
{
    private const int RtldNow = 2, RtldGlobal = 0x100;

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern nint DlOpen(string path, int flags);

    [DllImport("libc", EntryPoint = "dlerror")]
    private static extern nint DlError();

    /// <summary>The library's handle, or null with the loader's reason. MPI libraries load their plug-ins with
    /// dlopen and those expect the library's symbols to be global, as mpi4py and Horovod load it.</summary>
    public static nint TryLoad(string soname, bool global, out string? reason)
    {
        reason = null;
        if (OperatingSystem.IsLinux() && global)
        {
            try
            {
                nint h = DlOpen(soname, RtldNow | RtldGlobal);
                if (h != 0) return h;
                nint e = DlError();
                reason = e != 0 ? Marshal.PtrToStringUTF8(e) : "dlopen failed";
                return 0;
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                // A libc without dlopen as a symbol: fall through to the runtime's loader.
            }
        }
        if (NativeLibrary.TryLoad(soname, out nint handle)) return handle;
        reason ??= $"{soname} was not found on the library search path";
        return 0;
    }

    public static nint Export(nint library, string soname, string name) =>
        NativeLibrary.TryGetExport(library, name, out nint address) ? address
            : throw new DistributedException($"{soname} has no symbol {name}: it is not the library expected (an Open MPI 4 or 5 libmpi.so.40, an NCCL 2 libnccl.so.2).");

    public static nint TryExport(nint library, string name) =>
        NativeLibrary.TryGetExport(library, name, out nint address) ? address : 0;

    /// <summary>libc's setenv: Environment.SetEnvironmentVariable does not reach the C environment MPI reads.</summary>
    [DllImport("libc", EntryPoint = "setenv")]
    public static extern int SetEnv(string name, string value, int overwrite);
}
