using NativeGan.Models.Gans;
using NativeGan.Models.ImageToImage;
using NativeGan.Models.Sr.Training;
using NativeGan.Models.Training;
using NativeGan.Tests.Data;
using NativeGan.Tests.Sr.Training;

namespace NativeGan.Tests.Training;

/// <summary>Relative paths in config files: from the current directory as BasicSR reads them, else from the config
/// file's folder; a path found in neither place is refused naming both.</summary>
public class ConfigPathTests
{
    private static string Photos => SrTrainingTestUtil.FixtureImages;

    /// <summary>A config folder <c>cfg/</c> with the three fixture photos in <c>cfg/photos</c> (a name the current
    /// directory does not have) and the config file written there.</summary>
    private static string WriteConfig(TempDir dir, string yaml)
    {
        if (!Directory.Exists(Path.Combine(dir.Path, "cfg", "photos")))
            SrTrainingTestUtil.CopyImages(dir, "cfg/photos", "astronaut.png", "chelsea.png", "coffee.png");
        string path = dir.File("cfg/run.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void Resolve_prefers_the_current_directory_then_the_config_folder_and_records_what_is_nowhere()
    {
        using var dir = new TempDir();
        string configFile = dir.File("cfg/run.yml");
        File.WriteAllText(configFile, "");
        string unique = "cfgpath-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(dir.File($"cfg/{unique}/x"));
        var paths = new ConfigPaths(configFile);

        // Only under the config's folder: the full path there.
        Assert.Equal(Path.Combine(dir.Path, "cfg", unique), paths.Resolve("a", unique));
        // Absolute and null values stay as they are.
        Assert.Equal(Photos, paths.Resolve("b", Photos));
        Assert.Null(paths.Resolve("c", null));
        Assert.Empty(paths.Missing);

        // In both places: the current directory wins (BasicSR's reading), and the value is kept as written.
        string inCwd = Path.Combine(Directory.GetCurrentDirectory(), unique);
        Directory.CreateDirectory(inCwd);
        try
        {
            Assert.Equal(unique, paths.Resolve("d", unique));
        }
        finally
        {
            Directory.Delete(inCwd);
        }

        // Nowhere: kept as written, and both places tried are recorded.
        Assert.Equal("no/such/folder", paths.Resolve("datasets.train.dataroot_gt", "no/such/folder"));
        var m = Assert.Single(paths.Missing);
        Assert.Equal(("datasets.train.dataroot_gt", "no/such/folder", Path.GetFullPath("no/such/folder"), Path.Combine(dir.Path, "cfg", "no", "such", "folder")),
            (m.Key, m.Value, m.FromCurrentDirectory, m.FromConfigFolder));
        Assert.Contains(Path.GetFullPath("no/such/folder"), m.Describe());
        Assert.Contains(Path.Combine(dir.Path, "cfg", "no", "such", "folder"), m.Describe());

        // YAML text without a file has only the current directory.
        var noFile = new ConfigPaths(null);
        Assert.Equal("no/such/folder", noFile.Resolve("e", "no/such/folder"));
        Assert.Empty(noFile.Missing);
    }

    [Fact]
    public void Sr_config_paths_resolve_from_the_config_folder_and_a_missing_one_names_both_places()
    {
        using var dir = new TempDir();
        string vgg = SrTrainingTestUtil.WriteEarlyVggWeights(dir);
        File.Copy(vgg, dir.File("cfg/weights/vgg.safetensors"));
        File.WriteAllText(dir.File("cfg/meta.txt"), "astronaut.png\n");
        string config = WriteConfig(dir, SrTrainingTestUtil.TinyYaml("esrgan", "photos", valGt: "photos", vgg: "weights/vgg.safetensors", total: 1, gtSize: 32) +
            "\n");
        var c = SrConfig.Load(config);
        string photos = Path.Combine(dir.Path, "cfg", "photos");
        Assert.Equal(photos, c.Train.DatarootGt);
        Assert.Equal(photos, c.Val!.DatarootGt);
        Assert.Equal(Path.Combine(dir.Path, "cfg", "weights", "vgg.safetensors"), c.PerceptualLoss!.VggWeights);
        Assert.Empty(c.MissingPaths);

        // The run itself finds them (from a current directory where none of them is).
        var rrdb = SrConfig.Load(WriteConfig(dir, SrTrainingTestUtil.TinyYaml("rrdbnet_psnr", "photos", valGt: "photos", total: 1, gtSize: 32)));
        using (var t = new SrTrainer(rrdb, Path.Combine(dir.Path, "run")))
        {
            Assert.Equal(3, t.TrainSource.Count);
            Assert.Contains($"data: 3 HR images in {photos}; LR made by MATLAB-style bicubic x4", t.StartReport);
        }

        // Pretrained weights, LR folders and meta_info resolve the same way.
        string withPretrain = WriteConfig(dir, SrTrainingTestUtil.TinyYaml("rrdbnet_psnr", "photos", total: 1, gtSize: 32,
            extra: "pretrain_network_g: weights/vgg.safetensors"));
        var p = SrConfig.Load(withPretrain);
        Assert.Equal(Path.Combine(dir.Path, "cfg", "weights", "vgg.safetensors"), p.PretrainNetworkG);

        // A folder found nowhere: the trainer refuses to start, naming both places tried.
        var missing = SrConfig.Load(WriteConfig(dir, SrTrainingTestUtil.TinyYaml("rrdbnet_psnr", "no_photos_here", total: 1, gtSize: 32)));
        Assert.Equal("no_photos_here", missing.Train.DatarootGt);
        var e = Assert.Throws<ConfigException>(() => new SrTrainer(missing, Path.Combine(dir.Path, "run2")));
        Assert.Contains("key 'datasets.train.dataroot_gt'", e.Message);
        Assert.Contains(Path.GetFullPath("no_photos_here") + " (from the current directory)", e.Message);
        Assert.Contains(Path.Combine(dir.Path, "cfg", "no_photos_here") + " (from the config file's folder)", e.Message);

        // A path the run does not read (VGG weights with the perceptual loss off) is not an error.
        var unused = SrConfig.Load(WriteConfig(dir, SrTrainingTestUtil.TinyYaml("rrdbnet_psnr", "photos", total: 1, gtSize: 32)
            .Replace("  perceptual: ~", "  perceptual: {perceptual_weight: 0, vgg_weights: nowhere/vgg.pth}")));
        Assert.Single(unused.MissingPaths);
        unused.Validate();
    }

    [Fact]
    public void BasicSr_option_file_paths_resolve_from_its_folder()
    {
        using var dir = new TempDir();
        string config = dir.File("options/train_realesrgan_x4plus.yml");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "fixtures", "realesrgan_options", "train_realesrgan_x4plus.yml"), config);
        Directory.CreateDirectory(dir.File("options/datasets/DF2K/meta_info"));
        File.WriteAllText(dir.File("options/datasets/DF2K/meta_info/meta_info_DF2Kmultiscale+OST_sub.txt"), "");
        var c = SrConfig.Load(config);
        Assert.Equal(Path.Combine(dir.Path, "options", "datasets", "DF2K"), c.Train.DatarootGt);
        Assert.Equal(Path.Combine(dir.Path, "options", "datasets", "DF2K", "meta_info", "meta_info_DF2Kmultiscale+OST_sub.txt"), c.Train.MetaInfo);
        // Not there at all: kept as written, and recorded with both places.
        Assert.Equal("experiments/pretrained_models/RealESRNet_x4plus.pth", c.PretrainNetworkG);
        Assert.Contains(c.MissingPaths, m => m.Key == "pretrain_network_g" && m.FromConfigFolder == Path.Combine(dir.Path, "options", "experiments", "pretrained_models", "RealESRNet_x4plus.pth"));
        var e = Assert.Throws<ConfigException>(c.Validate);
        Assert.Contains("(from the config file's folder)", e.Message);
    }

