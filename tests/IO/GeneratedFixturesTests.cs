using System.Text.Json;
using NativeGan.Tests.Fixtures;
using Xunit;

namespace NativeGan.Tests.IO;

/// <summary>
/// The fixtures made by tools/make_fixtures.py (listed in index_generated.json) load through FixtureCase
/// and carry the metadata and tensors that index promises.
/// </summary>
public sealed class GeneratedFixturesTests
{
    private static readonly string IndexPath = Path.Combine(FixtureCase.Directory, "index_generated.json");

    public static TheoryData<string> GeneratedFiles()
    {
        using var index = JsonDocument.Parse(File.ReadAllText(IndexPath));
        var data = new TheoryData<string>();
        foreach (var e in index.RootElement.EnumerateArray()) data.Add(e.GetProperty("file").GetString()!);
        return data;
    }

    [Fact]
    public void Index_ListsTheGeneratedCases()
    {
        Assert.True(GeneratedFiles().Count >= 39, $"{IndexPath} lists {GeneratedFiles().Count} files");
    }

    [Theory]
    [MemberData(nameof(GeneratedFiles))]
    public void Generated_LoadsWithOpMetadataAndIndexedShapes(string fileName)
    {
        var c = FixtureCase.Load(fileName);
        using var index = JsonDocument.Parse(File.ReadAllText(IndexPath));
        var row = index.RootElement.EnumerateArray().Single(e => e.GetProperty("file").GetString() == fileName);

        Assert.Equal(row.GetProperty("op").GetString(), c.Op);
        Assert.False(string.IsNullOrEmpty(c.Op));
        Assert.Equal(JsonValueKind.Object, c.Args.ValueKind);
        Assert.True(c.Has("out"), $"{fileName} has no 'out'");
        foreach (var t in row.GetProperty("tensors").EnumerateObject())
        {
            Assert.Equal(t.Value.EnumerateArray().Select(d => d.GetInt32()), c.Shape(t.Name));
            Assert.Equal(c.Shape(t.Name).Aggregate(1, (p, d) => p * d), c.Data(t.Name).Length);
        }
        // Every differentiable case pairs gout with out; comparisons are forward-only.
        if (c.Has("gout")) Assert.Equal(c.Shape("out"), c.Shape("gout"));
        Assert.Equal(c.Has("gout"), c.File.Tensors.Keys.Any(k => k.StartsWith("grad.", StringComparison.Ordinal)));
    }

    [Fact]
    public void FixtureCase_ParsesArgsAndFiltersByOp()
    {
        var pow = FixtureCase.Load("pow_0.safetensors");
        Assert.Equal("pow", pow.Op);
        Assert.Equal(3.0, pow.Args.GetProperty("exponent").GetDouble());
        Assert.Equal(["pow_0.safetensors", "pow_1.safetensors"], FixtureCase.All("pow"));
        Assert.Contains("relu_0.safetensors", FixtureCase.All());

        var ex = Assert.Throws<KeyNotFoundException>(() => pow.Data("grad.nope"));
        Assert.Contains("grad.x", ex.Message);
    }

    [Fact]
    public void AssertClose_ReportsWhatWhereAndHowFar()
    {
        Assertions.AssertClose([1f, 2f, float.NaN], [1f, 2.0000001f, float.NaN], 1e-5, 1e-6, "ok");
        var ex = Assert.ThrowsAny<Exception>(() =>
            Assertions.AssertClose([1f, 2f, 3f], [1f, 2.5f, 3.001f], 1e-4, 1e-5, "relu grad.x"));
        Assert.Contains("relu grad.x", ex.Message);
        Assert.Contains("index 1", ex.Message);
        Assert.Contains("expected 2", ex.Message);
        Assert.Contains("actual 2.5", ex.Message);
        Assert.Contains("max abs error 0.5", ex.Message);
    }
}
