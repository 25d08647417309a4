using NativeGan.Models.ImageToImage;
using NativeGan.Models.Imaging;
using NativeGan.Models.Training;
using NativeGan.Tests.Data;

namespace NativeGan.Tests.ImageToImage;

public class I2iTrainerTests
{
    private static string RepoConfig(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string p = Path.Combine(dir.FullName, "configs", name);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException($"configs/{name} not found above {AppContext.BaseDirectory}");
    }

    internal static I2iConfig TinyCycleGan(int checkpointEvery) => I2iConfig.Parse($@"
model: cyclegan
dataset: {{kind: color2gray, path: '{I2iTestUtil.Photos}', crop_size: 32, load_size: 36}}
ngf: 4
ndf: 4
n_blocks: 1
n_epochs: 1
n_epochs_decay: 2
iterations: 6
seed: 5
sample_every: 3
checkpoint_every: {checkpointEvery}
log_every: 1
device: cpu
", "tiny_cyclegan.yml");

    [Theory]
    [InlineData("pix2pix_facades_256.yml", "pix2pix", 286, 8)]
    [InlineData("pix2pix_edges_64.yml", "pix2pix", 72, 6)]
    [InlineData("cyclegan_color2gray_128.yml", "cyclegan", 143, 0)]
    public void ShippedConfigsParse(string file, string model, int loadSize, int numDowns)
    {
        var c = I2iConfig.Load(RepoConfig(file));
        Assert.Equal(model, c.Model);
        Assert.Equal(loadSize, c.ResolvedLoadSize);
        if (numDowns > 0) Assert.Equal(numDowns, c.ResolvedNumDowns);
        else Assert.Equal(6, c.ResolvedNBlocks);
        Assert.True(I2iConfig.IsI2iConfigFile(RepoConfig(file)));
        // ToYaml reads back to the same resolved config.
        var back = I2iConfig.Parse(c.ToYaml());
        Assert.Equal(c.ToYaml(), back.ToYaml());
    }

    [Fact]
    public void EmptyConfigNeedsOnlyItsDataAndUnknownKeysAreNamed()
    {
        var e = Assert.Throws<ConfigException>(() => I2iConfig.Parse("model: pix2pix\n", "a.yml"));
        Assert.Contains("a.yml: key 'dataset.path'", e.Message);
        var c = I2iConfig.Parse("model: pix2pix\ndataset: {path: x}\n", "b.yml");
        Assert.Equal(("unet", 8, "vanilla", 0, 286), (c.ResolvedNetG, c.ResolvedNumDowns, c.ResolvedGanType, c.ResolvedPoolSize, c.ResolvedLoadSize));
        e = Assert.Throws<ConfigException>(() => I2iConfig.Parse("model: cyclegan\ndataset: {path: x, crop: 3}\n", "c.yml"));
        Assert.Contains("c.yml: unknown key 'dataset.crop'", e.Message);
        e = Assert.Throws<ConfigException>(() => I2iConfig.Parse("model: cyclegan\nlamda_a: 3\n", "d.yml"));
        Assert.Contains("d.yml: unknown key 'lamda_a'", e.Message);
        e = Assert.Throws<ConfigException>(() => I2iConfig.Parse("model: pix2pix\ndataset: {kind: color2gray, path: x}\n", "e.yml"));
        Assert.Contains("pix2pix needs paired data", e.Message);
    }

    [Fact]
    public void Pix2PixEdgesRunWritesLogSamplesAndCheckpoint()
    {
        using var dir = new TempDir();
        var c = I2iConfig.Parse($@"
model: pix2pix
dataset: {{kind: edges, path: '{I2iTestUtil.Photos}', crop_size: 32}}
input_nc: 1
ngf: 4
ndf: 4
iterations: 3
sample_every: 2
checkpoint_every: 0
device: cpu
", "edges.yml");
        using var t = new I2iTrainer(c, dir.Path);
        Assert.Equal(3, t.Source.Count);
        var s = t.Run(cancellation: TestContext.Current.CancellationToken);
        Assert.Equal(3, s.Iteration);
        var lines = File.ReadAllLines(t.CsvPath);
        Assert.Equal(I2iTrainer.Pix2PixCsvHeader, lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Equal(new[] { "iter_000002.png", "iter_000003.png" }, Directory.GetFiles(t.SamplesDir).Select(Path.GetFileName).Order().ToArray());
        Assert.True(File.Exists(t.LossPlotPath));
        Assert.EndsWith("iter_000003.safetensors", s.LastCheckpoint);
        // pix2pix trains A -> B only: BtoA is refused by name.
        var e = Assert.Throws<ArgumentException>(() => I2iTranslator.Load(dir.Path, "BtoA", Device.Cpu));
        Assert.Contains("needs a CycleGAN checkpoint", e.Message);
        using var tr = I2iTranslator.Load(dir.Path, "AtoB", Device.Cpu);
        var edges = ImageIO.Read(Path.Combine(I2iTestUtil.Photos, "coffee.png"));
        var photo = tr.Translate(edges);
        Assert.Equal((edges.Width, edges.Height, 3), (photo.Width, photo.Height, photo.Channels));
    }

    /// <summary>CycleGAN (pools, dropout-free ResNets, linear lr decay across epoch ends) stopped at iteration 3 and
    /// resumed from its checkpoint writes log rows bitwise equal to an uninterrupted 6-iteration run.</summary>
    [Fact]
    public void CycleGanResumesBitwise()
    {
        using var straight = new TempDir();
        using var split = new TempDir();
        string[] full;
        using (var t = new I2iTrainer(TinyCycleGan(3), straight.Path))
        {
            t.Run(cancellation: TestContext.Current.CancellationToken);
            full = File.ReadAllLines(t.CsvPath);
        }
        using (var t = new I2iTrainer(TinyCycleGan(3), split.Path)) t.Run(3, TestContext.Current.CancellationToken);
        string[] resumed;
        using (var t = I2iTrainer.Resume(split.Path))
        {
            Assert.Equal(3, t.Iteration);
            Assert.True(t.Cycle!.FakeAPool.Count > 0);
            t.Run(cancellation: TestContext.Current.CancellationToken);
            resumed = File.ReadAllLines(t.CsvPath);
        }
        Assert.Equal(7, full.Length);
        Assert.Equal(full, resumed);
        // The lr column (last): epochs are 2 iterations (2 color photos in A); epoch 1 at 2e-4 (n_epochs 1), then the
        // reference's 1 - (epoch + 1 - n_epochs) / (n_epochs_decay + 1): 2/3 and 1/3 of it.
        var lrs = full.Skip(1).Select(l => double.Parse(l.Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        double[] expected = { 2e-4, 2e-4, 2e-4 * 2 / 3, 2e-4 * 2 / 3, 2e-4 / 3, 2e-4 / 3 };
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], lrs[i], 1e-10);
    }
}
