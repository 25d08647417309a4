"""UNetDiscriminatorSN fixture (Real-ESRGAN, realesrgan/archs/discriminator_arch.py) at num_feat 8 on 1x3x32x32.

Written from the published architecture: conv0, spectral-norm convs conv1..conv8 (bias False), conv9,
LeakyReLU 0.2, bilinear x2 upsampling with align_corners False, skip connections.
Saves the initial state dict (weight_orig / weight_u / weight_v as torch.nn.utils.spectral_norm stores them),
the input, the output and the input gradient for a fixed gout, in train mode (one power iteration, u/v updated:
the updated u/v are saved as train.after.*) and in eval mode (no power iteration) with those updated u/v.
Run with /usr/bin/python3 (torch 1.13). Output: tests/fixtures/realesrgan/unet_d.safetensors
"""
import json, struct, os
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import spectral_norm
from safetensors_io import write_safetensors as save  # noqa: E402  (tools/safetensors_io.py)

torch.set_default_dtype(torch.float64)


class UNetD(nn.Module):
    def __init__(self, cin, nf, skip=True):
        super().__init__()
        self.skip = skip
        n = spectral_norm
        self.conv0 = nn.Conv2d(cin, nf, 3, 1, 1)
        self.conv1 = n(nn.Conv2d(nf, nf * 2, 4, 2, 1, bias=False))
        self.conv2 = n(nn.Conv2d(nf * 2, nf * 4, 4, 2, 1, bias=False))
        self.conv3 = n(nn.Conv2d(nf * 4, nf * 8, 4, 2, 1, bias=False))
        self.conv4 = n(nn.Conv2d(nf * 8, nf * 4, 3, 1, 1, bias=False))
        self.conv5 = n(nn.Conv2d(nf * 4, nf * 2, 3, 1, 1, bias=False))
        self.conv6 = n(nn.Conv2d(nf * 2, nf, 3, 1, 1, bias=False))
        self.conv7 = n(nn.Conv2d(nf, nf, 3, 1, 1, bias=False))
        self.conv8 = n(nn.Conv2d(nf, nf, 3, 1, 1, bias=False))
        self.conv9 = nn.Conv2d(nf, 1, 3, 1, 1)

    def forward(self, x):
        lr = lambda t: F.leaky_relu(t, 0.2)
        up = lambda t: F.interpolate(t, scale_factor=2, mode='bilinear', align_corners=False)
        x0 = lr(self.conv0(x)); x1 = lr(self.conv1(x0)); x2 = lr(self.conv2(x1)); x3 = lr(self.conv3(x2))
        x4 = lr(self.conv4(up(x3)))
        if self.skip: x4 = x4 + x2
        x5 = lr(self.conv5(up(x4)))
        if self.skip: x5 = x5 + x1
        x6 = lr(self.conv6(up(x5)))
        if self.skip: x6 = x6 + x0
        out = lr(self.conv7(x6)); out = lr(self.conv8(out))
        return self.conv9(out)


torch.manual_seed(7)
net = UNetD(3, 8)
# store float32-representable weights so C# loads exactly what PyTorch used
with torch.no_grad():
    for p in list(net.parameters()) + list(net.buffers()):
        p.copy_(p.float().double())
state = {"w." + k: v.clone() for k, v in net.state_dict().items()}
x = torch.rand(1, 3, 32, 32).float().double()
gout = torch.randn(1, 1, 32, 32).float().double()
out = {}
after = {}
for mode in ("train", "eval"):
    m = UNetD(3, 8)
    # eval runs with the u / v left by the train-mode forward (with the initial random u / v sigma is far too
    # small and the outputs are ~1e7: an ill-conditioned check)
    m.load_state_dict({**{k[2:]: v for k, v in state.items()}, **after})
    m.train(mode == "train")
    xi = x.clone().requires_grad_(True)
    y = m(xi)
    (y * gout).sum().backward()
    out[mode + ".out"] = y
    out[mode + ".grad.x"] = xi.grad
    if mode == "train":
        for k, v in m.state_dict().items():
            if k.endswith("weight_u") or k.endswith("weight_v"):
                out["train.after." + k] = v
                after[k] = v.float().double()
os.makedirs("tests/fixtures/realesrgan", exist_ok=True)
save("tests/fixtures/realesrgan/unet_d.safetensors", {**state, "in.x": x, "gout": gout, **out})
print("saved", len(state), "weights; out", tuple(out["train.out"].shape))
