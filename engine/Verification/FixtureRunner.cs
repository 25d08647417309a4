using NativeGan.IO;

namespace NativeGan.Verification;

/// <summary>How one compared tensor did.</summary>
public sealed record TensorComparison(string Name, double MaxAbsError, double MaxRelError, double WorstRatio, int WorstIndex, float Expected, float Actual)
{
    /// <summary>Passed when every element is within atol + rtol * |expected|.</summary>
    public bool Passed => WorstRatio <= 1.0;
}

/// <summary>The outcome of one reference case.</summary>
public sealed record FixtureResult(string Case, string Op, IReadOnlyList<TensorComparison> Comparisons, string? Error)
{
    public bool Passed => Error == null && Comparisons.Count > 0 && Comparisons.All(c => c.Passed);
    public double MaxRelError => Comparisons.Count == 0 ? double.NaN : Comparisons.Max(c => c.MaxRelError);
    public TensorComparison? Worst => Comparisons.OrderByDescending(c => c.WorstRatio).FirstOrDefault();
}

/// <summary>
/// Runs a reference case in the format of tests/fixtures/ops: inputs `in.NAME`, outputs `out`/`out_X`, upstream
/// gradients `gout`/`gout_X`, expected gradients `grad.NAME` of sum(out * gout). Compares outputs and gradients.
/// </summary>
public static class FixtureRunner
{
    public static FixtureResult Run(string path, Device device, double rtol, double atol)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        SafetensorsFile file;
        try { file = Safetensors.Read(path); }
        catch (Exception e) when (e is IOException or SafetensorsFormatException or UnauthorizedAccessException)
        {
            return new FixtureResult(name, "?", Array.Empty<TensorComparison>(), e.Message);
        }
        return Run(name, file, device, rtol, atol);
    }

    public static FixtureResult Run(string name, SafetensorsFile file, Device device, double rtol, double atol)
    {
        string op = file.Metadata.GetValueOrDefault("op") ?? "?";
        try
        {
            using var scope = Tensor.Scope();
            return RunCore(name, op, file, device, rtol, atol);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException or KeyNotFoundException or System.Text.Json.JsonException or FormatException)
        {
            return new FixtureResult(name, op, Array.Empty<TensorComparison>(), e.Message);
        }
    }

    private static FixtureResult RunCore(string name, string op, SafetensorsFile file, Device device, double rtol, double atol)
    {
        if (!FixtureOps.IsKnown(op))
            return new FixtureResult(name, op, Array.Empty<TensorComparison>(), $"unknown op '{op}'");
        string argsJson = file.Metadata.GetValueOrDefault("args") ?? "{}";
        using var argsDoc = System.Text.Json.JsonDocument.Parse(argsJson);
        var inputs = new Dictionary<string, Tensor>();
        foreach (var (key, entry) in file.Tensors)
        {
            if (!key.StartsWith("in.", StringComparison.Ordinal)) continue;
            string inputName = key[3..];
            bool wantsGrad = file.Tensors.ContainsKey("grad." + inputName) && !FixtureOps.NonDifferentiableInputs.Contains(inputName);
            inputs[inputName] = Tensor.FromArray(entry.Data, entry.Shape, device, requiresGrad: wantsGrad);
        }
        var outputs = FixtureOps.Run(op, new FixtureInputs(inputs, argsDoc.RootElement));
        var comparisons = new List<TensorComparison>();

        var gradOutputs = new List<Tensor>();
        var gradTargets = new List<Tensor>();
        foreach (var (outName, outTensor) in outputs)
        {
            if (!file.Tensors.TryGetValue(outName, out var expected))
                throw new KeyNotFoundException($"the case has no expected '{outName}'");
            if (!ShapeUtil.SameShape(expected.Shape, outTensor.ShapeArray))
                return new FixtureResult(name, op, comparisons, $"{outName}: shape {ShapeUtil.Format(outTensor.ShapeArray)}, expected {ShapeUtil.Format(expected.Shape)}");
            comparisons.Add(Compare(outName, expected.Data, outTensor.ToArray(), rtol, atol));
            // "out" -> "gout", "out_d" -> "gout_d"; other names (e.g. "u", "running_mean") have no upstream gradient.
            string goutName = outName.StartsWith("out", StringComparison.Ordinal) ? "gout" + outName[3..] : "gout." + outName;
            if (file.Tensors.TryGetValue(goutName, out var gout) && outTensor.RequiresGrad)
            {
                gradTargets.Add(outTensor);
                gradOutputs.Add(Tensor.FromArray(gout.Data, gout.Shape, device));
            }
        }

        var differentiable = inputs.Where(p => p.Value.RequiresGrad).ToList();
        if (gradTargets.Count > 0 && differentiable.Count > 0)
        {
            var grads = Autograd.Grad(gradTargets.ToArray(), differentiable.Select(p => p.Value).ToArray(), gradOutputs.ToArray());
            for (int i = 0; i < differentiable.Count; i++)
            {
                string key = "grad." + differentiable[i].Key;
                var expected = file.Tensors[key];
                var actual = grads[i]?.ToArray() ?? new float[expected.Data.Length];
                comparisons.Add(Compare(key, expected.Data, actual, rtol, atol));
            }
        }
        return new FixtureResult(name, op, comparisons, null);
    }

    public static TensorComparison Compare(string name, float[] expected, float[] actual, double rtol, double atol)
    {
        if (expected.Length != actual.Length)
            return new TensorComparison(name, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, -1, float.NaN, float.NaN);
        double maxAbs = 0, maxRel = 0, worst = 0;
        int worstIndex = expected.Length == 0 ? -1 : 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            double err = Math.Abs(a - e);
            if (double.IsNaN(err)) err = double.IsNaN(e) && double.IsNaN(a) ? 0 : double.PositiveInfinity;
            double ratio = err / (atol + rtol * Math.Abs(e));
            maxAbs = Math.Max(maxAbs, err);
            maxRel = Math.Max(maxRel, err / Math.Max(Math.Abs(e), atol / Math.Max(rtol, 1e-30)));
            if (ratio > worst) { worst = ratio; worstIndex = i; }
        }
        return new TensorComparison(name, maxAbs, maxRel, worst, worstIndex,
            worstIndex >= 0 ? expected[worstIndex] : float.NaN, worstIndex >= 0 ? actual[worstIndex] : float.NaN);
    }
}
