namespace NativeGan.NN;

/// <summary>
/// torch.nn.utils.spectral_norm as a parametrization of a module's "weight": after <see cref="Apply{T}"/> the module
/// holds the parameter weight_orig and the buffers weight_u [h] and weight_v [w] (h = weight.size(dim), w = the rest),
/// the PyTorch 1.x state-dict keys, and its "weight" is computed as weight_orig / sigma on every read, with
/// sigma = u . (W v) and W = weight_orig viewed as [h, w]. In training mode each read first runs the power iterations
/// (updating u and v in place, without grad); in eval mode the stored u and v are used as they are. u and v are
/// constants for the gradient; sigma carries it to weight_orig. Layers read their weight once per forward, so this is
/// one power-iteration round per training forward, as PyTorch's forward pre-hook.
/// </summary>
public static class SpectralNorm
{
    /// <summary>
    /// Applies spectral normalisation to <paramref name="module"/>'s "weight" and returns the same module. dim defaults
    /// to 1 for <see cref="ConvTranspose2d"/> (its output channels) and 0 otherwise, as torch. u and v start as
    /// normalised N(0, 1) draws from <paramref name="generator"/> (the default generator when null).
    /// </summary>
    public static T Apply<T>(T module, int nPowerIterations = 1, float eps = 1e-12f, int? dim = null, Generator? generator = null) where T : Module
    {
        const string op = "SpectralNorm.Apply";
        ArgumentNullException.ThrowIfNull(module);
        if (nPowerIterations <= 0)
            throw new ArgumentException($"{op}: expected n_power_iterations to be positive, got {nPowerIterations}.");
        if (!(eps > 0f)) throw new ArgumentException($"{op}: eps must be positive, got {eps}.");
        var own = module.NamedParameters().Select(p => p.Name).Where(n => !n.Contains('.')).ToHashSet();
        if (own.Contains("weight_orig"))
            throw new ArgumentException($"{op}: {module.GetType().Name} already has spectral norm applied (it has a weight_orig parameter).");
        if (!own.Contains("weight"))
            throw new ArgumentException($"{op}: expected a module with a 'weight' parameter, {module.GetType().Name} has {(own.Count == 0 ? "none" : string.Join(", ", own))}.");
        var weight = module.Param("weight")!;
        if (weight.Rank < 1 || weight.NumEl == 0)
            throw new ArgumentException($"{op}: expected a non-empty weight, got {ShapeUtil.Format(weight.ShapeArray)}.");
        int d = dim ?? (module is ConvTranspose2d ? 1 : 0);
        d = ShapeUtil.NormalizeDim(d, weight.Rank, op);
        int h = weight.ShapeArray[d], w = weight.NumEl / h;

        Tensor u, v;
        using (Tensor.NoGrad())
        using (Tensor.Scope())
        {
            u = Normalize(Tensor.Randn(new[] { h }, weight.Device, generator), eps).Contiguous();
            v = Normalize(Tensor.Randn(new[] { w }, weight.Device, generator), eps).Contiguous();
            u.MoveToOuterScope();
            v.MoveToOuterScope();
        }
        module.RemoveParameter("weight");
        module.RegisterParameter("weight_orig", weight);
        module.RegisterBuffer("weight_u", u);
        module.RegisterBuffer("weight_v", v);
        module.SetComputedParameter("weight", () => Compute(module, d, nPowerIterations, eps));
        return module;
    }

    private static Tensor Compute(Module m, int dim, int nPowerIterations, float eps)
    {
        var weight = m.Param("weight_orig")!;
        var u = m.Buffer("weight_u")!;
        var v = m.Buffer("weight_v")!;
        Tensor uc, vc;
        using (Tensor.NoGrad())
        {
            if (m.IsTraining)
            {
                using (Tensor.Scope())
                {
                    var wm = Matrix(weight.Detach(), dim);
                    Tensor uu = u, vv = v;
                    for (int i = 0; i < nPowerIterations; i++)
                    {
                        vv = Normalize(MatTVec(wm, uu), eps);
                        uu = Normalize(MatVec(wm, vv), eps);
                    }
                    u.CopyFrom(uu);
                    v.CopyFrom(vv);
                }
            }
            // Copies, as torch's u.clone(): a graph recorded now must keep these values if u and v are updated
            // by a later forward before its backward runs.
            uc = Tensor.Empty(u.ShapeArray, u.Device).CopyFrom(u);
            vc = Tensor.Empty(v.ShapeArray, v.Device).CopyFrom(v);
        }
        var sigma = MatVec(Matrix(weight, dim), vc).Mul(uc).Sum();
        return weight.Div(sigma);
    }

    /// <summary>The weight viewed as [size(dim), rest] (dim moved to the front first, as torch's reshape_weight_to_matrix).</summary>
    private static Tensor Matrix(Tensor weight, int dim)
    {
        var t = dim == 0 ? weight : weight.Transpose(0, dim);
        return t.Reshape(weight.ShapeArray[dim], -1);
    }

    private static Tensor MatVec(Tensor m, Tensor v) => m.Mul(v.Reshape(1, -1)).Sum(1);
    private static Tensor MatTVec(Tensor m, Tensor u) => m.Mul(u.Reshape(-1, 1)).Sum(0);
    private static Tensor Normalize(Tensor t, float eps) => t.Div(t.Square().Sum().Sqrt().Clamp(eps, float.PositiveInfinity));
}
