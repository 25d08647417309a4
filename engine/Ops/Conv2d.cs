using NativeGan.Graph;
using NativeGan.Kernels.Conv;

namespace NativeGan;

/// <summary>
/// 2-D convolution (torch.nn.functional.conv2d) with its backward: grad-input is a transposed convolution,
/// grad-weight is <see cref="Conv2dBackwardWeight"/>, itself a recorded op, so double backward (WGAN-GP) works.
/// The input may be a channel prefix of a wider buffer (strides [S0, H*W, W, 1]): it is read in place.
/// </summary>
public sealed partial class Tensor
{
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv2d(x, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups = 1)
    {
        var a = new ConvArgs(stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W, groups);
        ValidateConv2d(x, weight, bias, a);
        return ConvCore(x, weight, bias, a, inference: !Records(x, weight, bias));
    }

    private static void ValidateConv2d(Tensor x, Tensor weight, Tensor? bias, ConvArgs a)
    {
        const string op = "conv2d";
        int groups = a.Groups;
        a.Validate(op);
        CheckSameDevice(op, x, weight);
        if (bias != null) CheckSameDevice(op, x, bias);
        if (x.Rank != 4)
            throw new ArgumentException($"{op}: input must be 4-D [N, C, H, W], got {ShapeUtil.Format(x.ShapeArray)}.");
        if (weight.Rank != 4)
            throw new ArgumentException($"{op}: weight must be 4-D [out_channels, in_channels/groups, kH, kW], got {ShapeUtil.Format(weight.ShapeArray)}.");
        int cin = x.Size(1), cout = weight.Size(0);
        if (cin % groups != 0)
            throw new ArgumentException($"{op}: input channels {cin} are not divisible by groups={groups} (input {ShapeUtil.Format(x.ShapeArray)}).");
        if (cout % groups != 0)
            throw new ArgumentException($"{op}: output channels {cout} are not divisible by groups={groups} (weight {ShapeUtil.Format(weight.ShapeArray)}).");
        if (weight.Size(1) != cin / groups)
            throw new ArgumentException($"{op}: weight {ShapeUtil.Format(weight.ShapeArray)} expects {weight.Size(1)} input channels per group, but input {ShapeUtil.Format(x.ShapeArray)} with groups={groups} has {cin / groups}.");
        int kh = weight.Size(2), kw = weight.Size(3);
        int effH = a.DH * (kh - 1) + 1, effW = a.DW * (kw - 1) + 1;
        int padH = x.Size(2) + 2 * a.PH, padW = x.Size(3) + 2 * a.PW;
        if (effH > padH || effW > padW)
            throw new ArgumentException($"{op}: kernel size {kh}x{kw} (dilated {effH}x{effW}) is larger than the padded input {padH}x{padW} (input {ShapeUtil.Format(x.ShapeArray)}, padding ({a.PH}, {a.PW})).");
        if (bias != null && (bias.Rank != 1 || bias.Size(0) != cout))
            throw new ArgumentException($"{op}: bias must have shape [{cout}], got {ShapeUtil.Format(bias.ShapeArray)}.");
    }

