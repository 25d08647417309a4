#!/usr/bin/env python3
"""PyTorch baseline for the NativeGan kernel harness (benchmarks/Harness).

Times the harness's cases with the same shapes and the same arithmetic, fp32, TF32 off, and writes the JSON
file that `harness --baseline FILE` reads: case name -> microseconds per call (other entries are notes,
ignored by the harness). Also prints it.

  GPU (CUDA events on the current stream):   python3 tools/torch_gpu_baseline.py --out /tmp/torch.json
  CPU (2 threads, perf_counter):             /usr/bin/python3 tools/torch_gpu_baseline.py --cpu --out /tmp/torch_cpu.json
  Some cases only:                           ... --cases add,conv_64_32

Cases (names and sizes as in ElementwiseCase.cs, GemmCase.cs, Conv2dCase.cs, PixelShuffleCase.cs):
  add_16M, add_64M          a + b,           a, b uniform in [-1, 1)
  relu_16M, relu_64M        relu(a)
  affine_16M, affine_64M    1.5 a + 0.25     one kernel: torch.add(0.25, a, alpha=1.5) with 0.25 a 0-dim tensor;
                                             the two-kernel `a * 1.5 + 0.25` is recorded under "extra"
  sum_16M, sum_64M          a.sum(),         a uniform in [0, 1)
  gemm_1024, gemm_4096      a @ b, square
  conv_CIN_COUT             conv2d 3x3 pad 1 no bias, batch 16, 32x32, forward + autograd.grad w.r.t. input and
                            weight with a given output gradient (64->32, 96->32, 128->32, 160->32, 192->64)
  pixel_shuffle_16x256x64x64  F.pixel_shuffle(x, 2)
  dcgan64_step_B            DCGAN (PyTorch examples, 64x64, nz 100, ngf = ndf = 64, BCE, Adam 2e-4 (0.5, 0.999)):
                            D on real + detached fake, then G non-saturating; B = 128 on CUDA, 16 with --cpu
  rrdbnet_infer_S           BasicSR's RRDBNet x4 (23 blocks, 64 feat, 32 grow), eval, no_grad, 1x3xSxS
                            (S = 256 on CUDA, 64 with --cpu, as compare's GPU and CPU workloads)
  rrdbnet_train_BxS         the same network, LR Bx3xSxS, L1 against a 4S target, backward, Adam(1e-4, (0.9, 0.99)) step
                            (16x32 and 12x64 on CUDA, 2x32 with --cpu)
  srvgg_infer_256           Real-ESRGAN's realesr-general-x4v3 (SRVGGNetCompact, 64 feat, 32 convs, PReLU, x4), eval,
                            no_grad, 1x3x256x256, on CUDA and with --cpu (the model people run without a GPU)
Each case: warm-up calls, then calls repeated for about --target seconds per trial, median of --trials trials.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn.functional as F

M = 1 << 20
CONVS = [(64, 32), (96, 32), (128, 32), (160, 32), (192, 64)]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cpu", action="store_true", help="time on the CPU with --threads threads instead of CUDA")
    p.add_argument("--threads", type=int, default=2, help="CPU threads with --cpu (default 2)")
    p.add_argument("--out", help="write the JSON baseline here (it is printed either way)")
    p.add_argument("--cases", default="", help="comma-separated substrings: only cases whose name contains one")
    p.add_argument("--target", type=float, default=0.3, help="seconds per trial (default 0.3)")
    p.add_argument("--trials", type=int, default=3, help="trials per case, the median is reported (default 3)")
    p.add_argument("--warmup", type=int, default=3, help="untimed calls before timing (default 3)")
    p.add_argument("--no-cudnn-benchmark", action="store_true",
                   help="leave torch.backends.cudnn.benchmark off (default: on, cuDNN picks its fastest conv algorithm)")
    return p.parse_args()


def make_cases(dev):
    """(name, setup) pairs; setup() makes the inputs and returns the call to time."""
    gen = torch.Generator(device=dev)
    gen.manual_seed(0)

    def uniform(shape, lo=-1.0, hi=1.0):
        return torch.rand(shape, device=dev, generator=gen) * (hi - lo) + lo

    def randn(shape, std=1.0):
        return torch.randn(shape, device=dev, generator=gen) * std

    def label(n):
        return f"{n // M}M"

    cases = []
    for n in (16 * M, 64 * M):
        def add(n=n):
            a, b = uniform(n), uniform(n)
            return lambda: a + b

        def relu(n=n):
            a = uniform(n)
            return lambda: torch.relu(a)

        def affine(n=n):
            a = uniform(n)
            shift = torch.full((), 0.25, device=dev)
            return lambda: torch.add(shift, a, alpha=1.5)

        def sum_(n=n):
            a = uniform(n, 0.0, 1.0)
            return lambda: a.sum()

        cases += [(f"add_{label(n)}", add), (f"relu_{label(n)}", relu),
                  (f"affine_{label(n)}", affine), (f"sum_{label(n)}", sum_)]
    for s in (1024, 4096):
        def gemm(s=s):
            a, b = uniform((s, s)), uniform((s, s))
            return lambda: a @ b
        cases.append((f"gemm_{s}", gemm))
    for cin, cout in CONVS:
        def conv(cin=cin, cout=cout):
            x = randn((16, cin, 32, 32)).requires_grad_()
            w = randn((cout, cin, 3, 3), std=1.0 / (cin * 9) ** 0.5).requires_grad_()
            g = randn((16, cout, 32, 32))

            def call():
                y = F.conv2d(x, w, None, 1, 1)
                return torch.autograd.grad((y,), (x, w), (g,))
            return call
        cases.append((f"conv_{cin}_{cout}", conv))

    def pixel_shuffle():
        x = uniform((16, 256, 64, 64))
        return lambda: F.pixel_shuffle(x, 2)
    cases.append(("pixel_shuffle_16x256x64x64", pixel_shuffle))

    def rrdbnet_infer(size):
        return inference_case(RRDBNet, dev, uniform, size)

    def rrdbnet_train(batch, size):
        def setup():
            net = RRDBNet().to(dev).train()
            opt = torch.optim.Adam(net.parameters(), lr=1e-4, betas=(0.9, 0.99))
            x = uniform((batch, 3, size, size), 0.0, 1.0)
            t = uniform((batch, 3, 4 * size, 4 * size), 0.0, 1.0)

            def call():
                opt.zero_grad(set_to_none=True)
                loss = F.l1_loss(net(x), t)
                loss.backward()
                opt.step()
            return call
        return setup

    def dcgan_step(batch):
        def setup():
            g, d = DcganG().to(dev), DcganD().to(dev)
            for m in list(g.modules()) + list(d.modules()):
                if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
                    torch.nn.init.normal_(m.weight, 0.0, 0.02)
                elif isinstance(m, torch.nn.BatchNorm2d):
                    torch.nn.init.normal_(m.weight, 1.0, 0.02)
                    torch.nn.init.zeros_(m.bias)
            og = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
            od = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
            real = uniform((batch, 3, 64, 64))
            ones = torch.ones(batch, 1, device=dev)
            zeros = torch.zeros(batch, 1, device=dev)

            def call():
                fake = g(torch.randn(batch, 100, 1, 1, device=dev))
                od.zero_grad(set_to_none=True)
                ld = F.binary_cross_entropy(d(real), ones) + F.binary_cross_entropy(d(fake.detach()), zeros)
                ld.backward()
                od.step()
                og.zero_grad(set_to_none=True)
                lg = F.binary_cross_entropy(d(fake), ones)
                lg.backward()
                og.step()
            return call
        return setup

    cases.append((f"dcgan64_step_{128 if dev.type == 'cuda' else 16}", dcgan_step(128 if dev.type == "cuda" else 16)))
    if dev.type == "cuda":
        cases += [("rrdbnet_infer_256", rrdbnet_infer(256)), ("rrdbnet_train_16x32", rrdbnet_train(16, 32)),
                  ("rrdbnet_train_12x64", rrdbnet_train(12, 64))]
    else:
        cases += [("rrdbnet_infer_64", rrdbnet_infer(64)), ("rrdbnet_train_2x32", rrdbnet_train(2, 32))]
    cases += compare_cpu_cases(dev, uniform, randn)
    rb, rgt = (12, 256) if dev.type == "cuda" else (1, 64)
    cases.append((f"realesrgan_step_{rb}x{rgt}", lambda: realesrgan_step(dev, uniform, rb, rgt)))
    cases += i2i_progan_cases(dev, uniform)
    cases += srvgg_cases(dev, uniform)
    return cases


def DcganG(nz=100, ngf=64):
    """PyTorch examples' DCGAN generator (models/Gans/Dcgan.cs)."""
    def block(i, o, k, st, p):
        return [torch.nn.ConvTranspose2d(i, o, k, st, p, bias=False), torch.nn.BatchNorm2d(o), torch.nn.ReLU(True)]
    return torch.nn.Sequential(*block(nz, ngf * 8, 4, 1, 0), *block(ngf * 8, ngf * 4, 4, 2, 1), *block(ngf * 4, ngf * 2, 4, 2, 1),
                               *block(ngf * 2, ngf, 4, 2, 1), torch.nn.ConvTranspose2d(ngf, 3, 4, 2, 1, bias=False), torch.nn.Tanh())


