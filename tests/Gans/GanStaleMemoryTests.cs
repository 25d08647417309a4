using NativeGan.Backends.Cpu;
using NativeGan.Models.Gans;

namespace NativeGan.Tests.Gans;

/// <summary>
/// No op of a GAN training step may read memory it did not write: the pooled buffers hold whatever earlier (or
/// concurrent) work left there, so such a read makes results depend on other threads and breaks bitwise resume.
/// Each model runs a few steps twice from the same seeds with every new CPU buffer pre-filled with a different
/// value (NaN, then -3.5); the losses and parameters must agree bit for bit. This caught Matmul reading a broadcast
/// [N, 1] gradient (Mean's backward) past its one stored float. In the non-parallel collection: the fill is
/// process-wide.
/// </summary>
[Collection(nameof(NativeGan.Tests.Engine.MemoryTests))]
public class GanStaleMemoryTests
{
    private static GanStep Build(string model, Device dev)
    {
        var init = new Generator(7);
        var rng = new Generator(8);
        return model switch
        {
            "wgan_gp" => new WganGpStep(new WganGenerator(1, 12, 16, width: 16, device: dev, generator: init), new WganCritic(1, 12, width: 64, device: dev, generator: init),
                nCritic: 2, rng: rng),
            "dcgan" => new DcganStep(new DcganGenerator(28, 1, 16, 8, dev, init), new DcganDiscriminator(28, 1, 8, dev, init), rng: rng),
            "cgan" => new CganStep(new CganGenerator(10, 1, 12, 16, width: 16, device: dev, generator: init), new CganDiscriminator(10, 1, 12, width: 64, device: dev, generator: init),
                rng: rng),
            "infogan" => new InfoGanStep(new InfoGanGenerator(1, 8, 8, 10, 2, dev, init), new InfoGanDiscriminator(1, 8, 10, 2, dev, init), rng: rng),
            _ => throw new ArgumentException(model),
        };
    }

    private static List<uint> Run(string model, float fill)
    {
        var dev = Device.Cpu;
        CpuBackend.FillAllocationsWith = fill;
        try
        {
            using var step = Build(model, dev);
            using var g = step.G;
            using var d = step.D;
            int size = model switch { "dcgan" => 28, "infogan" => 8, _ => 12 };
            var data = new Generator(9);
            var bits = new List<uint>();
            for (int i = 0; i < 4; i++)
            {
                using var real = Tensor.Rand(new[] { 4, 1, size, size }, dev, data, -1f, 1f);
                using var labels = model == "cgan" ? GanSampling.RandomLabels(4, 10, dev, data) : null;
                var r = step.Step(real, labels);
                foreach (var v in new[] { r.DLoss, r.GLoss ?? 0f, r.GradientPenalty ?? 0f, r.InfoLoss ?? 0f })
                    bits.Add(BitConverter.SingleToUInt32Bits(v));
            }
            foreach (var p in g.Parameters().Concat(d.Parameters()))
                foreach (var v in p.ToArray()) bits.Add(BitConverter.SingleToUInt32Bits(v));
            return bits;
        }
        finally
        {
            CpuBackend.FillAllocationsWith = null;
        }
    }

    [Theory]
    [InlineData("wgan_gp")]
    [InlineData("dcgan")]
    [InlineData("cgan")]
    [InlineData("infogan")]
    public void StepResultsDoNotDependOnLeftoverBufferContents(string model)
    {
        var withNaN = Run(model, float.NaN);
        var withOther = Run(model, -3.5f);
        Assert.Equal(withNaN.Count, withOther.Count);
        int first = Enumerable.Range(0, withNaN.Count).FirstOrDefault(i => withNaN[i] != withOther[i], -1);
        Assert.True(first < 0, $"{model}: value {first} differs ({(first < 16 ? "a loss of step " + first / 4 : "a parameter")}): "
            + $"{BitConverter.UInt32BitsToSingle(withNaN[Math.Max(first, 0)])} with NaN-filled buffers vs {BitConverter.UInt32BitsToSingle(withOther[Math.Max(first, 0)])}");
        Assert.All(withNaN.Take(16), b => Assert.True(float.IsFinite(BitConverter.UInt32BitsToSingle(b))));
    }
}
