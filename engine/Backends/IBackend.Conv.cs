using NativeGan.Kernels.Conv;

namespace NativeGan.Backends;

/// <summary>
/// Convolution primitives. Every call is described by the forward geometry (x [N, Cin, H, W], weight
/// [Cout, Cin/G, KH, KW] contiguous, y [N, Cout, OutH, OutW]); x and y are channel-contiguous per image with the
/// batch strides given in the geometry. Offsets are in floats; a null bias means none.
/// </summary>
internal partial interface IBackend
{
    /// <summary>y = conv2d(x, w) + bias[Cout].</summary>
    void Conv2dForward(in Conv2dGeometry g, Storage x, int xOffset, Storage w, int wOffset, Storage? bias, int biasOffset, Storage y, int yOffset);

    /// <summary>
    /// Conv2dForward for a forward pass no gradient will flow through: a backend may pick a faster algorithm whose
    /// rounding differs from Conv2dForward's (the CPU's Winograd, within 1e-4 of the output's magnitude).
    /// </summary>
    void Conv2dForwardInference(in Conv2dGeometry g, Storage x, int xOffset, Storage w, int wOffset, Storage? bias, int biasOffset, Storage y, int yOffset) =>
        Conv2dForward(g, x, xOffset, w, wOffset, bias, biasOffset, y, yOffset);

    /// <summary>gx = conv2d's transpose applied to gy (+ bias[Cin]): conv2d's grad-input and conv_transpose2d's forward.</summary>
    void Conv2dBackwardInput(in Conv2dGeometry g, Storage gy, int gyOffset, Storage w, int wOffset, Storage? bias, int biasOffset, Storage gx, int gxOffset);

    /// <summary>gw [Cout, Cin/G, KH, KW] (contiguous, overwritten) = the weight gradient of conv2d for x and gy.</summary>
    void Conv2dBackwardWeight(in Conv2dGeometry g, Storage x, int xOffset, Storage gy, int gyOffset, Storage gw, int gwOffset);
}
