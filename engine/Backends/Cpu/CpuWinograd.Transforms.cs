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
        for (int c = 0; c < cin; c++)
        {
            for (int i = 0; i < count; i++)
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
        for (int co = 0; co < cout; co++)
        {
            float b = bias == null ? 0f : bias[co];
            for (int i = 0; i < count; i++)
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
