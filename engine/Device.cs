using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using NativeGan.Backends;
using NativeGan.Backends.Cpu;
using NativeGan.Backends.Ilgpu;
using NativeGan.Memory;

namespace NativeGan;

public enum DeviceKind
{
    /// <summary>Managed SIMD on the host cores: the backend for machines without a GPU.</summary>
    Cpu,
    /// <summary>An NVIDIA GPU through ILGPU's CUDA backend.</summary>
    Cuda,
    /// <summary>ILGPU's CPU accelerator: runs the CUDA kernels' code on the host to test their logic. Slow.</summary>
    IlgpuCpu,
}

/// <summary>What `nativegan devices` prints about one device.</summary>
public sealed record DeviceInfo(string Spec, DeviceKind Kind, string Name, long MemoryBytes, string? ComputeCapability);

/// <summary>
/// A place tensors live and ops run. Devices are created once per process and shared. The choice of backend
/// is made here and nowhere else: ops call the backend of their operands' storage.
/// </summary>
public sealed class Device
{
    /// <summary>Environment variable that picks the default device: cpu, cuda, cuda:N or ilgpu-cpu.</summary>
    public const string EnvironmentVariable = "NATIVEGAN_DEVICE";

    private static readonly object Gate = new();
    private static Context? ilgpuContext;
    private static Device? cpu, ilgpuCpu, defaultDevice;
    private static readonly Dictionary<int, Device> CudaDevices = new();

    private Device(DeviceKind kind, int index, string name, long memoryBytes, string? computeCapability)
    {
        Kind = kind;
        Index = index;
        Name = name;
        MemoryBytes = memoryBytes;
        ComputeCapability = computeCapability;
        Backend = null!;
    }

    private static volatile bool exactConvolution;

    /// <summary>
    /// When true, every convolution takes its backend's direct algorithm, also where no gradient is recorded; when
    /// false (the default), inference may use a faster algorithm with different rounding (the CPU's Winograd
    /// F(4x4, 3x3) for stride-1 3x3 convolutions, within 1e-4 of the output's magnitude). Process-wide, like
    /// PyTorch's torch.backends flags. Training always takes the direct path.
    /// </summary>
    public static bool ExactConvolution
    {
        get => exactConvolution;
        set => exactConvolution = value;
    }

    public DeviceKind Kind { get; }
    public int Index { get; }
    public string Name { get; }
    public long MemoryBytes { get; }
    public string? ComputeCapability { get; }
    internal IBackend Backend { get; set; }

    public override string ToString() => Kind switch
    {
        DeviceKind.Cpu => "cpu",
        DeviceKind.IlgpuCpu => "ilgpu-cpu",
        _ => $"cuda:{Index}",
    };

    public MemoryStats MemoryStats => Backend.Stats;
    public void ResetPeakMemory() => Backend.ResetPeak();
    /// <summary>Returns cached buffers to the device (what PyTorch calls empty_cache).</summary>
    public void EmptyCache() => Backend.EmptyCache();
    /// <summary>Waits for all queued work on this device.</summary>
    public void Synchronize() => Backend.Synchronize();

    public static Device Cpu
    {
        get
        {
            lock (Gate)
            {
                if (cpu != null) return cpu;
                var d = new Device(DeviceKind.Cpu, 0, $"CPU ({Environment.ProcessorCount} cores, managed SIMD)",
                    GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, null);
                d.Backend = new CpuBackend(d);
                return cpu = d;
            }
        }
    }

    public static Device IlgpuCpu
    {
        get
        {
            lock (Gate)
            {
                if (ilgpuCpu != null) return ilgpuCpu;
                var context = IlgpuContext;
                var accelerator = context.CreateCPUAccelerator(0);
                var d = new Device(DeviceKind.IlgpuCpu, 0, "ILGPU CPU accelerator emulating an NVIDIA GPU (warps of 32, groups up to 1024)", accelerator.MemorySize, null);
                d.Backend = new IlgpuBackend(d, accelerator);
                return ilgpuCpu = d;
            }
        }
    }

