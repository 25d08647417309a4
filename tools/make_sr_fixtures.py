#!/usr/bin/python3
"""PyTorch references for the super-resolution networks in models/Sr (RRDBNet, MSRResNet, SRResNet, the VGG-style
discriminator, the VGG19 feature extractor and the perceptual loss).

Run with Debian's PyTorch 1.13 (CPU):

    /usr/bin/python3 tools/make_sr_fixtures.py        # writes tests/fixtures/models/*.safetensors

The networks are written out here from their published definitions, so no BasicSR or torchvision install is needed:
  RRDBNet, MSRResNet, VGGStyleDiscriminator, VGGFeatureExtractor, PerceptualLoss: XPixelGroup/BasicSR
    (basicsr/archs/rrdbnet_arch.py, srresnet_arch.py, discriminator_arch.py, vgg_arch.py, arch_util.py,
    basicsr/losses/basic_loss.py);
  the VGG19 layer order and `features.N` indices: torchvision.models.vgg19 (cfg "E");
  SRResNet (SRGAN generator, BN + PReLU): Lornatang/SRGAN-PyTorch model.py (the layout of Ledig et al., Fig. 4).

For every model: `<name>.weights.safetensors` holds the state dict (metadata `config`, a JSON object), and
`<name>.io.safetensors` the input and PyTorch's outputs. Weights and inputs are rounded to float32 first and every
forward runs in float64, so the C# float32 forward starts from exactly the values PyTorch used.

rrdbnet_tiny_x4.weights.safetensors is the `params_ema` state dict of the committed rrdbnet_tiny_x4.pth, saved as
safetensors so the C# test does not need a .pth reader; the script checks that its RRDBNet reproduces the committed
rrdbnet_tiny_x4.io.safetensors (made with torch 2.11) before writing anything.
"""
import json
import math
import os
import struct

import torch
from torch import nn
from torch.nn import functional as F
from safetensors_io import write_safetensors, read_safetensors  # noqa: E402  (tools/safetensors_io.py)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "tests", "fixtures", "models")
REFERENCE = f"torch {torch.__version__}, float64 forward on CPU, tools/make_sr_fixtures.py"


# ---------------------------------------------------------------- safetensors (no package needed)

def state_of(module):
    """The module's state dict with float32-rounded values (num_batches_tracked as a float)."""
    return {k: v.detach().to(torch.float64).clone() for k, v in module.state_dict().items()}


def round_to_f32(module):
    with torch.no_grad():
        for t in list(module.parameters()) + list(module.buffers()):
            if t.is_floating_point():
                t.copy_(t.to(torch.float32).to(torch.float64))


def f32_exact(t):
    return t.to(torch.float32).to(torch.float64)


# ---------------------------------------------------------------- BasicSR arch_util

@torch.no_grad()
def default_init_weights(modules, scale=1.0, bias_fill=0.0):
    """kaiming_normal_ (fan_in, gain sqrt(2)) times `scale` for convs and linears, bias filled; BN weight 1."""
    for root in modules:
        for m in root.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight)
                m.weight.mul_(scale)
                if m.bias is not None:
                    m.bias.fill_(bias_fill)
            elif isinstance(m, nn.modules.batchnorm._BatchNorm):
                nn.init.constant_(m.weight, 1)
                if m.bias is not None:
                    m.bias.fill_(bias_fill)


def stack(block, count, **kwargs):
    return nn.Sequential(*[block(**kwargs) for _ in range(count)])


def pixel_unshuffle(x, r):
    b, c, hh, ww = x.shape
    h, w = hh // r, ww // r
    return x.view(b, c, h, r, w, r).permute(0, 1, 3, 5, 2, 4).reshape(b, c * r * r, h, w)


# ---------------------------------------------------------------- RRDBNet (ESRGAN)

