using NativeGan.Kernels.Pool;

namespace NativeGan.Backends;

/// <summary>2-D pooling primitives over contiguous planes [planes, H, W]; windows as PyTorch (ceil_mode off).</summary>
internal partial interface IBackend
{
    void AvgPool2d(Storage x, int xOffset, Storage y, int yOffset, int planes, in PoolWindow w);
    /// <summary>The adjoint of AvgPool2d: gx [planes, H, W] from g [planes, OH, OW].</summary>
    void AvgPool2dBackward(Storage g, int gOffset, Storage gx, int gxOffset, int planes, in PoolWindow w);
    /// <summary>Window maxima and their flat in-plane positions (iy * W + ix) stored as floats.</summary>
    void MaxPool2d(Storage x, int xOffset, Storage y, int yOffset, Storage indices, int indicesOffset, int planes, in PoolWindow w);
    /// <summary>gx [planes, H, W] = g [planes, OH, OW] summed into each window's argmax.</summary>
    void MaxPool2dScatter(Storage g, int gOffset, Storage indices, int indicesOffset, Storage gx, int gxOffset, int planes, in PoolWindow w);
    /// <summary>y [planes, OH, OW] = x [planes, H, W] at each window's argmax.</summary>
    void MaxPool2dGather(Storage x, int xOffset, Storage indices, int indicesOffset, Storage y, int yOffset, int planes, in PoolWindow w);
    void AdaptiveAvgPool2d(Storage x, int xOffset, Storage y, int yOffset, int planes, int h, int w, int oh, int ow);
    void AdaptiveAvgPool2dBackward(Storage g, int gOffset, Storage gx, int gxOffset, int planes, int h, int w, int oh, int ow);
}
