"""Writes configs/demo/vgg19_conv1_random.safetensors: the first two convolutions of torchvision's vgg19
(features.0 = conv1_1, features.2 = conv1_2) with torchvision's own initialisation (kaiming normal, fan_out, ReLU;
zero bias) from torch.manual_seed(0). NOT ImageNet weights: fixed random features, so that configs/esrgan_demo.yml
runs its perceptual loss out of the box (NativeGan never downloads; the 548 MB vgg19-dcbb9e9d.pth cannot ship).
A perceptual loss on fixed random convolution + ReLU features still compares local structure rather than pixels;
for real training point losses.perceptual.vgg_weights at torchvision's vgg19-dcbb9e9d.pth.

    /usr/bin/python3 tools/make_demo_vgg_weights.py
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_io import write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "configs", "demo", "vgg19_conv1_random.safetensors")


def main():
    torch.manual_seed(0)
    conv1_1 = torch.nn.Conv2d(3, 64, 3, padding=1)
    conv1_2 = torch.nn.Conv2d(64, 64, 3, padding=1)
    for conv in (conv1_1, conv1_2):   # torchvision VGG._initialize_weights
        torch.nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
        torch.nn.init.constant_(conv.bias, 0)
    tensors = {
        "features.0.weight": conv1_1.weight, "features.0.bias": conv1_1.bias,
        "features.2.weight": conv1_2.weight, "features.2.bias": conv1_2.bias,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    write_safetensors(OUT, tensors, {
        "description": "vgg19 conv1_1 + conv1_2 with torchvision's initialisation from torch.manual_seed(0); "
                       "random, not ImageNet weights (demo only; tools/make_demo_vgg_weights.py)",
    })
    print(OUT)


if __name__ == "__main__":
    main()
