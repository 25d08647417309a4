namespace NativeGan.Models.Sr.Upscaling;

/// <summary>
/// A device ran out of memory. The engine itself surfaces an allocation failure as whatever the backend throws
/// (after its caching allocator has emptied the cache and tried once more): <see cref="OutOfMemoryException"/> on
/// the CPU backends, ILGPU's <c>CudaException</c> (an <c>AcceleratorException</c>) whose message is the driver's
/// "out of memory" and whose <c>Error</c> is "CUDA_ERROR_OUT_OF_MEMORY" on CUDA.
/// <see cref="IsOutOfMemory"/> recognises all of them; the tiled upscaler throws this type when even its smallest
/// tile does not fit, and a model function may throw it itself.
/// </summary>
public class DeviceOutOfMemoryException : Exception
{
    public DeviceOutOfMemoryException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>
    /// Whether <paramref name="e"/> (or an exception inside it: inner, aggregate, type initializer) says that memory ran out.
    /// </summary>
    public static bool IsOutOfMemory(Exception? e)
    {
        for (int depth = 0; e != null && depth < 8; depth++)
        {
            if (e is DeviceOutOfMemoryException or OutOfMemoryException or InsufficientMemoryException) return true;
            if (e.GetType().Name.Contains("OutOfMemory", StringComparison.Ordinal)) return true;
            // ILGPU's CudaException: Message is cuGetErrorString ("out of memory"), Error the enum name.
            if (e.GetType().GetProperty("Error")?.GetValue(e) is string error &&
                error.Contains("OUT_OF_MEMORY", StringComparison.Ordinal))
                return true;
            string m = e.Message ?? "";
            if (m.Contains("out of memory", StringComparison.OrdinalIgnoreCase) ||
                m.Contains("OUT_OF_MEMORY", StringComparison.Ordinal) ||
                m.Contains("CL_MEM_OBJECT_ALLOCATION_FAILURE", StringComparison.Ordinal))
                return true;
            if (e is AggregateException agg)
            {
                foreach (var inner in agg.InnerExceptions)
                    if (IsOutOfMemory(inner)) return true;
                return false;
            }
            e = e.InnerException;
        }
        return false;
    }
}
