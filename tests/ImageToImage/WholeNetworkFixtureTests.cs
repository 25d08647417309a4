using NativeGan.Tests.Fixtures;
using NativeGan.Models.Gans;
using NativeGan.Models.ImageToImage;
using NativeGan.NN;
using NativeGan.Tests.Sr;

namespace NativeGan.Tests.ImageToImage;

/// <summary>
/// The Pix2Pix, CycleGAN and ProGAN networks end to end against PyTorch (tests/fixtures/models, written by
/// tools/make_i2i_network_fixtures.py from tools/torch_i2i_nets.py; float64 reference, float32 store): the PyTorch
/// state dict is loaded as it is, then the forward output and the gradients of sum(output * gout) with respect to the
/// input and a few parameters of every kind are compared at the fixture tolerances (rtol 1e-4, atol 1e-5).
/// <para>Keys. Pix2Pix / CycleGAN: identical to junyanz/pytorch-CycleGAN-and-pix2pix (the test asserts the key sets are
/// equal). ProGAN: NativeGan's own layout; facebookresearch/pytorch_GAN_zoo (progressive_conv_net.py) names the same
/// tensors G: dense = formatLayer.module, conv0 = groupScale0.0.module, blocks.K.conv1 / conv2 = scaleLayers.K.0 / 1.module,
/// to_rgb.S = toRGBLayers.S.module; D: from_rgb.S = fromRGBLayers.S.module, blocks.K.conv1 / conv2 = scaleLayers.K.0 / 1.module,
/// conv0 = groupScaleZero.0.module, dense1 = groupScaleZero.1.module, dense2 = decisionLayer.module (weights stored
/// N(0, 1) and scaled by sqrt(2 / fan_in) at run time in both). Its fade weight is ours reversed (GAN_zoo's alpha 1 =
/// all old path), and its minibatch-stddev grouping differs, so a GAN_zoo checkpoint needs that mapping, 1 - alpha and
/// our grouping to give these outputs.</para>
/// </summary>
public class WholeNetworkFixtureTests
{
    private static void CheckForwardAndGradients(Module model, SrFixture f, Device device, Func<Tensor, Tensor> forward)
    {
        using var scope = Tensor.Scope();
        var x = f.Tensor("input", device, requiresGrad: true);
        var y = forward(x);
        SrFixture.AssertClose(f.Entry("output"), y, $"{f.Name} output");
        var parameters = model.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor);
        var names = f.Io.Tensors.Keys.Where(k => k.StartsWith("grad.", StringComparison.Ordinal)).Select(k => k["grad.".Length..]).ToList();
        Assert.True(names.Count >= 5, $"{f.Name}: expected grad.input and several parameter gradients, got {string.Join(", ", names)}");
        var inputs = names.Select(n => n == "input" ? x : parameters[n]).ToArray();
        var grads = NativeGan.Autograd.Grad(new[] { y }, inputs, new[] { f.Tensor("gout", device) });
        for (int i = 0; i < names.Count; i++)
            SrFixture.AssertClose(f.Entry("grad." + names[i]), grads[i]!, $"{f.Name} grad.{names[i]}");
    }

    private static void LoadExactly(Module model, SrFixture f)
    {
        Assert.Equal(f.Weights.Tensors.Keys.Order(StringComparer.Ordinal), model.StateDict().Keys.Order(StringComparer.Ordinal));
        model.LoadStateDict(f.Weights);
    }

    private static Device DeviceFor(string name)
    {
        return Device.Parse(name);
    }

    /// <summary>pix2pix's U-Net at 32x32 (num_downs 5, so no dropout level), ngf 8, batch norm in train mode, batch 2.
    /// The reference's in-place LeakyReLU makes every inner skip connection carry LeakyReLU(x); the parent's ReLU
    /// right after makes that the same as our cat([x, ...]).</summary>
    [Theory]
    [Devices("cpu", "cuda")]
    public void UnetGeneratorMatchesPyTorch(string deviceName)
    {
        var device = DeviceFor(deviceName);
        var f = SrFixture.Load("i2i_unet_g_tiny");
        using var g = new UnetGenerator(f.Int("input_nc"), f.Int("output_nc"), f.Int("num_downs"), f.Int("ngf"), I2iNorm.Batch, useDropout: true, device: device);
        LoadExactly(g, f);
        g.Train();
        CheckForwardAndGradients(g, f, device, g.Forward);
    }

    /// <summary>CycleGAN's ResNet generator at 32x32, ngf 8, 2 residual blocks, instance norm.</summary>
    [Theory]
    [Devices("cpu", "cuda")]
    public void ResnetGeneratorMatchesPyTorch(string deviceName)
    {
        var device = DeviceFor(deviceName);
        var f = SrFixture.Load("i2i_resnet_g_tiny");
        using var g = new ResnetGenerator(f.Int("input_nc"), f.Int("output_nc"), f.Int("ngf"), I2iNorm.Instance, false, f.Int("n_blocks"), device);
        LoadExactly(g, f);
        g.Train();
        CheckForwardAndGradients(g, f, device, g.Forward);
    }

    /// <summary>The 70x70 PatchGAN (n_layers 3) on cat(A, B), ndf 8, batch norm in train mode, 32x32 -> 2x2 logits.</summary>
    [Theory]
    [Devices("cpu", "cuda")]
    public void PatchGanMatchesPyTorch(string deviceName)
    {
        var device = DeviceFor(deviceName);
        var f = SrFixture.Load("i2i_patchgan_tiny");
        using var d = new NLayerDiscriminator(f.Int("input_nc"), f.Int("ndf"), f.Int("n_layers"), I2iNorm.Batch, device);
        Assert.Equal(70, d.ReceptiveField);
        LoadExactly(d, f);
        d.Train();
        CheckForwardAndGradients(d, f, device, d.Forward);
    }

    /// <summary>
    /// Two <see cref="CycleGanStep"/> iterations against PyTorch's (tools/torch_i2i_nets.py's CycleGanStep, the
    /// reference's optimize_parameters) from the same four networks (ResNet G ngf 4, 1 block; PatchGAN D ndf 4; 32x32
    /// photo crops): the eight losses of the first step test the loss terms and their weights, those of the second the
    /// Adam updates of both optimizers (the pools are still filling, so no randomness is involved).
    /// </summary>
    [Fact]
    public void CycleGanTwoStepsMatchPyTorch()
    {
        var f = SrFixture.Load("cyclegan_step_tiny");
        var device = Device.Cpu;
        int ngf = f.Int("ngf"), ndf = f.Int("ndf"), blocks = f.Int("n_blocks");
        using var gA = new ResnetGenerator(3, 3, ngf, I2iNorm.Instance, false, blocks, device);
        using var gB = new ResnetGenerator(3, 3, ngf, I2iNorm.Instance, false, blocks, device);
        using var dA = new NLayerDiscriminator(3, ndf, f.Int("n_layers_d"), I2iNorm.Instance, device);
        using var dB = new NLayerDiscriminator(3, ndf, f.Int("n_layers_d"), I2iNorm.Instance, device);
        foreach (var (prefix, net) in new (string, Module)[] { ("G_A.", gA), ("G_B.", gB), ("D_A.", dA), ("D_B.", dB) })
        {
            var state = f.Weights.Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value.Data);
            Assert.Equal(state.Keys.Order(StringComparer.Ordinal), net.StateDict().Keys.Order(StringComparer.Ordinal));
            net.LoadStateDict(state);
        }
        using var step = new CycleGanStep(gA, gB, dA, dB, new I2iGanLoss(f.Config.GetProperty("gan_type").GetString()!),
            10f, 10f, 0.5f, f.Int("pool_size"), 2e-4f, (0.5f, 0.999f), seed: 1);
        using var a = f.Tensor("A", device);
        using var b = f.Tensor("B", device);
        for (int i = 1; i <= 2; i++)
        {
            var r = step.Step(a, b);
            var losses = new[] { r.DA, r.GA, r.CycleA, r.IdtA, r.DB, r.GB, r.CycleB, r.IdtB };
            Fixtures.Assertions.AssertClose(f.Data($"losses.{i}"), losses, 1e-4, 1e-5, $"CycleGAN step {i} losses (D_A, G_A, cycle_A, idt_A, D_B, G_B, cycle_B, idt_B)");
        }
    }

    /// <summary>ProGAN's G at 16x16 mid-fade (stage 2, alpha 0.3), widths 16, 16, 8; the input gradient is d/dz.</summary>
    [Theory]
    [Devices("cpu", "cuda")]
    public void ProGanGeneratorMidFadeMatchesPyTorch(string deviceName)
    {
        var device = DeviceFor(deviceName);
        var f = SrFixture.Load("progan_g_tiny_16");
        float alpha = (float)f.Config.GetProperty("alpha").GetDouble();
        using var g = new ProGanGenerator(f.Int("resolution"), f.Int("channels"), f.Int("latent_dim"), f.Int("fmap_base"), f.Int("fmap_max"), device);
        LoadExactly(g, f);
        CheckForwardAndGradients(g, f, device, z => g.Forward(z, f.Int("stage"), alpha));
    }

    /// <summary>ProGAN's D at 16x16 mid-fade (stage 2, alpha 0.3), minibatch stddev over a group of 4.</summary>
    [Theory]
    [Devices("cpu", "cuda")]
    public void ProGanDiscriminatorMidFadeMatchesPyTorch(string deviceName)
    {
        var device = DeviceFor(deviceName);
        var f = SrFixture.Load("progan_d_tiny_16");
        float alpha = (float)f.Config.GetProperty("alpha").GetDouble();
        using var d = new ProGanDiscriminator(f.Int("resolution"), f.Int("channels"), f.Int("fmap_base"), f.Int("fmap_max"), f.Int("mbstd_group_size"), device);
        LoadExactly(d, f);
        CheckForwardAndGradients(d, f, device, x => d.Forward(x, f.Int("stage"), alpha));
    }
}
