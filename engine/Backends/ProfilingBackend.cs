using NativeGan.Kernels.Conv;
using NativeGan.Kernels.Elementwise;
using NativeGan.Kernels.Optim;
using NativeGan.Kernels.Pool;
using NativeGan.Kernels.Reduction;
using NativeGan.Memory;
using NativeGan.Profiling;

namespace NativeGan.Backends;

/// <summary>
/// Decorator installed by <see cref="Profiler.Start"/>: forwards every primitive to the real backend and records
/// one <see cref="KernelEvent"/> per call, with the FLOPs (GEMM, conv) or bytes moved (elementwise, copies,
/// reductions) where the primitive knows them. Allocation and transfer members are forwarded untimed.
/// </summary>
internal sealed class ProfilingBackend(IBackend inner) : IBackend
{
    public IBackend Inner { get; } = inner;

    // On an ILGPU backend each call is bracketed by stream markers (device time, resolved when the profiler stops);
    // the host clock is kept as the fallback figure.
    private readonly struct Timed(string name, double flops, double bytes) : IDisposable
    {
        private readonly double start = Profiler.NowUs;
        private readonly object? startMark = Profiler.Mark();
        public void Dispose()
        {
            double end = Profiler.NowUs;
            var endMark = startMark == null ? null : Profiler.Mark();
            Profiler.AddKernel(name, start, end - start, flops, bytes, startMark, endMark);
        }
    }

    private static Timed T(string name, double flops = 0, double bytes = 0) => new(name, flops, bytes);
    private static double ConvFlops(in Conv2dGeometry g) => 2.0 * g.N * g.Cout * g.OutH * g.OutW * g.KernelVolume;

    public string Name => Inner.Name;
    public Storage Allocate(int length) => Inner.Allocate(length);
    public void Free(Storage storage) => Inner.Free(storage);
    public MemoryStats Stats => Inner.Stats;
    public void ResetPeak() => Inner.ResetPeak();
    public void EmptyCache() => Inner.EmptyCache();
    public void Synchronize() => Inner.Synchronize();
    public void Dispose() => Inner.Dispose();
    public void Upload(ReadOnlySpan<float> source, Storage destination, int offset) { using (T("Upload", 0, 4.0 * source.Length)) Inner.Upload(source, destination, offset); }
    public void Download(Storage source, int offset, Span<float> destination) { using (T("Download", 0, 4.0 * destination.Length)) Inner.Download(source, offset, destination); }

    public void Fill(Storage y, int offset, int n, float value) { using (T("Fill", 0, 4.0 * n)) Inner.Fill(y, offset, n, value); }
    public void Unary(UnaryOp op, Storage x, int xOffset, Storage y, int yOffset, int n, float a, float b) { using (T($"Unary({op})", n, 8.0 * n)) Inner.Unary(op, x, xOffset, y, yOffset, n, a, b); }
    public void Binary(BinaryOp op, Storage a, Storage b, Storage y, int n, in StridedLayout layout) { using (T($"Binary({op})", n, 12.0 * n)) Inner.Binary(op, a, b, y, n, layout); }
    public void Where(Storage cond, Storage x, Storage z, Storage y, int yOffset, int n, in StridedLayout layout) { using (T("Where", 0, 16.0 * n)) Inner.Where(cond, x, z, y, yOffset, n, layout); }
    public void Copy(Storage source, Storage destination, int n, in StridedLayout layout) { using (T("Copy", 0, 8.0 * n)) Inner.Copy(source, destination, n, layout); }
    public void Reduce(ReduceOp op, Storage x, int xOffset, Storage y, int yOffset, int outer, int r, int inner) { using (T($"Reduce({op})", (double)outer * r * inner, 4.0 * outer * inner * (r + 1.0))) Inner.Reduce(op, x, xOffset, y, yOffset, outer, r, inner); }
    public void LogSoftmax(Storage x, int xOffset, Storage y, int yOffset, int outer, int r, int inner) { using (T("LogSoftmax", 0, 8.0 * outer * r * inner)) Inner.LogSoftmax(x, xOffset, y, yOffset, outer, r, inner); }
    public void Gemm(in GemmCall call) { using (T("Sgemm", 2.0 * call.Batch * call.M * call.N * call.K)) Inner.Gemm(call); }
    public void RandomUniform(Storage y, int offset, int n, ulong seed, ulong counter, float low, float high) { using (T("RandomUniform", 0, 4.0 * n)) Inner.RandomUniform(y, offset, n, seed, counter, low, high); }
    public void RandomNormal(Storage y, int offset, int n, ulong seed, ulong counter, float mean, float std) { using (T("RandomNormal", 0, 4.0 * n)) Inner.RandomNormal(y, offset, n, seed, counter, mean, std); }
    public void GatherRows(Storage weight, int weightOffset, Storage indices, int indicesOffset, Storage y, int yOffset, int count, int dim) { using (T("GatherRows", 0, 8.0 * count * dim)) Inner.GatherRows(weight, weightOffset, indices, indicesOffset, y, yOffset, count, dim); }
    public void ScatterAddRows(Storage g, int gOffset, Storage indices, int indicesOffset, Storage y, int yOffset, int count, int rows, int dim) { using (T("ScatterAddRows", 0, 12.0 * count * dim)) Inner.ScatterAddRows(g, gOffset, indices, indicesOffset, y, yOffset, count, rows, dim); }

