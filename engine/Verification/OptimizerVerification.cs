using System.Runtime.CompilerServices;
using System.Text.Json;
using NativeGan.Optim;

namespace NativeGan.Verification;

/// <summary>
/// The optimizer reference cases (op "optimizer"): in.p0 is the starting parameter, in.grads holds one gradient
/// per step (steps x n), out is the parameter after the last step.
/// </summary>
public static class OptimizerVerification
{
    // CA2255 warns that a library's module initializer runs on load; that is the point here: the fixture and
    // gradcheck registries must hold this family before anyone enumerates them, whichever type they touch first.
#pragma warning disable CA2255
    [ModuleInitializer]
    internal static void Init() => Register();
#pragma warning restore CA2255

    public static void Register() => FixtureOps.Register("optimizer", c =>
    {
        var p0 = c["p0"];
        var grads = c["grads"];
        string name = c.String("name") ?? throw new ArgumentException("optimizer case: args.name is missing");
        float lr = c.Float("lr", 1e-3f), eps = c.Float("eps", 1e-8f), decay = c.Float("weight_decay", 0f);
        (float, float) betas = (0.9f, 0.999f);
        if (c.Args.TryGetProperty("betas", out var b) && b.ValueKind == JsonValueKind.Array)
        {
            var v = b.EnumerateArray().Select(e => e.GetSingle()).ToArray();
            betas = (v[0], v[1]);
        }
        int steps = c.Int("steps", grads.Size(0));
        var p = Tensor.Zeros(p0.ShapeArray.ToArray(), p0.Device);
        using (Tensor.NoGrad()) p.CopyFrom(p0);
        p.RequiresGrad = true;
        using Optimizer opt = name switch
        {
            "adam" => new Adam(new[] { p }, lr, betas, eps, decay),
            "adamw" => new AdamW(new[] { p }, lr, betas, eps, decay),
            "rmsprop" => new RMSprop(new[] { p }, lr, c.Float("alpha", 0.99f), eps, decay),
            "sgd" => new Sgd(new[] { p }, lr, c.Float("momentum", 0f), 0f, decay),
            _ => throw new NotSupportedException($"optimizer case: unknown optimizer '{name}' (adam, adamw, rmsprop, sgd)"),
        };
        for (int s = 0; s < steps; s++)
        {
            p.Grad = grads.Narrow(0, s, 1).Reshape(p0.ShapeArray.ToArray()).Contiguous().Detach().DetachFromScope();
            opt.Step();
            p.ZeroGrad();
        }
        p.RequiresGrad = false;
        return new() { ["out"] = p };
    });
}
