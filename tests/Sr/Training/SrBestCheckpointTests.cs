using System.Globalization;
using NativeGan.IO;
using NativeGan.Models.Sr.Training;
using NativeGan.Models.Training;
using NativeGan.Tests.Data;
using static NativeGan.Tests.Sr.Training.SrTrainingTestUtil;

namespace NativeGan.Tests.Sr.Training;

[Collection(nameof(NativeGan.Tests.Engine.MemoryTests))]
public class SrBestCheckpointTests
{
    private static double Meta(SafetensorsFile f, string key) => double.Parse(f.Metadata[key], CultureInfo.InvariantCulture);

    private static float F(string s) => float.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>(iteration, psnr, ssim, weights) of the better-validated weights of each log.csv row with a validation:
    /// the EMA's (psnr, ssim) or G's own (psnr_plain, ssim_plain) when those are higher.</summary>
    private static List<(long It, float Psnr, float Ssim, string Weights)> Validations(string csv)
    {
        var lines = File.ReadAllLines(csv);
        var h = lines[0].Split(',').ToList();
        int pe = h.IndexOf("psnr"), se = h.IndexOf("ssim"), pp = h.IndexOf("psnr_plain"), sp = h.IndexOf("ssim_plain");
        return lines.Skip(1).Select(l => l.Split(',')).Where(c => c[pe] != "").Select(c =>
        {
            long it = long.Parse(c[0], CultureInfo.InvariantCulture);
            return F(c[pp]) > F(c[pe]) ? (it, F(c[pp]), F(c[sp]), SrWeights.Plain) : (it, F(c[pe]), F(c[se]), SrWeights.Ema);
        }).ToList();
    }

    [Fact]
    public void BestCheckpointFollowsTheHighestValidationPsnrAndSurvivesResume()
    {
        using var dir = new TempDir();
        string photos = CopyImages(dir, "train", "astronaut.png", "chelsea.png", "coffee.png");
        string yaml = TinyYaml("rrdbnet_psnr", photos, photos, total: 5, checkpointEvery: 2, valFreq: 1, scale: 2, gtSize: 32);
        string outDir = Path.Combine(dir.Path, "run");
        using (var t = new SrTrainer(SrConfig.Parse(yaml, "a.yml"), outDir))
        {
            t.Run(untilIteration: 3, cancellation: TestContext.Current.CancellationToken);  // checkpoints at 2 and 3
            Assert.NotNull(t.Best);
        }
        var vals = Validations(Path.Combine(outDir, "log.csv"));
        Assert.Equal(new long[] { 1, 2, 3 }, vals.Select(v => v.It));
        var top = vals.MaxBy(v => v.Psnr);
        var best = Safetensors.Read(Path.Combine(outDir, "checkpoints", SrTrainer.BestCheckpointFileName));
        Assert.Equal(top.Psnr, (float)Meta(best, "best_psnr"));
        Assert.Equal(top.Ssim, (float)Meta(best, "best_ssim"));
        Assert.Equal(top.It, (long)Meta(best, "best_iteration"));
        Assert.Equal(top.Weights, best.Metadata["best_weights"]);
        Assert.Equal(top.It.ToString(CultureInfo.InvariantCulture), best.Metadata["iteration"]);   // the full checkpoint of that iteration
        Assert.Contains(best.Tensors.Keys, k => k.StartsWith("opt_g.", StringComparison.Ordinal));
        var released = Safetensors.Read(Path.Combine(outDir, "models", SrTrainer.BestWeightsFileName));
        Assert.Equal(top.Psnr, (float)Meta(released, "best_psnr"));
        Assert.Equal(top.Weights, released.Metadata["weights"]);   // net_g_best says which weights it holds
        Assert.Contains("conv_first.weight", released.Tensors.Keys);
        // best.safetensors is not part of the iter_* sequence that resume scans.
        Assert.Equal(new long[] { 3, 2 }, CheckpointStore.Candidates(outDir).Select(c => c.Iteration));
        Assert.Equal("iter_000003.safetensors", Path.GetFileName(CheckpointStore.NewestComplete(outDir)!.Value.Path));

        // The resumed trainer knows the best from the checkpoint's metadata; a validation that does not beat it leaves the files alone.
        string bestPath = Path.Combine(outDir, "checkpoints", SrTrainer.BestCheckpointFileName);
        byte[] bestBytes = File.ReadAllBytes(bestPath);
        var bestWritten = File.GetLastWriteTimeUtc(bestPath);
        Thread.Sleep(20);
        using (var t = SrTrainer.Resume(outDir))
        {
            Assert.Equal(new SrBestValidation(top.It, Meta(best, "best_psnr"), Meta(best, "best_ssim"), top.Weights), t.Best);
            var again = t.Validate();   // the state of iteration 3: at most the best, so not a new best
            Assert.Equal(vals[^1].Psnr, (float)again.Better.Psnr);
            Assert.Equal(bestBytes, File.ReadAllBytes(bestPath));
            Assert.Equal(bestWritten, File.GetLastWriteTimeUtc(bestPath));
            Assert.Equal(top.It, t.Best!.Iteration);
            t.Run(cancellation: TestContext.Current.CancellationToken);
            var all = Validations(t.CsvPath);
            Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, all.Select(v => v.It));
            var overall = all.MaxBy(v => v.Psnr);
            Assert.Equal(overall.It, t.Best!.Iteration);
            Assert.Equal(overall.Psnr, (float)t.Best.Psnr);
            var after = Safetensors.Read(t.BestCheckpointPath);
            Assert.Equal(overall.Psnr, (float)Meta(after, "best_psnr"));
            Assert.Equal(overall.It, (long)Meta(after, "best_iteration"));
            // ... and the regular checkpoints carry it for the next resume.
            Assert.Equal(overall.Psnr, (float)Meta(Safetensors.Read(t.LastCheckpoint!), "best_psnr"));
        }
        Assert.True(new FileInfo(Path.Combine(outDir, "loss.png")).Length > 0);
    }
}
