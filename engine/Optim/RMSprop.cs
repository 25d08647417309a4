using NativeGan.Kernels.Optim;

namespace NativeGan.Optim;

/// <summary>
/// torch.optim.RMSprop: s = alpha s + (1-alpha) g^2, p -= lr g / (sqrt(s) + eps); centered subtracts the squared
/// running mean of g under the root; momentum keeps buf = momentum buf + g / avg and steps by lr buf.
/// </summary>
public sealed class RMSprop : Optimizer
{
    private readonly string[] names;

    public RMSprop(IEnumerable<Tensor> parameters, float lr = 1e-2f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f,
        float momentum = 0f, bool centered = false)
        : this(OneGroup(parameters), lr, alpha, eps, weightDecay, momentum, centered) { }

    public RMSprop(IEnumerable<ParamGroup> groups, float lr = 1e-2f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f,
        float momentum = 0f, bool centered = false)
        : base(groups, lr, weightDecay, "RMSprop")
    {
        Check(alpha >= 0f, Name, "alpha", alpha, ">= 0");
        Check(eps >= 0f, Name, "eps", eps, ">= 0");
        Check(momentum >= 0f, Name, "momentum", momentum, ">= 0");
        Alpha = alpha;
        Eps = eps;
        Momentum = momentum;
        Centered = centered;
        var n = new List<string> { "square_avg" };
        if (momentum > 0f) n.Add("momentum_buffer");
        if (centered) n.Add("grad_avg");
        names = n.ToArray();
    }

    public float Alpha { get; }
    public float Eps { get; }
    public float Momentum { get; }
    public bool Centered { get; }

    protected override IReadOnlyList<string> StateNames => names;

    private protected override void Update(ParamGroup group, Tensor p, Tensor g, ParamState s)
    {
        var args = new RmspropArgs
        {
            Lr = group.Lr,
            Alpha = Alpha,
            Eps = Eps,
            WeightDecay = group.WeightDecay,
            Momentum = Momentum,
            Centered = Centered ? 1 : 0,
        };
        // Unused state is not allocated; the kernel does not touch the slot, so square_avg stands in for it.
        Tensor sq = s.Buffers[0];
        Tensor buf = Momentum > 0f ? s.Buffers[1] : sq;
        Tensor avg = Centered ? s.Buffers[^1] : sq;
        p.Backend.RmspropStep(p.Storage, p.Offset, g.Storage, g.Offset, sq.Storage, sq.Offset, buf.Storage, buf.Offset,
            avg.Storage, avg.Offset, p.NumEl, args);
    }
}
