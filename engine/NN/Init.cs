
namespace NativeGan.NN;

/// <summary>Fan mode for Kaiming initialisation.</summary>
public enum FanMode { FanIn, FanOut }

/// <summary>
/// In-place weight initialisation as torch.nn.init, drawing from the engine's Philox generator so the same seed
/// gives the same weights on the CPU and on the GPU. Every function runs under NoGrad and returns the tensor.
/// </summary>
public static class Init
{
    /// <summary>
    /// torch.nn.init._calculate_fan_in_and_fan_out: fan_in = size(1) * receptive field, fan_out = size(0) *
    /// receptive field, where the receptive field is the product of the dims after the first two.
    /// </summary>
    public static (int FanIn, int FanOut) Fans(IReadOnlyList<int> shape)
    {
        if (shape.Count < 2)
            throw new ArgumentException($"Init: fan in and fan out need a tensor with at least 2 dimensions, got {ShapeUtil.Format(shape.ToArray())}.");
        int receptive = 1;
        for (int i = 2; i < shape.Count; i++) receptive *= shape[i];
        return (shape[1] * receptive, shape[0] * receptive);
    }

    /// <summary>torch.nn.init.calculate_gain: linear/conv*/sigmoid 1, tanh 5/3, relu sqrt(2), leaky_relu sqrt(2/(1+a^2)), selu 3/4.</summary>
    public static float CalculateGain(string nonlinearity, float? param = null) => nonlinearity switch
    {
        "linear" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose1d" or "conv_transpose2d" or "conv_transpose3d" or "sigmoid" => 1f,
        "tanh" => 5f / 3f,
        "relu" => MathF.Sqrt(2f),
        "leaky_relu" => MathF.Sqrt(2f / (1f + (param ?? 0.01f) * (param ?? 0.01f))),
        "selu" => 0.75f,
        _ => throw new ArgumentException($"CalculateGain: unknown nonlinearity '{nonlinearity}'; expected linear, conv2d, sigmoid, tanh, relu, leaky_relu or selu."),
    };

    public static Tensor Uniform(Tensor t, float low = 0f, float high = 1f, Generator? generator = null)
    {
        if (!(high >= low)) throw new ArgumentException($"Init.Uniform: expected low <= high, got low={low}, high={high}.");
        using var r = Tensor.Rand(t.ShapeArray, t.Device, generator, low, high);
        return Fill(t, r);
    }

    public static Tensor Normal(Tensor t, float mean = 0f, float std = 1f, Generator? generator = null)
    {
        if (!(std >= 0f)) throw new ArgumentException($"Init.Normal: expected std >= 0, got {std}.");
        using var r = Tensor.Randn(t.ShapeArray, t.Device, generator, mean, std);
        return Fill(t, r);
    }

    public static Tensor Constant(Tensor t, float value)
    {
        using (Tensor.NoGrad()) t.FillInPlace(value);
        return t;
    }

    public static Tensor Zeros(Tensor t) => Constant(t, 0f);
    public static Tensor Ones(Tensor t) => Constant(t, 1f);

    /// <summary>He init, uniform: bound = gain * sqrt(3 / fan) with gain = CalculateGain(nonlinearity, a).</summary>
    public static Tensor KaimingUniform(Tensor t, float a = 0f, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        float bound = MathF.Sqrt(3f) * KaimingStd(t, a, mode, nonlinearity);
        return Uniform(t, -bound, bound, generator);
    }

    /// <summary>He init, normal: std = gain / sqrt(fan) with gain = CalculateGain(nonlinearity, a).</summary>
    public static Tensor KaimingNormal(Tensor t, float a = 0f, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu", Generator? generator = null) =>
        Normal(t, 0f, KaimingStd(t, a, mode, nonlinearity), generator);

    /// <summary>Glorot init, uniform: bound = gain * sqrt(6 / (fan_in + fan_out)).</summary>
    public static Tensor XavierUniform(Tensor t, float gain = 1f, Generator? generator = null)
    {
        var (fanIn, fanOut) = Fans(t.Shape);
        float bound = gain * MathF.Sqrt(6f / (fanIn + fanOut));
        return Uniform(t, -bound, bound, generator);
    }

    /// <summary>Glorot init, normal: std = gain * sqrt(2 / (fan_in + fan_out)).</summary>
    public static Tensor XavierNormal(Tensor t, float gain = 1f, Generator? generator = null)
    {
        var (fanIn, fanOut) = Fans(t.Shape);
        return Normal(t, 0f, gain * MathF.Sqrt(2f / (fanIn + fanOut)), generator);
    }

    private static float KaimingStd(Tensor t, float a, FanMode mode, string nonlinearity)
    {
        var (fanIn, fanOut) = Fans(t.Shape);
        int fan = mode == FanMode.FanIn ? fanIn : fanOut;
        if (fan == 0) throw new ArgumentException($"Init.Kaiming: the tensor {ShapeUtil.Format(t.ShapeArray)} has a zero fan.");
        return CalculateGain(nonlinearity, a) / MathF.Sqrt(fan);
    }

    private static Tensor Fill(Tensor t, Tensor values)
    {
        using (Tensor.NoGrad()) t.CopyFrom(values);
        return t;
    }
}
