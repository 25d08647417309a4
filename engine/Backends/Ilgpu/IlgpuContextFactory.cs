using ILGPU;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace NativeGan.Backends.Ilgpu;

/// <summary>
/// The one way an ILGPU context is built: the engine's devices and the PTX compiler that checks kernels without a
/// GPU use the same settings, so what the PTX tests compile is what a GPU user's process compiles.
/// </summary>
public static class IlgpuContextFactory
{
    /// <summary>
    /// CUDA devices, a CPU accelerator that emulates an NVIDIA GPU's warps and groups, O1 optimisation, and profiling
    /// markers (the profiler times kernels with them). The kernels need no ILGPU.Algorithms: their transcendental math
    /// is written on float arithmetic (KernelMath) that every backend lowers.
    /// </summary>
    public static Context Create() =>
        Context.Create(b => b.Cuda().CPU(CPUDeviceKind.Nvidia).Optimize(OptimizationLevel.O1).Profiling());
}
