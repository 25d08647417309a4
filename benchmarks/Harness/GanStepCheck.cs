using System.Globalization;
using NativeGan.Models.Gans;

namespace NativeGan.Benchmarks.Harness;

/// <summary>
/// The check of the GAN step cases: a fresh step on the device must give finite losses and move G; on a GPU its
/// losses must also match the CPU backend's from the same weights, batch and noise (the CPU path is the one the op
/// fixtures verify against PyTorch).
/// </summary>
internal static class GanStepCheck
{
    public static Validation Validate(Device device, Func<Device, GanStep> build, Func<Device, Tensor> realBatch, double tolerance = 1e-3)
    {
        using var fresh = build(device);
        using var images = realBatch(device);
        var before = fresh.G.Parameters().First().ToArray();
        StepResult r;
        using (Tensor.Scope()) r = fresh.Step(images);
        if (!(float.IsFinite(r.DLoss) && r.GLoss is float gl && float.IsFinite(gl)))
            return new Validation(false, double.NaN, $"non-finite losses d {r.DLoss}, g {r.GLoss}");
        if (before.SequenceEqual(fresh.G.Parameters().First().ToArray()))
            return new Validation(false, double.NaN, "the generator's first weight did not change in a step");
        if (device.Kind == DeviceKind.Cpu)
            return new Validation(true, 0, string.Create(CultureInfo.InvariantCulture, $"losses finite (d {r.DLoss:0.0000}, g {gl:0.0000}), G moved"));
        using var cpu = build(Device.Cpu);
        using var cpuImages = realBatch(Device.Cpu);
        StepResult c;
        using (Tensor.Scope()) c = cpu.Step(cpuImages);
        double err = Math.Max(Math.Abs(c.DLoss - r.DLoss), Math.Abs(c.GLoss!.Value - gl));
        bool ok = err <= tolerance * Math.Max(1, Math.Abs(c.DLoss));
        return new Validation(ok, err, string.Create(CultureInfo.InvariantCulture,
            $"losses d {r.DLoss:0.000000} g {gl:0.000000}; CPU backend d {c.DLoss:0.000000} g {c.GLoss:0.000000}"));
    }
}
