using NativeGan.IO;
using NativeGan.Models.Sr;

namespace NativeGan.Tests.Sr.RealEsrgan;

/// <summary>
/// UNetDiscriminatorSN against PyTorch 1.13 (tools/make_realesrgan_fixtures.py, num_feat 8, 1x3x32x32): the state dict
/// with weight_orig / weight_u / weight_v loads strictly; train mode (one power iteration, u and v updated) and eval mode
/// match output and input gradient, and the updated u / v match PyTorch's (eval runs with those updated u / v).
/// </summary>
public sealed class UNetDiscriminatorSNTests
{
    private static readonly SafetensorsFile Fx = Safetensors.Read(Path.Combine(AppContext.BaseDirectory, "fixtures", "realesrgan", "unet_d.safetensors"));

    private static UNetDiscriminatorSN Load(bool afterTrainStep)
    {
        var net = new UNetDiscriminatorSN(3, 8, true, Device.Cpu);
        var state = Fx.Tensors.Where(kv => kv.Key.StartsWith("w.")).ToDictionary(kv => kv.Key[2..], kv => kv.Value.Data);
        if (afterTrainStep) // eval mode runs with the u / v PyTorch left after the train-mode power iteration
            foreach (var kv in Fx.Tensors.Where(kv => kv.Key.StartsWith("train.after.")))
                state[kv.Key["train.after.".Length..]] = kv.Value.Data;
        Assert.Equal(net.StateDict().Keys.OrderBy(k => k), state.Keys.OrderBy(k => k));
        net.LoadStateDict(state, strict: true);
        return net;
    }

    private static Tensor T(string key, bool grad = false) => Tensor.FromArray(Fx.Tensors[key].Data, Fx.Tensors[key].Shape, Device.Cpu, grad);

    [Theory]
    [InlineData("train")]
    [InlineData("eval")]
    public void MatchesPyTorch(string mode)
    {
        var net = Load(afterTrainStep: mode == "eval");
        net.Train(mode == "train");
        var x = T("in.x", true);
        var y = net.Forward(x);
        SrFixture.AssertClose(Fx.Tensors[mode + ".out"], y, mode + " out");
        y.Mul(T("gout")).Sum(new[] { 0, 1, 2, 3 }, false).Backward();
        SrFixture.AssertClose(Fx.Tensors[mode + ".grad.x"], x.Grad!, mode + " grad x");
        if (mode == "train")
        {
            var sd = net.StateDict();
            foreach (var kv in Fx.Tensors.Where(kv => kv.Key.StartsWith("train.after.")))
                SrFixture.AssertClose(kv.Value, sd[kv.Key["train.after.".Length..]], kv.Key);
        }
    }

    [Fact]
    public void RejectsSizeNotDivisibleBy8()
    {
        var net = new UNetDiscriminatorSN(3, 4, true, Device.Cpu);
        var ex = Assert.Throws<ArgumentException>(() => net.Forward(Tensor.Zeros(new[] { 1, 3, 20, 24 }, Device.Cpu)));
        Assert.Contains("divisible by 8", ex.Message);
    }
}