class DcganD(torch.nn.Module):
    """PyTorch examples' DCGAN discriminator, output [N, 1] probabilities."""

    def __init__(self, ndf=64):
        super().__init__()
        def block(i, o):
            return [torch.nn.Conv2d(i, o, 4, 2, 1, bias=False), torch.nn.BatchNorm2d(o), torch.nn.LeakyReLU(0.2, True)]
        self.main = torch.nn.Sequential(torch.nn.Conv2d(3, ndf, 4, 2, 1, bias=False), torch.nn.LeakyReLU(0.2, True),
                                        *block(ndf, ndf * 2), *block(ndf * 2, ndf * 4), *block(ndf * 4, ndf * 8),
                                        torch.nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), torch.nn.Sigmoid())

    def forward(self, x):
        return self.main(x).view(-1, 1)


class RDB(torch.nn.Module):
    """BasicSR's ResidualDenseBlock: five 3x3 convs with dense concatenation, LeakyReLU 0.2, residual scaled 0.2."""

    def __init__(self, nf=64, gc=32):
        super().__init__()
        self.convs = torch.nn.ModuleList(torch.nn.Conv2d(nf + i * gc, gc if i < 4 else nf, 3, 1, 1) for i in range(5))

    def forward(self, x):
        feats = [x]
        for i, conv in enumerate(self.convs):
            y = conv(torch.cat(feats, 1))
            if i < 4:
                feats.append(F.leaky_relu(y, 0.2))
        return y * 0.2 + x


