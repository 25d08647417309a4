using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace NativeGan.IO;

/// <summary>The stored dtypes the reader understands, their sizes, and their widening to float32.</summary>
internal static class SafetensorsDType
{
    public const string F32 = "F32";

    private static readonly Dictionary<string, int> Sizes = new(StringComparer.Ordinal)
    {
        ["F64"] = 8, ["I64"] = 8,
        ["F32"] = 4, ["I32"] = 4,
        ["F16"] = 2, ["BF16"] = 2,
        ["U8"] = 1, ["BOOL"] = 1,
    };

    public static IEnumerable<string> Known => Sizes.Keys;

    public static bool TryGetSize(string dtype, out int size) => Sizes.TryGetValue(dtype, out size);

    /// <summary>Widens little-endian raw bytes of the given dtype into float32 values.</summary>
    public static void ToFloat32(string dtype, ReadOnlySpan<byte> raw, Span<float> dst)
    {
        // The format is little-endian; reinterpreting in place is only valid on little-endian hosts.
        if (!BitConverter.IsLittleEndian)
        {
            ToFloat32BigEndianHost(dtype, raw, dst);
            return;
        }
        switch (dtype)
        {
            case "F32": MemoryMarshal.Cast<byte, float>(raw).CopyTo(dst); break;
            case "F16": TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(raw), dst); break;
            case "F64": TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, double>(raw), dst); break;
            case "BF16":
                // bfloat16 is the top half of a float32, so widening is a 16-bit shift.
                var bf = MemoryMarshal.Cast<byte, ushort>(raw);
                for (int i = 0; i < dst.Length; i++) dst[i] = BitConverter.Int32BitsToSingle(bf[i] << 16);
                break;
            case "I64":
                var l = MemoryMarshal.Cast<byte, long>(raw);
                for (int i = 0; i < dst.Length; i++) dst[i] = l[i];
                break;
            case "I32":
                var n = MemoryMarshal.Cast<byte, int>(raw);
                for (int i = 0; i < dst.Length; i++) dst[i] = n[i];
                break;
            case "U8":
                for (int i = 0; i < dst.Length; i++) dst[i] = raw[i];
                break;
            case "BOOL":
                for (int i = 0; i < dst.Length; i++) dst[i] = raw[i] != 0 ? 1f : 0f;
                break;
            default:
                throw new ArgumentException($"dtype {dtype} has no conversion to float32", nameof(dtype));
        }
    }

    private static void ToFloat32BigEndianHost(string dtype, ReadOnlySpan<byte> raw, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++)
        {
            dst[i] = dtype switch
            {
                "F32" => BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]),
                "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(2 * i)..]),
                "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(raw[(8 * i)..]),
                "BF16" => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]) << 16),
                "I64" => BinaryPrimitives.ReadInt64LittleEndian(raw[(8 * i)..]),
                "I32" => BinaryPrimitives.ReadInt32LittleEndian(raw[(4 * i)..]),
                "U8" => raw[i],
                "BOOL" => raw[i] != 0 ? 1f : 0f,
                _ => throw new ArgumentException($"dtype {dtype} has no conversion to float32", nameof(dtype)),
            };
        }
    }
}