    [Fact]
    public void Gan_progan_and_image_to_image_folders_resolve_from_the_config_folder()
    {
        using var dir = new TempDir();
        string photos = Path.Combine(dir.Path, "cfg", "photos");

        var gan = GanConfig.Load(WriteConfig(dir, "model: dcgan\ndataset: {kind: image_folder, path: photos, image_size: 64}\nbatch_size: 2\niterations: 1\ndevice: cpu\n"));
        Assert.Equal(photos, gan.Dataset.Path);
        using (var t = new GanTrainer(gan, Path.Combine(dir.Path, "gan")))
            Assert.Contains($"data: 3 images (image_folder) in {photos}", t.StartReport);

        var progan = ProGanConfig.Load(WriteConfig(dir, "model: progan\nresolution: 8\ndataset: {kind: image_folder, path: photos, channels: 3}\ndevice: cpu\n"));
        Assert.Equal(photos, progan.DatasetPath);

        var edges = I2iConfig.Load(WriteConfig(dir, "model: pix2pix\ndataset: {kind: edges, path: photos, crop_size: 32}\ninput_nc: 1\nngf: 4\nndf: 4\niterations: 1\ndevice: cpu\n"));
        Assert.Equal(photos, edges.Path);
        using (var t = new I2iTrainer(edges, Path.Combine(dir.Path, "i2i")))
            Assert.Contains($"data: 3 pairs (edges) in {photos}", t.StartReport);

        var folders = I2iConfig.Load(WriteConfig(dir, "model: pix2pix\ndataset: {kind: folders, path_a: photos, path_b: photos, crop_size: 32}\ndevice: cpu\n"));
        Assert.Equal((photos, photos), (folders.PathA, folders.PathB));

        // Found nowhere: each family's trainer refuses naming both places.
        var e = Assert.Throws<ConfigException>(() => new GanTrainer(
            GanConfig.Load(WriteConfig(dir, "model: dcgan\ndataset: {kind: image_folder, path: gone, image_size: 64}\ndevice: cpu\n")), Path.Combine(dir.Path, "g2")));
        Assert.Contains($"key 'dataset.path': 'gone' was found neither at {Path.GetFullPath("gone")} (from the current directory) nor at {Path.Combine(dir.Path, "cfg", "gone")}", e.Message);
        e = Assert.Throws<ConfigException>(() => new ProGanTrainer(
            ProGanConfig.Load(WriteConfig(dir, "model: progan\nresolution: 8\ndataset: {kind: image_folder, path: gone}\ndevice: cpu\n")), Path.Combine(dir.Path, "p2")));
        Assert.Contains(Path.Combine(dir.Path, "cfg", "gone"), e.Message);
        e = Assert.Throws<ConfigException>(() => new I2iTrainer(
            I2iConfig.Load(WriteConfig(dir, "model: pix2pix\ndataset: {kind: folders, path_a: photos, path_b: gone_b, crop_size: 32}\ndevice: cpu\n")), Path.Combine(dir.Path, "i2")));
        Assert.Contains("key 'dataset.path_b'", e.Message);
        Assert.Contains(Path.Combine(dir.Path, "cfg", "gone_b"), e.Message);
    }
}
