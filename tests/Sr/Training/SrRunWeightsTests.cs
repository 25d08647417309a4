using System.Globalization;
using NativeGan.IO;
using NativeGan.Models.Sr.Training;
using NativeGan.Tests.Data;

namespace NativeGan.Tests.Sr.Training;

/// <summary>Which weights <c>upscale -m</c> takes from a run's checkpoint: the rule on hand-made checkpoints, each case once.</summary>
public class SrRunWeightsTests
{
    /// <summary>A checkpoint with G's weights, optionally the EMA's, and the given validation metadata.</summary>
    private static string Checkpoint(TempDir dir, string name, bool ema, double? emaPsnr, double? plainPsnr)
    {
        var tensors = new List<(string, int[], float[])> { ("params.conv_first.weight", new[] { 2 }, new[] { 1f, 2f }) };
        if (ema) tensors.Add(("params_ema.conv_first.weight", new[] { 2 }, new[] { 3f, 4f }));
        var meta = new Dictionary<string, string> { ["format"] = SrTrainer.CheckpointFormat, ["iteration"] = "1500" };
        var c = CultureInfo.InvariantCulture;
        if (emaPsnr is double e) { meta["val_psnr"] = e.ToString("R", c); meta["val_iteration"] = "1500"; }
        if (plainPsnr is double p) meta[SrRunWeights.PlainPsnrKey] = p.ToString("R", c);
        string path = dir.File($"{name}.safetensors");
        Safetensors.Write(path, tensors, meta);
        return path;
    }

    [Theory]
    [InlineData(true, 26.4, 26.1, SrWeights.Ema, "the better validated (EMA psnr 26.4000 dB, plain 26.1000 dB")]
    [InlineData(true, 15.8, 26.4, SrWeights.Plain, "the better validated (EMA psnr 15.8000 dB, plain 26.4000 dB")]
    [InlineData(true, 26.4, 26.4, SrWeights.Ema, "the better validated")]                            // a tie keeps BasicSR's release
    [InlineData(true, double.NaN, 26.4, SrWeights.Plain, "the better validated")]                      // a NaN EMA never wins
    [InlineData(true, 26.4, null, SrWeights.Ema, "only the EMA was validated")]                        // a checkpoint from before both were
    [InlineData(true, null, null, SrWeights.Ema, "no validation recorded")]
    [InlineData(false, 26.4, null, SrWeights.Plain, "the run has no EMA")]
    public void AutoTakesTheBetterValidatedWeights(bool ema, double? emaPsnr, double? plainPsnr, string expected, string reason)
    {
        using var dir = new TempDir();
        string path = Checkpoint(dir, "ckpt", ema, emaPsnr, plainPsnr);
        var s = SrRunWeights.Select(path, SrWeightsChoice.Auto);
        Assert.Equal((path, expected), (s.Path, s.ParamKey));
        Assert.Contains(reason, s.Reason);
        Assert.Contains("iteration 1500", s.Reason);
        // What was chosen loads: the state dict under that prefix.
        Assert.Equal(expected == SrWeights.Ema ? new[] { 3f, 4f } : new[] { 1f, 2f }, WeightsFile.Load(path, s.ParamKey!)["conv_first.weight"].Data);
    }

    [Fact]
    public void ToldWeightsWinAndEmaOfARunWithoutOneIsRefused()
    {
        using var dir = new TempDir();
        string both = Checkpoint(dir, "both", ema: true, 15.8, 26.4);
        Assert.Equal(SrWeights.Ema, SrRunWeights.Select(both, SrWeightsChoice.Ema).ParamKey);
        Assert.Equal(SrWeights.Plain, SrRunWeights.Select(both, SrWeightsChoice.Plain).ParamKey);
        string plainOnly = Checkpoint(dir, "plain", ema: false, 26.4, null);
        var e = Assert.Throws<ArgumentException>(() => SrRunWeights.Select(plainOnly, SrWeightsChoice.Ema));
        Assert.Contains("--weights ema", e.Message);
        Assert.Contains("without EMA (ema_decay 0)", e.Message);
        Assert.Contains("--weights plain or auto", e.Message);
    }

    [Fact]
    public void RunFolderUsesItsLatestCheckpointAndAFolderWithoutARunSaysWhatItLacks()
    {
        using var dir = new TempDir();
        string run = Path.Combine(dir.Path, "run");
        Directory.CreateDirectory(Path.Combine(run, "checkpoints"));
        string ckpt = Checkpoint(dir, "run/checkpoints/iter_001500", ema: true, 15.8, 26.4);
        File.WriteAllText(Path.Combine(run, "checkpoints", "latest"), "iter_001500.safetensors\n");
        var s = SrRunWeights.Select(run, SrWeightsChoice.Auto);
        Assert.Equal((ckpt, SrWeights.Plain), (s.Path, s.ParamKey));
        Assert.Contains($"{run} at iteration 1500 (iter_001500.safetensors)", s.Reason);

        string empty = Path.Combine(dir.Path, "empty");
        Directory.CreateDirectory(empty);
        var e = Assert.Throws<FileNotFoundException>(() => SrRunWeights.Select(empty, SrWeightsChoice.Auto));
        Assert.Contains("not a training run", e.Message);
        Assert.Contains("checkpoints/latest", e.Message);
    }

    [Theory]
    [InlineData("auto", SrWeightsChoice.Auto)]
    [InlineData("EMA", SrWeightsChoice.Ema)]
    [InlineData(" plain ", SrWeightsChoice.Plain)]
    public void ChoicesParse(string text, SrWeightsChoice expected)
    {
        Assert.True(SrRunWeights.TryParseChoice(text, out var choice));
        Assert.Equal(expected, choice);
    }

    [Theory]
    [InlineData("foo")]
    [InlineData("")]
    [InlineData(null)]
    public void OtherChoicesDoNot(string? text) => Assert.False(SrRunWeights.TryParseChoice(text, out _));
}
