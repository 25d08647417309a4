using NativeGan.Graph;
using NativeGan.Ops;

namespace NativeGan;

/// <summary>How <see cref="Tensor.Interpolate"/> resamples.</summary>
public enum InterpolationMode
{
    /// <summary>Each output pixel copies the input pixel it falls in (integer scales: a repeat of every pixel).</summary>
    Nearest,
    /// <summary>Bilinear, PyTorch's half-pixel source coordinates (or corner-aligned with alignCorners).</summary>
    Bilinear,
}

/// <summary>
/// Upsampling by integer factors (torch.nn.functional.interpolate with scale_factor). Nearest is a broadcast view
/// made dense, so its backward (a sum over each scale block) is written in engine ops. Bilinear runs a kernel, and
/// its backward is a kernel recorded as its own op whose backward is the forward again (the op is linear).
/// </summary>
public sealed partial class Tensor
{
    /// <summary>Upsamples [N, C, H, W] by <paramref name="scale"/> in both directions; mode "nearest" or "bilinear".</summary>
    public Tensor Upsample(int scale, string mode = "nearest") => Interpolate(scale, scale, ParseInterpolationMode(mode));

    /// <summary>Upsamples [*, H, W] to [*, H * scaleH, W * scaleW].</summary>
    public Tensor Interpolate(int scaleH, int scaleW, InterpolationMode mode, bool alignCorners = false)
    {
        const string op = "interpolate";
        PlaneOps.RequireRank(this, 3, op, "a tensor [N, C, H, W] of rank 3 or more");
        if (scaleH < 1 || scaleW < 1)
            throw new ArgumentException($"{op}: scale factors must be positive integers, got {scaleH} x {scaleW}.");
        int h = ShapeArray[^2], w = ShapeArray[^1];
        switch (mode)
        {
            case InterpolationMode.Nearest:
                if (alignCorners)
                    throw new ArgumentException($"{op}: align_corners applies only to the linear modes, not to nearest.");
                return UpsampleNearest(scaleH, scaleW);
            case InterpolationMode.Bilinear:
                return BilinearResize(this, h * scaleH, w * scaleW, alignCorners);
            default:
                throw new ArgumentException($"{op}: unknown mode {mode}.");
        }
    }

    private static InterpolationMode ParseInterpolationMode(string mode) => mode.ToLowerInvariant() switch
    {
        "nearest" => InterpolationMode.Nearest,
        "bilinear" => InterpolationMode.Bilinear,
        _ => throw new ArgumentException($"interpolate: unknown mode '{mode}'; expected 'nearest' or 'bilinear'."),
    };

    /// <summary>[*, H, W] -> a view [*, H, 1, W, 1] expanded to [*, H, sh, W, sw], made dense as [*, H * sh, W * sw].</summary>
    private Tensor UpsampleNearest(int sh, int sw)
    {
        var lead = ShapeArray[..^2];
        int h = ShapeArray[^2], w = ShapeArray[^1];
        int n = ShapeUtil.NumEl(lead);
        var y = Reshape(n, h, 1, w, 1).Expand(n, h, sh, w, sw).Reshape(n, h * sh, w * sw);
        return y.Reshape(PlaneOps.WithPlane(ShapeArray, h * sh, w * sw));
    }

    private static float ResampleRatio(int size, int outSize, bool alignCorners) =>
        alignCorners ? (outSize > 1 ? (size - 1) / (float)(outSize - 1) : 0f) : size / (float)outSize;

    /// <summary>Bilinear resize of the last two dims to oh x ow.</summary>
    private static Tensor BilinearResize(Tensor x, int oh, int ow, bool alignCorners)
    {
        int h = x.ShapeArray[^2], w = x.ShapeArray[^1];
        int planes = PlaneOps.Planes(x.ShapeArray);
        var src = PlaneOps.Dense(x, out bool owned);
        var y = Empty(PlaneOps.WithPlane(x.ShapeArray, oh, ow), x.Device);
        y.Backend.Bilinear(src.Storage, src.Offset, y.Storage, 0, planes, h, w, oh, ow,
            ResampleRatio(h, oh, alignCorners), ResampleRatio(w, ow, alignCorners), alignCorners ? 1 : 0);
        if (owned) src.Dispose();
        return Node.Record(y, "interpolate_bilinear", x, g => BilinearResizeBackward(g, h, w, alignCorners));
    }

    /// <summary>The adjoint of the bilinear resize (g [*, oh, ow] -> [*, h, w]); its own backward is the resize.</summary>
    private static Tensor BilinearResizeBackward(Tensor g, int h, int w, bool alignCorners)
    {
        int oh = g.ShapeArray[^2], ow = g.ShapeArray[^1];
        int planes = PlaneOps.Planes(g.ShapeArray);
        var src = PlaneOps.Dense(g, out bool owned);
        var gx = Empty(PlaneOps.WithPlane(g.ShapeArray, h, w), g.Device);
        gx.Backend.BilinearBackward(src.Storage, src.Offset, gx.Storage, 0, planes, h, w, oh, ow,
            ResampleRatio(h, oh, alignCorners), ResampleRatio(w, ow, alignCorners), alignCorners ? 1 : 0);
        if (owned) src.Dispose();
        return Node.Record(gx, "interpolate_bilinear_backward", g, gg => BilinearResize(gg, oh, ow, alignCorners));
    }
}