class ResidualDenseBlock(nn.Module):
    def __init__(self, num_feat, num_grow_ch):
        super().__init__()
        for i in range(1, 6):
            cin = num_feat + (i - 1) * num_grow_ch
            cout = num_feat if i == 5 else num_grow_ch
            setattr(self, f"conv{i}", nn.Conv2d(cin, cout, 3, 1, 1))
        default_init_weights([getattr(self, f"conv{i}") for i in range(1, 6)], 0.1)

    def forward(self, x):
        feats = [x]
        for i in range(1, 5):
            feats.append(F.leaky_relu(getattr(self, f"conv{i}")(torch.cat(feats, 1)), 0.2))
        return self.conv5(torch.cat(feats, 1)) * 0.2 + x


class RRDB(nn.Module):
    def __init__(self, num_feat, num_grow_ch):
        super().__init__()
        self.rdb1 = ResidualDenseBlock(num_feat, num_grow_ch)
        self.rdb2 = ResidualDenseBlock(num_feat, num_grow_ch)
        self.rdb3 = ResidualDenseBlock(num_feat, num_grow_ch)

    def forward(self, x):
        return self.rdb3(self.rdb2(self.rdb1(x))) * 0.2 + x


class RRDBNet(nn.Module):
    def __init__(self, num_in_ch, num_out_ch, scale=4, num_feat=64, num_block=23, num_grow_ch=32):
        super().__init__()
        self.scale = scale
        first_in = num_in_ch * {4: 1, 2: 4, 1: 16}[scale]
        self.conv_first = nn.Conv2d(first_in, num_feat, 3, 1, 1)
        self.body = stack(RRDB, num_block, num_feat=num_feat, num_grow_ch=num_grow_ch)
        self.conv_body = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up1 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up2 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_hr = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_last = nn.Conv2d(num_feat, num_out_ch, 3, 1, 1)

    def forward(self, x):
        if self.scale == 2:
            x = pixel_unshuffle(x, 2)
        elif self.scale == 1:
            x = pixel_unshuffle(x, 4)
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        feat = F.leaky_relu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
        feat = F.leaky_relu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
        return self.conv_last(F.leaky_relu(self.conv_hr(feat), 0.2))


# ---------------------------------------------------------------- MSRResNet (BasicSR, no BN)

class ResidualBlockNoBN(nn.Module):
    def __init__(self, num_feat):
        super().__init__()
        self.conv1 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv2 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        default_init_weights([self.conv1, self.conv2], 0.1)

    def forward(self, x):
        return x + self.conv2(F.relu(self.conv1(x)))


class MSRResNet(nn.Module):
    def __init__(self, num_in_ch=3, num_out_ch=3, num_feat=64, num_block=16, upscale=4):
        super().__init__()
        self.upscale = upscale
        self.conv_first = nn.Conv2d(num_in_ch, num_feat, 3, 1, 1)
        self.body = stack(ResidualBlockNoBN, num_block, num_feat=num_feat)
        if upscale in (2, 3):
            self.upconv1 = nn.Conv2d(num_feat, num_feat * upscale * upscale, 3, 1, 1)
            self.pixel_shuffle = nn.PixelShuffle(upscale)
        else:
            self.upconv1 = nn.Conv2d(num_feat, num_feat * 4, 3, 1, 1)
            self.upconv2 = nn.Conv2d(num_feat, num_feat * 4, 3, 1, 1)
            self.pixel_shuffle = nn.PixelShuffle(2)
        self.conv_hr = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_last = nn.Conv2d(num_feat, num_out_ch, 3, 1, 1)
        default_init_weights([self.conv_first, self.upconv1, self.conv_hr, self.conv_last], 0.1)
        if upscale == 4:
            default_init_weights([self.upconv2], 0.1)

    def forward(self, x):
        out = self.body(F.leaky_relu(self.conv_first(x), 0.1))
        out = F.leaky_relu(self.pixel_shuffle(self.upconv1(out)), 0.1)
        if self.upscale == 4:
            out = F.leaky_relu(self.pixel_shuffle(self.upconv2(out)), 0.1)
        out = self.conv_last(F.leaky_relu(self.conv_hr(out), 0.1))
        return out + F.interpolate(x, scale_factor=self.upscale, mode="bilinear", align_corners=False)


