namespace NativeGan.Optim;

/// <summary>
/// pix2pix / CycleGAN's 'linear' lr policy (a LambdaLR stepped once per epoch): the lr stays at its initial value
/// for <c>nEpochs</c> epochs, then falls linearly to zero over <c>nEpochsDecay</c> more:
/// lr = initial_lr * (1 - max(0, epoch + epochCount - nEpochs) / (nEpochsDecay + 1)), epoch = <see cref="LRScheduler.LastEpoch"/>.
/// With epochCount 1 (the reference's default) the first decayed epoch is nEpochs + 1 and the last is 1 / (nEpochsDecay + 1).
/// </summary>
public sealed class LinearDecayLR : LRScheduler
{
    public LinearDecayLR(Optimizer optimizer, int nEpochs, int nEpochsDecay, int epochCount = 1) : base(optimizer)
    {
        if (nEpochs < 0 || nEpochsDecay < 0)
            throw new ArgumentException($"LinearDecayLR: n_epochs and n_epochs_decay must be >= 0, got {nEpochs} and {nEpochsDecay}.");
        NEpochs = nEpochs;
        NEpochsDecay = nEpochsDecay;
        EpochCount = epochCount;
        InitialStep();
    }

    public int NEpochs { get; }
    public int NEpochsDecay { get; }
    public int EpochCount { get; }

    /// <summary>The lr multiplier at an epoch index (LambdaLR's lambda_rule).</summary>
    public float Factor(int epoch) => 1f - Math.Max(0, epoch + EpochCount - NEpochs) / (float)(NEpochsDecay + 1);

    protected override float[] ComputeLrs() => BaseLrs.Select(b => b * Factor(LastEpoch)).ToArray();
}
