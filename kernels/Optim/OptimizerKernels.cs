using ILGPU;
using NativeGan.Kernels.Elementwise;

namespace NativeGan.Kernels.Optim;

/// <summary>
/// Hyperparameters of one Adam/AdamW step, with the bias corrections already folded in on the host (in double):
/// StepSize = lr / (1 - beta1^t), Bias2Sqrt = sqrt(1 - beta2^t). Decoupled != 0 is AdamW (p *= 1 - lr * wd),
/// otherwise weight decay is L2 (g += wd * p) as torch.optim.Adam.
/// </summary>
public struct AdamArgs
{
    public float Lr;
    public float Beta1;
    public float Beta2;
    public float Eps;
    public float WeightDecay;
    public float StepSize;
    public float Bias2Sqrt;
    public int Decoupled;
}

/// <summary>
/// Hyperparameters of one RMSprop step (torch.optim.RMSprop). Momentum 0 leaves the momentum buffer untouched;
/// Centered != 0 keeps a running mean of the gradient and divides by the centered second moment.
/// </summary>
public struct RmspropArgs
{
    public float Lr;
    public float Alpha;
    public float Eps;
    public float WeightDecay;
    public float Momentum;
    public int Centered;
}

/// <summary>
/// Hyperparameters of one SGD step (torch.optim.SGD). First != 0 on the first step with momentum, where the buffer
/// is set to the gradient (no dampening) as PyTorch does.
/// </summary>
public struct SgdArgs
{
    public float Lr;
    public float Momentum;
    public float Dampening;
    public float WeightDecay;
    public int Nesterov;
    public int First;
}

/// <summary>
/// Fused optimizer updates: one kernel per optimizer reads the parameter, its gradient and its state once and
/// writes the new parameter and state, with the formulas of torch.optim (single-tensor path).
/// The scalar <c>Apply</c> helpers are the one formula shared by these kernels and the CPU backend's tail loop.
/// </summary>
public static class OptimizerKernels
{
    public static void AdamStep(ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, int n, AdamArgs a)
    {
        int stride = GridExtensions.GridStrideLoopStride;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            float pi = p[i], mi = m[i], vi = v[i];
            AdamApply(ref pi, g[i], ref mi, ref vi, a);
            p[i] = pi;
            m[i] = mi;
            v[i] = vi;
        }
    }

    public static void RmspropStep(ArrayView<float> p, ArrayView<float> g, ArrayView<float> squareAvg, ArrayView<float> momentumBuffer,
        ArrayView<float> gradAvg, int n, RmspropArgs a)
    {
        int stride = GridExtensions.GridStrideLoopStride;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            float pi = p[i], si = squareAvg[i];
            float bi = a.Momentum > 0f ? momentumBuffer[i] : 0f;
            float ai = a.Centered != 0 ? gradAvg[i] : 0f;
            RmspropApply(ref pi, g[i], ref si, ref bi, ref ai, a);
            p[i] = pi;
            squareAvg[i] = si;
            if (a.Momentum > 0f) momentumBuffer[i] = bi;
            if (a.Centered != 0) gradAvg[i] = ai;
        }
    }

    public static void SgdStep(ArrayView<float> p, ArrayView<float> g, ArrayView<float> momentumBuffer, int n, SgdArgs a)
    {
        int stride = GridExtensions.GridStrideLoopStride;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            float pi = p[i];
            float bi = a.Momentum != 0f ? momentumBuffer[i] : 0f;
            SgdApply(ref pi, g[i], ref bi, a);
            p[i] = pi;
            if (a.Momentum != 0f) momentumBuffer[i] = bi;
        }
    }

    public static void AdamApply(ref float p, float g, ref float m, ref float v, in AdamArgs a)
    {
        if (a.WeightDecay != 0f)
        {
            if (a.Decoupled != 0) p *= 1f - a.Lr * a.WeightDecay;
            else g += a.WeightDecay * p;
        }
        m += (g - m) * (1f - a.Beta1);            // exp_avg.lerp_(grad, 1 - beta1)
        v = v * a.Beta2 + (1f - a.Beta2) * g * g; // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
        float denom = MathF.Sqrt(v) / a.Bias2Sqrt + a.Eps;
        p -= a.StepSize * (m / denom);
    }

    public static void RmspropApply(ref float p, float g, ref float squareAvg, ref float buf, ref float gradAvg, in RmspropArgs a)
    {
        if (a.WeightDecay != 0f) g += a.WeightDecay * p;
        squareAvg = squareAvg * a.Alpha + (1f - a.Alpha) * g * g;
        float avg;
        if (a.Centered != 0)
        {
            gradAvg += (g - gradAvg) * (1f - a.Alpha);
            avg = MathF.Sqrt(squareAvg - gradAvg * gradAvg) + a.Eps;
        }
        else avg = MathF.Sqrt(squareAvg) + a.Eps;
        if (a.Momentum > 0f)
        {
            buf = buf * a.Momentum + g / avg;
            p -= a.Lr * buf;
        }
        else p -= a.Lr * (g / avg);
    }

    public static void SgdApply(ref float p, float g, ref float buf, in SgdArgs a)
    {
        if (a.WeightDecay != 0f) g += a.WeightDecay * p;
        if (a.Momentum != 0f)
        {
            buf = a.First != 0 ? g : buf * a.Momentum + (1f - a.Dampening) * g;
            g = a.Nesterov != 0 ? g + a.Momentum * buf : buf;
        }
        p -= a.Lr * g;
    }
}
