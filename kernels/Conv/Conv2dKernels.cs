using ILGPU;
using NativeGan.Kernels.Elementwise;

namespace NativeGan.Kernels.Conv;

/// <summary>
/// The geometry of one 2-D convolution in its forward direction: input X [N, Cin, H, W], weight
/// [Cout, Cin/Groups, KH, KW], output Y [N, Cout, OutH, OutW]. The transposed convolution and both gradients
/// are described by the same forward geometry. X and Y are channel-contiguous per image (channel stride H*W,
/// row stride W) with an explicit batch stride, so X may be a channel prefix of a wider [N, Ctotal, H, W]
/// buffer (batch stride Ctotal*H*W) and Y may be a channel slice of one. Passed by value: no allocation.
/// </summary>
public struct Conv2dGeometry
{
    public int N, Cin, H, W, Cout, KH, KW, OutH, OutW;
    public int StrideH, StrideW, PadH, PadW, DilH, DilW, Groups;
    public int XBatchStride, YBatchStride;

    public readonly int CinPerGroup => Cin / Groups;
    public readonly int CoutPerGroup => Cout / Groups;
    /// <summary>The GEMM reduction length of the forward pass: Cin/Groups * KH * KW.</summary>
    public readonly int KernelVolume => Cin / Groups * KH * KW;
}

/// <summary>
/// Straightforward direct convolution kernels (one thread per output element, grid-stride), the reference for
/// faster tilings and the fallback for small problems. No atomics: every kernel gathers. The implicit-GEMM
/// tilings (ForwardTiled, BackwardInputTiled) are in Conv2dTiledKernels.cs; IlgpuBackend picks via Conv2dLaunch.
/// </summary>
public static partial class Conv2dKernels
{
    /// <summary>
    /// y[n, co, oh, ow] = bias[co] + sum over ci in co's group, kh, kw of x[n, ci, oh*s - p + kh*d, ...] * w[co, ci', kh, kw].
    /// hasBias = 0 ignores bias (any valid view may be passed).
    /// </summary>
    public static void Forward(ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> y, Conv2dGeometry g, int hasBias)
    {
        int outHW = g.OutH * g.OutW;
        int total = g.N * g.Cout * outHW;
        int cinG = g.Cin / g.Groups, coutG = g.Cout / g.Groups;
        int hw = g.H * g.W;
        int stride = GridExtensions.GridStrideLoopStride;
        for (int t = Grid.GlobalIndex.X; t < total; t += stride)
        {
            int ow = t % g.OutW;
            int r = t / g.OutW;
            int oh = r % g.OutH;
            r /= g.OutH;
            int co = r % g.Cout;
            int n = r / g.Cout;
            int grp = co / coutG;
            float acc = hasBias != 0 ? bias[co] : 0f;
            int xBase = n * g.XBatchStride + grp * cinG * hw;
            int wBase = co * cinG * g.KH * g.KW;
            for (int ci = 0; ci < cinG; ci++)
            {
                for (int kh = 0; kh < g.KH; kh++)
                {
                    int ih = oh * g.StrideH - g.PadH + kh * g.DilH;
                    if (ih < 0 || ih >= g.H) continue;
                    for (int kw = 0; kw < g.KW; kw++)
                    {
                        int iw = ow * g.StrideW - g.PadW + kw * g.DilW;
                        if (iw < 0 || iw >= g.W) continue;
                        acc += x[xBase + ci * hw + ih * g.W + iw] * w[wBase + (ci * g.KH + kh) * g.KW + kw];
                    }
                }
            }
            y[n * g.YBatchStride + co * outHW + oh * g.OutW + ow] = acc;
        }
    }

    /// <summary>
    /// The transpose of Forward in x: gx[n, ci, ih, iw] = bias[ci] + sum over the (co, kh, kw) whose tap lands on
    /// (ih, iw) of gy[n, co, oh, ow] * w[co, ci', kh, kw]. This is conv2d's grad-input and conv_transpose2d's forward.
    /// </summary>
    public static void BackwardInput(ArrayView<float> gy, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> gx, Conv2dGeometry g, int hasBias)
    {
        int hw = g.H * g.W;
        int total = g.N * g.Cin * hw;
        int cinG = g.Cin / g.Groups, coutG = g.Cout / g.Groups;
        int outHW = g.OutH * g.OutW;
        int stride = GridExtensions.GridStrideLoopStride;
        for (int t = Grid.GlobalIndex.X; t < total; t += stride)
        {
            int iw = t % g.W;
            int r = t / g.W;
            int ih = r % g.H;
            r /= g.H;
            int ci = r % g.Cin;
            int n = r / g.Cin;
            int grp = ci / cinG;
            int cil = ci - grp * cinG;
            float acc = hasBias != 0 ? bias[ci] : 0f;
            for (int kh = 0; kh < g.KH; kh++)
            {
                int th = ih + g.PadH - kh * g.DilH;
                if (th < 0) continue;
                int oh = th / g.StrideH;
                if (oh * g.StrideH != th || oh >= g.OutH) continue;
                for (int kw = 0; kw < g.KW; kw++)
                {
                    int tw = iw + g.PadW - kw * g.DilW;
                    if (tw < 0) continue;
                    int ow = tw / g.StrideW;
                    if (ow * g.StrideW != tw || ow >= g.OutW) continue;
                    int gyBase = n * g.YBatchStride + oh * g.OutW + ow;
                    for (int col = 0; col < coutG; col++)
                    {
                        int co = grp * coutG + col;
                        acc += gy[gyBase + co * outHW] * w[((co * cinG + cil) * g.KH + kh) * g.KW + kw];
                    }
                }
            }
            gx[n * g.XBatchStride + ci * hw + ih * g.W + iw] = acc;
        }
    }

    /// <summary>gw[co, ci', kh, kw] = sum over n, oh, ow of gy[n, co, oh, ow] * x[n, ci, oh*s - p + kh*d, ow*s - p + kw*d].</summary>
    public static void BackwardWeight(ArrayView<float> x, ArrayView<float> gy, ArrayView<float> gw, Conv2dGeometry g)
    {
        int cinG = g.Cin / g.Groups, coutG = g.Cout / g.Groups;
        int total = g.Cout * cinG * g.KH * g.KW;
        int hw = g.H * g.W, outHW = g.OutH * g.OutW;
        int stride = GridExtensions.GridStrideLoopStride;
        for (int t = Grid.GlobalIndex.X; t < total; t += stride)
        {
            int kw = t % g.KW;
            int r = t / g.KW;
            int kh = r % g.KH;
            r /= g.KH;
            int cil = r % cinG;
            int co = r / cinG;
            int ci = co / coutG * cinG + cil;
            float acc = 0f;
            for (int n = 0; n < g.N; n++)
            {
                int xBase = n * g.XBatchStride + ci * hw;
                int gyBase = n * g.YBatchStride + co * outHW;
                for (int oh = 0; oh < g.OutH; oh++)
                {
                    int ih = oh * g.StrideH - g.PadH + kh * g.DilH;
                    if (ih < 0 || ih >= g.H) continue;
                    for (int ow = 0; ow < g.OutW; ow++)
                    {
                        int iw = ow * g.StrideW - g.PadW + kw * g.DilW;
                        if (iw < 0 || iw >= g.W) continue;
                        acc += gy[gyBase + oh * g.OutW + ow] * x[xBase + ih * g.W + iw];
                    }
                }
            }
            gw[t] = acc;
        }
    }
}
