using ILGPU;
using ILGPU.Runtime;

namespace NativeGan.Backends.Ilgpu;

internal sealed class IlgpuStorage : Storage
{
    public IlgpuStorage(Device device, MemoryBuffer1D<float, Stride1D.Dense> buffer)
        : base(device, checked((int)buffer.Length))
    {
        Buffer = buffer;
        View = buffer.View;
    }

    public MemoryBuffer1D<float, Stride1D.Dense> Buffer { get; }
    public ArrayView<float> View { get; }
}