class RRDB(torch.nn.Module):
    def __init__(self, nf=64, gc=32):
        super().__init__()
        self.rdbs = torch.nn.Sequential(RDB(nf, gc), RDB(nf, gc), RDB(nf, gc))

    def forward(self, x):
        return self.rdbs(x) * 0.2 + x


class RRDBNet(torch.nn.Module):
    """BasicSR's RRDBNet x4 (the same convolutions as models/Sr/RRDBNet.cs)."""

    def __init__(self, nf=64, nb=23, gc=32):
        super().__init__()
        self.conv_first = torch.nn.Conv2d(3, nf, 3, 1, 1)
        self.body = torch.nn.Sequential(*[RRDB(nf, gc) for _ in range(nb)])
        self.conv_body = torch.nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_up1 = torch.nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_up2 = torch.nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_hr = torch.nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_last = torch.nn.Conv2d(nf, 3, 3, 1, 1)

    def forward(self, x):
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        feat = F.leaky_relu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
        feat = F.leaky_relu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
        return self.conv_last(F.leaky_relu(self.conv_hr(feat), 0.2))


# ---------------------------------------------------------------- compare's CPU workloads (benchmarks/Compare)

def compare_cpu_cases(dev, uniform, randn):
    """The CPU table's workloads the harness lists do not cover: SGEMM 2048, conv 64->64 fwd and fwd+bwd, the MLP GAN
    step and the DCGAN 28x28 step, each the same network and step as NativeGan's (models/Gans)."""
    def gemm2048():
        a, b = uniform((2048, 2048)), uniform((2048, 2048))
        return lambda: a @ b

    def conv64(forward_only):
        def setup():
            x = randn((16, 64, 32, 32)).requires_grad_()
            w = randn((64, 64, 3, 3), std=1.0 / (64 * 9) ** 0.5).requires_grad_()
            g = randn((16, 64, 32, 32))
            if forward_only:
                def fwd():
                    with torch.no_grad():
                        return F.conv2d(x, w, None, 1, 1)
                return fwd

            def call():
                y = F.conv2d(x, w, None, 1, 1)
                return torch.autograd.grad((y,), (x, w), (g,))
            return call
        return setup

    def gan_step(g, d, real, nz, lr, betas):
        og = torch.optim.Adam(g.parameters(), lr, betas=betas)
        od = torch.optim.Adam(d.parameters(), lr, betas=betas)
        n = real.shape[0]
        ones, zeros = torch.ones(n, 1, device=dev), torch.zeros(n, 1, device=dev)

        def call():
            z = torch.randn((n, nz) if real.dim() == 2 else (n, nz, 1, 1), device=dev)
            fake = g(z)
            od.zero_grad(set_to_none=True)
            ld = F.binary_cross_entropy(d(real).view(n, 1), ones) + F.binary_cross_entropy(d(fake.detach()).view(n, 1), zeros)
            ld.backward()
            od.step()
            og.zero_grad(set_to_none=True)
            lg = F.binary_cross_entropy(d(fake).view(n, 1), ones)
            lg.backward()
            og.step()
        return call

    def mlp_gan():
        nn = torch.nn
        g = nn.Sequential(nn.Linear(64, 256), nn.LeakyReLU(0.01), nn.Linear(256, 784), nn.Tanh()).to(dev)
        d = nn.Sequential(nn.Linear(784, 128), nn.LeakyReLU(0.01), nn.Linear(128, 1), nn.Sigmoid()).to(dev)
        return gan_step(g, d, uniform((32, 784)), 64, 3e-4, (0.5, 0.999))

    def dcgan28():
        nn, ngf, ndf = torch.nn, 64, 64
        g = nn.Sequential(nn.ConvTranspose2d(100, ngf * 4, 7, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
                          nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
                          nn.ConvTranspose2d(ngf * 2, 1, 4, 2, 1, bias=False), nn.Tanh()).to(dev)
        d = nn.Sequential(nn.Conv2d(1, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True),
                          nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, True),
                          nn.Conv2d(ndf * 2, 1, 7, 1, 0, bias=False), nn.Sigmoid()).to(dev)
        return gan_step(g, d, uniform((64, 1, 28, 28)), 100, 2e-4, (0.5, 0.999))

    return [("gemm_2048", gemm2048), ("conv_64_64_fwd", conv64(True)), ("conv_64_64", conv64(False)),
            ("mlp_gan_step_32", mlp_gan), ("dcgan28_step_64", dcgan28)]


