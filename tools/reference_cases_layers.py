"""Reference cases of tools/make_reference_op_fixtures.py: convolutions, linear, the normalisations, spectral norm,
pixel shuffle, cat, interpolation, pooling and the WGAN-GP gradient penalty through a small critic."""
import torch
import torch.nn.functional as F
from make_fixtures import f64, uniform  # noqa: E402
from reference_fixture_runner import case  # noqa: E402


def signed(bound, *shape):
    return uniform(-bound, bound, *shape)


# ---------------------------------------------------------------- convolutions and linear

def conv_case(stem, x_shape, cout, args):
    @case(stem, "conv2d", args)
    def _(a):
        k, g = a["k"], a["g"]
        inputs = {"x": signed(1.0, *x_shape), "weight": signed(0.5, cout, x_shape[1] // g, k, k)}
        if a["bias"]:
            inputs["bias"] = signed(1.0, cout)

        def conv(x, weight, bias=None):
            return F.conv2d(x, weight, bias, stride=a["s"], padding=a["p"], dilation=a["d"], groups=g)
        return inputs, conv, list(inputs)


conv_case("conv2d_0", (2, 3, 9, 9), 4, {"k": 3, "s": 1, "p": 1, "d": 1, "g": 1, "bias": True})
conv_case("conv2d_1", (2, 4, 8, 10), 6, {"k": 4, "s": 2, "p": 1, "d": 1, "g": 1, "bias": False})
conv_case("conv2d_2", (1, 5, 7, 7), 3, {"k": 1, "s": 1, "p": 0, "d": 1, "g": 1, "bias": True})
conv_case("conv2d_3", (2, 4, 11, 9), 4, {"k": 3, "s": 1, "p": 2, "d": 2, "g": 1, "bias": True})
conv_case("conv2d_4", (2, 4, 6, 6), 6, {"k": 3, "s": 1, "p": 1, "d": 1, "g": 2, "bias": True})
conv_case("conv2d_5", (2, 3, 8, 8), 5, {"k": 3, "s": 2, "p": 0, "d": 1, "g": 1, "bias": True})
conv_case("conv2d_6", (2, 32, 6, 5), 16, {"k": 3, "s": 1, "p": 1, "d": 1, "g": 1, "bias": True})


def conv_transpose_case(stem, x_shape, cout, args):
    @case(stem, "conv_transpose2d", args)
    def _(a):
        k = a["k"]
        inputs = {"x": signed(1.0, *x_shape), "weight": signed(0.5, x_shape[1], cout, k, k)}
        if a["bias"]:
            inputs["bias"] = signed(1.0, cout)

        def conv_transpose(x, weight, bias=None):
            return F.conv_transpose2d(x, weight, bias, stride=a["s"], padding=a["p"], output_padding=a["op"])
        return inputs, conv_transpose, list(inputs)


# DCGAN's first layer (1x1 -> 4x4), the usual stride-2 upsampler, and an output_padding case.
conv_transpose_case("conv_transpose2d_0", (2, 6, 1, 1), 4, {"k": 4, "s": 1, "p": 0, "op": 0, "bias": False})
conv_transpose_case("conv_transpose2d_1", (2, 4, 5, 5), 3, {"k": 4, "s": 2, "p": 1, "op": 0, "bias": False})
conv_transpose_case("conv_transpose2d_2", (1, 3, 4, 6), 2, {"k": 3, "s": 2, "p": 1, "op": 1, "bias": True})


def linear_case(stem, x_shape, out_features, args):
    @case(stem, "linear", args)
    def _(a):
        inputs = {"x": signed(1.0, *x_shape), "weight": signed(1.0, out_features, x_shape[-1])}
        if a["bias"]:
            inputs["bias"] = signed(1.0, out_features)
        return inputs, lambda x, weight, bias=None: F.linear(x, weight, bias), list(inputs)


linear_case("linear_0", (5, 7), 3, {"bias": True})
linear_case("linear_1", (4, 16), 8, {"bias": False})


# ---------------------------------------------------------------- normalisations

def batch_norm_train_case(stem, x_shape, args):
    @case(stem, "batch_norm", args)
    def _(a):
        c = x_shape[1]
        inputs = {"x": uniform(-1.5, 2.5, *x_shape), "weight": uniform(0.5, 1.5, c), "bias": signed(0.5, c),
                  "running_mean0": signed(0.1, c), "running_var0": uniform(0.5, 1.5, c)}

        def batch_norm(x, weight, bias, running_mean0, running_var0):
            # F.batch_norm updates the running statistics in place (variance unbiased, as PyTorch).
            running_mean, running_var = running_mean0.clone(), running_var0.clone()
            out = F.batch_norm(x, running_mean, running_var, weight, bias, training=True,
                               momentum=a["momentum"], eps=a["eps"])
            return {"out": out, "running_mean": running_mean, "running_var": running_var}
        return inputs, batch_norm, ["x", "weight", "bias"]


def batch_norm_eval_case(stem, x_shape, args):
    @case(stem, "batch_norm", args)
    def _(a):
        c = x_shape[1]
        inputs = {"x": signed(2.0, *x_shape), "weight": signed(1.0, c), "bias": signed(1.0, c),
                  "running_mean": signed(0.5, c), "running_var": uniform(0.5, 2.0, c)}

        def batch_norm(x, weight, bias, running_mean, running_var):
            return F.batch_norm(x, running_mean, running_var, weight, bias, training=False, eps=a["eps"])
        return inputs, batch_norm, ["x", "weight", "bias"]


# eps 0.8: PyTorch-GAN's generators build BatchNorm1d(n, 0.8), whose second argument is eps.
batch_norm_train_case("batch_norm_train_0", (4, 3, 5, 5), {"training": True, "eps": 1e-05, "momentum": 0.1})
batch_norm_eval_case("batch_norm_eval_0", (4, 3, 5, 5), {"training": False, "eps": 1e-05})
batch_norm_train_case("batch_norm_train_1", (6, 5), {"training": True, "eps": 0.8, "momentum": 0.1})
batch_norm_eval_case("batch_norm_eval_1", (6, 5), {"training": False, "eps": 0.8})


@case("instance_norm_0", "instance_norm", {"affine": True, "eps": 1e-05})
def _(args):
    inputs = {"x": signed(3.0, 2, 3, 6, 5), "weight": signed(1.0, 3), "bias": signed(1.0, 3)}
    return inputs, lambda x, weight, bias: F.instance_norm(x, weight=weight, bias=bias, eps=args["eps"]), list(inputs)


@case("instance_norm_1", "instance_norm", {"affine": False, "eps": 1e-05})
def _(args):
    return {"x": uniform(0.0, 2.0, 3, 2, 4, 4)}, lambda x: F.instance_norm(x, eps=args["eps"]), ["x"]


@case("layer_norm_0", "layer_norm", {"normalized_shape": [4, 3, 3], "eps": 1e-05})
def _(args):
    shape = args["normalized_shape"]
    inputs = {"x": signed(2.0, 2, *shape), "weight": signed(1.0, *shape), "bias": signed(1.0, *shape)}
    return inputs, lambda x, weight, bias: F.layer_norm(x, shape, weight, bias, args["eps"]), list(inputs)


@case("pixel_norm_0", "pixel_norm", {"eps": 1e-08})
def _(args):
    # ProGAN's pixelwise feature normalisation over the channels.
    return {"x": signed(1.0, 2, 8, 3, 3)}, lambda x: x / torch.sqrt((x * x).mean(dim=1, keepdim=True) + args["eps"]), ["x"]


@case("spectral_norm_0", "spectral_norm",
      {"n_power_iterations": 1, "eps": 1e-12, "note": "in.u0 is the stored u; out.u the updated one"})
def _(args):
    eps = args["eps"]

    def spectral_norm(weight, u0):
        # torch.nn.utils.spectral_norm's forward (dim 0): power iterations without grad, so u and v are constants
        # for the gradient and sigma = u . (W v) carries it through W.
        w = weight.reshape(weight.shape[0], -1)
        u = u0
        with torch.no_grad():
            for _ in range(args["n_power_iterations"]):
                v = F.normalize(torch.mv(w.t(), u), dim=0, eps=eps)
                u = F.normalize(torch.mv(w, v), dim=0, eps=eps)
        sigma = torch.dot(u, torch.mv(w, v))
        return {"out": weight / sigma, "u": u, "sigma": sigma}
    # PyTorch keeps u normalised; store the float32 rounding of a random unit vector.
    inputs = {"weight": signed(1.0, 6, 4, 3, 3), "u0": f64(F.normalize(torch.randn(6, dtype=torch.float64), dim=0))}
    return inputs, spectral_norm, ["weight"]


# ---------------------------------------------------------------- shuffles, cat, interpolation, pooling

@case("pixel_shuffle_2", "pixel_shuffle", {"r": 2})
def _(args):
    return {"x": signed(1.0, 2, 12, 3, 4)}, lambda x: F.pixel_shuffle(x, args["r"]), ["x"]


@case("pixel_shuffle_3", "pixel_shuffle", {"r": 3})
def _(args):
    return {"x": signed(1.0, 1, 18, 2, 2)}, lambda x: F.pixel_shuffle(x, args["r"]), ["x"]


@case("pixel_unshuffle_2", "pixel_unshuffle", {"r": 2})
def _(args):
    return {"x": signed(1.0, 2, 3, 6, 8)}, lambda x: F.pixel_unshuffle(x, args["r"]), ["x"]


@case("cat_0", "cat", {"dim": 1})
def _(args):
    inputs = {"a": signed(1.0, 2, 4, 3, 3), "b": signed(1.0, 2, 2, 3, 3), "c": signed(1.0, 2, 3, 3, 3)}
    return inputs, lambda a, b, c: torch.cat([a, b, c], dim=args["dim"]), list(inputs)


@case("upsample_nearest_0", "interpolate", {"mode": "nearest", "scale": 2})
def _(args):
    return {"x": signed(1.0, 2, 3, 4, 5)}, lambda x: F.interpolate(x, scale_factor=args["scale"], mode="nearest"), ["x"]


@case("upsample_bilinear_0", "interpolate", {"mode": "bilinear", "scale": 2, "align_corners": False})
def _(args):
    def bilinear(x):
        return F.interpolate(x, scale_factor=args["scale"], mode="bilinear", align_corners=args["align_corners"])
    return {"x": signed(1.0, 2, 3, 4, 5)}, bilinear, ["x"]


@case("avg_pool_0", "avg_pool2d", {"k": 2, "s": 2})
def _(args):
    return {"x": signed(1.0, 2, 3, 6, 8)}, lambda x: F.avg_pool2d(x, args["k"], args["s"]), ["x"]


@case("avg_pool_1", "avg_pool2d", {"k": 3, "s": 2, "p": 1, "count_include_pad": False})
def _(args):
    def avg_pool(x):
        return F.avg_pool2d(x, args["k"], args["s"], args["p"], count_include_pad=args["count_include_pad"])
    return {"x": signed(1.0, 1, 2, 7, 7)}, avg_pool, ["x"]


@case("adaptive_avg_pool_0", "adaptive_avg_pool2d", {"out": 1})
def _(args):
    return {"x": signed(1.0, 2, 5, 4, 3)}, lambda x: F.adaptive_avg_pool2d(x, args["out"]), ["x"]


@case("max_pool_0", "max_pool2d", {"k": 2, "s": 2})
def _(args):
    # Uniform values are distinct with probability one, so every window has a single maximum.
    return {"x": signed(1.0, 2, 3, 6, 6)}, lambda x: F.max_pool2d(x, args["k"], args["s"]), ["x"]


# ---------------------------------------------------------------- WGAN-GP gradient penalty

@case("wgan_gp_0", "gradient_penalty",
      {"critic": "conv3x3(2->4,p1)+bias, leaky0.2, flatten, linear(64->1)+bias", "lambda": 1})
def _(args):
    def gradient_penalty(real, fake, alpha, w1, b1, w2, b2):
        # PyTorch-GAN's compute_gradient_penalty: the critic's input gradient at a random interpolate, taken with
        # create_graph so the penalty reaches the critic's parameters (double backward). b2 gets no gradient.
        n = real.shape[0]
        x_hat = (alpha * real + (1 - alpha) * fake).detach().requires_grad_(True)
        hidden = F.leaky_relu(F.conv2d(x_hat, w1, b1, padding=1), 0.2)
        critic = F.linear(hidden.reshape(n, -1), w2, b2)
        grad, = torch.autograd.grad(critic, x_hat, torch.ones_like(critic), create_graph=True)
        return args["lambda"] * ((grad.reshape(n, -1).norm(2, dim=1) - 1) ** 2).mean()
    inputs = {"real": signed(1.0, 3, 2, 4, 4), "fake": signed(1.0, 3, 2, 4, 4), "alpha": uniform(0.0, 1.0, 3, 1, 1, 1),
              "w1": signed(0.5, 4, 2, 3, 3), "b1": signed(0.1, 4), "w2": signed(0.2, 1, 64), "b2": signed(0.1, 1)}
    return inputs, gradient_penalty, ["w1", "b1", "w2", "b2"]
