using System.Globalization;
using NativeGan.IO;
using NativeGan.Models.Sr;
using NativeGan.Optim;

namespace NativeGan.Benchmarks.Harness;

/// <summary>
/// ESRGAN's RRDBNet x4 (23 blocks, 64 features, growth 32) as compare's rrdbnet_* workloads time it: inference on one
/// image, or a training step (forward, L1 against a target, backward, Adam). FLOPs are the convolutions' multiply-adds
/// x 2 (x 3 for a step: forward, grad-input, grad-weight). Before timing, the same code runs BasicSR-layout tiny
/// networks and is compared with PyTorch's float64 results (tests/fixtures/models, copied next to the harness):
/// the x4 forward for inference, the x2 input and weight gradients for a step.
/// </summary>
internal sealed class RrdbNetCase(bool train, int batch, int size) : KernelCase
{
    private const int NumFeat = 64, NumBlock = 23, Grow = 32, Scale = 4;
    private Device? device;
    private RRDBNet? net;
    private Tensor? x, target;
    private Adam? adam;

    public override string Name => train ? $"rrdbnet_train_{batch}x{size}" : $"rrdbnet_infer_{size}";
    public override string Shape => train
        ? $"RRDBNet x4 23 blocks, LR {batch}x3x{size}x{size}, L1 + Adam"
        : $"RRDBNet x4 23 blocks, {batch}x3x{size}x{size} -> {size * Scale}x{size * Scale}";
    public override double Flops => (train ? 3.0 : 1.0) * batch * ForwardFlopsPerImage(size, size);
    public override bool RecordsGraph => train;

    /// <summary>2 x multiply-adds of every convolution of one forward pass on an h x w input.</summary>
    public static double ForwardFlopsPerImage(int h, int w)
    {
        static double Conv(int cin, int cout, double pixels) => 2.0 * cin * cout * 9 * pixels;
        double lr = (double)h * w, flops = Conv(3, NumFeat, lr);
        double rdb = 0;
        for (int k = 0; k < 4; k++) rdb += Conv(NumFeat + k * Grow, Grow, lr);
        rdb += Conv(NumFeat + 4 * Grow, NumFeat, lr);
        flops += NumBlock * 3 * rdb + Conv(NumFeat, NumFeat, lr);
        flops += Conv(NumFeat, NumFeat, 4 * lr) + Conv(NumFeat, NumFeat, 16 * lr) + Conv(NumFeat, NumFeat, 16 * lr) + Conv(NumFeat, 3, 16 * lr);
        return flops;
    }

    public override void Setup(Device d)
    {
        device = d;
        var g = new NativeGan.Generator(0x5EED);
        net = new RRDBNet(3, 3, Scale, NumFeat, NumBlock, Grow, d, g);
        x = Tensor.Rand(new[] { batch, 3, size, size }, d, g);
        if (train)
        {
            target = Tensor.Rand(new[] { batch, 3, size * Scale, size * Scale }, d, g);
            adam = new Adam(net.Parameters(), 1e-4f, (0.9f, 0.99f));
        }
        else
        {
            net.Eval();
            net.RequiresGrad(false);
        }
    }

    public override void Call()
    {
        using var scope = Tensor.Scope();
        if (!train)
        {
            net!.Forward(x!);
            return;
        }
        adam!.ZeroGrad();
        var loss = Losses.L1(net!.Forward(x!), target!);
        loss.Backward();
        adam.Step();
    }

    public override Validation Validate()
    {
        var check = train ? CheckGradients() : CheckForward();
        if (!check.Ok) return check;
        // One call of the timed network must give finite values (a broken kernel at full size shows here).
        using var scope = Tensor.Scope();
        float[] y;
        if (train)
        {
            adam!.ZeroGrad();
            var loss = Losses.L1(net!.Forward(x!), target!);
            loss.Backward();
            y = new[] { loss.Item() };
        }
        else
            y = net!.Forward(x!).ToArray();
        int bad = Array.FindIndex(y, v => !float.IsFinite(v));
        return bad >= 0
            ? new Validation(false, double.NaN, $"non-finite value at {bad} of the full-size result")
            : check;
    }

    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    private static RRDBNet LoadTiny(string name, Device d)
    {
        var weights = Safetensors.Read(FixturePath(name + ".weights.safetensors"));
        var (model, _) = SrArchitecture.CreateFromStateDict(weights.Tensors, d, name);
        return (RRDBNet)model;
    }

    /// <summary>rrdbnet_tiny_x4 (16 features, 2 blocks) forward vs PyTorch, rtol 1e-3 + atol 1e-5.</summary>
    private Validation CheckForward()
    {
        var io = Safetensors.Read(FixturePath("rrdbnet_tiny_x4.io.safetensors")).Tensors;
        using var tiny = LoadTiny("rrdbnet_tiny_x4", device!);
        using var scope = Tensor.Scope();
        var y = tiny.Forward(Tensor.FromArray(io["input"].Data, io["input"].Shape, device!)).ToArray();
        return Compare("output", io["output"].Data, y);
    }

    /// <summary>rrdbnet_tiny_x2 input and weight gradients vs PyTorch for its given output gradient.</summary>
    private Validation CheckGradients()
    {
        var io = Safetensors.Read(FixturePath("rrdbnet_tiny_x2.io.safetensors")).Tensors;
        using var tiny = LoadTiny("rrdbnet_tiny_x2", device!);
        using var scope = Tensor.Scope();
        var input = Tensor.FromArray(io["input"].Data, io["input"].Shape, device!).RequireGrad();
        var y = tiny.Forward(input);
        y.Backward(Tensor.FromArray(io["gout"].Data, io["gout"].Shape, device!));
        var check = Compare("grad.input", io["grad.input"].Data, input.Grad!.ToArray());
        var parameters = tiny.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor);
        int n = 1;
        foreach (var (key, entry) in io.Where(kv => kv.Key.StartsWith("grad.", StringComparison.Ordinal) && kv.Key != "grad.input"))
        {
            var c = Compare(key, entry.Data, parameters[key["grad.".Length..]].Grad!.ToArray());
            if (!c.Ok) return c;
            check = check with { MaxError = Math.Max(check.MaxError, c.MaxError) };
            n++;
        }
        return check with { Detail = $"tiny x2 RRDBNet: {n} gradients match PyTorch" };
    }

    private static Validation Compare(string what, float[] expected, float[] actual)
    {
        if (expected.Length != actual.Length)
            return new Validation(false, double.NaN, $"{what}: {actual.Length} values, PyTorch has {expected.Length}");
        double maxErr = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs((double)actual[i] - expected[i]);
            maxErr = Math.Max(maxErr, err);
            if (!(err <= 1e-5 + 1e-3 * Math.Abs(expected[i])))
                return new Validation(false, err, string.Create(CultureInfo.InvariantCulture,
                    $"{what}[{i}] = {actual[i]}, PyTorch {expected[i]}"));
        }
        return new Validation(true, maxErr, $"tiny RRDBNet {what} matches PyTorch ({expected.Length} values)");
    }

    public override void Dispose()
    {
        adam?.Dispose();
        adam = null;
        net?.Dispose();
        x?.Dispose();
        target?.Dispose();
        net = null;
        x = target = null;
    }
}