# ---------------------------------------------------------------- Real-ESRGAN (benchmarks/Harness/RealEsrganStepCase.cs)

class UNetDiscriminatorSN(torch.nn.Module):
    """Real-ESRGAN's realesrgan/archs/discriminator_arch.py (num_feat 64, skip connections)."""
    def __init__(self, cin=3, nf=64, skip=True):
        super().__init__()
        sn = torch.nn.utils.spectral_norm
        C = torch.nn.Conv2d
        self.skip = skip
        self.conv0 = C(cin, nf, 3, 1, 1)
        self.conv1 = sn(C(nf, nf * 2, 4, 2, 1, bias=False))
        self.conv2 = sn(C(nf * 2, nf * 4, 4, 2, 1, bias=False))
        self.conv3 = sn(C(nf * 4, nf * 8, 4, 2, 1, bias=False))
        self.conv4 = sn(C(nf * 8, nf * 4, 3, 1, 1, bias=False))
        self.conv5 = sn(C(nf * 4, nf * 2, 3, 1, 1, bias=False))
        self.conv6 = sn(C(nf * 2, nf, 3, 1, 1, bias=False))
        self.conv7 = sn(C(nf, nf, 3, 1, 1, bias=False))
        self.conv8 = sn(C(nf, nf, 3, 1, 1, bias=False))
        self.conv9 = C(nf, 1, 3, 1, 1)

    def forward(self, x):
        lr = lambda t: F.leaky_relu(t, 0.2, inplace=True)
        up = lambda t: F.interpolate(t, scale_factor=2, mode="bilinear", align_corners=False)
        x0 = lr(self.conv0(x))
        x1 = lr(self.conv1(x0))
        x2 = lr(self.conv2(x1))
        x3 = lr(self.conv3(x2))
        x4 = lr(self.conv4(up(x3)))
        if self.skip:
            x4 = x4 + x2
        x5 = lr(self.conv5(up(x4)))
        if self.skip:
            x5 = x5 + x1
        x6 = lr(self.conv6(up(x5)))
        if self.skip:
            x6 = x6 + x0
        out = lr(self.conv7(x6))
        out = lr(self.conv8(out))
        return self.conv9(out)