# ---------------------------------------------------------------- SRResNet (SRGAN generator, Lornatang/SRGAN-PyTorch)

class ResidualConvBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.rcb = nn.Sequential(
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False), nn.BatchNorm2d(channels), nn.PReLU(),
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False), nn.BatchNorm2d(channels))

    def forward(self, x):
        return self.rcb(x) + x


class UpsampleBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.upsample_block = nn.Sequential(nn.Conv2d(channels, channels * 4, 3, 1, 1), nn.PixelShuffle(2), nn.PReLU())

    def forward(self, x):
        return self.upsample_block(x)


class SRResNet(nn.Module):
    def __init__(self, in_channels=3, out_channels=3, channels=64, num_rcb=16, upscale=4):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(in_channels, channels, 9, 1, 4), nn.PReLU())
        self.trunk = nn.Sequential(*[ResidualConvBlock(channels) for _ in range(num_rcb)])
        self.conv2 = nn.Sequential(nn.Conv2d(channels, channels, 3, 1, 1, bias=False), nn.BatchNorm2d(channels))
        self.upsampling = nn.Sequential(*[UpsampleBlock(channels) for _ in range(int(math.log2(upscale)))])
        self.conv3 = nn.Conv2d(channels, out_channels, 9, 1, 4)

    def forward(self, x):
        first = self.conv1(x)
        x = self.conv2(self.trunk(first)) + first
        return torch.clamp(self.conv3(self.upsampling(x)), 0.0, 1.0)


# ---------------------------------------------------------------- VGGStyleDiscriminator (BasicSR)

class VGGStyleDiscriminator(nn.Module):
    def __init__(self, num_in_ch, num_feat, input_size=128):
        super().__init__()
        self.input_size = input_size
        widths = [num_feat, num_feat * 2, num_feat * 4, num_feat * 8, num_feat * 8, num_feat * 8]
        self.conv0_0 = nn.Conv2d(num_in_ch, num_feat, 3, 1, 1, bias=True)
        self.conv0_1 = nn.Conv2d(num_feat, num_feat, 4, 2, 1, bias=False)
        self.bn0_1 = nn.BatchNorm2d(num_feat)
        stages = 6 if input_size == 256 else 5
        for s in range(1, stages):
            cin, cout = widths[s - 1], widths[s]
            setattr(self, f"conv{s}_0", nn.Conv2d(cin, cout, 3, 1, 1, bias=False))
            setattr(self, f"bn{s}_0", nn.BatchNorm2d(cout))
            setattr(self, f"conv{s}_1", nn.Conv2d(cout, cout, 4, 2, 1, bias=False))
            setattr(self, f"bn{s}_1", nn.BatchNorm2d(cout))
        self.stages = stages
        self.linear1 = nn.Linear(num_feat * 8 * 4 * 4, 100)
        self.linear2 = nn.Linear(100, 1)

    def forward(self, x):
        feat = F.leaky_relu(self.conv0_0(x), 0.2)
        feat = F.leaky_relu(self.bn0_1(self.conv0_1(feat)), 0.2)
        for s in range(1, self.stages):
            feat = F.leaky_relu(getattr(self, f"bn{s}_0")(getattr(self, f"conv{s}_0")(feat)), 0.2)
            feat = F.leaky_relu(getattr(self, f"bn{s}_1")(getattr(self, f"conv{s}_1")(feat)), 0.2)
        feat = F.leaky_relu(self.linear1(feat.flatten(1)), 0.2)
        return self.linear2(feat)


# ---------------------------------------------------------------- VGG19 features (torchvision) and BasicSR's names

VGG19_NAMES = [
    "conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1",
    "conv2_1", "relu2_1", "conv2_2", "relu2_2", "pool2",
    "conv3_1", "relu3_1", "conv3_2", "relu3_2", "conv3_3", "relu3_3", "conv3_4", "relu3_4", "pool3",
    "conv4_1", "relu4_1", "conv4_2", "relu4_2", "conv4_3", "relu4_3", "conv4_4", "relu4_4", "pool4",
    "conv5_1", "relu5_1", "conv5_2", "relu5_2", "conv5_3", "relu5_3", "conv5_4", "relu5_4", "pool5",
]


