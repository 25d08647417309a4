using NativeGan.Optim;
using NativeGan.Tests.Fixtures;

namespace NativeGan.Tests.Optim;

/// <summary>
/// The CPU backend's vectorised updates (bulk) against the ILGPU kernels (the scalar formula) on a parameter long
/// enough to use the SIMD path, for every option the fixtures do not cover.
/// </summary>
public class OptimizerDeviceAgreementTests
{
    public static TheoryData<string> Configs() => new()
    {
        "adam", "adam_l2", "adamw", "rmsprop", "rmsprop_wd", "rmsprop_momentum_centered", "sgd", "sgd_momentum_dampening", "sgd_nesterov_wd",
    };

    private static Optimizer Make(string config, Tensor p) => config switch
    {
        "adam" => new Adam(new[] { p }, 1e-2f),
        "adam_l2" => new Adam(new[] { p }, 1e-2f, (0.5f, 0.99f), 1e-8f, 0.1f),
        "adamw" => new AdamW(new[] { p }, 1e-2f, weightDecay: 0.1f),
        "rmsprop" => new RMSprop(new[] { p }, 1e-3f),
        "rmsprop_wd" => new RMSprop(new[] { p }, 1e-3f, weightDecay: 0.01f),
        "rmsprop_momentum_centered" => new RMSprop(new[] { p }, 1e-3f, momentum: 0.9f, centered: true),
        "sgd" => new Sgd(new[] { p }, 0.1f),
        "sgd_momentum_dampening" => new Sgd(new[] { p }, 0.1f, momentum: 0.9f, dampening: 0.1f),
        "sgd_nesterov_wd" => new Sgd(new[] { p }, 0.1f, momentum: 0.9f, weightDecay: 0.01f, nesterov: true),
        _ => throw new ArgumentException(config),
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void CpuSimdMatchesIlgpuKernel(string config)
    {
        const int n = 1037, steps = 4;
        float[] p0 = Tensor.Randn(new[] { n }, Device.Cpu, new Generator(1)).ToArray();
        float[] grads = Tensor.Randn(new[] { steps * n }, Device.Cpu, new Generator(2)).ToArray();
        float[] Run(Device device)
        {
            using var p = Tensor.FromArray(p0, new[] { n }, device, requiresGrad: true);
            using var opt = Make(config, p);
            for (int s = 0; s < steps; s++)
            {
                p.Grad = Tensor.FromArray(grads.AsSpan(s * n, n).ToArray(), new[] { n }, device).DetachFromScope();
                opt.Step();
                opt.ZeroGrad();
            }
            return p.ToArray();
        }
        float[] cpu = Run(Device.Cpu), ilgpu = Run(Device.IlgpuCpu);
        Assert.NotEqual(p0, cpu);
        Assertions.AssertClose(ilgpu, cpu, 1e-5, 1e-6, $"{config}: cpu vs ilgpu");
        Assertions.AssertClose(Reference(config, p0, grads, n, steps), cpu, 1e-4, 1e-5, $"{config}: cpu vs double reference");
    }

    /// <summary>torch.optim's formulas in double, written independently of the kernels.</summary>
    private static float[] Reference(string config, float[] p0, float[] grads, int n, int steps)
    {
        var p = p0.Select(v => (double)v).ToArray();
        var a = new double[n];
        var b = new double[n];
        var c = new double[n];
        for (int t = 1; t <= steps; t++)
        {
            for (int i = 0; i < n; i++)
            {
                double g = grads[(t - 1) * n + i];
                switch (config)
                {
                    case "adam" or "adam_l2" or "adamw":
                    {
                        double lr = 1e-2, b1 = config == "adam_l2" ? 0.5 : 0.9, b2 = config == "adam_l2" ? 0.99 : 0.999;
                        if (config == "adam_l2") g += 0.1 * p[i];
                        if (config == "adamw") p[i] *= 1 - lr * 0.1;
                        a[i] = b1 * a[i] + (1 - b1) * g;
                        b[i] = b2 * b[i] + (1 - b2) * g * g;
                        double mh = a[i] / (1 - Math.Pow(b1, t)), vh = b[i] / (1 - Math.Pow(b2, t));
                        p[i] -= lr * mh / (Math.Sqrt(vh) + 1e-8);
                        break;
                    }
                    case "rmsprop" or "rmsprop_wd" or "rmsprop_momentum_centered":
                    {
                        if (config == "rmsprop_wd") g += 0.01 * p[i];
                        a[i] = 0.99 * a[i] + 0.01 * g * g;
                        double avg;
                        if (config == "rmsprop_momentum_centered")
                        {
                            c[i] = 0.99 * c[i] + 0.01 * g;
                            avg = Math.Sqrt(a[i] - c[i] * c[i]) + 1e-8;
                            b[i] = 0.9 * b[i] + g / avg;
                            p[i] -= 1e-3 * b[i];
                        }
                        else
                        {
                            avg = Math.Sqrt(a[i]) + 1e-8;
                            p[i] -= 1e-3 * g / avg;
                        }
                        break;
                    }
                    case "sgd":
                        p[i] -= 0.1 * g;
                        break;
                    case "sgd_momentum_dampening":
                        b[i] = t == 1 ? g : 0.9 * b[i] + 0.9 * g;
                        p[i] -= 0.1 * b[i];
                        break;
                    case "sgd_nesterov_wd":
                        g += 0.01 * p[i];
                        b[i] = t == 1 ? g : 0.9 * b[i] + g;
                        p[i] -= 0.1 * (g + 0.9 * b[i]);
                        break;
                }
            }
        }
        return p.Select(v => (float)v).ToArray();
    }
}
