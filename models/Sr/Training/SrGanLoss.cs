namespace NativeGan.Models.Sr.Training;

/// <summary>
/// BasicSR's / MMEditing's GANLoss on raw discriminator outputs (logits): vanilla = BCE with logits against 1 / 0,
/// lsgan = MSE against 1 / 0, wgan = -mean(x) for real and mean(x) for fake, wgan_softplus = mean(softplus(-x)) /
/// mean(softplus(x)), hinge = mean(relu(1 - x)) / mean(relu(1 + x)) for D and -mean(x) for G. The loss weight scales
/// only the generator's terms (is_disc = false), as there.
/// </summary>
public sealed class SrGanLoss
{
    public SrGanLoss(string type = "vanilla", float lossWeight = 1f)
    {
        Type = type == "ragan" ? "vanilla" : type;
        if (!SrGanLossConfig.Types.Contains(Type))
            throw new ArgumentException($"SrGanLoss: unknown gan type '{type}'; expected one of {string.Join(", ", SrGanLossConfig.Types)}.");
        LossWeight = lossWeight;
    }

    public string Type { get; }
    public float LossWeight { get; }

    /// <summary>GANLoss(input, target_is_real, is_disc).</summary>
    public Tensor Compute(Tensor input, bool targetIsReal, bool isDisc)
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor loss = Type switch
        {
            "vanilla" => Losses.BceWithLogits(input, targetIsReal ? 1f : 0f),
            "lsgan" => targetIsReal ? input.Sub(1f).Square().Mean() : input.Square().Mean(),
            "wgan" => targetIsReal ? input.Mean().Neg() : input.Mean(),
            "wgan_softplus" => targetIsReal ? input.Neg().Softplus().Mean() : input.Softplus().Mean(),
            "hinge" => isDisc
                ? (targetIsReal ? input.RSub(1f).Relu().Mean() : input.Add(1f).Relu().Mean())
                : input.Mean().Neg(),
            _ => throw new InvalidOperationException($"SrGanLoss: unknown type {Type}."),
        };
        return isDisc || LossWeight == 1f ? loss : loss.Mul(LossWeight);
    }
}
