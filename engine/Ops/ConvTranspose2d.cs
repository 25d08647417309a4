using NativeGan.Graph;

namespace NativeGan;

/// <summary>
/// Transposed 2-D convolution (torch.nn.functional.conv_transpose2d), the adjoint of conv2d in its input:
/// weight [Cin, Cout/groups, kH, kW], output size (H - 1)*s - 2p + d*(k - 1) + output_padding + 1. Its backward is
/// a conv2d (grad-input) and <see cref="Conv2dBackwardWeight"/> with the roles of input and gradient swapped.
/// </summary>
public sealed partial class Tensor
{
    public static Tensor ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1, int dilation = 1) =>
        ConvTranspose2d(x, weight, bias, (stride, stride), (padding, padding), (outputPadding, outputPadding), groups, (dilation, dilation));

    public static Tensor ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) outputPadding, int groups, (int H, int W) dilation)
    {
        const string op = "conv_transpose2d";
        var a = new ConvArgs(stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W, groups);
        a.Validate(op);
        CheckSameDevice(op, x, weight);
        if (bias != null) CheckSameDevice(op, x, bias);
        if (outputPadding.H < 0 || outputPadding.W < 0)
            throw new ArgumentException($"{op}: output_padding must be non-negative, got ({outputPadding.H}, {outputPadding.W}).");
        if ((outputPadding.H >= a.SH && outputPadding.H >= a.DH) || (outputPadding.W >= a.SW && outputPadding.W >= a.DW))
            throw new ArgumentException($"{op}: output_padding ({outputPadding.H}, {outputPadding.W}) must be smaller than either stride ({a.SH}, {a.SW}) or dilation ({a.DH}, {a.DW}).");
        if (x.Rank != 4)
            throw new ArgumentException($"{op}: input must be 4-D [N, C, H, W], got {ShapeUtil.Format(x.ShapeArray)}.");
        if (weight.Rank != 4)
            throw new ArgumentException($"{op}: weight must be 4-D [in_channels, out_channels/groups, kH, kW], got {ShapeUtil.Format(weight.ShapeArray)}.");
        int cin = x.Size(1);
        if (cin % groups != 0)
            throw new ArgumentException($"{op}: input channels {cin} are not divisible by groups={groups} (input {ShapeUtil.Format(x.ShapeArray)}).");
        if (weight.Size(0) != cin)
            throw new ArgumentException($"{op}: weight {ShapeUtil.Format(weight.ShapeArray)} expects {weight.Size(0)} input channels, but input {ShapeUtil.Format(x.ShapeArray)} has {cin}.");
        int cout = weight.Size(1) * groups, kh = weight.Size(2), kw = weight.Size(3);
        int outH = (x.Size(2) - 1) * a.SH - 2 * a.PH + a.DH * (kh - 1) + outputPadding.H + 1;
        int outW = (x.Size(3) - 1) * a.SW - 2 * a.PW + a.DW * (kw - 1) + outputPadding.W + 1;
        if (outH <= 0 || outW <= 0)
            throw new ArgumentException($"{op}: the output size {outH}x{outW} is not positive (input {ShapeUtil.Format(x.ShapeArray)}, weight {ShapeUtil.Format(weight.ShapeArray)}, padding ({a.PH}, {a.PW})).");
        if (bias != null && (bias.Rank != 1 || bias.Size(0) != cout))
            throw new ArgumentException($"{op}: bias must have shape [{cout}], got {ShapeUtil.Format(bias.ShapeArray)}.");
        return ConvTransposeCore(x, weight, bias, a, outH, outW);
    }

    /// <summary>
    /// The transposed convolution to an explicit output size (outH, outW): conv2d's grad-input kernel with the
    /// forward geometry input = this op's output, output = x. Records its backward node.
    /// </summary>
    private static Tensor ConvTransposeCore(Tensor x, Tensor weight, Tensor? bias, ConvArgs a, int outH, int outW)
    {
        int n = x.Size(0), cin = x.Size(1), h = x.Size(2), w = x.Size(3);
        int cout = weight.Size(1) * a.Groups, kh = weight.Size(2), kw = weight.Size(3);
        var y = Empty(new[] { n, cout, outH, outW }, x.Device);
        var (xs, xBatch, ownX) = ConvOperand(x);
        var (ws, ownW) = DenseOperand(weight);
        var (bs, ownB) = bias != null ? DenseOperand(bias) : (null, false);
        // Forward geometry of the conv whose grad-input this is: conv input = y, conv output = x.
        var geo = a.Geometry(n, cout, outH, outW, cin, kh, kw, h, w, cout * outH * outW, xBatch);
        y.Backend.Conv2dBackwardInput(geo, xs.Storage, xs.Offset, ws.Storage, ws.Offset, bs?.Storage, bs?.Offset ?? 0, y.Storage, 0);
        if (ownX) xs.Dispose();
        if (ownW) ws.Dispose();
        if (ownB) bs!.Dispose();

        var inputs = bias != null ? new[] { x, weight, bias } : new[] { x, weight };
        var wShape = weight.ShapeArray;
        return Node.Record(y, "conv_transpose2d", inputs, g =>
        {
            Tensor? dx = null;
            if (x.RequiresGrad)
            {
                dx = ConvCore(g, weight, null, a);
                if (dx.Size(2) != h || dx.Size(3) != w) dx = dx.Narrow(2, 0, h).Narrow(3, 0, w);
            }
            return new[]
            {
                dx,
                weight.RequiresGrad ? Conv2dBackwardWeightCore(g, x, wShape, a) : null,
                bias != null && bias.RequiresGrad ? g.Sum(new[] { 0, 2, 3 }) : null,
            };
        });
    }
}
