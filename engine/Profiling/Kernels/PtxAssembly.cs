namespace NativeGan.Profiling.Kernels;

/// <summary>The result of <see cref="CudaToolchain.Assemble"/>: the cubin (null when ptxas failed), its report, the raw log, the error.</summary>
public sealed record PtxAssembly(string Arch, byte[]? Cubin, PtxasReport Report, string Log, string? Error)
{
    public bool Succeeded => Cubin is not null;
}