    public void Conv2dForward(in Conv2dGeometry g, Storage x, int xOffset, Storage w, int wOffset, Storage? bias, int biasOffset, Storage y, int yOffset) { using (T("Conv2dForward", ConvFlops(g))) Inner.Conv2dForward(g, x, xOffset, w, wOffset, bias, biasOffset, y, yOffset); }
    public void Conv2dForwardInference(in Conv2dGeometry g, Storage x, int xOffset, Storage w, int wOffset, Storage? bias, int biasOffset, Storage y, int yOffset) { using (T("Conv2dForwardInference", ConvFlops(g))) Inner.Conv2dForwardInference(g, x, xOffset, w, wOffset, bias, biasOffset, y, yOffset); }
    public void Conv2dBackwardInput(in Conv2dGeometry g, Storage gy, int gyOffset, Storage w, int wOffset, Storage? bias, int biasOffset, Storage gx, int gxOffset) { using (T("Conv2dBackwardInput", ConvFlops(g))) Inner.Conv2dBackwardInput(g, gy, gyOffset, w, wOffset, bias, biasOffset, gx, gxOffset); }
    public void Conv2dBackwardWeight(in Conv2dGeometry g, Storage x, int xOffset, Storage gy, int gyOffset, Storage gw, int gwOffset) { using (T("Conv2dBackwardWeight", ConvFlops(g))) Inner.Conv2dBackwardWeight(g, x, xOffset, gy, gyOffset, gw, gwOffset); }

    public void AdamStep(Storage p, int pOffset, Storage g, int gOffset, Storage m, int mOffset, Storage v, int vOffset, int n, in AdamArgs args) { using (T("AdamStep", 0, 28.0 * n)) Inner.AdamStep(p, pOffset, g, gOffset, m, mOffset, v, vOffset, n, args); }
    public void RmspropStep(Storage p, int pOffset, Storage g, int gOffset, Storage squareAvg, int squareAvgOffset, Storage momentumBuffer, int momentumOffset, Storage gradAvg, int gradAvgOffset, int n, in RmspropArgs args) { using (T("RmspropStep", 0, 36.0 * n)) Inner.RmspropStep(p, pOffset, g, gOffset, squareAvg, squareAvgOffset, momentumBuffer, momentumOffset, gradAvg, gradAvgOffset, n, args); }
    public void SgdStep(Storage p, int pOffset, Storage g, int gOffset, Storage momentumBuffer, int momentumOffset, int n, in SgdArgs args) { using (T("SgdStep", 0, 20.0 * n)) Inner.SgdStep(p, pOffset, g, gOffset, momentumBuffer, momentumOffset, n, args); }

    public void AvgPool2d(Storage x, int xOffset, Storage y, int yOffset, int planes, in PoolWindow w) { using (T("AvgPool2d")) Inner.AvgPool2d(x, xOffset, y, yOffset, planes, w); }
    public void AvgPool2dBackward(Storage g, int gOffset, Storage gx, int gxOffset, int planes, in PoolWindow w) { using (T("AvgPool2dBackward")) Inner.AvgPool2dBackward(g, gOffset, gx, gxOffset, planes, w); }
    public void MaxPool2d(Storage x, int xOffset, Storage y, int yOffset, Storage indices, int indicesOffset, int planes, in PoolWindow w) { using (T("MaxPool2d")) Inner.MaxPool2d(x, xOffset, y, yOffset, indices, indicesOffset, planes, w); }
    public void MaxPool2dScatter(Storage g, int gOffset, Storage indices, int indicesOffset, Storage gx, int gxOffset, int planes, in PoolWindow w) { using (T("MaxPool2dScatter")) Inner.MaxPool2dScatter(g, gOffset, indices, indicesOffset, gx, gxOffset, planes, w); }
    public void MaxPool2dGather(Storage x, int xOffset, Storage indices, int indicesOffset, Storage y, int yOffset, int planes, in PoolWindow w) { using (T("MaxPool2dGather")) Inner.MaxPool2dGather(x, xOffset, indices, indicesOffset, y, yOffset, planes, w); }
    public void AdaptiveAvgPool2d(Storage x, int xOffset, Storage y, int yOffset, int planes, int h, int w, int oh, int ow) { using (T("AdaptiveAvgPool2d", 0, 4.0 * planes * (h * w + oh * ow))) Inner.AdaptiveAvgPool2d(x, xOffset, y, yOffset, planes, h, w, oh, ow); }
    public void AdaptiveAvgPool2dBackward(Storage g, int gOffset, Storage gx, int gxOffset, int planes, int h, int w, int oh, int ow) { using (T("AdaptiveAvgPool2dBackward", 0, 4.0 * planes * (h * w + oh * ow))) Inner.AdaptiveAvgPool2dBackward(g, gOffset, gx, gxOffset, planes, h, w, oh, ow); }

    public void Bilinear(Storage x, int xOffset, Storage y, int yOffset, int planes, int h, int w, int oh, int ow, float ratioH, float ratioW, int alignCorners) { using (T("Bilinear", 0, 4.0 * planes * (h * w + oh * ow))) Inner.Bilinear(x, xOffset, y, yOffset, planes, h, w, oh, ow, ratioH, ratioW, alignCorners); }
    public void BilinearBackward(Storage g, int gOffset, Storage gx, int gxOffset, int planes, int h, int w, int oh, int ow, float ratioH, float ratioW, int alignCorners) { using (T("BilinearBackward", 0, 4.0 * planes * (h * w + oh * ow))) Inner.BilinearBackward(g, gOffset, gx, gxOffset, planes, h, w, oh, ow, ratioH, ratioW, alignCorners); }
}
