"""Reference cases of tools/make_reference_op_fixtures.py: activations, reductions, broadcasting, gram, embedding,
minibatch stddev, losses (including the relativistic GAN loss) and the optimizers."""
import torch
import torch.nn.functional as F
from make_fixtures import uniform  # noqa: E402
from reference_fixture_runner import case  # noqa: E402


def signed(bound, *shape):
    return uniform(-bound, bound, *shape)


def unary(stem, op, fn, args=None, bound=3.0, shape=(3, 4, 5)):
    case(stem, op, args)(lambda a: ({"x": signed(bound, *shape)}, lambda x: fn(x, a), ["x"]))


# ---------------------------------------------------------------- activations

unary("relu_0", "relu", lambda x, a: F.relu(x))
unary("leaky_relu_0", "leaky_relu", lambda x, a: F.leaky_relu(x, a["slope"]), {"slope": 0.2})
unary("tanh_0", "tanh", lambda x, a: torch.tanh(x))
unary("sigmoid_0", "sigmoid", lambda x, a: torch.sigmoid(x))
unary("softplus_0", "softplus", lambda x, a: F.softplus(x))
unary("log_softmax_0", "log_softmax", lambda x, a: torch.log_softmax(x, dim=a["dim"]), {"dim": 1}, shape=(4, 10))


@case("prelu_0", "prelu", {"per_channel": True})
def _(args):
    inputs = {"x": signed(2.0, 2, 4, 3, 3), "weight": uniform(0.1, 0.4, 4)}
    return inputs, lambda x, weight: F.prelu(x, weight), ["x", "weight"]


# ---------------------------------------------------------------- reductions and broadcasting

@case("sum_dims_0", "sum", {"dims": [0, 2, 3], "keepdim": True})
def _(args):
    return {"x": signed(1.0, 2, 3, 4, 5)}, lambda x: torch.sum(x, dim=args["dims"], keepdim=args["keepdim"]), ["x"]


@case("mean_0", "mean", {"dims": "all"})
def _(args):
    return {"x": signed(1.0, 3, 7)}, lambda x: torch.mean(x), ["x"]


@case("var_0", "var", {"dims": [1], "unbiased": False})
def _(args):
    return {"x": signed(1.0, 4, 6)}, lambda x: torch.var(x, dim=args["dims"], unbiased=args["unbiased"]), ["x"]


@case("broadcast_mul_add_0", "mul_add_broadcast", {"expr": "a*b+c"})
def _(args):
    inputs = {"a": signed(1.0, 2, 3, 4, 4), "b": signed(1.0, 1, 3, 1, 1), "c": signed(1.0, 4)}
    return inputs, lambda a, b, c: a * b + c, ["a", "b", "c"]


@case("gram_0", "gram", {"norm": "c*h*w"})
def _(args):
    def gram(x):
        n, c, h, w = x.shape
        f = x.reshape(n, c, h * w)
        return torch.bmm(f, f.transpose(1, 2)) / (c * h * w)
    return {"x": signed(1.0, 2, 4, 3, 5)}, gram, ["x"]


@case("embedding_0", "embedding", {})
def _(args):
    indices = torch.randint(0, 10, (4,))
    indices[3] = indices[0]  # a repeated row: its gradient rows must add up
    inputs = {"weight": signed(1.0, 10, 6), "indices": indices.to(torch.float64)}
    return inputs, lambda weight, indices: F.embedding(indices.long(), weight), ["weight"]


@case("minibatch_std_0", "minibatch_std", {"group": "all", "eps": 1e-08})
def _(args):
    def minibatch_std(x):
        # ProGAN's layer with one group holding the whole batch: std over the batch of every feature, averaged
        # over C, H, W, appended as one more channel.
        std = torch.sqrt(x.var(dim=0, unbiased=False) + args["eps"]).mean()
        n, _, h, w = x.shape
        return torch.cat([x, std.reshape(1, 1, 1, 1).expand(n, 1, h, w)], dim=1)
    return {"x": signed(1.0, 4, 3, 4, 4)}, minibatch_std, ["x"]


# ---------------------------------------------------------------- losses

