using System.Globalization;
using NativeGan.IO;
using NativeGan.Models.Training;
using NativeGan.Optim;

namespace NativeGan.Models.Sr.Training;

/// <summary>The two sets of generator weights a run has when EMA is on, named by BasicSR's checkpoint keys.</summary>
public static class SrWeights
{
    /// <summary>The exponential moving average of G (BasicSR's net_g_ema).</summary>
    public const string Ema = ModuleEma.CheckpointKey;

    /// <summary>G's own weights, as the optimizer left them.</summary>
    public const string Plain = "params";

    /// <summary>The user's word for a key: "EMA" or "plain".</summary>
    public static string Name(string key) => key switch
    {
        Ema => "EMA",
        Plain => "plain",
        _ => key,
    };
}

// The generator's two sets of weights: the EMA's update count in checkpoints, the released weights files, and the
// summary that names what was released.
public sealed partial class SrTrainer
{
    /// <summary>Writes the released generator: <c>models/net_g_ITER.safetensors</c>, <c>models/net_g_latest.safetensors</c>
    /// and <c>models/net_g_latest.pth</c>.</summary>
    protected override void OnCheckpointSaved(string path)
    {
        WriteReleasedWeights(ReleasedWeights, null, ReleasedWeightsPath(Iteration), Path.Combine(ModelsDir, "net_g_latest.safetensors"));
        WriteReleasedPth(Path.Combine(ModelsDir, ReleasedPthName));
    }

    /// <summary>BasicSR's release as PyTorch writes it, for Real-ESRGAN's and BasicSR's own scripts.</summary>
    public const string ReleasedPthName = "net_g_latest.pth";

    /// <summary>
    /// G's weights under <c>params</c> and, with EMA, the EMA's under <c>params_ema</c>, as BasicSR's save_network writes
    /// <c>net_g_ITER.pth</c>: Real-ESRGAN's inference and torch.load take it unchanged (its <c>params_ema</c> first).
    /// </summary>
    private void WriteReleasedPth(string path)
    {
        static IReadOnlyList<(string, int[], float[])> Of(IReadOnlyDictionary<string, Tensor> state) =>
            state.Select(kv => (kv.Key, kv.Value.Shape.ToArray(), kv.Value.ToArray())).ToList();
        var dicts = new List<(string, IReadOnlyList<(string, int[], float[])>)> { (SrWeights.Plain, Of(G.StateDict())) };
        if (Step.Ema != null) dicts.Add((SrWeights.Ema, Of(Step.Ema.StateDict())));
        PthWriter.Write(path, dicts);
    }

    /// <summary>What <c>net_g_ITER</c> / <c>net_g_latest</c> hold: the EMA weights when EMA is on (BasicSR's release), else G's.</summary>
    public string ReleasedWeights => Step.Ema != null ? SrWeights.Ema : SrWeights.Plain;

