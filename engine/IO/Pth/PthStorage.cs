using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NativeGan.IO;

/// <summary>Reads raw storages into float32 and cuts tensors out of them by size, stride and offset.</summary>
internal static class PthStorage
{
    /// <summary>Largest storage read, in elements: one float32 array must hold it.</summary>
    public static long MaxElements => Array.MaxLength;

    /// <summary>
    /// Reads <paramref name="count"/> elements of <paramref name="dtype"/> from the stream and widens them to
    /// float32. <paramref name="fail"/> builds the error when the stream ends early.
    /// </summary>
    public static float[] Read(Stream stream, PthDType dtype, long count, Func<long, Exception> fail)
    {
        if (count > MaxElements) throw fail(-1);
        var data = new float[count];
        if (dtype == PthGlobals.F32 && BitConverter.IsLittleEndian)
        {
            var bytes = MemoryMarshal.AsBytes(data.AsSpan());
            int got = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got < bytes.Length) throw fail(got);
            return data;
        }

        const int chunk = 1 << 16;
        var buffer = new byte[chunk * dtype.Size];
        long done = 0;
        while (done < count)
        {
            int n = (int)Math.Min(chunk, count - done);
            var raw = buffer.AsSpan(0, n * dtype.Size);
            int got = stream.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
            if (got < raw.Length) throw fail(done * dtype.Size + got);
            ToFloat32(dtype, raw, data.AsSpan((int)done, n));
            done += n;
        }
        return data;
    }

    private static void ToFloat32(PthDType dtype, ReadOnlySpan<byte> raw, Span<float> dst)
    {
        if (dtype == PthGlobals.I16)
            for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt16LittleEndian(raw[(2 * i)..]);
        else if (dtype == PthGlobals.I8)
            for (int i = 0; i < dst.Length; i++) dst[i] = (sbyte)raw[i];
        else
            SafetensorsDType.ToFloat32(dtype.Name, raw, dst);
    }

    /// <summary>
    /// The index one past the last storage element a view touches (offset + Σ (size-1)·stride + 1), or 0
    /// for an empty view; null when that overflows.
    /// </summary>
    public static long? Extent(long offset, int[] shape, long[] strides)
    {
        if (shape.Any(d => d == 0)) return 0;
        try
        {
            long last = offset;
            for (int i = 0; i < shape.Length; i++) last = checked(last + (shape[i] - 1L) * strides[i]);
            return checked(last + 1);
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    /// <summary>Copies a strided view of <paramref name="storage"/> into a new contiguous array (bounds checked by the caller).</summary>
    public static float[] Gather(float[] storage, long offset, int[] shape, long[] strides, long count)
    {
        var dst = new float[count];
        if (count == 0) return dst;
        if (IsContiguous(shape, strides))
        {
            Array.Copy(storage, offset, dst, 0, count);
            return dst;
        }

        // Walk the index space row by row: the innermost dimension is a strided copy, the rest an odometer.
        int rank = shape.Length;
        int inner = shape[rank - 1];
        long innerStride = strides[rank - 1];
        var index = new int[rank];
        long src = offset;
        for (long written = 0; written < count; written += inner)
        {
            long s = src;
            var row = dst.AsSpan((int)written, inner);
            for (int j = 0; j < row.Length; j++, s += innerStride) row[j] = storage[s];

            for (int d = rank - 2; d >= 0; d--)
            {
                src += strides[d];
                if (++index[d] < shape[d]) break;
                src -= strides[d] * shape[d];
                index[d] = 0;
            }
        }
        return dst;
    }

    /// <summary>Row-major contiguous, ignoring the strides of size-1 dimensions as PyTorch does.</summary>
    public static bool IsContiguous(int[] shape, long[] strides)
    {
        long expected = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            if (shape[i] == 1) continue;
            if (strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }
}
