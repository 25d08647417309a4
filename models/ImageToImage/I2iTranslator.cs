using NativeGan.IO;
using NativeGan.Models.Data;
using NativeGan.Models.Imaging;
using NativeGan.Models.Training;
using NativeGan.NN;

namespace NativeGan.Models.ImageToImage;

/// <summary>
/// A trained Pix2Pix or CycleGAN generator read from a training checkpoint (or a run folder's latest): AtoB uses G
/// (pix2pix) or G_A (CycleGAN), BtoA uses CycleGAN's G_B (pix2pix trains one direction only). The generator runs in eval
/// mode (batch norm with running statistics, no dropout). An image whose sides are not multiples of what the network
/// needs (2^num_downs for the U-Net, 4 for the ResNet) is resized (bicubic) to the next multiples and the result
/// resized back.
/// </summary>
public sealed class I2iTranslator : IDisposable
{
    private I2iTranslator(I2iConfig config, Module g, bool bToA, string source, Device device)
    {
        Device = device;
        Config = config;
        G = g;
        BToA = bToA;
        Source = source;
    }

    public I2iConfig Config { get; }
    public Device Device { get; }
    public Module G { get; }
    public bool BToA { get; }
    public string Source { get; }
    public int InChannels => BToA ? Config.OutputNc : Config.InputNc;
    public int OutChannels => BToA ? Config.InputNc : Config.OutputNc;

    /// <summary>Loads the generator of <paramref name="direction"/> (AtoB or BtoA) from a checkpoint file or run folder.</summary>
    public static I2iTranslator Load(string checkpoint, string direction, Device device)
    {
        string path = Directory.Exists(checkpoint) ? CheckpointStore.Latest(checkpoint) : checkpoint;
        if (!File.Exists(path)) throw new FileNotFoundException($"{checkpoint}: no such checkpoint file or run folder.");
        if (direction is not ("AtoB" or "BtoA")) throw new ArgumentException($"--direction: expected AtoB or BtoA, got '{direction}'.");
        var r = new CheckpointReader(Safetensors.Read(path), path, I2iTrainer.CheckpointFormat, "image-to-image");
        var config = I2iConfig.Parse(r.Meta("config"), path + " (stored config)");
        bool bToA = direction == "BtoA";
        if (bToA && !config.IsCycleGan)
            throw new ArgumentException($"{path}: a pix2pix model translates one way only (A to B as trained); --direction BtoA needs a CycleGAN checkpoint.");
        string prefix = config.IsCycleGan ? (bToA ? "g_b." : "g_a.") : "g.";
        var g = I2iTrainer.BuildGenerator(config, bToA ? config.OutputNc : config.InputNc, bToA ? config.InputNc : config.OutputNc, device, new Generator(0));
        try
        {
            g.LoadStateDict(r.Take(prefix));
        }
        catch (ArgumentException e)
        {
            g.Dispose();
            throw new InvalidDataException($"{path}: the '{prefix}' weights do not fit the generator of its config: {e.Message}", e);
        }
        g.Eval();
        return new I2iTranslator(config, g, bToA, path, device);
    }

    /// <summary>Translates one image (any size; converted to the generator's input channels).</summary>
    public ImageData Translate(ImageData input)
    {
        var img = I2iImage.FromImageData(input, InChannels);
        int m = Config.ResolvedNetG == "unet" ? 1 << Config.ResolvedNumDowns : 4;
        int h = (img.Height + m - 1) / m * m, w = (img.Width + m - 1) / m * m;
        var planar = h == img.Height && w == img.Width ? img.Planar
            : ImageResize.Resize(img.Planar, InChannels, img.Height, img.Width, h, w, ResizeFilter.Bicubic);
        float[] output;
        using (Tensor.NoGrad())
        using (var scope = Tensor.Scope())
        {
            var x = Tensor.FromArray(planar.Select(v => Math.Clamp(v, 0f, 1f) * 2f - 1f).ToArray(), new[] { 1, InChannels, h, w }, Device);
            output = G.Forward(x).ToArray().Select(v => float.IsNaN(v) ? 0f : Math.Clamp((v + 1f) * 0.5f, 0f, 1f)).ToArray();
        }
        if (h != img.Height || w != img.Width)
            output = ImageResize.Resize(output, OutChannels, h, w, img.Height, img.Width, ResizeFilter.Bicubic).Select(v => Math.Clamp(v, 0f, 1f)).ToArray();
        return new ImageData(img.Width, img.Height, OutChannels, 8, output, input.Source + " (translated)");
    }

    public void Dispose() => G.Dispose();
}
