using System.Globalization;

namespace NativeGan.Optim;

/// <summary>
/// Base of the learning-rate schedulers (torch's _LRScheduler in the form BasicSR uses): the constructor records
/// each group's initial_lr and performs the initial step (LastEpoch becomes 0 and the lr is set for iteration 0);
/// each <see cref="Step"/> advances LastEpoch by one and sets every group's lr. BasicSR calls Step once per
/// iteration, so LastEpoch is the iteration count.
/// </summary>
public abstract class LRScheduler
{
    protected LRScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        foreach (var g in optimizer.ParamGroups) g.InitialLr ??= g.Lr;
        BaseLrs = optimizer.ParamGroups.Select(g => g.InitialLr!.Value).ToArray();
    }

    public Optimizer Optimizer { get; }

    /// <summary>The initial learning rate of each group.</summary>
    public float[] BaseLrs { get; private set; }

    /// <summary>How many steps have been taken since construction (0 right after it).</summary>
    public int LastEpoch { get; private set; } = -1;

    /// <summary>The learning rates of the groups now.</summary>
    public float[] LastLrs => Optimizer.ParamGroups.Select(g => g.Lr).ToArray();

    /// <summary>Call from the derived constructor once its fields are set (torch's _initial_step).</summary>
    protected void InitialStep() => Step();

    /// <summary>Advances one iteration and sets each group's learning rate.</summary>
    public void Step()
    {
        LastEpoch++;
        var lrs = ComputeLrs();
        var groups = Optimizer.ParamGroups;
        for (int i = 0; i < groups.Count; i++) groups[i].Lr = lrs[i];
    }

    /// <summary>The learning rate of every group for the iteration <see cref="LastEpoch"/> (torch's get_lr).</summary>
    protected abstract float[] ComputeLrs();

    /// <summary>"last_epoch" and "base_lrs"; the groups' current lrs live in the optimizer's state dict.</summary>
    public Dictionary<string, float[]> StateDict() => new()
    {
        ["last_epoch"] = new[] { (float)LastEpoch },
        ["base_lrs"] = (float[])BaseLrs.Clone(),
    };

    public void LoadStateDict(IReadOnlyDictionary<string, float[]> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.TryGetValue("last_epoch", out var le) || le.Length != 1)
            throw new ArgumentException($"{GetType().Name}.LoadStateDict: expected 'last_epoch' with one value; got keys {string.Join(", ", state.Keys)}.");
        if (state.TryGetValue("base_lrs", out var b))
        {
            if (b.Length != BaseLrs.Length)
                throw new ArgumentException($"{GetType().Name}.LoadStateDict: 'base_lrs' has {b.Length} values but the optimizer has {BaseLrs.Length} param groups.");
            BaseLrs = (float[])b.Clone();
        }
        LastEpoch = (int)le[0];
    }
}

/// <summary>
/// BasicSR's MultiStepRestartLR (a plain torch MultiStepLR with the default restarts): at each milestone the lr
/// is multiplied by gamma (gamma^k for a milestone listed k times); at a restart iteration the lr becomes
/// initial_lr * that restart's weight. Restarts default to [0] with weight [1].
/// </summary>
public sealed class MultiStepLR : LRScheduler
{
    private readonly Dictionary<int, int> milestones;
    private readonly int[] restarts;
    private readonly float[] restartWeights;

    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, float gamma = 0.1f,
        IEnumerable<int>? restarts = null, IEnumerable<float>? restartWeights = null)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        this.milestones = milestones.GroupBy(m => m).ToDictionary(g => g.Key, g => g.Count());
        this.restarts = (restarts ?? new[] { 0 }).ToArray();
        this.restartWeights = (restartWeights ?? new[] { 1f }).ToArray();
        if (this.restarts.Length != this.restartWeights.Length)
            throw new ArgumentException($"MultiStepLR: {this.restarts.Length} restarts but {this.restartWeights.Length} restart weights; they must match.");
        Gamma = gamma;
        InitialStep();
    }

    public float Gamma { get; }

    protected override float[] ComputeLrs()
    {
        var groups = Optimizer.ParamGroups;
        int r = Array.IndexOf(restarts, LastEpoch);
        if (r >= 0) return groups.Select(g => g.InitialLr!.Value * restartWeights[r]).ToArray();
        if (!milestones.TryGetValue(LastEpoch, out int count)) return groups.Select(g => g.Lr).ToArray();
        float factor = MathF.Pow(Gamma, count);
        return groups.Select(g => g.Lr * factor).ToArray();
    }
}

/// <summary>
/// BasicSR's CosineAnnealingRestartLR: cycles of the given periods; within cycle i (which ends at the cumulative
/// period c_i, iteration t belonging to the first cycle with t &lt;= c_i),
/// lr = eta_min + w_i * 0.5 * (base_lr - eta_min) * (1 + cos(pi * (t - c_{i-1}) / period_i)).
/// Stepping past the sum of the periods throws (BasicSR fails there too).
/// </summary>
public sealed class CosineAnnealingRestartLR : LRScheduler
{
    private readonly int[] periods;
    private readonly float[] restartWeights;
    private readonly int[] cumulative;

    public CosineAnnealingRestartLR(Optimizer optimizer, IEnumerable<int> periods, IEnumerable<float>? restartWeights = null, float etaMin = 0f)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(periods);
        this.periods = periods.ToArray();
        this.restartWeights = (restartWeights ?? new[] { 1f }).ToArray();
        if (this.periods.Length == 0 || this.periods.Any(p => p <= 0))
            throw new ArgumentException($"CosineAnnealingRestartLR: periods must be a non-empty list of positive counts, got [{string.Join(", ", this.periods)}].");
        if (this.periods.Length != this.restartWeights.Length)
            throw new ArgumentException($"CosineAnnealingRestartLR: {this.periods.Length} periods but {this.restartWeights.Length} restart weights; they must match.");
        cumulative = new int[this.periods.Length];
        for (int i = 0, sum = 0; i < this.periods.Length; i++) cumulative[i] = sum += this.periods[i];
        EtaMin = etaMin;
        InitialStep();
    }

    public float EtaMin { get; }
    public IReadOnlyList<int> Periods => periods;

    protected override float[] ComputeLrs()
    {
        int idx = Array.FindIndex(cumulative, c => LastEpoch <= c);
        if (idx < 0)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"CosineAnnealingRestartLR: iteration {LastEpoch} is past the end of the periods (total {cumulative[^1]})."));
        double weight = restartWeights[idx];
        int nearestRestart = idx == 0 ? 0 : cumulative[idx - 1];
        double phase = Math.PI * ((double)(LastEpoch - nearestRestart) / periods[idx]);
        return BaseLrs.Select(b => (float)(EtaMin + weight * 0.5 * (b - EtaMin) * (1 + Math.Cos(phase)))).ToArray();
    }
}
