"""PyTorch twins of NativeGan's image-to-image and ProGAN networks, shared by tools/make_i2i_network_fixtures.py
(whole-network fixtures) and tools/torch_gpu_baseline.py (the harness's cyclegan_step / progan_step baselines).

Pix2Pix / CycleGAN: junyanz/pytorch-CycleGAN-and-pix2pix models/networks.py as published (UnetGenerator,
UnetSkipConnectionBlock, ResnetGenerator, ResnetBlock, NLayerDiscriminator, GANLoss 'lsgan', init 'normal' 0.02),
state-dict keys identical to the reference and to models/ImageToImage/Networks.cs. The in-place LeakyReLU / ReLU
layers are kept: in UnetSkipConnectionBlock the in-place LeakyReLU that opens every non-outermost block rewrites
its input, so the skip connection carries LeakyReLU(x), not x; the parent block's ReLU follows at once and
ReLU(LeakyReLU(x)) = ReLU(x) with the same derivative, so models/ImageToImage/Networks.cs's cat([x, ...]) gives the
same output and gradients (the U-Net fixture checks it).

ProGAN: the layout of models/Gans/ProGan.cs (pytorch_GAN_zoo's arithmetic: equalized lr with He's constant
sqrt(2 / fan_in) on every layer, pixel norm, nearest upsampling, 2x2 average pooling, minibatch stddev with
group = largest divisor of N up to 4), with NativeGan's keys (dense, conv0, blocks.K.conv1/conv2, to_rgb.S;
from_rgb.S, blocks.K, conv0, dense1, dense2). pytorch_GAN_zoo's names for the same tensors are listed in
tests/ImageToImage/WholeNetworkFixtureTests.cs.
"""
import functools
import math

import torch
from torch import nn
from torch.nn import functional as F


# ---------------------------------------------------------------- pytorch-CycleGAN-and-pix2pix networks.py

def norm_layer(kind):
    if kind == "batch":
        return functools.partial(nn.BatchNorm2d, affine=True, track_running_stats=True)
    if kind == "instance":
        return functools.partial(nn.InstanceNorm2d, affine=False, track_running_stats=False)
    raise ValueError(kind)


def use_bias(norm):
    return norm.func == nn.InstanceNorm2d


def init_normal(net, gain=0.02):
    """networks.init_weights(net, 'normal', 0.02)."""
    def f(m):
        name = m.__class__.__name__
        if hasattr(m, "weight") and (name.find("Conv") != -1 or name.find("Linear") != -1):
            nn.init.normal_(m.weight.data, 0.0, gain)
            if getattr(m, "bias", None) is not None:
                nn.init.constant_(m.bias.data, 0.0)
        elif name.find("BatchNorm2d") != -1:
            nn.init.normal_(m.weight.data, 1.0, gain)
            nn.init.constant_(m.bias.data, 0.0)
    net.apply(f)
    return net


class ResnetBlock(nn.Module):
    def __init__(self, dim, norm, use_dropout, bias):
        super().__init__()
        block = [nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, padding=0, bias=bias), norm(dim), nn.ReLU(True)]
        if use_dropout:
            block += [nn.Dropout(0.5)]
        block += [nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, padding=0, bias=bias), norm(dim)]
        self.conv_block = nn.Sequential(*block)

    def forward(self, x):
        return x + self.conv_block(x)


