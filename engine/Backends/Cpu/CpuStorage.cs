namespace NativeGan.Backends.Cpu;

internal sealed class CpuStorage : Storage
{
    public CpuStorage(Device device, float[] data) : base(device, data.Length) => Data = data;

    public float[] Data { get; }
}
