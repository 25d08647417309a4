using NativeGan.Graph;
using NativeGan.Kernels.Pool;
using NativeGan.Ops;

namespace NativeGan;

/// <summary>
/// avg_pool2d, max_pool2d and adaptive_avg_pool2d over the last two dimensions (ceil_mode off). Each backward is a
/// kernel recorded as its own op whose backward is again an op, so gradients of any order flow: the average pools'
/// backward is their adjoint (whose adjoint is the forward), max pool's is a scatter to the recorded argmax (whose
/// adjoint gathers from it).
/// </summary>
public sealed partial class Tensor
{
    /// <summary>torch.nn.functional.avg_pool2d with a square window; stride defaults to the window.</summary>
    public Tensor AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool countIncludePad = true) =>
        AvgPool2d(kernelSize, kernelSize, stride ?? kernelSize, stride ?? kernelSize, padding, padding, countIncludePad);

    public Tensor AvgPool2d(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, bool countIncludePad = true)
    {
        var win = MakePoolWindow("avg_pool2d", kernelH, kernelW, strideH, strideW, padH, padW);
        win.CountIncludePad = countIncludePad ? 1 : 0;
        return AvgPoolForward(this, win);
    }

    /// <summary>torch.nn.functional.max_pool2d with a square window; stride defaults to the window.</summary>
    public Tensor MaxPool2d(int kernelSize, int? stride = null, int padding = 0) =>
        MaxPool2d(kernelSize, kernelSize, stride ?? kernelSize, stride ?? kernelSize, padding, padding);

    public Tensor MaxPool2d(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW)
    {
        const string op = "max_pool2d";
        var win = MakePoolWindow(op, kernelH, kernelW, strideH, strideW, padH, padW);
        int planes = PlaneOps.Planes(ShapeArray);
        var src = PlaneOps.Dense(this, out bool owned);
        var outShape = PlaneOps.WithPlane(ShapeArray, win.OH, win.OW);
        var y = Empty(outShape, Device);
        var indices = Empty(outShape, Device);
        y.Backend.MaxPool2d(src.Storage, src.Offset, y.Storage, 0, indices.Storage, 0, planes, win);
        if (owned) src.Dispose();
        var inShape = ShapeArray;
        Node.Record(y, op, this, g => MaxPoolScatter(g, indices, win, inShape));
        if (y.GradFn == null) indices.Dispose(); // no graph holds the argmax
        return y;
    }

    /// <summary>torch.nn.functional.adaptive_avg_pool2d: output cell i averages rows floor(i*H/out) .. ceil((i+1)*H/out) - 1.</summary>
    public Tensor AdaptiveAvgPool2d(int outputSize) => AdaptiveAvgPool2d(outputSize, outputSize);

    public Tensor AdaptiveAvgPool2d(int outputH, int outputW)
    {
        const string op = "adaptive_avg_pool2d";
        PlaneOps.RequireRank(this, 3, op, "a tensor [N, C, H, W] of rank 3 or more");
        if (outputH < 1 || outputW < 1)
            throw new ArgumentException($"{op}: the output size must be positive, got {outputH} x {outputW}.");
        if (ShapeArray[^2] < 1 || ShapeArray[^1] < 1)
            throw new ArgumentException($"{op}: the input {ShapeUtil.Format(ShapeArray)} has an empty plane.");
        return AdaptiveAvgForward(this, outputH, outputW);
    }

    private PoolWindow MakePoolWindow(string op, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        PlaneOps.RequireRank(this, 3, op, "a tensor [N, C, H, W] of rank 3 or more");
        if (kh < 1 || kw < 1) throw new ArgumentException($"{op}: the kernel size must be positive, got {kh} x {kw}.");
        if (sh < 1 || sw < 1) throw new ArgumentException($"{op}: the stride must be positive, got {sh} x {sw}.");
        if (ph < 0 || pw < 0) throw new ArgumentException($"{op}: the padding must not be negative, got {ph} x {pw}.");
        if (ph > kh / 2 || pw > kw / 2)
            throw new ArgumentException($"{op}: the padding {ph} x {pw} must be at most half the kernel size {kh} x {kw}.");
        int h = ShapeArray[^2], w = ShapeArray[^1];
        if (h + 2 * ph < kh || w + 2 * pw < kw)
            throw new ArgumentException($"{op}: the kernel {kh} x {kw} is larger than the padded input {h + 2 * ph} x {w + 2 * pw} (input {ShapeUtil.Format(ShapeArray)}, padding {ph} x {pw}).");
        return new PoolWindow
        {
            H = h, W = w, KH = kh, KW = kw, SH = sh, SW = sw, PH = ph, PW = pw,
            OH = (h + 2 * ph - kh) / sh + 1,
            OW = (w + 2 * pw - kw) / sw + 1,
        };
    }

    private static Tensor AvgPoolForward(Tensor x, PoolWindow win)
    {
        int planes = PlaneOps.Planes(x.ShapeArray);
        var src = PlaneOps.Dense(x, out bool owned);
        var y = Empty(PlaneOps.WithPlane(x.ShapeArray, win.OH, win.OW), x.Device);
        y.Backend.AvgPool2d(src.Storage, src.Offset, y.Storage, 0, planes, win);
        if (owned) src.Dispose();
        return Node.Record(y, "avg_pool2d", x, g => AvgPoolBackward(g, win));
    }

    private static Tensor AvgPoolBackward(Tensor g, PoolWindow win)
    {
        int planes = PlaneOps.Planes(g.ShapeArray);
        var src = PlaneOps.Dense(g, out bool owned);
        var gx = Empty(PlaneOps.WithPlane(g.ShapeArray, win.H, win.W), g.Device);
        gx.Backend.AvgPool2dBackward(src.Storage, src.Offset, gx.Storage, 0, planes, win);
        if (owned) src.Dispose();
        return Node.Record(gx, "avg_pool2d_backward", g, gg => AvgPoolForward(gg, win));
    }

    /// <summary>g [*, OH, OW] summed into each window's argmax: [*, H, W]. Its backward gathers.</summary>
    private static Tensor MaxPoolScatter(Tensor g, Tensor indices, PoolWindow win, int[] inShape)
    {
        int planes = PlaneOps.Planes(g.ShapeArray);
        var src = PlaneOps.Dense(g, out bool owned);
        var gx = Empty(inShape, g.Device);
        gx.Backend.MaxPool2dScatter(src.Storage, src.Offset, indices.Storage, indices.Offset, gx.Storage, 0, planes, win);
        if (owned) src.Dispose();
        var outShape = g.ShapeArray;
        return Node.Record(gx, "max_pool2d_scatter", g, gg => MaxPoolGather(gg, indices, win, outShape));
    }

    /// <summary>x [*, H, W] read at each window's argmax: [*, OH, OW]. Its backward scatters.</summary>
    private static Tensor MaxPoolGather(Tensor x, Tensor indices, PoolWindow win, int[] outShape)
    {
        int planes = PlaneOps.Planes(x.ShapeArray);
        var src = PlaneOps.Dense(x, out bool owned);
        var y = Empty(outShape, x.Device);
        y.Backend.MaxPool2dGather(src.Storage, src.Offset, indices.Storage, indices.Offset, y.Storage, 0, planes, win);
        if (owned) src.Dispose();
        var inShape = x.ShapeArray;
        return Node.Record(y, "max_pool2d_gather", x, g => MaxPoolScatter(g, indices, win, inShape));
    }

    private static Tensor AdaptiveAvgForward(Tensor x, int oh, int ow)
    {
        int h = x.ShapeArray[^2], w = x.ShapeArray[^1];
        int planes = PlaneOps.Planes(x.ShapeArray);
        var src = PlaneOps.Dense(x, out bool owned);
        var y = Empty(PlaneOps.WithPlane(x.ShapeArray, oh, ow), x.Device);
        y.Backend.AdaptiveAvgPool2d(src.Storage, src.Offset, y.Storage, 0, planes, h, w, oh, ow);
        if (owned) src.Dispose();
        return Node.Record(y, "adaptive_avg_pool2d", x, g => AdaptiveAvgBackward(g, h, w));
    }

    private static Tensor AdaptiveAvgBackward(Tensor g, int h, int w)
    {
        int oh = g.ShapeArray[^2], ow = g.ShapeArray[^1];
        int planes = PlaneOps.Planes(g.ShapeArray);
        var src = PlaneOps.Dense(g, out bool owned);
        var gx = Empty(PlaneOps.WithPlane(g.ShapeArray, h, w), g.Device);
        gx.Backend.AdaptiveAvgPool2dBackward(src.Storage, src.Offset, gx.Storage, 0, planes, h, w, oh, ow);
        if (owned) src.Dispose();
        return Node.Record(gx, "adaptive_avg_pool2d_backward", g, gg => AdaptiveAvgForward(gg, oh, ow));
    }
}