class ResnetGenerator(nn.Module):
    def __init__(self, input_nc, output_nc, ngf=64, norm="instance", use_dropout=False, n_blocks=6):
        super().__init__()
        norm = norm_layer(norm)
        bias = use_bias(norm)
        model = [nn.ReflectionPad2d(3), nn.Conv2d(input_nc, ngf, 7, padding=0, bias=bias), norm(ngf), nn.ReLU(True)]
        for i in range(2):
            mult = 2 ** i
            model += [nn.Conv2d(ngf * mult, ngf * mult * 2, 3, stride=2, padding=1, bias=bias), norm(ngf * mult * 2), nn.ReLU(True)]
        for _ in range(n_blocks):
            model += [ResnetBlock(ngf * 4, norm, use_dropout, bias)]
        for i in range(2):
            mult = 2 ** (2 - i)
            model += [nn.ConvTranspose2d(ngf * mult, ngf * mult // 2, 3, stride=2, padding=1, output_padding=1, bias=bias),
                      norm(ngf * mult // 2), nn.ReLU(True)]
        model += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, output_nc, 7, padding=0), nn.Tanh()]
        self.model = nn.Sequential(*model)

    def forward(self, x):
        return self.model(x)


class UnetSkipConnectionBlock(nn.Module):
    def __init__(self, outer_nc, inner_nc, input_nc=None, submodule=None, outermost=False, innermost=False,
                 norm=None, use_dropout=False):
        super().__init__()
        self.outermost = outermost
        bias = use_bias(norm)
        input_nc = outer_nc if input_nc is None else input_nc
        downconv = nn.Conv2d(input_nc, inner_nc, 4, stride=2, padding=1, bias=bias)
        downrelu = nn.LeakyReLU(0.2, True)
        downnorm = norm(inner_nc)
        uprelu = nn.ReLU(True)
        upnorm = norm(outer_nc)
        if outermost:
            model = [downconv, submodule, uprelu, nn.ConvTranspose2d(inner_nc * 2, outer_nc, 4, stride=2, padding=1), nn.Tanh()]
        elif innermost:
            model = [downrelu, downconv, uprelu, nn.ConvTranspose2d(inner_nc, outer_nc, 4, stride=2, padding=1, bias=bias), upnorm]
        else:
            model = [downrelu, downconv, downnorm, submodule, uprelu,
                     nn.ConvTranspose2d(inner_nc * 2, outer_nc, 4, stride=2, padding=1, bias=bias), upnorm]
            if use_dropout:
                model += [nn.Dropout(0.5)]
        self.model = nn.Sequential(*model)

    def forward(self, x):
        if self.outermost:
            return self.model(x)
        return torch.cat([x, self.model(x)], 1)  # x was rewritten in place by model[0] (LeakyReLU(0.2, True))


class UnetGenerator(nn.Module):
    def __init__(self, input_nc, output_nc, num_downs, ngf=64, norm="batch", use_dropout=True):
        super().__init__()
        norm = norm_layer(norm)
        block = UnetSkipConnectionBlock(ngf * 8, ngf * 8, innermost=True, norm=norm)
        for _ in range(num_downs - 5):
            block = UnetSkipConnectionBlock(ngf * 8, ngf * 8, submodule=block, norm=norm, use_dropout=use_dropout)
        block = UnetSkipConnectionBlock(ngf * 4, ngf * 8, submodule=block, norm=norm)
        block = UnetSkipConnectionBlock(ngf * 2, ngf * 4, submodule=block, norm=norm)
        block = UnetSkipConnectionBlock(ngf, ngf * 2, submodule=block, norm=norm)
        self.model = UnetSkipConnectionBlock(output_nc, ngf, input_nc=input_nc, submodule=block, outermost=True, norm=norm)

    def forward(self, x):
        return self.model(x)


class NLayerDiscriminator(nn.Module):
    def __init__(self, input_nc, ndf=64, n_layers=3, norm="batch"):
        super().__init__()
        norm = norm_layer(norm)
        bias = use_bias(norm)
        seq = [nn.Conv2d(input_nc, ndf, 4, stride=2, padding=1), nn.LeakyReLU(0.2, True)]
        mult = 1
        for n in range(1, n_layers):
            prev, mult = mult, min(2 ** n, 8)
            seq += [nn.Conv2d(ndf * prev, ndf * mult, 4, stride=2, padding=1, bias=bias), norm(ndf * mult), nn.LeakyReLU(0.2, True)]
        prev, mult = mult, min(2 ** n_layers, 8)
        seq += [nn.Conv2d(ndf * prev, ndf * mult, 4, stride=1, padding=1, bias=bias), norm(ndf * mult), nn.LeakyReLU(0.2, True)]
        seq += [nn.Conv2d(ndf * mult, 1, 4, stride=1, padding=1)]
        self.model = nn.Sequential(*seq)

    def forward(self, x):
        return self.model(x)


class ImagePool:
    """util/image_pool.py (Python's random; the C# pool draws from its own seeded stream)."""

    def __init__(self, size, rng):
        self.size, self.images, self.rng = size, [], rng

    def query(self, images):
        if self.size == 0:
            return images
        out = []
        for image in images.detach():
            image = image.unsqueeze(0)
            if len(self.images) < self.size:
                self.images.append(image)
                out.append(image)
            elif self.rng.uniform(0, 1) > 0.5:
                i = self.rng.randint(0, self.size - 1)
                out.append(self.images[i].clone())
                self.images[i] = image
            else:
                out.append(image)
        return torch.cat(out, 0)


class CycleGanStep:
    """cycle_gan_model.py's optimize_parameters with lsgan, lambda_A = lambda_B = 10, lambda_identity 0.5, pools of
    50, one Adam(2e-4, (0.5, 0.999)) over both G and one over both D (models/ImageToImage/CycleGanStep.cs)."""

    def __init__(self, size, dev, nc=3, ngf=64, ndf=64, n_blocks=None, seed=0, init=init_normal):
        import random
        n_blocks = n_blocks if n_blocks is not None else (9 if size >= 256 else 6)
        self.g_a = init(ResnetGenerator(nc, nc, ngf, "instance", False, n_blocks)).to(dev)
        self.g_b = init(ResnetGenerator(nc, nc, ngf, "instance", False, n_blocks)).to(dev)
        self.d_a = init(NLayerDiscriminator(nc, ndf, 3, "instance")).to(dev)
        self.d_b = init(NLayerDiscriminator(nc, ndf, 3, "instance")).to(dev)
        rng = random.Random(seed)
        self.pool_a, self.pool_b = ImagePool(50, rng), ImagePool(50, rng)
        self.opt_g = torch.optim.Adam(list(self.g_a.parameters()) + list(self.g_b.parameters()), 2e-4, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(list(self.d_a.parameters()) + list(self.d_b.parameters()), 2e-4, betas=(0.5, 0.999))

    @staticmethod
    def gan(pred, real):
        return F.mse_loss(pred, torch.ones_like(pred) if real else torch.zeros_like(pred))

    def __call__(self, real_a, real_b):
        fake_b = self.g_a(real_a)
        rec_a = self.g_b(fake_b)
        fake_a = self.g_b(real_b)
        rec_b = self.g_a(fake_a)
        for d in (self.d_a, self.d_b):
            d.requires_grad_(False)
        self.opt_g.zero_grad(set_to_none=True)
        idt_a = F.l1_loss(self.g_a(real_b), real_b) * 10 * 0.5
        idt_b = F.l1_loss(self.g_b(real_a), real_a) * 10 * 0.5
        g_a = self.gan(self.d_a(fake_b), True)
        g_b = self.gan(self.d_b(fake_a), True)
        cyc_a = F.l1_loss(rec_a, real_a) * 10
        cyc_b = F.l1_loss(rec_b, real_b) * 10
        loss_g = g_a + g_b + cyc_a + cyc_b + idt_a + idt_b
        loss_g.backward()
        self.opt_g.step()
        for d in (self.d_a, self.d_b):
            d.requires_grad_(True)
        self.opt_d.zero_grad(set_to_none=True)
        losses = []
        for d, real, fake in ((self.d_a, real_b, self.pool_b.query(fake_b)), (self.d_b, real_a, self.pool_a.query(fake_a))):
            loss = (self.gan(d(real), True) + self.gan(d(fake.detach()), False)) * 0.5
            loss.backward()
            losses.append(loss)
        self.opt_d.step()
        # The order of CycleGanStepResult: D_A, G_A, cycle_A, idt_A, D_B, G_B, cycle_B, idt_B.
        return torch.stack([losses[0], g_a, cyc_a, idt_a, losses[1], g_b, cyc_b, idt_b]).detach()

    def modules(self):
        return {"G_A": self.g_a, "G_B": self.g_b, "D_A": self.d_a, "D_B": self.d_b}


# ---------------------------------------------------------------- ProGAN (models/Gans/ProGan.cs)

def progan_width(stage, fmap_base=8192, fmap_max=512):
    return max(1, min(fmap_max, fmap_base >> (stage + 1)))


def stddev_group(n, group=4):
    for g in range(min(group, n), 1, -1):
        if n % g == 0:
            return g
    return 1


def pixel_norm(x, eps=1e-8):
    return x * torch.rsqrt(x.pow(2).mean(1, keepdim=True) + eps)


def minibatch_stddev(x, group, eps=1e-8):
    """Sample n is in group n mod N/group (the reference's reshape(group, -1, ...))."""
    n, c, h, w = x.shape
    y = x.reshape(group, -1, c, h, w)
    std = torch.sqrt(y.var(0, unbiased=False) + eps).mean((1, 2, 3))  # [N / group]
    s = std.reshape(1, -1, 1, 1, 1).expand(group, -1, 1, h, w).reshape(n, 1, h, w)
    return torch.cat([x, s], 1)


class EqualizedConv2d(nn.Module):
    """weight N(0, 1), scaled by sqrt(2 / fan_in) at run time; bias 0. Keys weight, bias."""

    def __init__(self, cin, cout, k, padding=0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin, k, k))
        self.bias = nn.Parameter(torch.zeros(cout))
        self.scale, self.padding = math.sqrt(2.0) / math.sqrt(cin * k * k), padding

    def forward(self, x):
        return F.conv2d(x, self.weight * self.scale, self.bias, 1, self.padding)


class EqualizedLinear(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin))
        self.bias = nn.Parameter(torch.zeros(cout))
        self.scale = math.sqrt(2.0) / math.sqrt(cin)

    def forward(self, x):
        return F.linear(x, self.weight * self.scale, self.bias)


