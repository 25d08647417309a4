using System.Globalization;
using System.Text.Json;
using NativeGan.IO;
using NativeGan.NN;

namespace NativeGan.Benchmarks.Harness;

/// <summary>
/// A whole-network PyTorch fixture (tests/fixtures/models/NAME.{weights,io}.safetensors from
/// tools/make_i2i_network_fixtures.py, copied next to the harness): loads the state dict into a network built from the
/// fixture's config, runs the forward and the input gradient of sum(output * gout), and compares both with PyTorch's
/// float64 results at the harness's model tolerance (|err| &lt;= 1e-5 + 1e-3 |expected|, as RrdbNetCase).
/// </summary>
internal static class ModelFixtureCheck
{
    public static Validation Run(string name, Device device, Func<JsonElement, Device, (Module Net, Func<Tensor, Tensor> Forward)> build)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "fixtures");
        var weights = Safetensors.Read(Path.Combine(dir, name + ".weights.safetensors"));
        var io = Safetensors.Read(Path.Combine(dir, name + ".io.safetensors")).Tensors;
        using var config = JsonDocument.Parse(weights.Metadata["config"]);
        var (net, forward) = build(config.RootElement, device);
        using (net)
        {
            net.LoadStateDict(weights);
            using var scope = Tensor.Scope();
            var x = Tensor.FromArray(io["input"].Data, io["input"].Shape, device, requiresGrad: true);
            var y = forward(x);
            var gx = NativeGan.Autograd.Grad(new[] { y }, new[] { x }, new[] { Tensor.FromArray(io["gout"].Data, io["gout"].Shape, device) })[0]!;
            var first = Compare(name + " output", io["output"].Data, y.ToArray());
            if (!first.Ok) return first;
            var second = Compare(name + " grad.input", io["grad.input"].Data, gx.ToArray());
            if (!second.Ok) return second;
            return new Validation(true, Math.Max(first.MaxError, second.MaxError),
                $"{name}: output and input gradient match PyTorch ({io["output"].Data.Length} + {io["grad.input"].Data.Length} values)");
        }
    }

    private static Validation Compare(string what, float[] expected, float[] actual)
    {
        if (expected.Length != actual.Length)
            return new Validation(false, double.NaN, $"{what}: expected {expected.Length} values (PyTorch), got {actual.Length}");
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs((double)actual[i] - expected[i]);
            if (!(err <= 1e-5 + 1e-3 * Math.Abs(expected[i])))
                return new Validation(false, err, string.Create(CultureInfo.InvariantCulture, $"{what}[{i}]: expected {expected[i]} (PyTorch), got {actual[i]}"));
            worst = Math.Max(worst, err);
        }
        return new Validation(true, worst, what);
    }

    /// <summary>Our losses against the CPU backend's from the same weights and batch: |a - b| &lt;= 1e-3 max(1, |b|).</summary>
    public static Validation CompareLosses(string what, IReadOnlyList<float> device, IReadOnlyList<float> cpu)
    {
        double worst = 0;
        for (int i = 0; i < cpu.Count; i++)
        {
            double err = Math.Abs(device[i] - cpu[i]);
            worst = Math.Max(worst, err);
            if (!(err <= 1e-3 * Math.Max(1, Math.Abs(cpu[i]))))
                return new Validation(false, err, string.Create(CultureInfo.InvariantCulture,
                    $"{what} loss {i}: {device[i]:0.000000} on the device, {cpu[i]:0.000000} on the CPU backend"));
        }
        return new Validation(true, worst, string.Create(CultureInfo.InvariantCulture,
            $"{what}: {cpu.Count} first-step losses match the CPU backend ({string.Join(", ", device.Select(v => v.ToString("0.0000", CultureInfo.InvariantCulture)))})"));
    }
}
