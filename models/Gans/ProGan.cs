using NativeGan.NN;

namespace NativeGan.Models.Gans;

/// <summary>
/// The shape arithmetic of ProGAN (Karras et al. 2018, "Progressive Growing of GANs"): stage s works at resolution
/// 4 * 2^s; its feature width is min(fmapMax, fmapBase / 2^(s + 1)) (the official nf(); 512 up to 32x32, 256 at
/// 64x64, 128 at 128x128 with the defaults 8192 / 512).
/// </summary>
public static class ProGanShapes
{
    /// <summary>Number of stages for a final resolution (4 -> 1, 16 -> 3, 128 -> 6); the resolution must be a power of two >= 4.</summary>
    public static int Stages(int resolution)
    {
        if (resolution < 4 || (resolution & (resolution - 1)) != 0)
            throw new ArgumentException($"ProGAN: the resolution must be a power of two >= 4, got {resolution}.");
        return System.Numerics.BitOperations.Log2((uint)resolution) - 1;
    }

    /// <summary>The side of stage <paramref name="stage"/>'s images: 4 * 2^stage.</summary>
    public static int Resolution(int stage) => 4 << stage;

    /// <summary>Feature maps of stage <paramref name="stage"/>: min(fmapMax, fmapBase / 2^(stage + 1)), at least 1.</summary>
    public static int Width(int stage, int fmapBase, int fmapMax) => Math.Max(1, Math.Min(fmapMax, fmapBase >> (stage + 1)));

    /// <summary>The largest divisor of <paramref name="batch"/> not above <paramref name="groupSize"/> (the minibatch-stddev group).</summary>
    public static int StddevGroup(int batch, int groupSize)
    {
        for (int g = Math.Min(groupSize, batch); g > 1; g--)
            if (batch % g == 0) return g;
        return 1;
    }
}

/// <summary>Two 3x3 equalized convolutions, each followed by LeakyReLU(0.2) and (in G) pixel normalisation.
/// Keys: conv1.*, conv2.*.</summary>
public sealed class ProGanConvPair : Module
{
    public ProGanConvPair(int inChannels, int midChannels, int outChannels, bool pixelNorm, Device? device, Generator? generator)
    {
        Conv1 = RegisterModule("conv1", new EqualizedConv2d(inChannels, midChannels, 3, padding: 1, device: device, generator: generator));
        Conv2 = RegisterModule("conv2", new EqualizedConv2d(midChannels, outChannels, 3, padding: 1, device: device, generator: generator));
        PixelNorm = pixelNorm;
    }

    public EqualizedConv2d Conv1 { get; }
    public EqualizedConv2d Conv2 { get; }
    public bool PixelNorm { get; }

    public override Tensor Forward(Tensor x)
    {
        var h = Act(Conv1.Forward(x));
        return Act(Conv2.Forward(h));
    }

    private Tensor Act(Tensor x)
    {
        var y = x.LeakyRelu(0.2f);
        return PixelNorm ? Tensor.PixelNorm(y, 1e-8f) : y;
    }
}