def binary_target(*shape):
    # Both classes present, in random order.
    t = torch.zeros(shape, dtype=torch.float64).reshape(-1)
    t[: t.numel() // 2] = 1.0
    return t[torch.randperm(t.numel())].reshape(shape)


@case("bce_with_logits_0", "bce_with_logits", {"reduction": "mean"})
def _(args):
    inputs = {"x": signed(2.25, 6, 1), "target": binary_target(6, 1)}
    return inputs, lambda x, target: F.binary_cross_entropy_with_logits(x, target), ["x"]


@case("bce_0", "bce", {"reduction": "mean"})
def _(args):
    # Probabilities kept away from 0 and 1, where log and its derivative blow up.
    inputs = {"x": uniform(0.1, 0.95, 6, 1), "target": binary_target(6, 1)}
    return inputs, lambda x, target: F.binary_cross_entropy(x, target), ["x"]


@case("mse_0", "mse", {"reduction": "mean"})
def _(args):
    inputs = {"x": signed(1.0, 2, 3, 4), "target": signed(1.0, 2, 3, 4)}
    return inputs, lambda x, target: F.mse_loss(x, target), ["x"]


@case("l1_0", "l1", {"reduction": "mean"})
def _(args):
    inputs = {"x": signed(1.0, 2, 3, 4), "target": signed(1.0, 2, 3, 4)}
    return inputs, lambda x, target: F.l1_loss(x, target), ["x"]


@case("cross_entropy_0", "cross_entropy", {"reduction": "mean"})
def _(args):
    inputs = {"x": signed(2.0, 5, 4), "target": torch.randint(0, 4, (5,)).to(torch.float64)}
    return inputs, lambda x, target: F.cross_entropy(x, target.long()), ["x"]


RAGAN_NOTE = ("out_d = (bce(real-mean(fake),1)+bce(fake-mean(real),0))/2; "
              "out_g = (bce(real-mean(fake),0)+bce(fake-mean(real),1))/2")


@case("ragan_0", "ragan_loss", {"note": RAGAN_NOTE})
def _(args):
    def ragan(real, fake):
        # ESRGAN's relativistic average loss; bce is the logits form (BCEWithLogitsLoss).
        def bce(logits, label):
            return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, label))
        real_rel, fake_rel = real - fake.mean(), fake - real.mean()
        return {"out_d": (bce(real_rel, 1.0) + bce(fake_rel, 0.0)) / 2,
                "out_g": (bce(real_rel, 0.0) + bce(fake_rel, 1.0)) / 2}
    inputs = {"real": signed(2.0, 4, 1), "fake": uniform(-2.0, 0.5, 4, 1)}
    return inputs, ragan, ["real", "fake"]


# ---------------------------------------------------------------- optimizers

def optimizer_case(stem, args, make):
    """in.p0 (7 values) and in.grads (one row per step); out is the parameter after args.steps steps."""
    @case(stem, "optimizer", args)
    def _(a):
        inputs = {"p0": signed(1.0, 7), "grads": signed(1.0, a["steps"], 7)}

        def run(p0, grads):
            p = torch.nn.Parameter(p0.detach().clone())
            opt = make(p, a)
            for g in grads:
                p.grad = g.detach().clone()
                opt.step()
            return p.detach()
        return inputs, run, []


optimizer_case("optim_adam_0", {"name": "adam", "lr": 0.01, "betas": [0.5, 0.999], "eps": 1e-08, "steps": 5},
               lambda p, a: torch.optim.Adam([p], lr=a["lr"], betas=tuple(a["betas"]), eps=a["eps"]))
optimizer_case("optim_adam_1",
               {"name": "adam", "lr": 0.002, "betas": [0.9, 0.99], "eps": 1e-08, "weight_decay": 0.1, "steps": 5},
               lambda p, a: torch.optim.Adam([p], lr=a["lr"], betas=tuple(a["betas"]), eps=a["eps"],
                                             weight_decay=a["weight_decay"]))
optimizer_case("optim_adamw_0",
               {"name": "adamw", "lr": 0.01, "betas": [0.9, 0.999], "eps": 1e-08, "weight_decay": 0.1, "steps": 5},
               lambda p, a: torch.optim.AdamW([p], lr=a["lr"], betas=tuple(a["betas"]), eps=a["eps"],
                                              weight_decay=a["weight_decay"]))
optimizer_case("optim_rmsprop_0", {"name": "rmsprop", "lr": 0.005, "alpha": 0.99, "eps": 1e-08, "steps": 5},
               lambda p, a: torch.optim.RMSprop([p], lr=a["lr"], alpha=a["alpha"], eps=a["eps"]))
optimizer_case("optim_sgd_0", {"name": "sgd", "lr": 0.1, "momentum": 0.9, "steps": 5},
               lambda p, a: torch.optim.SGD([p], lr=a["lr"], momentum=a["momentum"]))
