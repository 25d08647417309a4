using System.Numerics;
using NativeGan.Kernels.Optim;

namespace NativeGan.Backends.Cpu;

/// <summary>
/// Fused optimizer updates on the CPU: Vector&lt;float&gt; over the bulk (the same operations in the same order as
/// the kernels' scalar formula), <see cref="OptimizerKernels"/>' scalar Apply for the tail.
/// </summary>
internal sealed partial class CpuBackend
{
    public void AdamStep(Storage p, int pOffset, Storage g, int gOffset, Storage m, int mOffset, Storage v, int vOffset, int n, in AdamArgs args)
    {
        float[] ps = Data(p), gs = Data(g), ms = Data(m), vs = Data(v);
        var a = args;
        CpuParallel.For(n, (s, e) => Adam(ps.AsSpan(pOffset + s, e - s), gs.AsSpan(gOffset + s, e - s),
            ms.AsSpan(mOffset + s, e - s), vs.AsSpan(vOffset + s, e - s), a));
    }

    private static void Adam(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, AdamArgs a)
    {
        int i = 0, w = Vector<float>.Count;
        var oneMinusB1 = new Vector<float>(1f - a.Beta1);
        var b2 = new Vector<float>(a.Beta2);
        var oneMinusB2 = new Vector<float>(1f - a.Beta2);
        var bias2Sqrt = new Vector<float>(a.Bias2Sqrt);
        var eps = new Vector<float>(a.Eps);
        var stepSize = new Vector<float>(a.StepSize);
        var wd = new Vector<float>(a.WeightDecay);
        var decay = new Vector<float>(1f - a.Lr * a.WeightDecay);
        bool l2 = a.WeightDecay != 0f && a.Decoupled == 0, decoupled = a.WeightDecay != 0f && a.Decoupled != 0;
        for (; i <= p.Length - w; i += w)
        {
            var pv = new Vector<float>(p[i..]);
            var gv = new Vector<float>(g[i..]);
            var mv = new Vector<float>(m[i..]);
            var vv = new Vector<float>(v[i..]);
            if (decoupled) pv *= decay;
            else if (l2) gv += wd * pv;
            mv += (gv - mv) * oneMinusB1;
            vv = vv * b2 + oneMinusB2 * gv * gv;
            var denom = Vector.SquareRoot(vv) / bias2Sqrt + eps;
            pv -= stepSize * (mv / denom);
            pv.CopyTo(p[i..]);
            mv.CopyTo(m[i..]);
            vv.CopyTo(v[i..]);
        }
        for (; i < p.Length; i++) OptimizerKernels.AdamApply(ref p[i], g[i], ref m[i], ref v[i], a);
    }

    public void RmspropStep(Storage p, int pOffset, Storage g, int gOffset, Storage squareAvg, int squareAvgOffset,
        Storage momentumBuffer, int momentumOffset, Storage gradAvg, int gradAvgOffset, int n, in RmspropArgs args)
    {
        float[] ps = Data(p), gs = Data(g), ss = Data(squareAvg), bs = Data(momentumBuffer), avs = Data(gradAvg);
        var a = args;
        CpuParallel.For(n, (s, e) =>
        {
            if (a.Momentum == 0f && a.Centered == 0)
            {
                RmspropPlain(ps.AsSpan(pOffset + s, e - s), gs.AsSpan(gOffset + s, e - s), ss.AsSpan(squareAvgOffset + s, e - s), a);
                return;
            }
            float unusedB = 0f, unusedA = 0f;
            for (int i = s; i < e; i++)
            {
                ref float b = ref a.Momentum > 0f ? ref bs[momentumOffset + i] : ref unusedB;
                ref float av = ref a.Centered != 0 ? ref avs[gradAvgOffset + i] : ref unusedA;
                OptimizerKernels.RmspropApply(ref ps[pOffset + i], gs[gOffset + i], ref ss[squareAvgOffset + i], ref b, ref av, a);
            }
        });
    }

    private static void RmspropPlain(Span<float> p, ReadOnlySpan<float> g, Span<float> sq, RmspropArgs a)
    {
        int i = 0, w = Vector<float>.Count;
        var alpha = new Vector<float>(a.Alpha);
        var oneMinusAlpha = new Vector<float>(1f - a.Alpha);
        var eps = new Vector<float>(a.Eps);
        var lr = new Vector<float>(a.Lr);
        var wd = new Vector<float>(a.WeightDecay);
        bool l2 = a.WeightDecay != 0f;
        for (; i <= p.Length - w; i += w)
        {
            var pv = new Vector<float>(p[i..]);
            var gv = new Vector<float>(g[i..]);
            var sv = new Vector<float>(sq[i..]);
            if (l2) gv += wd * pv;
            sv = sv * alpha + oneMinusAlpha * gv * gv;
            var avg = Vector.SquareRoot(sv) + eps;
            pv -= lr * (gv / avg);
            pv.CopyTo(p[i..]);
            sv.CopyTo(sq[i..]);
        }
        float unusedB = 0f, unusedA = 0f;
        for (; i < p.Length; i++) OptimizerKernels.RmspropApply(ref p[i], g[i], ref sq[i], ref unusedB, ref unusedA, a);
    }

    public void SgdStep(Storage p, int pOffset, Storage g, int gOffset, Storage momentumBuffer, int momentumOffset, int n, in SgdArgs args)
    {
        float[] ps = Data(p), gs = Data(g), bs = Data(momentumBuffer);
        var a = args;
        CpuParallel.For(n, (s, e) =>
        {
            float unused = 0f;
            for (int i = s; i < e; i++)
            {
                ref float b = ref a.Momentum != 0f ? ref bs[momentumOffset + i] : ref unused;
                OptimizerKernels.SgdApply(ref ps[pOffset + i], gs[gOffset + i], ref b, a);
            }
        });
    }
}