/// <summary>
/// ProGAN's generator with every stage built up front (keys: dense.*, conv0.*, blocks.K.conv1/conv2.* for stage K+1,
/// to_rgb.S.* for stage S). The latent is pixel-normalised, mapped by an equalized dense layer to [N, w0, 4, 4],
/// LeakyReLU(0.2) + pixel norm, then a 3x3 conv; each later stage upsamples by 2 (nearest) and applies two 3x3 convs.
/// Every conv / dense layer uses the equalized learning rate with He's constant sqrt(2 / fan_in) (as pytorch_GAN_zoo,
/// toRGB included). The output is linear (no tanh), as in the paper.
/// <para>At stage s with fade-in weight alpha &lt; 1 the output is alpha * toRGB_s(block_s(h)) + (1 - alpha) *
/// upsample(toRGB_{s-1}(h)), h being the features of stage s - 1.</para>
/// </summary>
public sealed class ProGanGenerator : Module
{
    public ProGanGenerator(int resolution, int channels = 3, int? latentDim = null, int fmapBase = 8192, int fmapMax = 512,
        Device? device = null, Generator? generator = null)
    {
        if (channels < 1) throw new ArgumentException($"ProGanGenerator: channels must be positive, got {channels}.");
        StageCount = ProGanShapes.Stages(resolution);
        Resolution = resolution;
        Channels = channels;
        FmapBase = fmapBase;
        FmapMax = fmapMax;
        int w0 = Width(0);
        LatentDim = latentDim ?? w0;
        if (LatentDim < 1) throw new ArgumentException($"ProGanGenerator: latent_dim must be positive, got {LatentDim}.");
        Dense = RegisterModule("dense", new EqualizedLinear(LatentDim, w0 * 16, device: device, generator: generator));
        Conv0 = RegisterModule("conv0", new EqualizedConv2d(w0, w0, 3, padding: 1, device: device, generator: generator));
        Blocks = RegisterModule("blocks", new Sequential());
        for (int s = 1; s < StageCount; s++)
            Blocks.Add(new ProGanConvPair(Width(s - 1), Width(s), Width(s), pixelNorm: true, device, generator));
        ToRgb = RegisterModule("to_rgb", new Sequential());
        for (int s = 0; s < StageCount; s++)
            ToRgb.Add(new EqualizedConv2d(Width(s), channels, 1, device: device, generator: generator));
        Stage = StageCount - 1;
    }

    public int Resolution { get; }
    public int Channels { get; }
    public int LatentDim { get; }
    public int StageCount { get; }
    public int FmapBase { get; }
    public int FmapMax { get; }
    public EqualizedLinear Dense { get; }
    public EqualizedConv2d Conv0 { get; }
    /// <summary>Blocks[s - 1] grows stage s - 1's features to stage s.</summary>
    public Sequential Blocks { get; }
    public Sequential ToRgb { get; }

    /// <summary>The stage <see cref="Forward(Tensor)"/> runs (0: 4x4).</summary>
    public int Stage { get; set; }

    /// <summary>The fade-in weight of the newest block for <see cref="Forward(Tensor)"/> (1: faded in).</summary>
    public float Alpha { get; set; } = 1f;

    public int Width(int stage) => ProGanShapes.Width(stage, FmapBase, FmapMax);

    public override Tensor Forward(Tensor z) => Forward(z, Stage, Alpha);

    /// <summary>The images of stage <paramref name="stage"/> [N, C, 4*2^stage, 4*2^stage] with the newest block faded in by <paramref name="alpha"/>.</summary>
    public Tensor Forward(Tensor z, int stage, float alpha)
    {
        CheckStage(stage, alpha);
        if (stage == 0) return ToRgbAt(0, Features(z, 0));
        var previous = Features(z, stage - 1);
        var fresh = ToRgbAt(stage, Block(stage, previous));
        if (alpha >= 1f) return fresh;
        var old = ToRgbAt(stage - 1, previous).Upsample(2);
        return fresh.Mul(alpha).Add(old.Mul(1f - alpha));
    }

    /// <summary>The features of stage <paramref name="stage"/> [N, width, 4*2^stage, 4*2^stage] (every block up to it, no fade).</summary>
    public Tensor Features(Tensor z, int stage)
    {
        if (z.Rank != 2 || z.Size(1) != LatentDim)
            throw new ArgumentException($"ProGanGenerator: expected z [N, {LatentDim}], got {GanShapes.Format(z)}.");
        CheckStage(stage, 1f);
        int n = z.Size(0), w0 = Width(0);
        var h = Dense.Forward(Tensor.PixelNorm(z.Reshape(n, LatentDim, 1, 1), 1e-8f).Reshape(n, LatentDim));
        h = Tensor.PixelNorm(h.Reshape(n, w0, 4, 4).LeakyRelu(0.2f), 1e-8f);
        h = Tensor.PixelNorm(Conv0.Forward(h).LeakyRelu(0.2f), 1e-8f);
        for (int s = 1; s <= stage; s++) h = Block(s, h);
        return h;
    }

    /// <summary>Stage <paramref name="stage"/>'s block (s >= 1): nearest upsampling by 2, then two convs.</summary>
    public Tensor Block(int stage, Tensor h) => Blocks[stage - 1].Forward(h.Upsample(2));

