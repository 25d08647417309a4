#!/usr/bin/python3
"""Whole-network PyTorch references for the Pix2Pix, CycleGAN and ProGAN networks
(tests/ImageToImage/WholeNetworkFixtureTests.cs):

    /usr/bin/python3 tools/make_i2i_network_fixtures.py     # writes tests/fixtures/models/{i2i,progan}_*.safetensors

  i2i_unet_g_tiny        pix2pix's UnetGenerator, 3 -> 3, 32x32 (num_downs 5), ngf 8, batch norm, train mode (batch
                         statistics), batch 2
  i2i_resnet_g_tiny      CycleGAN's ResnetGenerator, 3 -> 3, 32x32, ngf 8, 2 blocks, instance norm, batch 1
  i2i_patchgan_tiny      the 70x70 PatchGAN (NLayerDiscriminator n_layers 3, ndf 8, batch norm, train mode) on
                         cat(A, B) (6 channels), 32x32, batch 2 -> [2, 1, 2, 2] logits
  progan_g_tiny_16       ProGanGenerator, resolution 16 (stage 2), fade-in alpha 0.3, fmap_base 64, fmap_max 16
                         (widths 16, 16, 8), 3 channels, latent 16, batch 4
  progan_d_tiny_16       ProGanDiscriminator of the same shape at stage 2, alpha 0.3, minibatch-stddev group 4, batch 4
  cyclegan_step_tiny     two CycleGanStep iterations (G ngf 4, 1 block; D ndf 4; 32x32): the eight losses of each step

The networks are tools/torch_i2i_nets.py (the published pytorch-CycleGAN-and-pix2pix definitions; ProGAN in
NativeGan's layout). Each fixture: `NAME.weights.safetensors` (the state dict, metadata `config`) and `NAME.io.safetensors`
(`input`, `output`, `gout`, `grad.input` = d sum(output * gout) / d input, and a few `grad.<param>`) in the
format of tools/make_sr_fixtures.py (its writer is reused); gout is scaled as a mean loss's gradient (see
forward_with_grads). Weights and inputs are rounded to float32 first and
everything runs in float64. Images are crops of tests/fixtures/srdata/images (astronaut, chelsea) in [-1, 1].
"""
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_sr_fixtures import OUT_DIR, ROOT, f32_exact, round_to_f32, state_of, write_safetensors  # noqa: E402
from torch_i2i_nets import (EqualizedConv2d, EqualizedLinear, NLayerDiscriminator, ProGanDiscriminator, ProGanGenerator, ResnetGenerator,  # noqa: E402
                            UnetGenerator, init_normal)

REFERENCE = f"torch {torch.__version__}, float64 on CPU, tools/make_i2i_network_fixtures.py"
IMAGES = os.path.join(ROOT, "tests", "fixtures", "srdata", "images")


def photo(name, size, top, left):
    """A size x size crop of a test photo as [1, 3, size, size] in [-1, 1] (PIL, no resampling)."""
    from PIL import Image
    img = Image.open(os.path.join(IMAGES, name)).convert("RGB")
    t = torch.tensor(list(img.getdata()), dtype=torch.float64).reshape(img.height, img.width, 3).permute(2, 0, 1)
    return f32_exact(t[:, top:top + size, left:left + size].unsqueeze(0) / 127.5 - 1.0)


