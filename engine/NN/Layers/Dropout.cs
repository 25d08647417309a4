
namespace NativeGan.NN;

/// <summary>
/// Zeroes each element with probability p in training and scales the rest by 1/(1-p) (inverted dropout); the
/// identity in eval mode. The mask comes from the Philox stream of <see cref="Generator"/> (the default one when null).
/// </summary>
public sealed class Dropout : Module
{
    public Dropout(float p = 0.5f, Generator? generator = null)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentException($"Dropout: p must be in [0, 1], got {p}.");
        P = p;
        Generator = generator;
    }

    public float P { get; }
    public Generator? Generator { get; set; }

    public override Tensor Forward(Tensor x)
    {
        if (!IsTraining || P == 0f) return x;
        if (P == 1f) return x.Mul(0f);
        Tensor mask;
        using (var u = Tensor.Rand(x.ShapeArray, x.Device, Generator))
            mask = u.Lt(1f - P);
        mask.AffineInPlace(1f / (1f - P), 0f);
        return x.Mul(mask);
    }

    protected override string ExtraRepr() => $"p={P}";
}
