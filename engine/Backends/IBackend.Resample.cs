namespace NativeGan.Backends;

/// <summary>Resampling primitives over contiguous planes [planes, H, W].</summary>
internal partial interface IBackend
{
    /// <summary>Bilinear; ratio per axis = in / out, or (in - 1) / (out - 1) with alignCorners (0 when out is 1).</summary>
    void Bilinear(Storage x, int xOffset, Storage y, int yOffset, int planes, int h, int w, int oh, int ow, float ratioH, float ratioW, int alignCorners);
    /// <summary>The adjoint of Bilinear: gx [planes, h, w] from g [planes, oh, ow].</summary>
    void BilinearBackward(Storage g, int gOffset, Storage gx, int gxOffset, int planes, int h, int w, int oh, int ow, float ratioH, float ratioW, int alignCorners);
}