class ProGanConvPair(nn.Module):
    def __init__(self, cin, cmid, cout, pixelnorm):
        super().__init__()
        self.conv1 = EqualizedConv2d(cin, cmid, 3, 1)
        self.conv2 = EqualizedConv2d(cmid, cout, 3, 1)
        self.pixelnorm = pixelnorm

    def act(self, x):
        x = F.leaky_relu(x, 0.2)
        return pixel_norm(x) if self.pixelnorm else x

    def forward(self, x):
        return self.act(self.conv2(self.act(self.conv1(x))))


class ProGanGenerator(nn.Module):
    def __init__(self, resolution, channels=3, latent_dim=None, fmap_base=8192, fmap_max=512):
        super().__init__()
        self.stages = int(math.log2(resolution)) - 1
        w = [progan_width(s, fmap_base, fmap_max) for s in range(self.stages)]
        self.w0, self.latent_dim = w[0], latent_dim or w[0]
        self.dense = EqualizedLinear(self.latent_dim, w[0] * 16)
        self.conv0 = EqualizedConv2d(w[0], w[0], 3, 1)
        self.blocks = nn.Sequential(*[ProGanConvPair(w[s - 1], w[s], w[s], True) for s in range(1, self.stages)])
        self.to_rgb = nn.Sequential(*[EqualizedConv2d(w[s], channels, 1) for s in range(self.stages)])

    def features(self, z, stage):
        n = z.shape[0]
        h = self.dense(pixel_norm(z.reshape(n, -1, 1, 1)).reshape(n, -1))
        h = pixel_norm(F.leaky_relu(h.reshape(n, self.w0, 4, 4), 0.2))
        h = pixel_norm(F.leaky_relu(self.conv0(h), 0.2))
        for s in range(1, stage + 1):
            h = self.blocks[s - 1](F.interpolate(h, scale_factor=2, mode="nearest"))
        return h

    def forward(self, z, stage=None, alpha=1.0):
        stage = self.stages - 1 if stage is None else stage
        if stage == 0:
            return self.to_rgb[0](self.features(z, 0))
        prev = self.features(z, stage - 1)
        fresh = self.to_rgb[stage](self.blocks[stage - 1](F.interpolate(prev, scale_factor=2, mode="nearest")))
        if alpha >= 1:
            return fresh
        old = F.interpolate(self.to_rgb[stage - 1](prev), scale_factor=2, mode="nearest")
        return fresh * alpha + old * (1 - alpha)