    /// <summary>Stage <paramref name="stage"/>'s 1x1 toRGB conv.</summary>
    public Tensor ToRgbAt(int stage, Tensor h) => ToRgb[stage].Forward(h);

    /// <summary>The parameters stage <paramref name="stage"/> trains: the base, blocks up to it, its toRGB and (for the fade) the previous one.</summary>
    public IEnumerable<Tensor> StageParameters(int stage)
    {
        CheckStage(stage, 1f);
        foreach (var p in Dense.Parameters().Concat(Conv0.Parameters())) yield return p;
        for (int s = 1; s <= stage; s++) foreach (var p in Blocks[s - 1].Parameters()) yield return p;
        if (stage > 0) foreach (var p in ToRgb[stage - 1].Parameters()) yield return p;
        foreach (var p in ToRgb[stage].Parameters()) yield return p;
    }

    private void CheckStage(int stage, float alpha)
    {
        if (stage < 0 || stage >= StageCount)
            throw new ArgumentException($"ProGanGenerator: stage must be in [0, {StageCount}) for resolution {Resolution}, got {stage}.");
        if (!(alpha >= 0f && alpha <= 1f)) throw new ArgumentException($"ProGanGenerator: alpha must be in [0, 1], got {alpha}.");
    }

    protected override string ExtraRepr() => $"resolution={Resolution}, latent_dim={LatentDim}, stage={Stage}, alpha={Alpha}";
}

/// <summary>
/// ProGAN's discriminator, mirroring <see cref="ProGanGenerator"/> (keys: from_rgb.S.*, blocks.K.conv1/conv2.* for
/// stage K+1, conv0.*, dense1.*, dense2.*). fromRGB is a 1x1 conv + LeakyReLU(0.2); stage s's block is two 3x3 convs
/// + LeakyReLU and 2x2 average pooling; the 4x4 tail is minibatch standard deviation (one channel), a 3x3 conv,
/// a dense layer to w0 and a dense layer to one score. Equalized learning rate everywhere, no normalisation.
/// <para>At stage s with alpha &lt; 1: h = alpha * block_s(fromRGB_s(x)) + (1 - alpha) * fromRGB_{s-1}(avgpool(x)).</para>
/// </summary>
public sealed class ProGanDiscriminator : Module
{
    public ProGanDiscriminator(int resolution, int channels = 3, int fmapBase = 8192, int fmapMax = 512, int stddevGroup = 4,
        Device? device = null, Generator? generator = null)
    {
        if (channels < 1) throw new ArgumentException($"ProGanDiscriminator: channels must be positive, got {channels}.");
        if (stddevGroup < 1) throw new ArgumentException($"ProGanDiscriminator: the minibatch stddev group must be >= 1, got {stddevGroup}.");
        StageCount = ProGanShapes.Stages(resolution);
        Resolution = resolution;
        Channels = channels;
        FmapBase = fmapBase;
        FmapMax = fmapMax;
        StddevGroupSize = stddevGroup;
        FromRgb = RegisterModule("from_rgb", new Sequential());
        for (int s = 0; s < StageCount; s++)
            FromRgb.Add(new EqualizedConv2d(channels, Width(s), 1, device: device, generator: generator));
        Blocks = RegisterModule("blocks", new Sequential());
        for (int s = 1; s < StageCount; s++)
            Blocks.Add(new ProGanConvPair(Width(s), Width(s), Width(s - 1), pixelNorm: false, device, generator));
        int w0 = Width(0);
        Conv0 = RegisterModule("conv0", new EqualizedConv2d(w0 + 1, w0, 3, padding: 1, device: device, generator: generator));
        Dense1 = RegisterModule("dense1", new EqualizedLinear(w0 * 16, w0, device: device, generator: generator));
        Dense2 = RegisterModule("dense2", new EqualizedLinear(w0, 1, device: device, generator: generator));
        Stage = StageCount - 1;
    }

