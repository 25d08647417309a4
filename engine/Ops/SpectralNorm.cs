namespace NativeGan;

/// <summary>The result of <see cref="Tensor.SpectralNorm"/>: the normalised weight, the updated left singular vector estimate and sigma.</summary>
public readonly record struct SpectralNormResult(Tensor Weight, Tensor U, Tensor Sigma);

/// <summary>
/// torch.nn.utils.spectral_norm's forward (dim 0): power iterations on the weight reshaped to [out, -1] refine u and
/// v without grad, then sigma = u . (W v) and the weight divided by sigma. u and v are constants for the gradient,
/// as in PyTorch; sigma carries the gradient through W.
/// </summary>
public sealed partial class Tensor
{
    public static SpectralNormResult SpectralNorm(Tensor weight, Tensor u, int nPowerIterations = 1, float eps = 1e-12f)
    {
        const string op = "spectral_norm";
        if (weight.Rank < 1 || weight.NumEl == 0)
            throw new ArgumentException($"{op}: expected a non-empty weight, got {ShapeUtil.Format(weight.ShapeArray)}.");
        int rows = weight.ShapeArray[0];
        if (u.NumEl != rows)
            throw new ArgumentException($"{op}: u must have {rows} elements (the weight's first dimension, weight {ShapeUtil.Format(weight.ShapeArray)}), got {ShapeUtil.Format(u.ShapeArray)}.");
        if (nPowerIterations < 0)
            throw new ArgumentException($"{op}: the number of power iterations must not be negative, got {nPowerIterations}.");
        CheckSameDevice(op, weight, u);
        Tensor uNew, v;
        using (NoGrad())
        {
            using var scope = Scope();
            var w = weight.Detach().Reshape(rows, -1);
            var uu = u.Detach().Reshape(rows);
            v = NormalizeVector(MatTVec(w, uu), eps);
            for (int i = 1; i <= nPowerIterations; i++)
            {
                uu = NormalizeVector(MatVec(w, v), eps);
                if (i < nPowerIterations) v = NormalizeVector(MatTVec(w, uu), eps);
            }
            uNew = uu.Contiguous().Reshape(u.ShapeArray);
            uNew.MoveToOuterScope();
            v.MoveToOuterScope();
        }
        var wm = weight.Reshape(rows, -1);
        var sigma = MatVec(wm, v).Mul(uNew.Reshape(rows)).Sum();
        return new SpectralNormResult(weight.Div(sigma), uNew, sigma);
    }

    // Matrix-vector products as a broadcast multiply and a row / column sum: memory-bound like a GEMV, and on
    // every backend the elementwise and reduction kernels run.
    private static Tensor MatVec(Tensor m, Tensor v) => m.Mul(v.Reshape(1, -1)).Sum(1);
    private static Tensor MatTVec(Tensor m, Tensor u) => m.Mul(u.Reshape(-1, 1)).Sum(0);

    /// <summary>t / max(||t||, eps), as torch.nn.functional.normalize.</summary>
    private static Tensor NormalizeVector(Tensor t, float eps) => t.Div(t.Square().Sum().Sqrt().Clamp(eps, float.PositiveInfinity));
}
