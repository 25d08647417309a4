using System.Text.RegularExpressions;

namespace NativeGan.Profiling.Kernels;

/// <summary>
/// Per-SM limits of one compute capability, as the occupancy calculation needs them. Shared memory in bytes.
/// </summary>
/// <remarks>
/// Values from NVIDIA's CUDA C++ Programming Guide, "Compute Capabilities", table "Technical Specifications per Compute
/// Capability" (warps, blocks and registers per SM, shared memory per SM and per block), and from the CUDA Occupancy
/// Calculator / <c>cuda_occupancy.h</c> (register allocation unit 256 per warp, 4 register sub-partitions per SM,
/// shared memory allocation unit 256 B on 7.x and 128 B on 8.x/9.0, 1 KiB reserved by the system per block on 8.0 and up).
/// Shared memory per SM is the largest carveout (the driver picks the carveout when the kernel does not ask for one);
/// shared memory per block is the opt-in maximum.
/// </remarks>
public sealed partial record GpuArchitecture(
    string Name,
    int MaxWarpsPerSm,
    int MaxBlocksPerSm,
    int MaxThreadsPerBlock,
    int RegistersPerSm,
    int MaxRegistersPerBlock,
    int MaxRegistersPerThread,
    int RegisterAllocationUnit,
    int RegisterSubPartitions,
    int SharedMemoryPerSm,
    int MaxSharedMemoryPerBlock,
    int SharedMemoryAllocationUnit,
    int ReservedSharedMemoryPerBlock)
{
    public const int WarpSize = 32;

    private const int K = 1024;

    //                                    warps blocks thr/blk  regs/SM regs/blk r/thr unit sub  smem/SM   smem/blk  gran  reserved
    public static readonly GpuArchitecture Sm70 = new("sm_70", 64, 32, 1024, 64 * K, 64 * K, 255, 256, 4, 96 * K, 96 * K, 256, 0);
    public static readonly GpuArchitecture Sm75 = new("sm_75", 32, 16, 1024, 64 * K, 64 * K, 255, 256, 4, 64 * K, 64 * K, 256, 0);
    public static readonly GpuArchitecture Sm80 = new("sm_80", 64, 32, 1024, 64 * K, 64 * K, 255, 256, 4, 164 * K, 163 * K, 128, 1 * K);
    public static readonly GpuArchitecture Sm86 = new("sm_86", 48, 16, 1024, 64 * K, 64 * K, 255, 256, 4, 100 * K, 99 * K, 128, 1 * K);
    public static readonly GpuArchitecture Sm89 = new("sm_89", 48, 24, 1024, 64 * K, 64 * K, 255, 256, 4, 100 * K, 99 * K, 128, 1 * K);
    public static readonly GpuArchitecture Sm90 = new("sm_90", 64, 32, 1024, 64 * K, 64 * K, 255, 256, 4, 228 * K, 227 * K, 128, 1 * K);

    public static IReadOnlyList<GpuArchitecture> All { get; } = [Sm70, Sm75, Sm80, Sm86, Sm89, Sm90];

    [GeneratedRegex(@"^sm_\d{2,3}[a-z]?$")]
    private static partial Regex ArchName();

    /// <summary>Accepts "sm_90", "sm_90a" (same limits as sm_90), "90" or "9.0".</summary>
    public static bool TryGet(string name, out GpuArchitecture architecture)
    {
        string n = (name ?? "").Trim().ToLowerInvariant().Replace(".", "");
        if (!n.StartsWith("sm_", StringComparison.Ordinal)) n = "sm_" + n;
        if (n.Length > 5 && char.IsLetter(n[^1])) n = n[..^1];
        architecture = All.FirstOrDefault(a => a.Name == n)!;
        return architecture is not null;
    }

    public static GpuArchitecture Get(string name) => TryGet(name, out var a) ? a
        : throw new ArgumentException($"No occupancy table for '{name}'; known: {string.Join(", ", All.Select(x => x.Name))}.", nameof(name));

    /// <summary>Throws unless <paramref name="arch"/> looks like a ptxas target ("sm_90", "sm_90a").</summary>
    public static void ValidateName(string arch)
    {
        if (arch is null || !ArchName().IsMatch(arch))
            throw new ArgumentException($"Expected an SM target such as sm_90, got '{arch}'.", nameof(arch));
    }
}