def vgg19_features(widths=(64, 128, 256, 512, 512)):
    """torchvision's vgg19().features (cfg E: 2, 2, 4, 4, 4 convs per stage), stage widths configurable."""
    layers, cin = [], 3
    for stage, convs in enumerate((2, 2, 4, 4, 4)):
        for _ in range(convs):
            layers += [nn.Conv2d(cin, widths[stage], 3, padding=1), nn.ReLU()]
            cin = widths[stage]
        layers.append(nn.MaxPool2d(2, 2))
    features = nn.Sequential(*layers)
    with torch.no_grad():  # torchvision's init for convs (kaiming fan_out relu); small random biases
        for m in features:
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                m.bias.uniform_(-0.05, 0.05)
    return features


class VGGFeatureExtractor(nn.Module):
    def __init__(self, features, layer_names, use_input_norm=True, range_norm=False):
        super().__init__()
        self.layer_names = layer_names
        self.use_input_norm = use_input_norm
        self.range_norm = range_norm
        last = max(VGG19_NAMES.index(n) for n in layer_names)
        self.layers = [(VGG19_NAMES[i], features[i]) for i in range(last + 1)]
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406], dtype=torch.float64).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225], dtype=torch.float64).view(1, 3, 1, 1))

    def forward(self, x):
        if self.range_norm:
            x = (x + 1) / 2
        if self.use_input_norm:
            x = (x - self.mean) / self.std
        out = {}
        for name, layer in self.layers:
            x = layer(x)
            if name in self.layer_names:
                out[name] = x
        return out


def gram(x):
    n, c, h, w = x.shape
    f = x.reshape(n, c, h * w)
    return f.bmm(f.transpose(1, 2)) / (c * h * w)


def perceptual_loss(vgg, layer_weights, x, gt, perceptual_weight, style_weight, criterion):
    """BasicSR's PerceptualLoss.forward: the weighted feature distance and the weighted Gram-matrix distance."""
    fx, fg = vgg(x), vgg(gt.detach())

    def dist(a, b):
        if criterion == "l1":
            return F.l1_loss(a, b)
        if criterion == "l2":
            return F.mse_loss(a, b)
        return torch.norm(a - b, p="fro")

    percep = sum(dist(fx[k], fg[k]) * layer_weights[k] for k in fx) * perceptual_weight
    style = sum(dist(gram(fx[k]), gram(fg[k])) * layer_weights[k] for k in fx) * style_weight
    return percep, style


# ---------------------------------------------------------------- fixtures

def save_model(stem, model, config, inputs, outputs):
    meta = {"config": json.dumps(config), "reference": REFERENCE}
    write_safetensors(os.path.join(OUT_DIR, stem + ".weights.safetensors"), state_of(model), meta)
    write_safetensors(os.path.join(OUT_DIR, stem + ".io.safetensors"), {**inputs, **outputs}, meta)
    print(f"{stem}: " + ", ".join(f"{k} {list(v.shape)}" for k, v in {**inputs, **outputs}.items()))


def forward_with_grads(model, x, param_names):
    """The output, plus grad.input and grad.<param> of sum(output * gout) for a random gout (stored as `gout`)."""
    xg = x.clone().requires_grad_(True)
    y = model(xg)
    gout = f32_exact(torch.randn(y.shape, dtype=torch.float64))
    params = dict(model.named_parameters())
    grads = torch.autograd.grad(y, [xg] + [params[n] for n in param_names], gout)
    outputs = {"output": y.detach(), "gout": gout, "grad.input": grads[0]}
    for n, g in zip(param_names, grads[1:]):
        outputs[f"grad.{n}"] = g
    return outputs