def randomise(model, seed):
    """Biases and BatchNorm affine parameters away from their init values, so every term of the forward is tested;
    conv weights with std 1 / sqrt(fan_in) instead of init_normal's 0.02, so that the normalisation layers do not
    amplify rounding (with 0.02 the float32 gradients of PyTorch itself are off by percents from float64)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
                m.weight.copy_(torch.randn(m.weight.shape, generator=g, dtype=torch.float64) / fan_in ** 0.5)
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)) and m.bias is not None:
                m.bias.copy_(torch.rand(m.bias.shape, generator=g, dtype=torch.float64) * 0.2 - 0.1)
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g, dtype=torch.float64) + 0.5)
                m.bias.copy_(torch.rand(m.bias.shape, generator=g, dtype=torch.float64) * 0.4 - 0.2)
            elif isinstance(m, (EqualizedConv2d, EqualizedLinear)):
                m.bias.copy_(torch.rand(m.bias.shape, generator=g, dtype=torch.float64) * 0.4 - 0.2)
    round_to_f32(model)


def forward_with_grads(model, x, param_names):
    """The output, plus grad.input and grad.<param> of sum(output * gout) for gout ~ N(0, 1) / sqrt(numel(output))
    (stored as `gout`): the scale of a mean-type loss's gradient, so the gradients are O(1) and the fixtures' atol
    1e-5 sits above float32 rounding (with N(0, 1) the 32x32 generators' weight gradients reach 200 and PyTorch's own
    float32 result misses rtol 1e-4 / atol 1e-5 on hundreds of elements)."""
    xg = x.clone().requires_grad_(True)
    y = model(xg)
    gout = f32_exact(torch.randn(y.shape, dtype=torch.float64) / y.numel() ** 0.5)
    params = dict(model.named_parameters())
    grads = torch.autograd.grad(y, [xg] + [params[n] for n in param_names], gout)
    return {"output": y.detach(), "gout": gout, **{f"grad.{n}": g for n, g in zip(["input"] + param_names, grads)}}


def save(stem, model, config, x, param_names, seed):
    torch.manual_seed(seed)
    before = state_of(model)
    outputs = forward_with_grads(model, x, param_names)
    meta = {"config": json.dumps(config), "reference": REFERENCE}
    write_safetensors(os.path.join(OUT_DIR, stem + ".weights.safetensors"), before, meta)
    write_safetensors(os.path.join(OUT_DIR, stem + ".io.safetensors"), {"input": x, **outputs}, meta)
    print(f"{stem}: " + ", ".join(f"{k} {list(v.shape)}" for k, v in {"input": x, **outputs}.items()))


def main():
    torch.set_default_dtype(torch.float64)
    os.makedirs(OUT_DIR, exist_ok=True)
    a = torch.cat([photo("astronaut.png", 32, 10, 30), photo("chelsea.png", 32, 20, 40)], 0)
    b = torch.cat([photo("coffee.png", 32, 15, 25), photo("astronaut.png", 32, 50, 8)], 0)

    torch.manual_seed(1)
    unet = init_normal(UnetGenerator(3, 3, 5, 8, "batch", True)).double()
    randomise(unet, 101)
    unet.train()
    save("i2i_unet_g_tiny", unet, {"arch": "UnetGenerator", "input_nc": 3, "output_nc": 3, "num_downs": 5, "ngf": 8,
                                   "norm": "batch", "mode": "train"}, a,
         ["model.model.0.weight", "model.model.1.model.1.weight", "model.model.1.model.2.weight",
          "model.model.1.model.3.model.3.model.3.model.3.weight", "model.model.3.bias"], 11)

    torch.manual_seed(2)
    resnet = init_normal(ResnetGenerator(3, 3, 8, "instance", False, 2)).double()
    randomise(resnet, 102)
    save("i2i_resnet_g_tiny", resnet, {"arch": "ResnetGenerator", "input_nc": 3, "output_nc": 3, "ngf": 8, "n_blocks": 2,
                                       "norm": "instance"}, a[:1],
         ["model.1.weight", "model.7.weight", "model.10.conv_block.1.weight", "model.12.weight", "model.19.weight", "model.19.bias"], 12)

    torch.manual_seed(3)
    patch = init_normal(NLayerDiscriminator(6, 8, 3, "batch")).double()
    randomise(patch, 103)
    patch.train()
    save("i2i_patchgan_tiny", patch, {"arch": "NLayerDiscriminator", "input_nc": 6, "ndf": 8, "n_layers": 3, "norm": "batch",
                                      "mode": "train"}, torch.cat([a, b], 1),
         ["model.0.weight", "model.3.weight", "model.6.bias", "model.8.weight", "model.11.weight", "model.11.bias"], 13)

    stage, alpha, batch = 2, 0.3, 4
    torch.manual_seed(4)
    g = ProGanGenerator(16, 3, None, 64, 16).double()
    randomise(g, 104)
    g.forward = lambda z, _f=g.forward: _f(z, stage, alpha)
    z = f32_exact(torch.randn(batch, g.latent_dim))
    cfg = {"arch": "ProGan", "resolution": 16, "channels": 3, "fmap_base": 64, "fmap_max": 16, "stage": stage, "alpha": alpha}
    save("progan_g_tiny_16", g, {**cfg, "latent_dim": g.latent_dim}, z,
         ["dense.weight", "conv0.bias", "blocks.0.conv2.weight", "blocks.1.conv1.weight", "to_rgb.1.weight", "to_rgb.2.bias"], 14)

    torch.manual_seed(5)
    d = ProGanDiscriminator(16, 3, 64, 16, 4).double()
    randomise(d, 105)
    d.forward = lambda x, _f=d.forward: _f(x, stage, alpha)
    x = torch.cat([a, b], 0)[:, :, 8:24, 8:24].contiguous()
    save("progan_d_tiny_16", d, {**cfg, "mbstd_group_size": 4}, x,
         ["from_rgb.2.weight", "from_rgb.1.bias", "blocks.1.conv1.weight", "blocks.0.conv2.bias", "conv0.weight", "dense1.weight",
          "dense2.bias"], 15)

    cyclegan_steps(a[:1], b[:1], 16)


def cyclegan_steps(real_a, real_b, seed):
    """cyclegan_step_tiny: two CycleGAN iterations (CycleGanStep: lsgan, cycle 10, identity 0.5, pools of 50 (still
    filling, so no randomness), Adam 2e-4 (0.5, 0.999)) of ResNet G (ngf 4, 1 block) and PatchGAN D (ndf 4) at 32x32;
    weights under G_A. / G_B. / D_A. / D_B., inputs A and B, and the eight losses of each step (`losses.1`, `losses.2`)."""
    from torch_i2i_nets import CycleGanStep
    torch.manual_seed(seed)

    count = iter(range(seed, seed + 4))

    def init(net):  # a different stream per network, so that G_A != G_B and D_A != D_B
        net = init_normal(net).double()
        randomise(net, next(count))
        return net
    step = CycleGanStep(32, torch.device("cpu"), 3, 4, 4, 1, init=init)
    weights = {f"{p}.{k}": v for p, m in step.modules().items() for k, v in state_of(m).items()}
    tensors = {"A": real_a, "B": real_b, "losses.1": step(real_a, real_b), "losses.2": step(real_a, real_b)}
    config = {"arch": "CycleGAN", "size": 32, "ngf": 4, "ndf": 4, "n_blocks": 1, "n_layers_d": 3, "norm": "instance",
              "gan_type": "lsgan", "lambda_a": 10, "lambda_b": 10, "lambda_identity": 0.5, "pool_size": 50, "lr": 2e-4,
              "betas": [0.5, 0.999], "losses": ["D_A", "G_A", "cycle_A", "idt_A", "D_B", "G_B", "cycle_B", "idt_B"]}
    meta = {"config": json.dumps(config), "reference": REFERENCE}
    write_safetensors(os.path.join(OUT_DIR, "cyclegan_step_tiny.weights.safetensors"), weights, meta)
    write_safetensors(os.path.join(OUT_DIR, "cyclegan_step_tiny.io.safetensors"), tensors, meta)
    print("cyclegan_step_tiny: losses", [round(v, 6) for v in tensors["losses.1"].tolist()], [round(v, 6) for v in tensors["losses.2"].tolist()])


if __name__ == "__main__":
    main()