    public int Resolution { get; }
    public int Channels { get; }
    public int StageCount { get; }
    public int FmapBase { get; }
    public int FmapMax { get; }
    public int StddevGroupSize { get; }
    public Sequential FromRgb { get; }
    /// <summary>Blocks[s - 1] takes stage s's features down to stage s - 1.</summary>
    public Sequential Blocks { get; }
    public EqualizedConv2d Conv0 { get; }
    public EqualizedLinear Dense1 { get; }
    public EqualizedLinear Dense2 { get; }

    public int Stage { get; set; }
    public float Alpha { get; set; } = 1f;

    public int Width(int stage) => ProGanShapes.Width(stage, FmapBase, FmapMax);

    public override Tensor Forward(Tensor x) => Forward(x, Stage, Alpha);

    /// <summary>Scores [N, 1] for images of stage <paramref name="stage"/>'s resolution, the newest block faded in by <paramref name="alpha"/>.</summary>
    public Tensor Forward(Tensor x, int stage, float alpha)
    {
        if (stage < 0 || stage >= StageCount)
            throw new ArgumentException($"ProGanDiscriminator: stage must be in [0, {StageCount}) for resolution {Resolution}, got {stage}.");
        if (!(alpha >= 0f && alpha <= 1f)) throw new ArgumentException($"ProGanDiscriminator: alpha must be in [0, 1], got {alpha}.");
        int r = ProGanShapes.Resolution(stage);
        if (x.Rank != 4 || x.Size(1) != Channels || x.Size(2) != r || x.Size(3) != r)
            throw new ArgumentException($"ProGanDiscriminator: stage {stage} expects images [N, {Channels}, {r}, {r}], got {GanShapes.Format(x)}.");
        var h = FromRgbAt(stage, x);
        if (stage > 0)
        {
            h = Block(stage, h);
            if (alpha < 1f)
            {
                var old = FromRgbAt(stage - 1, x.AvgPool2d(2));
                h = h.Mul(alpha).Add(old.Mul(1f - alpha));
            }
            for (int s = stage - 1; s >= 1; s--) h = Block(s, h);
        }
        return Tail(h);
    }

    /// <summary>Stage <paramref name="stage"/>'s fromRGB: 1x1 conv + LeakyReLU(0.2).</summary>
    public Tensor FromRgbAt(int stage, Tensor x) => FromRgb[stage].Forward(x).LeakyRelu(0.2f);

    /// <summary>Stage <paramref name="stage"/>'s block (s >= 1): two convs and 2x2 average pooling, to stage s - 1's size and width.</summary>
    public Tensor Block(int stage, Tensor h) => Blocks[stage - 1].Forward(h).AvgPool2d(2);

    /// <summary>The 4x4 tail: minibatch stddev, conv, dense, dense -> [N, 1].</summary>
    public Tensor Tail(Tensor h)
    {
        int n = h.Size(0);
        var y = Tensor.MinibatchStddev(h, ProGanShapes.StddevGroup(n, StddevGroupSize));
        y = Conv0.Forward(y).LeakyRelu(0.2f);
        y = Dense1.Forward(y.Reshape(n, -1)).LeakyRelu(0.2f);
        return Dense2.Forward(y);
    }

    /// <summary>The parameters stage <paramref name="stage"/> trains (its fromRGB, the previous one for the fade, blocks up to it, the tail).</summary>
    public IEnumerable<Tensor> StageParameters(int stage)
    {
        if (stage < 0 || stage >= StageCount)
            throw new ArgumentException($"ProGanDiscriminator: stage must be in [0, {StageCount}), got {stage}.");
        foreach (var p in FromRgb[stage].Parameters()) yield return p;
        if (stage > 0) foreach (var p in FromRgb[stage - 1].Parameters()) yield return p;
        for (int s = stage; s >= 1; s--) foreach (var p in Blocks[s - 1].Parameters()) yield return p;
        foreach (var p in Conv0.Parameters().Concat(Dense1.Parameters()).Concat(Dense2.Parameters())) yield return p;
    }

    protected override string ExtraRepr() => $"resolution={Resolution}, stage={Stage}, alpha={Alpha}, stddev_group={StddevGroupSize}";
}
