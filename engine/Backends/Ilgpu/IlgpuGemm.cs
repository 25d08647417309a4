using NativeGan.Kernels.Gemm;

namespace NativeGan.Backends.Ilgpu;

/// <summary>Picks the GEMM kernel for a call: 128x128 tiles for large products, 64x64 for the rest.</summary>
internal static class IlgpuGemm
{
    public static void Launch(IlgpuBackend backend, in GemmCall call)
    {
        if (call.Batch == 0 || call.M == 0 || call.N == 0) return;
        var p = new GemmParams
        {
            M = call.M, N = call.N, K = call.K,
            Lda = call.Lda, Ldb = call.Ldb, Ldc = call.Ldc,
            StrideA = call.StrideA, StrideB = call.StrideB, StrideC = call.StrideC,
            OffsetA = call.OffsetA, OffsetB = call.OffsetB, OffsetC = call.OffsetC,
            TransA = call.TransA ? 1 : 0, TransB = call.TransB ? 1 : 0,
            Alpha = call.Alpha, Beta = call.Beta,
        };
        var k = backend.Kernels;
        var a = ((IlgpuStorage)call.A).View;
        var b = ((IlgpuStorage)call.B).View;
        var c = ((IlgpuStorage)call.C).View;
        if (backend.Accelerator.MaxNumThreadsPerGroup < GemmKernels.TiledThreads || call.Batch > 65535)
            k.Get(KernelCatalog.GemmNaive)(backend.Stream, GemmLaunch.Naive(p, call.Batch), a, b, c, p, call.Batch);
        else if (call.M >= 128 && call.N >= 128)
            k.Get(KernelCatalog.GemmTiled128)(backend.Stream, GemmLaunch.Tiled128(p, call.Batch), a, b, c, p);
        else
            k.Get(KernelCatalog.GemmTiled)(backend.Stream, GemmLaunch.Tiled(p, call.Batch), a, b, c, p);
    }
}