    /// <summary>The convolution after validation: forward launch and the backward node.</summary>
    private static Tensor ConvCore(Tensor x, Tensor weight, Tensor? bias, ConvArgs a, Tensor? into = null, bool inference = false)
    {
        int n = x.Size(0), cin = x.Size(1), h = x.Size(2), w = x.Size(3);
        int cout = weight.Size(0), kh = weight.Size(2), kw = weight.Size(3);
        int outH = (h + 2 * a.PH - a.DH * (kh - 1) - 1) / a.SH + 1;
        int outW = (w + 2 * a.PW - a.DW * (kw - 1) - 1) / a.SW + 1;
        var outShape = new[] { n, cout, outH, outW };
        Tensor y;
        int yBatch = cout * outH * outW;
        if (into == null) y = Empty(outShape, x.Device);
        else
        {
            // Writing into a channel slice of a wider buffer (dense concat): same shape, channel-contiguous per image.
            if (!ShapeUtil.SameShape(into.ShapeArray, outShape) || !IsChannelContiguous(into))
                throw new ArgumentException($"conv2d: the output slice must be a channel-contiguous view of shape {ShapeUtil.Format(outShape)}, got {ShapeUtil.Format(into.ShapeArray)} with strides {ShapeUtil.Format(into.StridesArray)}.");
            y = into.View(into.Offset, outShape, (int[])into.StridesArray.Clone());
            yBatch = n <= 1 ? yBatch : into.StridesArray[0];
        }
        var (xs, xBatch, ownX) = ConvOperand(x);
        var (ws, ownW) = DenseOperand(weight);
        var (bs, ownB) = bias != null ? DenseOperand(bias) : (null, false);
        var geo = a.Geometry(n, cin, h, w, cout, kh, kw, outH, outW, xBatch, yBatch);
        // Only a pass nothing will differentiate may take a backend's faster, differently rounded algorithm.
        if (inference && !Device.ExactConvolution)
            y.Backend.Conv2dForwardInference(geo, xs.Storage, xs.Offset, ws.Storage, ws.Offset, bs?.Storage, bs?.Offset ?? 0, y.Storage, y.Offset);
        else
            y.Backend.Conv2dForward(geo, xs.Storage, xs.Offset, ws.Storage, ws.Offset, bs?.Storage, bs?.Offset ?? 0, y.Storage, y.Offset);
        if (ownX) xs.Dispose();
        if (ownW) ws.Dispose();
        if (ownB) bs!.Dispose();

        var inputs = bias != null ? new[] { x, weight, bias } : new[] { x, weight };
        var wShape = weight.ShapeArray;
        return Node.Record(y, "conv2d", inputs, g => new[]
        {
            x.RequiresGrad ? ConvTransposeCore(g, weight, null, a, h, w) : null,
            weight.RequiresGrad ? Conv2dBackwardWeightCore(x, g, wShape, a) : null,
            bias != null && bias.RequiresGrad ? g.Sum(new[] { 0, 2, 3 }) : null,
        });
    }

    /// <summary>
    /// The weight gradient of conv2d: d sum(conv2d(x, W) * gradOutput) / dW, of shape weightShape
    /// [Cout, Cin/groups, kH, kW]. Differentiable in x and gradOutput (its backward is a conv and a transposed conv).
    /// </summary>
    public static Tensor Conv2dBackwardWeight(Tensor x, Tensor gradOutput, int[] weightShape, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups = 1)
    {
        const string op = "conv2d_backward_weight";
        var a = new ConvArgs(stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W, groups);
        a.Validate(op);
        CheckSameDevice(op, x, gradOutput);
        if (x.Rank != 4 || gradOutput.Rank != 4 || weightShape.Length != 4)
            throw new ArgumentException($"{op}: expected 4-D input, grad-output and weight shape, got {ShapeUtil.Format(x.ShapeArray)}, {ShapeUtil.Format(gradOutput.ShapeArray)} and {ShapeUtil.Format(weightShape)}.");
        int cin = x.Size(1), cout = weightShape[0];
        if (cin % groups != 0 || cout % groups != 0 || weightShape[1] != cin / groups || gradOutput.Size(1) != cout || gradOutput.Size(0) != x.Size(0))
            throw new ArgumentException($"{op}: input {ShapeUtil.Format(x.ShapeArray)}, grad-output {ShapeUtil.Format(gradOutput.ShapeArray)} and weight shape {ShapeUtil.Format(weightShape)} do not match for groups={groups}.");
        int outH = (x.Size(2) + 2 * a.PH - a.DH * (weightShape[2] - 1) - 1) / a.SH + 1;
        int outW = (x.Size(3) + 2 * a.PW - a.DW * (weightShape[3] - 1) - 1) / a.SW + 1;
        if (gradOutput.Size(2) > outH || gradOutput.Size(3) > outW || outH <= 0 || outW <= 0)
            throw new ArgumentException($"{op}: grad-output {ShapeUtil.Format(gradOutput.ShapeArray)} is larger than the convolution's output {outH}x{outW}.");
        return Conv2dBackwardWeightCore(x, gradOutput, weightShape, a);
    }

