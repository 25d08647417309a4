using System.Numerics;
using System.Runtime.CompilerServices;
using NativeGan.Kernels.Conv;

namespace NativeGan.Backends.Cpu;

/// <summary>
/// The data transforms of Winograd F(4x4, 3x3): B^T d B of the 6x6 input patches into the GEMMs' right-hand sides
/// and A^T m A of the 36 products back to 4x4 output blocks, plus bias. Each 2-D transform is the 1-D one applied
/// to the columns, then to the rows. Channels run in the outer loop so that consecutive tiles read neighbouring
/// input and write consecutive floats of every point's matrix.
/// </summary>
internal static unsafe class WinogradTransforms
{
    private const int InTile = CpuWinograd.InTile, OutTile = CpuWinograd.OutTile;

    /// <summary>
    /// v[k, c, i] = (B^T d B)[k] for every input channel c and tile i of the block, d the 6x6 patch of channel c
    /// whose top-left corner is (oh - PadH, ow - PadW) for the tile's output corner (oh, ow); zeros outside the image.
    /// v is [36, Cin, count]; tiles holds (image, oh, ow) per tile.
    /// </summary>
    public static void Input(in Conv2dGeometry g, float* x, int[] tiles, int count, float* v)
    {
        int cin = g.Cin, h = g.H, w = g.W, hw = h * w;
        long plane = (long)cin * count;
        float* d = stackalloc float[InTile * InTile];
        float* t = stackalloc float[InTile * InTile];
        int lanes = Vector<float>.Count;
        float* patches = stackalloc float[InTile * InTile * lanes];
        Vector<float>* tv = stackalloc Vector<float>[InTile * InTile];
        for (int c = 0; c < cin; c++)
        {
            int i = 0;
            // Groups of one vector's worth of tiles: gather their patches point-major, transform all lanes at once.
            for (; i + lanes <= count; i += lanes)
            {
                for (int l = 0; l < lanes; l++)
                {
                    int ti = i + l;
                    int pr0 = tiles[3 * ti + 1] - g.PadH, pc0 = tiles[3 * ti + 2] - g.PadW;
                    float* psrc = x + (long)tiles[3 * ti] * g.XBatchStride + (long)c * hw;
                    if (pr0 >= 0 && pr0 + InTile <= h && pc0 >= 0 && pc0 + InTile <= w)
                    {
                        float* p = psrc + (long)pr0 * w + pc0;
                        for (int r = 0; r < InTile; r++, p += w)
                            for (int q = 0; q < InTile; q++) patches[(r * InTile + q) * lanes + l] = p[q];
                    }
                    else
                    {
                        LoadClipped(psrc, h, w, pr0, pc0, d);
                        for (int q = 0; q < InTile * InTile; q++) patches[q * lanes + l] = d[q];
                    }
                }
                for (int j = 0; j < InTile; j++)
                    BtVector(patches + j * lanes, (long)InTile * lanes, tv + j, InTile);
                float* dst = v + (long)c * count + i;
                for (int k = 0; k < InTile; k++)
                {
                    Vector<float>* row = tv + k * InTile;
                    float* o = dst + k * InTile * plane;
                    BtStore(row[0], row[1], row[2], row[3], row[4], row[5], o, plane);
                }
            }
            for (; i < count; i++)
            {
                int r0 = tiles[3 * i + 1] - g.PadH, c0 = tiles[3 * i + 2] - g.PadW;
                float* src = x + (long)tiles[3 * i] * g.XBatchStride + (long)c * hw;
                if (r0 >= 0 && r0 + InTile <= h && c0 >= 0 && c0 + InTile <= w)
                {
                    float* p = src + (long)r0 * w + c0;
                    for (int j = 0; j < InTile; j++) Bt(p + j, w, t + j, InTile);
                }
                else
                {
                    LoadClipped(src, h, w, r0, c0, d);
                    for (int j = 0; j < InTile; j++) Bt(d + j, InTile, t + j, InTile);
                }
                float* dst = v + (long)c * count + i;
                for (int k = 0; k < InTile; k++) Bt(t + k * InTile, 1, dst + k * InTile * plane, plane);
            }
        }
    }

