using System.Globalization;
using NativeGan.Models.Training;

namespace NativeGan.Models.Sr.Training;

// What an SR run starts from, said before its first step.
public sealed partial class SrTrainer
{
    /// <summary>The training and validation data (how many images or pairs, which folders, where the LR comes from),
    /// the weights loaded (file and key) or the seed, the VGG19 weights of the perceptual loss, G's and D's parameter
    /// counts, the device.</summary>
    public override IReadOnlyList<string> StartReport
    {
        get
        {
            var lines = new List<string>();
            var t = Config.Train;
            string gt = t.DatarootGt != null ? Path.GetFullPath(t.DatarootGt) : "(given in code)";
            if (Config.DegradesGt)
                lines.Add($"data: {TrainSource.Count} GT images in {gt}{(t.MetaInfo != null ? $" (listed in {Path.GetFullPath(t.MetaInfo)})" : "")}; " +
                    "LR made on the fly by the second-order degradations");
            else if (t.DatarootLq != null)
                lines.Add($"data: {TrainSource.Count} pairs, GT in {gt}, LR in {Path.GetFullPath(t.DatarootLq)}");
            else
                lines.Add($"data: {TrainSource.Count} HR images in {gt}; LR made by MATLAB-style bicubic x{Config.Scale}");
            if (ValSet != null)
            {
                var v = Config.Val;
                string vgt = v?.DatarootGt != null ? Path.GetFullPath(v.DatarootGt) : "(given in code)";
                lines.Add(v?.DatarootLq != null
                    ? $"validation: {ValSet.Count} pairs, GT in {vgt}, LR in {Path.GetFullPath(v.DatarootLq)}, every {Config.ValFreq} iterations"
                    : $"validation: {ValSet.Count} HR images in {vgt} (LR by bicubic), every {Config.ValFreq} iterations");
            }
            else lines.Add("validation: none (no datasets.val): net_g_best is not written");
            if (LastCheckpoint != null) lines.Add($"weights: resumed from {LastCheckpoint}");
            else if (loadedWeights.Count > 0) lines.AddRange(loadedWeights.Select(l => "weights: " + l));
            else lines.Add(RunStartLines.Weights(null, Config.Seed, D != null ? "G and D" : "G"));
            if (D != null && LastCheckpoint == null && Config.PretrainNetworkG != null && Config.PretrainNetworkD == null)
                lines.Add($"weights: D initialised from seed {Config.Seed} (no pretrain_network_d)");
            if (Perceptual != null && Config.PerceptualLoss?.VggWeights is { } vgg)
                lines.Add($"perceptual loss: VGG19 {string.Join(", ", Config.PerceptualLoss.LayerWeights.Keys)} from {Path.GetFullPath(vgg)}");
            lines.Add(RunStartLines.Parameters("G", G));
            if (D != null) lines.Add(RunStartLines.Parameters("D", D));
            if (Step.Ema != null) lines.Add(string.Create(CultureInfo.InvariantCulture, $"EMA of G: decay {Config.EmaDecay} (net_g_latest holds the EMA weights, params_ema)"));
            lines.Add(RunStartLines.OnDevice(Device));
            return lines;
        }
    }
}