class Vgg19Features(torch.nn.Module):
    """torchvision vgg19.features up to conv5_4 (index 34), BasicSR's VGGFeatureExtractor with input normalisation:
    returns the pre-ReLU outputs of conv1_2, conv2_2, conv3_4, conv4_4, conv5_4."""
    TAKE = {2: "conv1_2", 7: "conv2_2", 16: "conv3_4", 25: "conv4_4", 34: "conv5_4"}

    def __init__(self):
        super().__init__()
        layers, cin = [], 3
        for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512]:
            if v == "M":
                layers.append(torch.nn.MaxPool2d(2, 2))
            else:
                layers += [torch.nn.Conv2d(cin, v, 3, 1, 1), torch.nn.ReLU(inplace=False)]
                cin = v
        self.features = torch.nn.Sequential(*layers[:35])
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))
        for p in self.parameters():
            p.requires_grad_(False)

    def forward(self, x):
        x = (x - self.mean) / self.std
        out = {}
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in self.TAKE:
                out[self.TAKE[i]] = x.clone()
        return out


def realesrgan_step(dev, uniform, batch, gt):
    """Real-ESRGAN's RealESRGANModel.optimize_parameters after feed_data (the degradations are timed apart)."""
    weights = {"conv1_2": 0.1, "conv2_2": 0.1, "conv3_4": 1.0, "conv4_4": 1.0, "conv5_4": 1.0}
    g, d, vgg = RRDBNet().to(dev).train(), UNetDiscriminatorSN().to(dev).train(), Vgg19Features().to(dev).eval()
    g_ema = RRDBNet().to(dev).eval()
    g_ema.load_state_dict(g.state_dict())
    og = torch.optim.Adam(g.parameters(), 1e-4, betas=(0.9, 0.99))
    od = torch.optim.Adam(d.parameters(), 1e-4, betas=(0.9, 0.99))
    lq = uniform((batch, 3, gt // 4, gt // 4), 0.0, 1.0)
    gt_plain = uniform((batch, 3, gt, gt), 0.0, 1.0)
    gt_usm = uniform((batch, 3, gt, gt), 0.0, 1.0)
    bce = torch.nn.BCEWithLogitsLoss()

    def call():
        for p in d.parameters():
            p.requires_grad = False
        og.zero_grad(set_to_none=True)
        out = g(lq)
        l_pix = F.l1_loss(out, gt_usm)
        fo, fg = vgg(out), vgg(gt_usm.detach())
        l_percep = sum(w * F.l1_loss(fo[k], fg[k]) for k, w in weights.items())
        fake = d(out)
        l_gan = 0.1 * bce(fake, torch.ones_like(fake))
        (l_pix + l_percep + l_gan).backward()
        og.step()
        for p in d.parameters():
            p.requires_grad = True
        od.zero_grad(set_to_none=True)
        real = d(gt_plain)
        bce(real, torch.ones_like(real)).backward()
        fake = d(out.detach().clone())
        bce(fake, torch.zeros_like(fake)).backward()
        od.step()
        with torch.no_grad():
            for pe, p in zip(g_ema.parameters(), g.parameters()):
                pe.mul_(0.999).add_(p, alpha=0.001)
    return call
# ================================================================ CycleGAN and ProGAN training steps
# The networks and steps are tools/torch_i2i_nets.py (pytorch-CycleGAN-and-pix2pix's networks.py and
# cycle_gan_model.py; ProGAN as models/Gans/ProGan*.cs), the same code the whole-network fixtures come from.
#   cyclegan_step_S   one CycleGAN iteration (benchmarks/Harness/CycleGanStepCase.cs): G_A, G_B resnet (ngf 64,
#                     instance norm, 9 blocks at 256, 6 below), D_A, D_B 70x70 PatchGAN, LSGAN, cycle 10, identity
#                     0.5 x 10, pools of 50, Adam 2e-4 (0.5, 0.999), batch 1; S = 256 on CUDA, 64 with --cpu
#   progan_step_R     one ProGAN iteration at the last stage, alpha 1 (ProGanStepCase.cs): WGAN-GP (lambda 10) +
#                     drift 0.001, D step then G step, Adam 1e-3 (0, 0.99), default widths, latent 512, batch 16;
#                     R = 128 on CUDA, 64 with --cpu (about a minute a call on 2 cores: use --warmup 1 --trials 1)

def i2i_progan_cases(dev, uniform):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from torch_i2i_nets import CycleGanStep, ProGanStep

    def cyclegan_step(size):
        def setup():
            step = CycleGanStep(size, dev)
            a, b = uniform((1, 3, size, size)), uniform((1, 3, size, size))
            return lambda: step(a, b)
        return setup

    def progan_step(resolution, batch):
        def setup():
            step = ProGanStep(resolution, batch, dev, alpha=1.0)
            real = uniform((batch, 3, resolution, resolution))
            return lambda: step(real)
        return setup

    cuda = dev.type == "cuda"
    size, res = (256, 128) if cuda else (64, 64)
    return [(f"cyclegan_step_{size}", cyclegan_step(size)), (f"progan_step_{res}", progan_step(res, 16))]


def srvgg_cases(dev, uniform):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from make_srvgg_fixtures import SRVGGNetCompact

    return [("srvgg_infer_256", inference_case(lambda: SRVGGNetCompact(3, 3, 64, 32, 4, "prelu"), dev, uniform, 256))]


def inference_case(make_net, dev, uniform, size):
    """Setup of an eval, no_grad forward of make_net() on one 1x3xSxS image in [0, 1]."""
    def setup():
        net = make_net().to(dev).eval()
        x = uniform((1, 3, size, size), 0.0, 1.0)

        def call():
            with torch.no_grad():
                return net(x)
        return call
    return setup


def timer(dev):
    """Returns time_batch(call, reps) -> seconds for reps calls, measured on the device for CUDA."""
    if dev.type == "cuda":
        def time_batch(call, reps):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            torch.cuda.synchronize()
            start.record()
            for _ in range(reps):
                call()
            end.record()
            end.synchronize()
            return start.elapsed_time(end) * 1e-3
    else:
        def time_batch(call, reps):
            t = time.perf_counter()
            for _ in range(reps):
                call()
            return time.perf_counter() - t
    return time_batch


def main():
    args = parse_args()
    if args.cpu:
        dev = torch.device("cpu")
        torch.set_num_threads(args.threads)
        device_name = f"CPU {platform.processor() or platform.machine()}, {args.threads} threads"
        try:
            with open("/proc/cpuinfo") as f:
                model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), None)
            if model:
                device_name = f"{model}, {args.threads} threads"
        except OSError:
            pass
    else:
        if not torch.cuda.is_available():
            sys.exit("error: CUDA is not available (use --cpu to time on the CPU)")
        dev = torch.device("cuda")
        device_name = torch.cuda.get_device_name(dev)
    # fp32 everywhere: no TF32 in matmul or cuDNN convolutions.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = not args.no_cudnn_benchmark

    filters = [f.strip() for f in args.cases.split(",") if f.strip()]
    time_batch = timer(dev)
    result = {
        "device": device_name,
        "torch": torch.__version__,
        "timing": ("CUDA events" if dev.type == "cuda" else "perf_counter")
                  + f", median of {args.trials} trials of ~{args.target} s after {args.warmup} warm-up calls",
        "settings": f"fp32, allow_tf32 False (matmul and cuDNN), cudnn.benchmark {torch.backends.cudnn.benchmark}"
                    if dev.type == "cuda" else f"fp32, torch.set_num_threads({args.threads})",
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    extra = {}
    for name, setup in make_cases(dev):
        if filters and not any(f in name for f in filters):
            continue
        call = setup()
        for _ in range(args.warmup):
            call()
        one = max(time_batch(call, 1), 1e-7)
        reps = int(min(max(args.target / one, 1), 10000))
        us = statistics.median(time_batch(call, reps) for _ in range(args.trials)) / reps * 1e6
        result[name] = round(us, 2)
        print(f"  {name}: {us:.1f} us ({reps} calls x {args.trials})", file=sys.stderr, flush=True)
        if name.startswith("affine_"):
            # What most code writes: two kernels, twice the memory traffic of the one-kernel form above.
            a = setup.__defaults__[0]
            x = (torch.rand(a, device=dev) * 2 - 1)
            two = lambda: x * 1.5 + 0.25  # noqa: E731
            for _ in range(args.warmup):
                two()
            extra[f"{name}_as_x*1.5+0.25"] = round(
                statistics.median(time_batch(two, reps) for _ in range(args.trials)) / reps * 1e6, 2)
        del call
        if dev.type == "cuda":
            torch.cuda.empty_cache()
    if extra:
        result["extra"] = extra
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
        print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
