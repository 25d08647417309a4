using System.Text.Json;
using NativeGan.IO;
using NativeGan.Models.Sr.Degradations;
using NativeGan.Tests.Fixtures;

namespace NativeGan.Tests.Sr.Degradations;

/// <summary>
/// The degradation ops against PyTorch (tests/fixtures/degradations, tools/make_degradation_fixtures.py, float64
/// references on crops of the fixture photos): BasicSR filter2D, F.interpolate area / bilinear / bicubic with
/// scale_factor and size, BasicSR USMSharp. The host ops (HostImageOps) and the device ops (DeviceImageOps, on every
/// device) are held to float32 level: 1e-5 absolute on values in [0, 1].
/// </summary>
public class DegradationFixtureTests
{
    private const double Atol = 1e-5;

    private static SafetensorsFile Load(string name) =>
        Safetensors.Read(Path.Combine(AppContext.BaseDirectory, "fixtures", "degradations", name + ".safetensors"));

    private static JsonElement[] Cases(SafetensorsFile f) =>
        JsonDocument.Parse(f.Metadata["cases"]).RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();

    private static SafetensorsEntry Entry(SafetensorsFile f, string key, string file) =>
        f.Tensors.TryGetValue(key, out var e) ? e : throw new KeyNotFoundException($"{file}.safetensors has no '{key}'; it has {string.Join(", ", f.Tensors.Keys)}.");

    private static PlanarImage[] Images(SafetensorsEntry e)
    {
        int b = e.Shape[0], c = e.Shape[1], h = e.Shape[2], w = e.Shape[3], n = c * h * w;
        return Enumerable.Range(0, b).Select(i => new PlanarImage(c, h, w, e.Data.AsSpan(i * n, n).ToArray())).ToArray();
    }

    private static float[] Concat(IEnumerable<PlanarImage> images) => images.SelectMany(im => im.Data).ToArray();

    private static double[][] Kernels(SafetensorsEntry e)
    {
        int k = e.Shape[1];
        return Enumerable.Range(0, e.Shape[0]).Select(i => e.Data.AsSpan(i * k * k, k * k).ToArray().Select(v => (double)v).ToArray()).ToArray();
    }

    /// <summary>The PyTorch source ratio of a case: 1/scale_factor for a scale case (area ignores it), in/out for a size case.</summary>
    private static (double H, double W) Ratios(JsonElement c, int h, int w, int oh, int ow) =>
        c.TryGetProperty("scale", out var s) ? (1 / s.GetDouble(), 1 / s.GetDouble()) : ((double)h / oh, (double)w / ow);


    private static Device Dev(string name)
    {
        return Device.Parse(name);
    }

    [Fact]
    public void HostFilter2DMatchesBasicSR()
    {
        var f = Load("filter2d");
        foreach (var c in Cases(f))
        {
            string name = c.GetProperty("name").GetString()!;
            int k = c.GetProperty("k").GetInt32();
            var kernels = Kernels(Entry(f, name + ".kernel", "filter2d"));
            var imgs = Images(Entry(f, name + ".in", "filter2d"));
            var outp = Concat(imgs.Select((im, i) => HostImageOps.Filter2D(im, kernels[i], k)));
            Assertions.AssertClose(Entry(f, name + ".out", "filter2d").Data, outp, 0, Atol, $"host filter2D {name}");
        }
    }

    [Theory]
    [Devices]
    public void DeviceFilter2DMatchesBasicSR(string device)
    {
        var dev = Dev(device);
        var f = Load("filter2d");
        foreach (var c in Cases(f))
        {
            string name = c.GetProperty("name").GetString()!;
            int k = c.GetProperty("k").GetInt32();
            var input = Entry(f, name + ".in", "filter2d");
            using var scope = Tensor.Scope();
            var x = Tensor.FromArray(input.Data, input.Shape, dev);
            var y = DeviceImageOps.Filter2D(x, Kernels(Entry(f, name + ".kernel", "filter2d")), k);
            Assertions.AssertClose(Entry(f, name + ".out", "filter2d").Data, y.ToArray(), 0, Atol, $"{device} filter2D {name}");
        }
    }

    [Fact]
    public void HostResizeMatchesInterpolate()
    {
        var f = Load("interpolate");
        var imgs = Images(Entry(f, "in", "interpolate"));
        foreach (var c in Cases(f))
        {
            string name = c.GetProperty("name").GetString()!, mode = c.GetProperty("mode").GetString()!;
            int oh = c.GetProperty("oh").GetInt32(), ow = c.GetProperty("ow").GetInt32();
            var (rh, rw) = Ratios(c, imgs[0].H, imgs[0].W, oh, ow);
            var outp = Concat(imgs.Select(im => HostImageOps.Resize(im, oh, ow, mode, rh, rw)));
            var expected = Entry(f, name + ".out", "interpolate");
            Assert.Equal(new[] { imgs.Length, 3, oh, ow }, expected.Shape);
            Assertions.AssertClose(expected.Data, outp, 0, Atol, $"host resize {name} ({c})");
        }
    }

    [Theory]
    [Devices]
    public void DeviceResizeMatchesInterpolate(string device)
    {
        var dev = Dev(device);
        var f = Load("interpolate");
        var input = Entry(f, "in", "interpolate");
        using var scope = Tensor.Scope();
        var x = Tensor.FromArray(input.Data, input.Shape, dev);
        foreach (var c in Cases(f))
        {
            string name = c.GetProperty("name").GetString()!, mode = c.GetProperty("mode").GetString()!;
            int oh = c.GetProperty("oh").GetInt32(), ow = c.GetProperty("ow").GetInt32();
            var (rh, rw) = Ratios(c, input.Shape[2], input.Shape[3], oh, ow);
            var y = DeviceImageOps.Resize(x, oh, ow, mode, rh, rw);
            Assert.Equal(new[] { input.Shape[0], 3, oh, ow }, y.Shape);
            Assertions.AssertClose(Entry(f, name + ".out", "interpolate").Data, y.ToArray(), 0, Atol, $"{device} resize {name} ({c})");
        }
    }

    [Fact]
    public void HostUsmSharpMatchesBasicSR()
    {
        var f = Load("usm");
        var imgs = Images(Entry(f, "in", "usm"));
        var outp = Concat(imgs.Select(im => HostImageOps.UsmSharp(im)));
        Assertions.AssertClose(Entry(f, "out", "usm").Data, outp, 0, Atol, "host USMSharp");
        // Sharpening does something on these crops (the reference differs from its input well above the tolerance).
        Assert.True(Entry(f, "out", "usm").Data.Zip(Entry(f, "in", "usm").Data).Max(p => Math.Abs(p.First - p.Second)) > 0.01);
    }

    [Theory]
    [Devices]
    public void DeviceUsmSharpMatchesBasicSR(string device)
    {
        var dev = Dev(device);
        var f = Load("usm");
        var input = Entry(f, "in", "usm");
        using var scope = Tensor.Scope();
        var y = DeviceImageOps.UsmSharp(Tensor.FromArray(input.Data, input.Shape, dev));
        Assertions.AssertClose(Entry(f, "out", "usm").Data, y.ToArray(), 0, Atol, $"{device} USMSharp");
    }
}