def rrdbnet_from_pth():
    stem = "rrdbnet_tiny_x4"
    io, meta = read_safetensors(os.path.join(OUT_DIR, stem + ".io.safetensors"))
    config = json.loads(meta["config"])
    checkpoint = torch.load(os.path.join(OUT_DIR, stem + ".pth"), map_location="cpu")
    state = checkpoint[meta.get("key", "params_ema")]
    model = RRDBNet(config["num_in_ch"], config["num_out_ch"], config["scale"], config["num_feat"],
                    config["num_block"], config["num_grow_ch"]).double()
    model.load_state_dict({k: v.to(torch.float64) for k, v in state.items()})
    with torch.no_grad():
        out = model(io["input"])
    err = (out - io["output"]).abs().max().item()
    assert torch.allclose(out, io["output"], rtol=1e-5, atol=1e-6), f"RRDBNet does not reproduce {stem}.io: max err {err}"
    print(f"{stem}: the script's RRDBNet reproduces the committed output (max abs err {err:.2e})")
    write_safetensors(os.path.join(OUT_DIR, stem + ".weights.safetensors"), {k: v for k, v in state.items()},
                      {"config": meta["config"], "reference": f"params_ema of {stem}.pth, tools/make_sr_fixtures.py"})


def rrdbnet_random(scale, seed):
    torch.manual_seed(seed)
    config = {"arch": "RRDBNet", "num_in_ch": 3, "num_out_ch": 3, "scale": scale, "num_feat": 8, "num_block": 1, "num_grow_ch": 4}
    model = RRDBNet(3, 3, scale, 8, 1, 4).double()
    with torch.no_grad():  # the 0.1-scaled RDB init makes the body nearly the identity; larger weights test it
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.mul_(3.0)
                m.bias.uniform_(-0.1, 0.1)
    round_to_f32(model)
    x = f32_exact(torch.rand(1, 3, 8, 8, dtype=torch.float64))
    outputs = forward_with_grads(model, x, ["conv_first.weight", "body.0.rdb1.conv1.weight", "body.0.rdb2.conv3.weight",
                                            "body.0.rdb3.conv5.bias", "conv_up2.weight", "conv_last.bias"])
    save_model(f"rrdbnet_tiny_x{scale}", model, config, {"input": x}, outputs)


def msrresnet(scale, num_block, seed):
    torch.manual_seed(seed)
    config = {"arch": "MSRResNet", "num_in_ch": 3, "num_out_ch": 3, "num_feat": 8, "num_block": num_block, "upscale": scale}
    model = MSRResNet(3, 3, 8, num_block, scale).double()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.mul_(3.0)
                m.bias.uniform_(-0.1, 0.1)
    round_to_f32(model)
    x = f32_exact(torch.rand(1, 3, 6, 5, dtype=torch.float64))
    outputs = forward_with_grads(model, x, ["conv_first.weight", "body.0.conv2.weight", "upconv1.weight", "conv_last.bias"])
    save_model(f"msrresnet_tiny_x{scale}", model, config, {"input": x}, outputs)


def srresnet(seed):
    torch.manual_seed(seed)
    config = {"arch": "SRResNet", "num_in_ch": 3, "num_out_ch": 3, "num_feat": 8, "num_block": 2, "upscale": 4}
    model = SRResNet(3, 3, 8, 2, 4).double()
    with torch.no_grad():  # trained-looking BN statistics and PReLU slopes, eval mode
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.mul_(0.5)
                if m.bias is not None:
                    m.bias.uniform_(0.2, 0.4)
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(7)
            elif isinstance(m, nn.PReLU):
                m.weight.uniform_(0.1, 0.4)
    round_to_f32(model)
    model.eval()
    x = f32_exact(torch.rand(1, 3, 6, 5, dtype=torch.float64))
    with torch.no_grad():
        y = model(x)
    save_model("srresnet_tiny_x4", model, config, {"input": x}, {"output": y})


