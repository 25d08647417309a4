namespace NativeGan;

/// <summary>
/// A device could not hold an allocation even after the caching allocator returned its cached buffers and tried
/// again. The engine throws this one type for every backend (the CPU's managed heap, CUDA's
/// <c>CUDA_ERROR_OUT_OF_MEMORY</c>), so callers that can shrink their work (the tiled upscaler halves its tile) catch
/// one type, not backend errors. It is an <see cref="OutOfMemoryException"/>, so code that already treats running out
/// of host memory specially treats the device the same way.
/// </summary>
public sealed class DeviceOutOfMemoryException : OutOfMemoryException
{
    public DeviceOutOfMemoryException(string message, Exception? inner = null) : base(message, inner) { }
}