    /// <summary>The 6x6 patch at (r0, c0) of an h x w plane, zeros where it leaves the plane.</summary>
    private static void LoadClipped(float* src, int h, int w, int r0, int c0, float* d)
    {
        for (int r = 0; r < InTile; r++)
        {
            int ih = r0 + r;
            for (int c = 0; c < InTile; c++)
            {
                int iw = c0 + c;
                d[r * InTile + c] = ih >= 0 && ih < h && iw >= 0 && iw < w ? src[(long)ih * w + iw] : 0f;
            }
        }
    }

    /// <summary>
    /// y[n, co, oh + a, ow + b] = bias[co] + (A^T m A)[a, b] for every output channel and tile, where m[k] =
    /// products[k, co, i] ([36, Cout, count]); only the part of a tile inside the output is written.
    /// </summary>
    public static void Output(in Conv2dGeometry g, float* products, float* bias, int[] tiles, int count, float* y)
    {
        int cout = g.Cout, outH = g.OutH, outW = g.OutW, outHW = outH * outW;
        long point = (long)cout * count;
        float* s = stackalloc float[OutTile * InTile];
        float* o = stackalloc float[OutTile * OutTile];
        int lanes = Vector<float>.Count;
        Vector<float>* sv = stackalloc Vector<float>[OutTile * InTile];
        float* ov = stackalloc float[OutTile * OutTile * lanes];
        for (int co = 0; co < cout; co++)
        {
            float b = bias == null ? 0f : bias[co];
            var bv = new Vector<float>(b);
            int i = 0;
            // Groups of one vector's worth of tiles: every point's products are contiguous over the tiles.
            for (; i + lanes <= count; i += lanes)
            {
                float* m = products + (long)co * count + i;
                for (int j = 0; j < InTile; j++)
                {
                    float* col = m + j * point;
                    long rs = InTile * point;
                    AtVector(Load(col), Load(col + rs), Load(col + 2 * rs), Load(col + 3 * rs), Load(col + 4 * rs), Load(col + 5 * rs),
                        out sv[j], out sv[InTile + j], out sv[2 * InTile + j], out sv[3 * InTile + j]);
                }
                for (int a = 0; a < OutTile; a++)
                {
                    Vector<float>* row = sv + a * InTile;
                    AtVector(row[0], row[1], row[2], row[3], row[4], row[5], out var o0, out var o1, out var o2, out var o3);
                    float* dstRow = ov + a * OutTile * lanes;
                    Unsafe.WriteUnaligned(dstRow, o0 + bv);
                    Unsafe.WriteUnaligned(dstRow + lanes, o1 + bv);
                    Unsafe.WriteUnaligned(dstRow + 2 * lanes, o2 + bv);
                    Unsafe.WriteUnaligned(dstRow + 3 * lanes, o3 + bv);
                }
                for (int l = 0; l < lanes; l++)
                {
                    int ti = i + l, oh = tiles[3 * ti + 1], ow = tiles[3 * ti + 2];
                    float* dst = y + (long)tiles[3 * ti] * g.YBatchStride + (long)co * outHW + (long)oh * outW + ow;
                    int rows = Math.Min(OutTile, outH - oh), cols = Math.Min(OutTile, outW - ow);
                    for (int a = 0; a < rows; a++)
                        for (int q = 0; q < cols; q++)
                            dst[a * outW + q] = ov[(a * OutTile + q) * lanes + l];
                }
            }
            for (; i < count; i++)
            {
                float* m = products + (long)co * count + i;
                for (int j = 0; j < InTile; j++) At(m + j * point, InTile * point, s + j, InTile);
                for (int a = 0; a < OutTile; a++) At(s + a * InTile, 1, o + a * OutTile, 1);
                int oh = tiles[3 * i + 1], ow = tiles[3 * i + 2];
                float* dst = y + (long)tiles[3 * i] * g.YBatchStride + (long)co * outHW + (long)oh * outW + ow;
                int rows = Math.Min(OutTile, outH - oh), cols = Math.Min(OutTile, outW - ow);
                if (rows == OutTile && cols == OutTile)
                {
                    for (int a = 0; a < OutTile; a++)
                    {
                        float* row = dst + a * outW;
                        float* src = o + a * OutTile;
                        row[0] = src[0] + b;
                        row[1] = src[1] + b;
                        row[2] = src[2] + b;
                        row[3] = src[3] + b;
                    }
                }
                else
                {
                    for (int a = 0; a < rows; a++)
                        for (int c = 0; c < cols; c++)
                            dst[a * outW + c] = o[a * OutTile + c] + b;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Load(float* p) => Unsafe.ReadUnaligned<Vector<float>>(p);

    /// <summary>B^T applied lane-wise to six vectors read at s + j * ss floats, written to o[i * os].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BtVector(float* s, long ss, Vector<float>* o, int os)
    {
        Vector<float> d0 = Load(s), d1 = Load(s + ss), d2 = Load(s + 2 * ss), d3 = Load(s + 3 * ss), d4 = Load(s + 4 * ss), d5 = Load(s + 5 * ss);
        var d42 = d4 - d2;
        o[0] = 4f * d0 - 5f * d2 + d4;
        o[os] = d3 + d4 - 4f * (d1 + d2);
        o[2 * os] = d4 - d3 + 4f * (d1 - d2);
        o[3 * os] = d42 + 2f * (d3 - d1);
        o[4 * os] = d42 + 2f * (d1 - d3);
        o[5 * os] = 4f * d1 - 5f * d3 + d5;
    }

    /// <summary>B^T applied lane-wise to d0..d5, stored as six vectors at o + i * os floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BtStore(Vector<float> d0, Vector<float> d1, Vector<float> d2, Vector<float> d3, Vector<float> d4, Vector<float> d5, float* o, long os)
    {
        var d42 = d4 - d2;
        Unsafe.WriteUnaligned(o, 4f * d0 - 5f * d2 + d4);
        Unsafe.WriteUnaligned(o + os, d3 + d4 - 4f * (d1 + d2));
        Unsafe.WriteUnaligned(o + 2 * os, d4 - d3 + 4f * (d1 - d2));
        Unsafe.WriteUnaligned(o + 3 * os, d42 + 2f * (d3 - d1));
        Unsafe.WriteUnaligned(o + 4 * os, d42 + 2f * (d1 - d3));
        Unsafe.WriteUnaligned(o + 5 * os, 4f * d1 - 5f * d3 + d5);
    }

    /// <summary>A^T applied lane-wise to m0..m5.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AtVector(Vector<float> m0, Vector<float> m1, Vector<float> m2, Vector<float> m3, Vector<float> m4, Vector<float> m5,
        out Vector<float> o0, out Vector<float> o1, out Vector<float> o2, out Vector<float> o3)
    {
        Vector<float> a = m1 + m2, b = m1 - m2, c = m3 + m4, d = m3 - m4;
        o0 = m0 + a + c;
        o1 = b + 2f * d;
        o2 = a + 4f * c;
        o3 = b + 8f * d + m5;
    }

    /// <summary>o[i * os] = (B^T s)[i] for the six values s[j * ss].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Bt(float* s, long ss, float* o, long os)
    {
        float d0 = s[0], d1 = s[ss], d2 = s[2 * ss], d3 = s[3 * ss], d4 = s[4 * ss], d5 = s[5 * ss];
        float d42 = d4 - d2;
        o[0] = 4f * d0 - 5f * d2 + d4;
        o[os] = d3 + d4 - 4f * (d1 + d2);
        o[2 * os] = d4 - d3 + 4f * (d1 - d2);
        o[3 * os] = d42 + 2f * (d3 - d1);
        o[4 * os] = d42 + 2f * (d1 - d3);
        o[5 * os] = 4f * d1 - 5f * d3 + d5;
    }

    /// <summary>o[i * os] = (A^T s)[i] for the six values s[j * ss], i in 0..3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void At(float* s, long ss, float* o, long os)
    {
        float m0 = s[0], m1 = s[ss], m2 = s[2 * ss], m3 = s[3 * ss], m4 = s[4 * ss], m5 = s[5 * ss];
        float a = m1 + m2, b = m1 - m2, c = m3 + m4, d = m3 - m4;
        o[0] = m0 + a + c;
        o[os] = b + 2f * d;
        o[2 * os] = a + 4f * c;
        o[3 * os] = b + 8f * d + m5;
    }
}