def discriminator(seed):
    torch.manual_seed(seed)
    config = {"arch": "VGGStyleDiscriminator", "num_in_ch": 3, "num_feat": 2, "input_size": 128}
    model = VGGStyleDiscriminator(3, 2, 128).double()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    round_to_f32(model)
    before = state_of(model)
    model.train()
    x = f32_exact(torch.rand(2, 3, 128, 128, dtype=torch.float64) * 2 - 1)
    grads = forward_with_grads(model, x, ["conv0_0.weight", "bn2_1.weight", "conv4_0.weight", "linear1.weight"])
    y = grads.pop("output")
    after = state_of(model)
    meta = {"config": json.dumps(config), "reference": REFERENCE}
    write_safetensors(os.path.join(OUT_DIR, "vgg_discriminator_tiny_128.weights.safetensors"), before, meta)
    outputs = {"output": y, **{k: v for k, v in grads.items() if k not in ("grad.input",)}}
    for k in ("bn0_1.running_mean", "bn0_1.running_var", "bn4_1.running_mean", "bn4_1.running_var"):
        outputs[f"after.{k}"] = after[k]
    write_safetensors(os.path.join(OUT_DIR, "vgg_discriminator_tiny_128.io.safetensors"), {"input": x, **outputs}, meta)
    print("vgg_discriminator_tiny_128: input [2, 3, 128, 128], output", list(y.shape), "(train mode)")


def vgg_and_perceptual(seed):
    torch.manual_seed(seed)
    widths = (4, 8, 8, 16, 16)
    layers = ["conv1_2", "relu2_2", "conv3_4", "conv5_4"]
    layer_weights = {"conv1_2": 0.1, "relu2_2": 0.5, "conv3_4": 1.0, "conv5_4": 1.0}
    features = vgg19_features(widths).double()
    round_to_f32(features)
    weights = {f"features.{k}": v for k, v in state_of(features).items()}  # torchvision's vgg19 keys
    x = f32_exact(torch.rand(1, 3, 32, 32, dtype=torch.float64))
    gt = f32_exact(torch.rand(1, 3, 32, 32, dtype=torch.float64))
    vgg = VGGFeatureExtractor(features, layers)
    tensors = {"x": x, "gt": gt}
    with torch.no_grad():
        for k, v in vgg(x).items():
            tensors[f"feat.{k}"] = v
        ranged = VGGFeatureExtractor(features, layers, use_input_norm=True, range_norm=True)
        for k, v in ranged(x * 2 - 1).items():
            tensors[f"feat_range_norm.{k}"] = v
        raw = VGGFeatureExtractor(features, layers, use_input_norm=False)
        for k, v in raw(x).items():
            tensors[f"feat_no_input_norm.{k}"] = v
    for criterion in ("l1", "l2", "fro"):
        xg = x.clone().requires_grad_(True)
        percep, style = perceptual_loss(vgg, layer_weights, xg, gt, 1.0, 0.5, criterion)
        (gx,) = torch.autograd.grad(percep + style, xg)
        tensors[f"{criterion}.percep"] = percep.reshape(1)
        tensors[f"{criterion}.style"] = style.reshape(1)
        tensors[f"{criterion}.grad_x"] = gx
    config = {"arch": "vgg19", "widths": list(widths), "layers": layers, "layer_weights": layer_weights,
              "perceptual_weight": 1.0, "style_weight": 0.5}
    meta = {"config": json.dumps(config), "reference": REFERENCE}
    write_safetensors(os.path.join(OUT_DIR, "vgg19_tiny.weights.safetensors"), weights, meta)
    write_safetensors(os.path.join(OUT_DIR, "vgg19_tiny.io.safetensors"), tensors, meta)
    print("vgg19_tiny: " + ", ".join(f"{k} {list(v.shape)}" for k, v in tensors.items()))


def main():
    torch.set_default_dtype(torch.float64)
    os.makedirs(OUT_DIR, exist_ok=True)
    rrdbnet_from_pth()
    rrdbnet_random(2, 21)
    rrdbnet_random(1, 22)
    msrresnet(4, 2, 31)
    msrresnet(3, 1, 32)
    srresnet(41)
    discriminator(51)
    vgg_and_perceptual(61)


if __name__ == "__main__":
    main()
