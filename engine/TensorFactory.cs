
namespace NativeGan;

public sealed partial class Tensor
{
    public static Tensor FromArray(float[] data, int[] shape, Device? device = null, bool requiresGrad = false)
    {
        int n = ShapeUtil.NumEl(shape);
        if (data.Length != n)
            throw new ArgumentException($"FromArray: shape {ShapeUtil.Format(shape)} holds {n} elements but the array has {data.Length}.");
        var t = Empty(shape, device ?? Device.Default);
        t.Backend.Upload(data, t.Storage, 0);
        t.RequiresGrad = requiresGrad;
        return t;
    }

    public static Tensor FromArray(float[] data, params int[] shape) => FromArray(data, shape, null);

    /// <summary>A zero-dimensional tensor holding one value.</summary>
    public static Tensor Scalar(float value, Device? device = null) => Full(Array.Empty<int>(), value, device);

    public static Tensor Full(int[] shape, float value, Device? device = null)
    {
        var t = Empty(shape, device ?? Device.Default);
        t.Backend.Fill(t.Storage, 0, t.NumEl, value);
        return t;
    }

    public static Tensor Zeros(int[] shape, Device? device = null) => Full(shape, 0f, device);
    public static Tensor Ones(int[] shape, Device? device = null) => Full(shape, 1f, device);
    public static Tensor Zeros(params int[] shape) => Full(shape, 0f);
    public static Tensor Ones(params int[] shape) => Full(shape, 1f);
    public static Tensor ZerosLike(Tensor t) => Full(t.ShapeArray, 0f, t.Device);
    public static Tensor OnesLike(Tensor t) => Full(t.ShapeArray, 1f, t.Device);
    public static Tensor FullLike(Tensor t, float value) => Full(t.ShapeArray, value, t.Device);

    /// <summary>Uniform numbers in [low, high) from the Philox stream of <paramref name="generator"/>.</summary>
    public static Tensor Rand(int[] shape, Device? device = null, Generator? generator = null, float low = 0f, float high = 1f)
    {
        var t = Empty(shape, device ?? Device.Default);
        var g = generator ?? Generator.Default;
        t.Backend.RandomUniform(t.Storage, 0, t.NumEl, g.Seed, g.Advance(t.NumEl), low, high);
        return t;
    }

    /// <summary>Normal numbers N(mean, std^2) from the Philox stream of <paramref name="generator"/>.</summary>
    public static Tensor Randn(int[] shape, Device? device = null, Generator? generator = null, float mean = 0f, float std = 1f)
    {
        var t = Empty(shape, device ?? Device.Default);
        var g = generator ?? Generator.Default;
        t.Backend.RandomNormal(t.Storage, 0, t.NumEl, g.Seed, g.Advance(t.NumEl), mean, std);
        return t;
    }

    /// <summary>Seeds the default generator (PyTorch's torch.manual_seed).</summary>
    public static void ManualSeed(ulong seed) => Generator.Default.ManualSeed(seed);

    /// <summary>Copies the elements to a new array in row-major order. Waits for queued work.</summary>
    public float[] ToArray()
    {
        var src = Contiguous();
        var result = new float[NumEl];
        src.Backend.Download(src.Storage, src.Offset, result);
        if (!ReferenceEquals(src, this)) src.Dispose();
        return result;
    }

    /// <summary>The value of a one-element tensor. Waits for queued work.</summary>
    public float Item()
    {
        if (NumEl != 1)
            throw new InvalidOperationException($"Item: expected a tensor with one element, got shape {ShapeUtil.Format(ShapeArray)}.");
        Span<float> one = stackalloc float[1];
        Backend.Download(Storage, Offset, one);
        return one[0];
    }

    /// <summary>A copy of this tensor on another device (the same tensor if it is already there).</summary>
    public Tensor To(Device device)
    {
        if (ReferenceEquals(device, Device)) return this;
        var t = FromArray(ToArray(), ShapeArray, device);
        return t;
    }
}
