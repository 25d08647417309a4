namespace NativeGan.Verification;

/// <summary>Reflection padding's PyTorch fixture op (tools/make_i2i_fixtures.py) and its finite-difference checks.</summary>
public static class PaddingVerification
{
    private static bool registered;

#pragma warning disable CA2255
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Init() => Register();
#pragma warning restore CA2255

    public static void Register()
    {
        if (registered) return;
        registered = true;

        FixtureOps.Register("reflection_pad2d", c => new()
        {
            ["out"] = c["x"].ReflectionPad2d(c.Int("left", 0), c.Int("right", 0), c.Int("top", 0), c.Int("bottom", 0)),
        });

        // Linear in x: second order is checked too (CycleGAN's discriminators may sit under a gradient penalty).
        GradCheckCases.Register(new GradCheckCase("reflection_pad2d", true, r =>
        {
            int n = r.Next(1, 3), ch = r.Next(1, 3), h = r.Next(3, 6), w = r.Next(3, 6);
            int l = r.Next(0, w), rt = r.Next(0, w), t = r.Next(0, h), b = r.Next(0, h);
            return (new[] { In("x", n, ch, h, w) }, x => x[0].ReflectionPad2d(l, rt, t, b).Square());
        }));
    }

    private static GradCheckInput In(string name, params int[] shape)
    {
        int count = shape.Aggregate(1, (a, b) => a * b);
        var r = new System.Random(HashCode.Combine(name, count, shape.Length));
        return new GradCheckInput(name, Enumerable.Range(0, count).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray(), shape);
    }
}
