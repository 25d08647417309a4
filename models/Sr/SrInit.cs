using NativeGan.NN;

namespace NativeGan.Models.Sr;

/// <summary>Weight initialisation of BasicSR's arch_util.</summary>
public static class SrInit
{
    /// <summary>
    /// BasicSR's default_init_weights: every Conv2d and Linear inside <paramref name="modules"/> gets kaiming_normal_
    /// (a = 0, fan_in, gain sqrt(2)) multiplied by <paramref name="scale"/> and its bias filled with
    /// <paramref name="biasFill"/>; every batch norm gets weight 1 and bias <paramref name="biasFill"/>.
    /// </summary>
    public static void DefaultInitWeights(IEnumerable<Module> modules, float scale = 1f, float biasFill = 0f, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(modules);
        using var noGrad = Tensor.NoGrad();
        foreach (var root in modules)
        {
            foreach (var (_, m) in root.NamedModules())
            {
                switch (m)
                {
                    case Conv2d conv:
                        ScaledKaiming(conv.Weight, conv.Bias, scale, biasFill, generator);
                        break;
                    case Linear linear:
                        ScaledKaiming(linear.Weight, linear.Bias, scale, biasFill, generator);
                        break;
                    case BatchNormBase bn:
                        bn.Weight?.FillInPlace(1f);
                        bn.Bias?.FillInPlace(biasFill);
                        break;
                }
            }
        }
    }

    /// <summary><see cref="DefaultInitWeights(IEnumerable{Module}, float, float, Generator?)"/> for one module.</summary>
    public static void DefaultInitWeights(Module module, float scale = 1f, float biasFill = 0f, Generator? generator = null) =>
        DefaultInitWeights(new[] { module }, scale, biasFill, generator);

    private static void ScaledKaiming(Tensor weight, Tensor? bias, float scale, float biasFill, Generator? generator)
    {
        Init.KaimingNormal(weight, 0f, FanMode.FanIn, "leaky_relu", generator);
        if (scale != 1f) weight.AffineInPlace(scale, 0f);
        bias?.FillInPlace(biasFill);
    }
}
