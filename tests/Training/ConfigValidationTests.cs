using NativeGan.Models.Gans;
using NativeGan.Models.ImageToImage;
using NativeGan.Models.Sr.Training;
using NativeGan.Models.Training;
using NativeGan.Tests.Cli;

namespace NativeGan.Tests.Training;

/// <summary>
/// Config files with broken YAML or numbers out of range: each is refused with the file, the key and the line,
/// before any network is built, and the CLI exits with 1 and no stack trace.
/// </summary>
public sealed class ConfigValidationTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("ng-config-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void UnclosedFlowMapping_InAnSrOptionFile_NamesFileAndLine()
    {
        const string yaml = "name: x\nmodel_type: ESRGANModel\nscale: 4\nnetwork_g: {type: RRDBNet, num_feat: 64\n";
        var e = Assert.Throws<ConfigException>(() => SrConfig.Parse(yaml, "/runs/opt.yml"));
        Assert.Contains("/runs/opt.yml", e.Message);
        Assert.Matches(@"line \d+", e.Message);
        Assert.DoesNotContain("Operation is not valid", e.Message);
    }

    [Theory]
    [InlineData("model: gan\nlr: [1\n")]
    [InlineData("model: gan\nbatch_size: \"unterminated\n")]
    public void OtherSyntaxErrors_InAGanConfig_NameFileAndLine(string yaml)
    {
        var e = Assert.Throws<ConfigException>(() => GanConfig.Parse(yaml, "/runs/gan.yml"));
        Assert.Contains("/runs/gan.yml", e.Message);
        Assert.Matches(@"line \d+", e.Message);
    }

    [Fact]
    public void HugeImageSize_IsRefusedWithKeyAndLine()
    {
        const string yaml = "model: gan\ndataset:\n  kind: image_folder\n  path: /data\n  image_size: 100000\n";
        var e = Assert.Throws<ConfigException>(() => GanConfig.Parse(yaml, "/runs/gan.yml"));
        Assert.Contains("/runs/gan.yml", e.Message);
        Assert.Contains("'dataset.image_size' (line 5)", e.Message);
        Assert.Contains("from 1 to 1024", e.Message);
    }

    [Fact]
    public void HugeBatchSize_IsRefusedInsteadOfCapped()
    {
        var e = Assert.Throws<ConfigException>(() => GanConfig.Parse("model: gan\nbatch_size: 2147483647\n", "/runs/gan.yml"));
        Assert.Contains("'batch_size' (line 2)", e.Message);
        Assert.Contains($"from 1 to {ConfigYaml.MaxBatchSize}", e.Message);
    }

    [Theory]
    [InlineData("model: progan\nresolution: 1048576\n", "resolution")]
    [InlineData("model: progan\nbatch_size: 1e12\n", "batch_size")]
    [InlineData("model: progan\nfmap_max: 99999999\n", "fmap_max")]
    public void ProGan_OutOfRangeNumbers(string yaml, string key)
    {
        var e = Assert.Throws<ConfigException>(() => ProGanConfig.Parse(yaml, "/runs/pg.yml"));
        Assert.Contains($"'{key}' (line 2)", e.Message);
        Assert.Contains("/runs/pg.yml", e.Message);
    }

    [Theory]
    [InlineData("model: srgan\nnetwork_g:\n  num_feat: 2000000000\n", "network_g.num_feat")]
    [InlineData("model: srgan\nscale: 1000\n", "scale")]
    [InlineData("model: srgan\ndatasets:\n  train:\n    gt_size: 1000000\n", "gt_size")]
    public void Sr_OutOfRangeNumbers(string yaml, string key)
    {
        var e = Assert.Throws<ConfigException>(() => SrConfig.Parse(yaml, "/runs/sr.yml"));
        Assert.Contains($"{key}' (line", e.Message);
        Assert.Contains("/runs/sr.yml", e.Message);
        Assert.Contains("line", e.Message);
    }

    [Fact]
    public void I2i_HugeGeneratorWidth_IsRefused()
    {
        var e = Assert.Throws<ConfigException>(() => I2iConfig.Parse("model: pix2pix\nngf: 2147483647\n", "/runs/p2p.yml"));
        Assert.Contains("'ngf' (line 2)", e.Message);
    }

    [Fact]
    public void Cli_RefusesHugeImageSize_WithExitCode1AndNoStackTrace()
    {
        string config = Path.Combine(dir, "gan.yml");
        File.WriteAllText(config, $"model: gan\ndataset:\n  kind: image_folder\n  path: {dir}\n  image_size: 100000\n");
        var (code, output, error) = CliRun.Run("train", "--config", config, "--out", Path.Combine(dir, "run"));
        Assert.Equal(1, code);
        Assert.Contains(config, error);
        Assert.Contains("dataset.image_size", error);
        Assert.DoesNotContain("   at ", error + output);
    }
}
