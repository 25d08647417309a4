using System.Reflection;
using ILGPU;
using ILGPU.Runtime;

namespace NativeGan.Backends.Ilgpu;

/// <summary>
/// One kernel the engine launches: the plain static method of <c>kernels/</c>, its family, and the group size the
/// engine launches it with (occupancy reports need it). Instances exist only as fields of <see cref="KernelCatalog"/>.
/// </summary>
public abstract class KernelDef
{
    private protected KernelDef(string family, MethodInfo method, int groupSize, int index)
    {
        Family = family;
        Method = method;
        GroupSize = groupSize;
        Index = index;
    }

    /// <summary>Class and method, e.g. <c>GemmKernels.Tiled128</c>.</summary>
    public string Name => $"{Method.DeclaringType!.Name}.{Method.Name}";
    public string Family { get; }
    public MethodInfo Method { get; }
    /// <summary>Threads per group in the engine's launches (grid-stride kernels: 256).</summary>
    public int GroupSize { get; }
    /// <summary>Position in <see cref="KernelCatalog.All"/>: the slot of each backend's kernel cache.</summary>
    internal int Index { get; }

    private static int count;
    private protected static int NextIndex() => Interlocked.Increment(ref count) - 1;

    public override string ToString() => Name;
}

/// <summary>
/// A kernel whose launcher has type <typeparamref name="TLauncher"/>: (stream, config, the kernel's parameters).
/// The constructor checks that shape, so a catalog entry whose declared type does not fit its kernel fails when the
/// catalog is first used (every test run), not at its first launch on some GPU.
/// </summary>
public sealed class KernelDef<TLauncher> : KernelDef where TLauncher : Delegate
{
    internal KernelDef(string family, Delegate kernel, int groupSize = 256)
        : base(family, kernel.Method, groupSize, NextIndex())
    {
        var method = kernel.Method;
        if (!method.IsStatic || method.ReturnType != typeof(void))
            throw new ArgumentException($"kernel {Name} must be a static method returning void.", nameof(kernel));
        var expected = new[] { typeof(AcceleratorStream), typeof(KernelConfig) }
            .Concat(method.GetParameters().Select(p => p.ParameterType)).ToArray();
        var actual = typeof(TLauncher).GetMethod("Invoke")!.GetParameters().Select(p => p.ParameterType).ToArray();
        if (!expected.SequenceEqual(actual))
            throw new ArgumentException(
                $"kernel {Name}: launcher type ({string.Join(", ", actual.Select(t => t.Name))}) does not match " +
                $"(stream, config, kernel parameters) = ({string.Join(", ", expected.Select(t => t.Name))}).", nameof(kernel));
    }
}