    /// <summary>Writes G's (<c>params</c>) or the EMA's (<c>params_ema</c>) weights, BasicSR's plain keys, to each path
    /// (temp + rename); metadata <c>weights</c> names which, and for the EMA its decay, warm-up and update count.</summary>
    private void WriteReleasedWeights(string weights, IReadOnlyDictionary<string, string>? extraMetadata, params string[] paths)
    {
        Directory.CreateDirectory(ModelsDir);
        var ema = Step.Ema;
        if (weights == SrWeights.Ema && ema == null) throw new InvalidOperationException("SrTrainer: EMA weights asked for, but the run has no EMA (ema_decay 0).");
        var state = weights == SrWeights.Ema ? ema!.StateDict() : G.StateDict();
        var tensors = state.Select(kv => (kv.Key, kv.Value.Shape.ToArray(), kv.Value.ToArray())).ToList();
        var c = CultureInfo.InvariantCulture;
        var meta = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["weights"] = weights,
            ["network_g"] = Config.NetworkG.Type,
            ["scale"] = Config.Scale.ToString(c),
            ["iteration"] = Iteration.ToString(c),
            ["model"] = Config.Model,
        };
        if (weights == SrWeights.Ema)
        {
            meta["ema_decay"] = ema!.Decay.ToString("R", c);
            meta["ema_warmup"] = ema.Warmup ? "true" : "false";
            meta[EmaUpdatesKey] = ema.Updates.ToString(c);
        }
        // ReLU and LeakyReLU have no weights: the file says which, so `upscale -m` rebuilds the same network.
        if (Config.NetworkG.Type == "SRVGGNetCompact") meta[SrModelFile.ActTypeMetadataKey] = Config.NetworkG.ActType;
        if (extraMetadata != null)
            foreach (var (k, v) in extraMetadata) meta[k] = v;
        foreach (var p in paths) Safetensors.Write(p, tensors, meta);
    }

    /// <summary>The released generator file of an iteration (BasicSR's net_g_ITER.pth, as safetensors).</summary>
    public string ReleasedWeightsPath(long iteration) => Path.Combine(ModelsDir, $"net_g_{iteration.ToString(CultureInfo.InvariantCulture)}.safetensors");

    /// <summary>Checkpoint (and released-weights) metadata: the EMA updates made so far, which set the warm-up's next decay.</summary>
    public const string EmaUpdatesKey = "ema_updates";

    /// <summary>
    /// The EMA's update count of a checkpoint. A checkpoint written before the count was kept has no
    /// <see cref="EmaUpdatesKey"/>; it is read as one update per iteration, which is what the trainer has always done
    /// (<see cref="SrTrainStep"/> updates the EMA after every iteration, G step or not), so its count is its iteration.
    /// </summary>
    private static long EmaUpdatesOf(CheckpointReader r)
    {
        if (!r.File.Metadata.TryGetValue(EmaUpdatesKey, out var text)) return r.MetaLong("iteration");
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long n))
            throw new InvalidDataException($"{r.Path}: metadata '{EmaUpdatesKey}' is '{text}'; expected the number of EMA updates (an integer >= 0).");
        return n;
    }

    /// <summary>A double metadata value, or null when the checkpoint has none (an older one).</summary>
    private static double? MetaDouble(CheckpointReader r, string key) =>
        r.File.Metadata.TryGetValue(key, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : null;

    /// <summary>What the weights of <paramref name="key"/> are, for the summary.</summary>
    private string DescribeWeights(string key)
    {
        if (key == SrWeights.Plain)
            return Step.Ema == null ? "plain G weights (params; no EMA, ema_decay 0)" : "plain G weights (params)";
        var ema = Step.Ema!;
        var c = CultureInfo.InvariantCulture;
        string last = ema.Updates > 0 ? string.Create(c, $", last decay {ModuleEma.DecayAt(ema.Decay, ema.Warmup, ema.Updates - 1):0.#####}") : "";
        return string.Create(c, $"EMA weights (params_ema; ema_decay {ema.Decay:R} {(ema.Warmup ? "with" : "without")} warm-up, {ema.Updates} updates{last})");
    }

    /// <summary>Which weights <c>net_g_latest</c> and <c>net_g_best</c> hold, how the last validation scored the EMA
    /// and plain weights, and which of the two <c>nativegan upscale -m RUN</c> takes.</summary>
    public override IReadOnlyList<string> SummaryNotes()
    {
        var c = CultureInfo.InvariantCulture;
        var notes = new List<string>();
        string latest = Path.Combine(ModelsDir, "net_g_latest.safetensors");
        if (File.Exists(latest)) notes.Add($"released weights: {latest} = {DescribeWeights(ReleasedWeights)}");
        if (lastValidation is { } v)
        {
            notes.Add(v.PlainPsnr is double pp
                ? string.Create(c, $"last validation (iter {v.Iteration}): EMA psnr {v.Psnr:0.0000} dB, ssim {v.Ssim:0.0000}; plain psnr {pp:0.0000} dB, " +
                    $"ssim {v.PlainSsim ?? double.NaN:0.0000}; `nativegan upscale -m {OutDir}` takes the {SrWeights.Name(v.BetterWeights)} weights (--weights ema|plain to choose)")
                : string.Create(c, $"last validation (iter {v.Iteration}): {SrWeights.Name(v.Weights)} psnr {v.Psnr:0.0000} dB, ssim {v.Ssim:0.0000}"));
        }
        if (best is { } b && File.Exists(BestWeightsPath))
            notes.Add(string.Create(c, $"best weights: {BestWeightsPath} = {SrWeights.Name(b.Weights)} weights ({b.Weights}) of iter {b.Iteration}, psnr {b.Psnr:0.0000} dB, ssim {b.Ssim:0.0000}"));
        return notes;
    }
}
