using NativeGan.IO;
using NativeGan.Tests.Data;
using StbImageWriteSharp;

namespace NativeGan.Tests.Sr.Training;

/// <summary>Data, VGG weights and configs for the SR trainer tests (all tiny, CPU).</summary>
internal static class SrTrainingTestUtil
{
    /// <summary>tests/fixtures/srdata/images: three small photo crops (astronaut 96x96, chelsea 80x96, coffee 75x90).</summary>
    public static string FixtureImages => Path.Combine(AppContext.BaseDirectory, "fixtures", "srdata", "images");

    /// <summary>Copies some fixture photos into a folder of their own.</summary>
    public static string CopyImages(TempDir dir, string folder, params string[] names)
    {
        foreach (var n in names) File.Copy(Path.Combine(FixtureImages, n), dir.File($"{folder}/{n}"));
        return Path.Combine(dir.Path, folder);
    }

    /// <summary>Smooth synthetic RGB PNGs (size x size) with some texture, for 128x128 GT patches.</summary>
    public static string WriteSyntheticImages(TempDir dir, string folder, int count, int size)
    {
        var writer = new ImageWriter();
        for (int i = 0; i < count; i++)
        {
            var rgb = new byte[size * size * 3];
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    for (int c = 0; c < 3; c++)
                    {
                        double v = 0.5 + 0.3 * Math.Sin((x + 7 * i) * (0.11 + 0.03 * c)) * Math.Cos((y - 3 * i) * (0.07 + 0.02 * c)) + 0.15 * ((x * 13 + y * 7 + c * 5 + i) % 9 - 4) / 4.0;
                        rgb[(y * size + x) * 3 + c] = (byte)Math.Clamp(Math.Round(v * 255), 0, 255);
                    }
            using var fs = File.Create(dir.File($"{folder}/img{i:D2}.png"));
            writer.WritePng(rgb, size, size, ColorComponents.RedGreenBlue, fs);
        }
        return Path.Combine(dir.Path, folder);
    }

    /// <summary>torchvision vgg19 weights for the first conv layers only (features.0 = conv1_1, features.2 = conv1_2),
    /// real shapes, random values: what a perceptual loss whose layer_weights stop at conv1_2 needs.</summary>
    public static string WriteEarlyVggWeights(TempDir dir)
    {
        var rng = new Random(5);
        float[] R(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
        string path = dir.File("vgg/vgg19_early.safetensors");
        Safetensors.Write(path, new (string, int[], float[])[]
        {
            ("features.0.weight", new[] { 64, 3, 3, 3 }, R(64 * 27, 0.2f)),
            ("features.0.bias", new[] { 64 }, R(64, 0.05f)),
            ("features.2.weight", new[] { 64, 64, 3, 3 }, R(64 * 64 * 9, 0.05f)),
            ("features.2.bias", new[] { 64 }, R(64, 0.05f)),
        }, new Dictionary<string, string>());
        return path;
    }

    public static string Q(string path) => "'" + path.Replace("'", "''") + "'";

    /// <summary>A tiny run: RRDBNet num_feat 8, 1 block, growth 4; batch 2; D num_feat 4 at 128x128 (x4: LR 32x32).</summary>
    public static string TinyYaml(string model, string trainGt, string? valGt = null, string? vgg = null, int total = 4, int checkpointEvery = 2,
        int valFreq = 2, int scale = 4, int gtSize = 128, string extra = "") => $"""
        model: {model}
        scale: {scale}
        seed: 3
        device: cpu
        network_g: {(model == "srgan" ? "{type: MSRResNet, num_feat: 8, num_block: 1}" : "{type: RRDBNet, num_feat: 8, num_block: 1, num_grow_ch: 4}")}
        network_d: {"{num_feat: 4}"}
        datasets:
          train: {"{"}dataroot_gt: {Q(trainGt)}, gt_size: {gtSize}, batch_size: 2{"}"}
        {(valGt == null ? "" : $"  val: {{dataroot_gt: {Q(valGt)}}}")}
        losses:
        {(vgg == null ? "  perceptual: ~" : $"  perceptual: {{layer_weights: {{conv1_1: 1}}, vgg_weights: {Q(vgg)}}}")}
        optimizers:
          g: {"{lr: 1.0e-3}"}
          d: {"{lr: 1.0e-3}"}
        scheduler: {"{type: MultiStepLR, milestones: [2, 3], gamma: 0.5}"}
        total_iter: {total}
        val_freq: {valFreq}
        save_checkpoint_freq: {checkpointEvery}
        print_freq: 1
        {extra}
        """;
}
