namespace NativeGan;

/// <summary>
/// A kernel could not be compiled or loaded for a device. The message names the kernel, the device and ILGPU's
/// reason (the innermost one: ILGPU wraps the cause, e.g. a math function without a PTX lowering, in an internal
/// compiler error).
/// </summary>
public sealed class KernelLoadException : Exception
{
    public KernelLoadException(string kernel, string device, Exception cause)
        : base($"Kernel {kernel} could not be compiled for {device}: {Reason(cause)}", cause)
    {
        Kernel = kernel;
        Device = device;
    }

    public string Kernel { get; }
    public string Device { get; }

    /// <summary>The innermost message of an exception chain, with the outer type names that add context.</summary>
    public static string Reason(Exception e)
    {
        var inner = e;
        while (inner.InnerException != null) inner = inner.InnerException;
        return ReferenceEquals(inner, e) ? $"{e.GetType().Name}: {e.Message}" : $"{inner.GetType().Name}: {inner.Message}";
    }
}
