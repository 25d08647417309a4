using NativeGan.Kernels.Optim;

namespace NativeGan.Optim;

/// <summary>
/// torch.optim.Adam (amsgrad off): m = lerp(m, g, 1-b1), v = b2 v + (1-b2) g^2,
/// p -= lr / (1-b1^t) * m / (sqrt(v) / sqrt(1-b2^t) + eps); weight decay is L2 (g += wd p).
/// </summary>
public class Adam : Optimizer
{
    private static readonly string[] Names = { "exp_avg", "exp_avg_sq" };
    private readonly bool decoupled;

    public Adam(IEnumerable<Tensor> parameters, float lr = 1e-3f, (float Beta1, float Beta2)? betas = null, float eps = 1e-8f, float weightDecay = 0f)
        : this(OneGroup(parameters), lr, betas, eps, weightDecay) { }

    public Adam(IEnumerable<ParamGroup> groups, float lr = 1e-3f, (float Beta1, float Beta2)? betas = null, float eps = 1e-8f, float weightDecay = 0f)
        : this(groups, lr, betas, eps, weightDecay, decoupled: false, "Adam") { }

    private protected Adam(IEnumerable<ParamGroup> groups, float lr, (float, float)? betas, float eps, float weightDecay, bool decoupled, string name)
        : base(groups, lr, weightDecay, name)
    {
        var (b1, b2) = betas ?? (0.9f, 0.999f);
        Check(b1 >= 0f && b1 < 1f, name, "beta1", b1, "in [0, 1)");
        Check(b2 >= 0f && b2 < 1f, name, "beta2", b2, "in [0, 1)");
        Check(eps >= 0f, name, "eps", eps, ">= 0");
        Beta1 = b1;
        Beta2 = b2;
        Eps = eps;
        this.decoupled = decoupled;
    }

    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Eps { get; }

    protected override IReadOnlyList<string> StateNames => Names;

    private protected override void Update(ParamGroup group, Tensor p, Tensor g, ParamState s)
    {
        double bias1 = 1.0 - Math.Pow(Beta1, s.Step);
        double bias2 = 1.0 - Math.Pow(Beta2, s.Step);
        var args = new AdamArgs
        {
            Lr = group.Lr,
            Beta1 = Beta1,
            Beta2 = Beta2,
            Eps = Eps,
            WeightDecay = group.WeightDecay,
            StepSize = (float)(group.Lr / bias1),
            Bias2Sqrt = (float)Math.Sqrt(bias2),
            Decoupled = decoupled ? 1 : 0,
        };
        Tensor m = s.Buffers[0], v = s.Buffers[1];
        p.Backend.AdamStep(p.Storage, p.Offset, g.Storage, g.Offset, m.Storage, m.Offset, v.Storage, v.Offset, p.NumEl, args);
    }
}

/// <summary>torch.optim.AdamW: Adam with decoupled weight decay p *= 1 - lr wd before the update (default wd 0.01).</summary>
public sealed class AdamW : Adam
{
    public AdamW(IEnumerable<Tensor> parameters, float lr = 1e-3f, (float Beta1, float Beta2)? betas = null, float eps = 1e-8f, float weightDecay = 1e-2f)
        : base(OneGroup(parameters), lr, betas, eps, weightDecay, decoupled: true, "AdamW") { }

    public AdamW(IEnumerable<ParamGroup> groups, float lr = 1e-3f, (float Beta1, float Beta2)? betas = null, float eps = 1e-8f, float weightDecay = 1e-2f)
        : base(groups, lr, betas, eps, weightDecay, decoupled: true, "AdamW") { }
}
