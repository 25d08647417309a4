namespace NativeGan.Profiling.Kernels;

/// <summary>
/// One function as <c>ptxas -v</c> described it. Registers and shared memory come from its "Used ..." line (entry functions only),
/// stack frame and spill bytes from its "Function properties" line; <see cref="ConstantBanks"/> maps a cmem bank to its bytes
/// (bank 0 holds the kernel parameters; ptxas 11.8 prints no cmem line for sm_90).
/// </summary>
public sealed record PtxasFunction(
    string Name,
    bool IsEntry,
    string? Arch,
    int Registers,
    int SpillStoreBytes,
    int SpillLoadBytes,
    int StackFrameBytes,
    int SharedMemoryBytes,
    int? Barriers,
    IReadOnlyDictionary<int, int> ConstantBanks,
    IReadOnlyList<string> Messages)
{
    /// <summary>Bytes over all constant banks.</summary>
    public int ConstantMemoryBytes => ConstantBanks.Values.Sum();

    public bool Spills => SpillStoreBytes > 0 || SpillLoadBytes > 0;
}
