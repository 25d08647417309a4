using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace NativeGan.Backends.Ilgpu;

/// <summary>
/// The kernels of one accelerator: each <see cref="KernelCatalog"/> entry is compiled and loaded on its first
/// launch and cached, so a kernel that cannot compile for this GPU fails only the op that needs it, with a
/// <see cref="KernelLoadException"/> naming the kernel, the device and the reason. Also the launch configuration of
/// grid-stride kernels. Nothing else in the engine loads kernels.
/// </summary>
internal sealed partial class IlgpuKernels
{
    private readonly Accelerator accelerator;
    private readonly string deviceLabel;
    private readonly int groupSize;
    private readonly int maxGroups;
    private readonly object loadGate = new();
    // Slot i holds the launcher of KernelCatalog.All[i]; written once under loadGate, read without a lock.
    private Delegate?[] launchers = new Delegate?[KernelCatalog.All.Count];

    public Accelerator Accelerator => accelerator;
    public int GroupSize => groupSize;

    public IlgpuKernels(Accelerator accelerator, string deviceLabel)
    {
        this.accelerator = accelerator;
        this.deviceLabel = deviceLabel;
        groupSize = Math.Min(256, accelerator.MaxNumThreadsPerGroup);
        maxGroups = accelerator.AcceleratorType == AcceleratorType.CPU
            ? Math.Max(1, Environment.ProcessorCount)
            : Math.Max(1, accelerator.NumMultiprocessors) * 16;
    }

    /// <summary>How many kernels this accelerator has loaded so far.</summary>
    public int LoadedCount => Volatile.Read(ref launchers).Count(l => l != null);

    /// <summary>The launcher of <paramref name="kernel"/>, compiling and loading it on first use.</summary>
    public TLauncher Get<TLauncher>(KernelDef<TLauncher> kernel) where TLauncher : Delegate
    {
        var slots = Volatile.Read(ref launchers);
        if (kernel.Index < slots.Length && slots[kernel.Index] is TLauncher cached) return cached;
        lock (loadGate)
        {
            if (kernel.Index >= launchers.Length) Array.Resize(ref launchers, kernel.Index + 1);
            if (launchers[kernel.Index] is TLauncher loaded) return loaded;
            TLauncher launcher;
            try
            {
                launcher = accelerator.LoadKernel<TLauncher>(kernel.Method);
            }
            catch (Exception e)
            {
                throw new KernelLoadException(kernel.Name, deviceLabel, e);
            }
            Volatile.Write(ref launchers[kernel.Index], launcher);
            return launcher;
        }
    }

    /// <summary>A grid-stride launch covering n work items.</summary>
    public KernelConfig For(long n)
    {
        long groups = Math.Clamp((n + groupSize - 1) / groupSize, 1, maxGroups);
        return new KernelConfig((int)groups, groupSize);
    }
}
