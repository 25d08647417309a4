namespace NativeGan.NN;

/// <summary>
/// torch.nn's _BatchNorm: parameters weight (ones) and bias (zeros) when affine, buffers running_mean (zeros),
/// running_var (ones) and num_batches_tracked (a float scalar holding the count; PyTorch stores an int64 scalar, which
/// loads from a safetensors file as float) when tracking running stats. Training normalises with the batch statistics,
/// updates the running ones with <see cref="Momentum"/> (null: cumulative average, 1 / num_batches_tracked) and counts
/// the batch; eval uses the running statistics (or the batch's when not tracking).
/// </summary>
public abstract class BatchNormBase : Module
{
    protected BatchNormBase(string name, int numFeatures, float eps, float? momentum, bool affine, bool trackRunningStats, Device? device)
    {
        if (numFeatures <= 0) throw new ArgumentException($"{name}: num_features must be positive, got {numFeatures}.");
        if (!(eps > 0f)) throw new ArgumentException($"{name}: eps must be positive, got {eps}.");
        if (momentum is float mo && !(mo >= 0f && mo <= 1f)) throw new ArgumentException($"{name}: momentum must be in [0, 1] or null, got {mo}.");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        Affine = affine;
        TrackRunningStats = trackRunningStats;
        var dev = device ?? Device.Default;
        RegisterParameter("weight", affine ? Tensor.Ones(new[] { numFeatures }, dev).DetachFromScope() : null);
        RegisterParameter("bias", affine ? Tensor.Zeros(new[] { numFeatures }, dev).DetachFromScope() : null);
        RegisterBuffer("running_mean", trackRunningStats ? Tensor.Zeros(new[] { numFeatures }, dev).DetachFromScope() : null);
        RegisterBuffer("running_var", trackRunningStats ? Tensor.Ones(new[] { numFeatures }, dev).DetachFromScope() : null);
        RegisterBuffer("num_batches_tracked", trackRunningStats ? Tensor.Zeros(Array.Empty<int>(), dev).DetachFromScope() : null);
    }

    public int NumFeatures { get; }
    public float Eps { get; }
    public float? Momentum { get; }
    public bool Affine { get; }
    public bool TrackRunningStats { get; }
    public Tensor? Weight => Param("weight");
    public Tensor? Bias => Param("bias");
    public Tensor? RunningMean => Buffer("running_mean");
    public Tensor? RunningVar => Buffer("running_var");
    public Tensor? NumBatchesTracked => Buffer("num_batches_tracked");

    /// <summary>Throws unless the input has a rank this layer accepts (BatchNorm1d: 2 or 3, BatchNorm2d: 4).</summary>
    protected abstract void CheckInput(Tensor x);

    public override Tensor Forward(Tensor x)
    {
        CheckInput(x);
        if (x.ShapeArray[1] != NumFeatures)
            throw new ArgumentException($"{GetType().Name}: expected {NumFeatures} channels (dim 1), got input {ShapeUtil.Format(x.ShapeArray)}.");
        float factor = Momentum ?? 0f;
        var count = NumBatchesTracked;
        if (IsTraining && TrackRunningStats && count != null)
        {
            using (Tensor.NoGrad()) count.AffineInPlace(1f, 1f);
            if (Momentum == null) factor = 1f / count.Item();
        }
        return Tensor.BatchNorm(x, RunningMean, RunningVar, Weight, Bias, IsTraining || RunningMean == null, factor, Eps);
    }

    /// <summary>Resets running_mean to 0, running_var to 1 and num_batches_tracked to 0 (torch's reset_running_stats).</summary>
    public void ResetRunningStats()
    {
        using var noGrad = Tensor.NoGrad();
        RunningMean?.FillInPlace(0f);
        RunningVar?.FillInPlace(1f);
        NumBatchesTracked?.FillInPlace(0f);
    }

    protected override string ExtraRepr() =>
        $"{NumFeatures}, eps={Eps}, momentum={(Momentum is float m ? m.ToString(System.Globalization.CultureInfo.InvariantCulture) : "None")}, affine={Affine}, track_running_stats={TrackRunningStats}";
}

/// <summary>torch.nn.BatchNorm1d over [N, C] or [N, C, L].</summary>
public sealed class BatchNorm1d : BatchNormBase
{
    public BatchNorm1d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true, bool trackRunningStats = true, Device? device = null)
        : base("BatchNorm1d", numFeatures, eps, momentum, affine, trackRunningStats, device)
    {
    }

    protected override void CheckInput(Tensor x)
    {
        if (x.Rank != 2 && x.Rank != 3)
            throw new ArgumentException($"BatchNorm1d: expected a 2-D [N, C] or 3-D [N, C, L] input, got {ShapeUtil.Format(x.ShapeArray)}.");
    }
}

/// <summary>torch.nn.BatchNorm2d over [N, C, H, W].</summary>
public sealed class BatchNorm2d : BatchNormBase
{
    public BatchNorm2d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true, bool trackRunningStats = true, Device? device = null)
        : base("BatchNorm2d", numFeatures, eps, momentum, affine, trackRunningStats, device)
    {
    }

    protected override void CheckInput(Tensor x)
    {
        if (x.Rank != 4)
            throw new ArgumentException($"BatchNorm2d: expected a 4-D [N, C, H, W] input, got {ShapeUtil.Format(x.ShapeArray)}.");
    }
}
