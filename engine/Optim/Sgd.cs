using NativeGan.Kernels.Optim;

namespace NativeGan.Optim;

/// <summary>
/// torch.optim.SGD: g += wd p; with momentum, buf = g on the first step, then buf = momentum buf + (1-dampening) g,
/// and the step uses buf (or g + momentum buf with nesterov); p -= lr * step.
/// </summary>
public sealed class Sgd : Optimizer
{
    private static readonly string[] Names = { "momentum_buffer" };

    public Sgd(IEnumerable<Tensor> parameters, float lr = 1e-3f, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false)
        : this(OneGroup(parameters), lr, momentum, dampening, weightDecay, nesterov) { }

    public Sgd(IEnumerable<ParamGroup> groups, float lr = 1e-3f, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false)
        : base(groups, lr, weightDecay, "SGD")
    {
        Check(momentum >= 0f, Name, "momentum", momentum, ">= 0");
        if (nesterov && (momentum <= 0f || dampening != 0f))
            throw new ArgumentException($"SGD: nesterov momentum requires a momentum > 0 and zero dampening, got momentum={momentum}, dampening={dampening}.");
        Momentum = momentum;
        Dampening = dampening;
        Nesterov = nesterov;
    }

    public float Momentum { get; }
    public float Dampening { get; }
    public bool Nesterov { get; }

    protected override IReadOnlyList<string> StateNames => Momentum != 0f ? Names : Array.Empty<string>();

    private protected override void Update(ParamGroup group, Tensor p, Tensor g, ParamState s)
    {
        var args = new SgdArgs
        {
            Lr = group.Lr,
            Momentum = Momentum,
            Dampening = Dampening,
            WeightDecay = group.WeightDecay,
            Nesterov = Nesterov ? 1 : 0,
            First = s.Step == 1 ? 1 : 0,
        };
        var buf = Momentum != 0f ? s.Buffers[0] : p; // without momentum the kernel never touches the buffer
        p.Backend.SgdStep(p.Storage, p.Offset, g.Storage, g.Offset, buf.Storage, buf.Offset, p.NumEl, args);
    }
}