class ProGanDiscriminator(nn.Module):
    def __init__(self, resolution, channels=3, fmap_base=8192, fmap_max=512, group=4):
        super().__init__()
        self.stages = int(math.log2(resolution)) - 1
        w = [progan_width(s, fmap_base, fmap_max) for s in range(self.stages)]
        self.group = group
        self.from_rgb = nn.Sequential(*[EqualizedConv2d(channels, w[s], 1) for s in range(self.stages)])
        self.blocks = nn.Sequential(*[ProGanConvPair(w[s], w[s], w[s - 1], False) for s in range(1, self.stages)])
        self.conv0 = EqualizedConv2d(w[0] + 1, w[0], 3, 1)
        self.dense1 = EqualizedLinear(w[0] * 16, w[0])
        self.dense2 = EqualizedLinear(w[0], 1)

    def block(self, stage, h):
        return F.avg_pool2d(self.blocks[stage - 1](h), 2)

    def forward(self, x, stage=None, alpha=1.0):
        stage = self.stages - 1 if stage is None else stage
        h = F.leaky_relu(self.from_rgb[stage](x), 0.2)
        if stage > 0:
            h = self.block(stage, h)
            if alpha < 1:
                old = F.leaky_relu(self.from_rgb[stage - 1](F.avg_pool2d(x, 2)), 0.2)
                h = h * alpha + old * (1 - alpha)
            for s in range(stage - 1, 0, -1):
                h = self.block(s, h)
        n = h.shape[0]
        h = minibatch_stddev(h, stddev_group(n, self.group))
        h = F.leaky_relu(self.conv0(h), 0.2)
        h = F.leaky_relu(self.dense1(h.reshape(n, -1)), 0.2)
        return self.dense2(h)