    private static Tensor Conv2dBackwardWeightCore(Tensor x, Tensor gy, int[] weightShape, ConvArgs a)
    {
        int n = x.Size(0), cin = x.Size(1), h = x.Size(2), w = x.Size(3);
        int cout = weightShape[0], kh = weightShape[2], kw = weightShape[3];
        int outH = gy.Size(2), outW = gy.Size(3);
        var gw = Empty((int[])weightShape.Clone(), x.Device);
        var (xs, xBatch, ownX) = ConvOperand(x);
        var (gs, gBatch, ownG) = ConvOperand(gy);
        var geo = a.Geometry(n, cin, h, w, cout, kh, kw, outH, outW, xBatch, gBatch);
        gw.Backend.Conv2dBackwardWeight(geo, xs.Storage, xs.Offset, gs.Storage, gs.Offset, gw.Storage, 0);
        if (ownX) xs.Dispose();
        if (ownG) gs.Dispose();
        return Node.Record(gw, "conv2d_backward_weight", new[] { x, gy }, ggw =>
        {
            Tensor? dx = null, dg = null;
            if (x.RequiresGrad) dx = ConvTransposeCore(gy, ggw, null, a, h, w);
            if (gy.RequiresGrad)
            {
                dg = ConvCore(x, ggw, null, a);
                if (dg.Size(2) != outH || dg.Size(3) != outW) dg = dg.Narrow(2, 0, outH).Narrow(3, 0, outW);
            }
            return new[] { dx, dg };
        });
    }

    /// <summary>Whether conv2d of these operands records a graph node (grad mode on and some operand requires grad).</summary>
    private static bool Records(Tensor x, Tensor weight, Tensor? bias) =>
        GradMode.IsEnabled && (x.RequiresGrad || weight.RequiresGrad || (bias?.RequiresGrad ?? false));

    private static bool IsChannelContiguous(Tensor t)
    {
        var s = t.StridesArray;
        int n = t.Size(0), c = t.Size(1), h = t.Size(2), w = t.Size(3);
        return (w <= 1 || s[3] == 1) && (h <= 1 || s[2] == w) && (c <= 1 || s[1] == h * w) && (n <= 1 || s[0] >= c * h * w);
    }

    /// <summary>Conv2d whose output is written into <paramref name="into"/>, a channel slice of a wider buffer.</summary>
    internal static Tensor Conv2dInto(Tensor x, Tensor weight, Tensor? bias, int stride, int padding, int dilation, int groups, Tensor into)
    {
        var a = new ConvArgs(stride, stride, padding, padding, dilation, dilation, groups);
        ValidateConv2d(x, weight, bias, a);
        CheckSameDevice("conv2d", x, into);
        return ConvCore(x, weight, bias, a, into, inference: !Records(x, weight, bias));
    }

    /// <summary>The tensor itself when it is channel-contiguous per image (strides [S0, H*W, W, 1]), else a dense copy (no autograd).</summary>
    private static (Tensor T, int BatchStride, bool Owned) ConvOperand(Tensor t)
    {
        var s = t.StridesArray;
        int n = t.Size(0), c = t.Size(1), h = t.Size(2), w = t.Size(3);
        int chw = c * h * w;
        bool channelContiguous = (w <= 1 || s[3] == 1) && (h <= 1 || s[2] == w) && (c <= 1 || s[1] == h * w) && (n <= 1 || s[0] >= chw);
        if (channelContiguous) return (t, n <= 1 ? chw : s[0], false);
        var (dense, _) = DenseOperand(t);
        return (dense, chw, true);
    }

    private static (Tensor T, bool Owned) DenseOperand(Tensor t)
    {
        if (t.IsContiguous) return (t, false);
        using (GradMode.Disable())
        {
            var c = Empty(t.ShapeArray, t.Device);
            CopyStrided(t, c);
            return (c, true);
        }
    }

    /// <summary>Stride, padding, dilation (height, width) and groups of a convolution.</summary>
    private readonly record struct ConvArgs(int SH, int SW, int PH, int PW, int DH, int DW, int Groups)
    {
        public void Validate(string op)
        {
            if (SH < 1 || SW < 1)
                throw new ArgumentException($"{op}: stride must be at least 1, got ({SH}, {SW}).");
            if (PH < 0 || PW < 0)
                throw new ArgumentException($"{op}: padding must be non-negative, got ({PH}, {PW}).");
            if (DH < 1 || DW < 1)
                throw new ArgumentException($"{op}: dilation must be at least 1, got ({DH}, {DW}).");
            if (Groups < 1)
                throw new ArgumentException($"{op}: groups must be at least 1, got {Groups}.");
        }

        public Conv2dGeometry Geometry(int n, int cin, int h, int w, int cout, int kh, int kw, int outH, int outW, int xBatch, int yBatch) => new()
        {
            N = n, Cin = cin, H = h, W = w, Cout = cout, KH = kh, KW = kw, OutH = outH, OutW = outW,
            StrideH = SH, StrideW = SW, PadH = PH, PadW = PW, DilH = DH, DilW = DW, Groups = Groups,
            XBatchStride = xBatch, YBatchStride = yBatch,
        };
    }
}
