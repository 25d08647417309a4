using NativeGan.Models.Training;

namespace NativeGan.Models.Sr.Training;

/// <summary>The generator: BasicSR's network_g (type and arguments).</summary>
public sealed class SrNetworkGConfig
{
    public static readonly IReadOnlyList<string> Types = new[] { "RRDBNet", "MSRResNet", "SRResNet", "SRVGGNetCompact" };

    /// <summary>RRDBNet, MSRResNet (BasicSR, no BN), SRResNet (SRGAN: BN + PReLU) or SRVGGNetCompact (Real-ESRGAN's compact model).</summary>
    public string Type { get; set; } = "RRDBNet";
    public int NumInCh { get; set; } = 3;
    public int NumOutCh { get; set; } = 3;
    public int NumFeat { get; set; } = 64;
    /// <summary>RRDB blocks (RRDBNet) or residual blocks (MSRResNet / SRResNet).</summary>
    public int NumBlock { get; set; } = 23;
    /// <summary>RRDBNet's growth channels.</summary>
    public int NumGrowCh { get; set; } = 32;
    /// <summary>SRVGGNetCompact's num_conv (16 for realesr-animevideov3, 32 for realesr-general-x4v3).</summary>
    public int NumConv { get; set; } = 16;
    /// <summary>SRVGGNetCompact's act_type: prelu, relu or leakyrelu.</summary>
    public string ActType { get; set; } = "prelu";
    /// <summary>The network's own scale argument (RRDBNet's <c>scale</c>, SRVGGNetCompact's <c>upscale</c>) when the file
    /// gives one; it must equal the config's top-level scale.</summary>
    public int? Scale { get; set; }
}

/// <summary>The discriminator: BasicSR's network_d (VGGStyleDiscriminator for 128x128 patches).</summary>
public sealed class SrNetworkDConfig
{
    public static readonly IReadOnlyList<string> Types = new[] { "VGGStyleDiscriminator", "UNetDiscriminatorSN" };
    /// <summary>VGGStyleDiscriminator (esrgan, srgan) or UNetDiscriminatorSN (realesrgan).</summary>
    public string Type { get; set; } = "VGGStyleDiscriminator";
    public int NumInCh { get; set; } = 3;
    public int NumFeat { get; set; } = 64;
    /// <summary>UNetDiscriminatorSN's skip_connection.</summary>
    public bool SkipConnection { get; set; } = true;
}

/// <summary>Training pairs: an HR folder (LR made by MATLAB-style bicubic) or paired LR / HR folders.</summary>
public sealed class SrTrainDataConfig
{
    /// <summary>The HR (ground truth) image folder; required.</summary>
    public string? DatarootGt { get; set; }
    /// <summary>The LR folder of a paired data set; null: LR made from the HR images on the fly.</summary>
    public string? DatarootLq { get; set; }
    /// <summary>Side of the HR crops (the LR crops are gt_size / scale).</summary>
    public int GtSize { get; set; } = 128;
    public bool UseHFlip { get; set; } = true;
    public bool UseRot { get; set; } = true;
    public int BatchSize { get; set; } = 16;
    /// <summary>BasicSR's meta_info file: one path per line, relative to dataroot_gt (realesrnet / realesrgan); null: every image of dataroot_gt.</summary>
    public string? MetaInfo { get; set; }
    /// <summary>RealESRGANDataset's crop_pad_size (400 in Real-ESRGAN): GT images are reflect-padded or randomly cropped to it before the degradations.</summary>
    public int CropPadSize { get; set; } = 400;
    /// <summary>The BasicSR dataset type an option file named (RealESRGANDataset, RealESRGANPairedDataset, PairedImageDataset); null in NativeGan's layout.</summary>
    public string? DatasetType { get; set; }
    /// <summary>BasicSR's dataset_enlarge_ratio: the image list repeated this many times per epoch.</summary>
    public int DatasetEnlargeRatio { get; set; } = 1;
}

