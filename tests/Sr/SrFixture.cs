using System.Text.Json;
using NativeGan.IO;

namespace NativeGan.Tests.Sr;

/// <summary>
/// One model fixture from tests/fixtures/models, written by tools/make_sr_fixtures.py: `NAME.weights.safetensors` (the
/// PyTorch state dict, metadata `config`) and `NAME.io.safetensors` (inputs and PyTorch's float64 outputs).
/// </summary>
internal sealed class SrFixture
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "fixtures", "models");

    public required string Name { get; init; }
    public required SafetensorsFile Weights { get; init; }
    public required SafetensorsFile Io { get; init; }
    public required JsonElement Config { get; init; }

    public static SrFixture Load(string name)
    {
        var weights = Safetensors.Read(Path.Combine(Directory, name + ".weights.safetensors"));
        var io = Safetensors.Read(Path.Combine(Directory, name + ".io.safetensors"));
        using var doc = JsonDocument.Parse(weights.Metadata["config"]);
        return new SrFixture { Name = name, Weights = weights, Io = io, Config = doc.RootElement.Clone() };
    }

    public int Int(string key) => Config.GetProperty(key).GetInt32();

    public SafetensorsEntry Entry(string key) =>
        Io.Tensors.TryGetValue(key, out var e) ? e : throw new KeyNotFoundException($"{Name}.io has no '{key}'; it has {string.Join(", ", Io.Tensors.Keys)}.");

    public Tensor Tensor(string key, Device device, bool requiresGrad = false)
    {
        var e = Entry(key);
        return NativeGan.Tensor.FromArray(e.Data, e.Shape, device, requiresGrad);
    }

    public float[] Data(string key) => Entry(key).Data;

    public static void AssertClose(SafetensorsEntry expected, Tensor actual, string what, double rtol = 1e-4, double atol = 1e-5)
    {
        Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{what}: expected shape [{string.Join(", ", expected.Shape)}], got [{string.Join(", ", actual.Shape)}]");
        Fixtures.Assertions.AssertClose(expected.Data, actual.ToArray(), rtol, atol, what);
    }
}
