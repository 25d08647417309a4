namespace NativeGan.Backends.Ilgpu;

// Placeholder: wired to the tiled GEMM kernel on merge.
internal static class IlgpuGemm
{
    public static void Launch(IlgpuBackend backend, in GemmCall call) =>
        throw new NotImplementedException("GEMM kernel not yet wired");
}