    /// <summary>The number of CUDA devices the driver reports (0 where there is no driver or GPU).</summary>
    public static int CudaDeviceCount
    {
        get
        {
            try { return IlgpuContext.GetCudaDevices().Count; }
            catch (Exception) { return 0; }
        }
    }

    public static bool CudaAvailable => CudaDeviceCount > 0;

    public static Device Cuda(int index = 0)
    {
        lock (Gate)
        {
            if (CudaDevices.TryGetValue(index, out var existing)) return existing;
            int count = CudaDeviceCount;
            if (index < 0 || index >= count)
                throw new InvalidOperationException(count == 0
                    ? "No CUDA device was found: the NVIDIA driver is missing or reports no GPU. Use --device cpu."
                    : $"CUDA device {index} does not exist; found {count} device(s) (cuda:0 .. cuda:{count - 1}).");
            var info = IlgpuContext.GetCudaDevice(index);
            var accelerator = (CudaAccelerator)info.CreateAccelerator(IlgpuContext);
            var arch = accelerator.Architecture;
            string? cc = $"{arch.Major}.{arch.Minor}";
            var d = new Device(DeviceKind.Cuda, index, accelerator.Name, accelerator.MemorySize, cc);
            d.Backend = new IlgpuBackend(d, accelerator);
            CudaDevices[index] = d;
            return d;
        }
    }

    /// <summary>
    /// The device new tensors go to unless told otherwise: NATIVEGAN_DEVICE if set, else the first CUDA
    /// device if one exists, else the CPU.
    /// </summary>
    public static Device Default
    {
        get
        {
            lock (Gate)
            {
                if (defaultDevice != null) return defaultDevice;
            }
            string? spec = Environment.GetEnvironmentVariable(EnvironmentVariable);
            var d = !string.IsNullOrWhiteSpace(spec) ? Parse(spec) : CudaAvailable ? Cuda(0) : Cpu;
            lock (Gate) return defaultDevice ??= d;
        }
        set
        {
            lock (Gate) defaultDevice = value;
        }
    }

    /// <summary>Parses "cpu", "cuda", "cuda:N", "ilgpu-cpu" or "auto".</summary>
    public static Device Parse(string spec)
    {
        string s = spec.Trim().ToLowerInvariant();
        if (s == "cpu") return Cpu;
        if (s == "ilgpu-cpu" || s == "ilgpu") return IlgpuCpu;
        if (s == "auto") return CudaAvailable ? Cuda(0) : Cpu;
        if (s == "cuda" || s == "gpu") return Cuda(0);
        if (s.StartsWith("cuda:") && int.TryParse(s.AsSpan(5), out int i)) return Cuda(i);
        throw new ArgumentException($"Unknown device '{spec}': expected cpu, cuda, cuda:N, ilgpu-cpu or auto.");
    }

    /// <summary>Everything this machine offers, for `nativegan devices`.</summary>
    public static IReadOnlyList<DeviceInfo> List()
    {
        var list = new List<DeviceInfo>
        {
            new("cpu", DeviceKind.Cpu, $"{Environment.ProcessorCount}-core CPU, managed SIMD (Vector512: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated})",
                GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, null),
        };
        try
        {
            var cudas = IlgpuContext.GetCudaDevices();
            for (int i = 0; i < cudas.Count; i++)
            {
                var c = cudas[i];
                string? cc = c.Architecture.HasValue ? $"{c.Architecture.Value.Major}.{c.Architecture.Value.Minor}" : null;
                list.Add(new($"cuda:{i}", DeviceKind.Cuda, c.Name, c.MemorySize, cc));
            }
        }
        catch (Exception)
        {
            // No driver: the list simply has no CUDA entries.
        }
        list.Add(new("ilgpu-cpu", DeviceKind.IlgpuCpu, "ILGPU CPU accelerator (kernel emulation, for tests)", 0, null));
        return list;
    }

    private static Context IlgpuContext
    {
        get
        {
            lock (Gate)
            {
                return ilgpuContext ??= IlgpuContextFactory.Create();
            }
        }
    }
}