/// <summary>Validation images: whole LR / HR pairs, PSNR and SSIM as BasicSR's calculate_psnr / calculate_ssim.</summary>
public sealed class SrValDataConfig
{
    public string? DatarootGt { get; set; }
    public string? DatarootLq { get; set; }
    /// <summary>Pixels cropped from each border before the metrics; null: the scale.</summary>
    public int? CropBorder { get; set; }
    /// <summary>Metrics on the Y channel of YCbCr (BT.601) rather than on RGB.</summary>
    public bool TestYChannel { get; set; } = true;
}

/// <summary>BasicSR's pixel_opt (L1Loss / MSELoss).</summary>
public sealed class SrPixelLossConfig
{
    public static readonly IReadOnlyList<string> Types = new[] { "l1", "l2" };
    public string Type { get; set; } = "l1";
    public float LossWeight { get; set; } = 1f;
}

/// <summary>BasicSR's perceptual_opt (VGG19 features; the weights are the user's torchvision vgg19 file).</summary>
public sealed class SrPerceptualLossConfig
{
    public static readonly IReadOnlyList<string> Criteria = new[] { "l1", "l2", "fro" };
    /// <summary>VGG19 layer (conv1_1 .. conv5_4, relu1_1 .. relu5_4, pool1 .. pool5) to weight; layers past the last
    /// one named are never built, so a config that stops early needs only the first layers' weights.</summary>
    public Dictionary<string, float> LayerWeights { get; set; } = new() { ["conv5_4"] = 1f };
    /// <summary>torchvision's vgg19 state dict (.pth or .safetensors; e.g. vgg19-dcbb9e9d.pth); required.</summary>
    public string? VggWeights { get; set; }
    public bool UseInputNorm { get; set; } = true;
    public bool RangeNorm { get; set; }
    public float PerceptualWeight { get; set; } = 1f;
    public float StyleWeight { get; set; }
    public string Criterion { get; set; } = "l1";
}

/// <summary>BasicSR's gan_opt (GANLoss): the loss on D's logits; loss_weight scales only G's term.</summary>
public sealed class SrGanLossConfig
{
    public static readonly IReadOnlyList<string> Types = new[] { "vanilla", "ragan", "lsgan", "wgan", "wgan_softplus", "hinge" };
    /// <summary>vanilla (BCE on logits), lsgan, wgan, wgan_softplus, hinge; "ragan" is vanilla for esrgan (whose
    /// relativistic average form is the model's, as BasicSR's ESRGANModel).</summary>
    public string Type { get; set; } = "vanilla";
    public float LossWeight { get; set; } = 5e-3f;
}

/// <summary>Adam for one network (BasicSR's optim_g / optim_d).</summary>
public sealed class SrOptimConfig
{
    public float Lr { get; set; } = 1e-4f;
    public (float, float) Betas { get; set; } = (0.9f, 0.99f);
    public float WeightDecay { get; set; }
}

/// <summary>The learning-rate schedule of both optimizers, stepped once per iteration before it (BasicSR).</summary>
public sealed class SrSchedulerConfig
{
    public static readonly IReadOnlyList<string> Types = new[] { "MultiStepLR", "CosineAnnealingRestartLR", "none" };
    public string Type { get; set; } = "MultiStepLR";
    public int[] Milestones { get; set; } = { 50000, 100000, 200000, 300000 };
    public float Gamma { get; set; } = 0.5f;
    public int[] Periods { get; set; } = { 250000, 250000, 250000, 250000 };
    public float[] RestartWeights { get; set; } = { 1, 1, 1, 1 };
    public float EtaMin { get; set; } = 1e-7f;
}


/// <summary>VGG19's layer names as BasicSR's VGGFeatureExtractor (torchvision's features indices 0..36).</summary>
public static class Vgg19Layers
{
    /// <summary>conv1_1, relu1_1, ..., conv5_4, relu5_4, pool5 in network order.</summary>
    public static readonly IReadOnlyList<string> Names = Build();

    private static string[] Build()
    {
        var names = new List<string>();
        int[] convs = { 2, 2, 4, 4, 4 };
        for (int b = 0; b < 5; b++)
        {
            for (int i = 1; i <= convs[b]; i++)
            {
                names.Add($"conv{b + 1}_{i}");
                names.Add($"relu{b + 1}_{i}");
            }
            names.Add($"pool{b + 1}");
        }
        return names.ToArray();
    }

    public static bool IsLayer(string name) => Names.Contains(name);
}
