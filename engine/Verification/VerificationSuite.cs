namespace NativeGan.Verification;

/// <summary>One printed line of a verification run.</summary>
public sealed record VerificationLine(string Case, string Op, double MaxRelError, bool Passed, string? Detail);

/// <summary>
/// What `nativegan gradcheck` runs: every reference case of a folder (any shapes, any of the registered ops),
/// or the finite-difference check of every registered op. A case naming an unknown op fails.
/// </summary>
public static class VerificationSuite
{
    public static IEnumerable<VerificationLine> RunFixtureFolder(string folder, Device device, double rtol, double atol)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The fixture folder '{folder}' does not exist.");
        var files = Directory.EnumerateFiles(folder, "*.safetensors").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            throw new FileNotFoundException($"The folder '{folder}' holds no *.safetensors reference cases.");
        foreach (var file in files)
        {
            var r = FixtureRunner.Run(file, device, rtol, atol);
            string? detail = r.Error;
            if (detail == null && r.Worst is { Passed: false } w)
                detail = $"{w.Name}: worst at {w.WorstIndex}, expected {w.Expected}, got {w.Actual}";
            yield return new VerificationLine(r.Case, r.Op, r.MaxRelError, r.Passed, detail);
        }
    }

    public static IEnumerable<VerificationLine> RunFiniteDifferences(Device device, int seed = 1)
    {
        foreach (var c in GradCheckCases.All)
        {
            var first = Safe(() => c.Run(device, seed), c.Op);
            yield return Line(first, c.Op);
            if (c.SecondOrder)
                yield return Line(Safe(() => c.RunSecondOrder(device, seed), c.Op + " (second order)"), c.Op);
        }
    }

    private static GradCheckResult Safe(Func<GradCheckResult> run, string name)
    {
        try { return run(); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            return new GradCheckResult(name, 0, double.NaN, double.PositiveInfinity, e.Message);
        }
    }

    private static VerificationLine Line(GradCheckResult r, string op) =>
        new(r.Name, op, r.WorstRatio, r.Passed, r.Detail);
}