class ProGanStep:
    """models/Gans/ProGanStep.cs at the last stage: D step (Wasserstein + gradient penalty lambda 10 with one alpha per
    sample + drift 0.001 * mean(D(real)^2)) on a detached fake batch, then G step (-mean D(fake)) with D frozen;
    Adam(1e-3, (0, 0.99)) over every parameter of the last stage (all but the previous toRGB / fromRGB at alpha 1:
    those get no gradient, and Adam leaves parameters without a gradient alone)."""

    def __init__(self, resolution, batch, dev, alpha=1.0, channels=3):
        self.g = ProGanGenerator(resolution, channels).to(dev)
        self.d = ProGanDiscriminator(resolution, channels).to(dev)
        self.alpha, self.batch, self.dev = alpha, batch, dev
        self.opt_g = torch.optim.Adam(self.g.parameters(), 1e-3, betas=(0.0, 0.99))
        self.opt_d = torch.optim.Adam(self.d.parameters(), 1e-3, betas=(0.0, 0.99))

    def gradient_penalty(self, real, fake):
        n = real.shape[0]
        a = torch.rand(n, 1, 1, 1, device=real.device)
        xhat = (real * a + fake * (1 - a)).requires_grad_(True)
        score = self.d(xhat, alpha=self.alpha)
        (grad,) = torch.autograd.grad(score, xhat, torch.ones_like(score), create_graph=True)
        norm = (grad.reshape(n, -1).pow(2).sum(1) + 1e-12).sqrt()
        return (norm - 1).pow(2).mean() * 10.0

    def __call__(self, real):
        fake = self.g(torch.randn(self.batch, self.g.latent_dim, device=self.dev), alpha=self.alpha)
        self.opt_d.zero_grad(set_to_none=True)
        real_out = self.d(real, alpha=self.alpha)
        fake_out = self.d(fake.detach(), alpha=self.alpha)
        d_loss = fake_out.mean() - real_out.mean() + self.gradient_penalty(real, fake.detach()) + real_out.pow(2).mean() * 0.001
        d_loss.backward()
        self.opt_d.step()
        self.d.requires_grad_(False)
        self.opt_g.zero_grad(set_to_none=True)
        g_loss = -self.d(fake, alpha=self.alpha).mean()
        g_loss.backward()
        self.opt_g.step()
        self.d.requires_grad_(True)
        return d_loss, g_loss
