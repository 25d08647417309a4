#!/usr/bin/python3
"""PyTorch references for SRVGGNetCompact, Real-ESRGAN's compact network (realesr-general-x4v3,
realesr-animevideov3).

Run with Debian's PyTorch 1.13 (CPU):

    /usr/bin/python3 tools/make_srvgg_fixtures.py     # writes tests/fixtures/models/srvgg_*.safetensors

The network is written out here from Real-ESRGAN's definition (realesrgan/archs/srvgg_arch.py): body = conv 3x3
(in -> feat), act, num_conv x (conv feat -> feat, act), conv (feat -> out * r^2); out = pixel_shuffle(body(x), r) +
nearest(x, r). Keys body.N.weight / body.N.bias as there. As in tools/make_sr_fixtures.py, weights and inputs are
rounded to float32 first and everything runs in float64; `<name>.weights.safetensors` holds the state dict
(metadata `config`), `<name>.io.safetensors` the input, PyTorch's output, the upstream gradient `gout` and the
gradients `grad.input` / `grad.<param>` of sum(output * gout).
"""
import json
import os

import torch
from torch import nn
from torch.nn import functional as F

from make_sr_fixtures import OUT_DIR, f32_exact, forward_with_grads, round_to_f32, save_model


class SRVGGNetCompact(nn.Module):
    def __init__(self, num_in_ch=3, num_out_ch=3, num_feat=64, num_conv=16, upscale=4, act_type="prelu"):
        super().__init__()
        self.upscale = upscale
        self.body = nn.ModuleList()
        self.body.append(nn.Conv2d(num_in_ch, num_feat, 3, 1, 1))
        self.body.append(self.activation(act_type, num_feat))
        for _ in range(num_conv):
            self.body.append(nn.Conv2d(num_feat, num_feat, 3, 1, 1))
            self.body.append(self.activation(act_type, num_feat))
        self.body.append(nn.Conv2d(num_feat, num_out_ch * upscale * upscale, 3, 1, 1))
        self.upsampler = nn.PixelShuffle(upscale)

    @staticmethod
    def activation(act_type, num_feat):
        if act_type == "relu":
            return nn.ReLU()
        if act_type == "prelu":
            return nn.PReLU(num_parameters=num_feat)
        if act_type == "leakyrelu":
            return nn.LeakyReLU(negative_slope=0.1)
        raise ValueError(act_type)

    def forward(self, x):
        out = x
        for layer in self.body:
            out = layer(out)
        out = self.upsampler(out)
        # not in place (Real-ESRGAN adds in place) so autograd keeps the graph simple; the value is the same
        return out + F.interpolate(x, scale_factor=self.upscale, mode="nearest")


def srvgg(name, num_conv, upscale, act_type, seed, num_feat=8, size=(7, 5)):
    torch.manual_seed(seed)
    config = {"arch": "SRVGGNetCompact", "num_in_ch": 3, "num_out_ch": 3, "num_feat": num_feat, "num_conv": num_conv,
              "upscale": upscale, "act_type": act_type}
    model = SRVGGNetCompact(3, 3, num_feat, num_conv, upscale, act_type).double()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                m.bias.uniform_(-0.1, 0.1)
            elif isinstance(m, nn.PReLU):  # per-channel slopes that differ, so a shared slope would fail
                m.weight.uniform_(-0.3, 0.5)
    round_to_f32(model)
    x = f32_exact(torch.rand(1, 3, *size, dtype=torch.float64))
    last = 2 * num_conv + 2
    params = ["body.0.weight", "body.2.bias", f"body.{last}.weight", f"body.{last}.bias"]
    if act_type == "prelu":
        params += ["body.1.weight", f"body.{last - 1}.weight"]
    outputs = forward_with_grads(model, x, params)
    save_model(name, model, config, {"input": x}, outputs)
    return model


def save_pth(name, model):
    """Real-ESRGAN's release format: torch.save({'params': state_dict}) in float32 (realesr-general-x4v3.pth)."""
    path = os.path.join(OUT_DIR, name + ".pth")
    state = {k: v.detach().to(torch.float32).clone() for k, v in model.state_dict().items()}
    torch.save({"params": state}, path + ".tmp")
    os.replace(path + ".tmp", path)
    print(f"{name}.pth: {len(state)} tensors under 'params'")


def main():
    torch.set_default_dtype(torch.float64)
    os.makedirs(OUT_DIR, exist_ok=True)
    save_pth("srvgg_tiny_x4_conv2", srvgg("srvgg_tiny_x4_conv2", num_conv=2, upscale=4, act_type="prelu", seed=71))
    srvgg("srvgg_tiny_x2_conv5", num_conv=5, upscale=2, act_type="prelu", seed=72, size=(6, 9))
    srvgg("srvgg_tiny_x4_conv1_lrelu", num_conv=1, upscale=4, act_type="leakyrelu", seed=73)
    srvgg("srvgg_tiny_x2_conv2_relu", num_conv=2, upscale=2, act_type="relu", seed=74)


if __name__ == "__main__":
    main()
