using NativeGan.Cli;
using NativeGan.IO;
using NativeGan.Models.Imaging;
using NativeGan.Models.Sr;
using NativeGan.Models.Training;

namespace NativeGan.Tests.Cli;

/// <summary>
/// How `nativegan upscale` finds its network: -n NAME in the model folders, -dn (Real-ESRGAN's dni of
/// realesr-general-x4v3 and realesr-general-wdn-x4v3), and -m with a run folder or a training checkpoint.
/// </summary>
public sealed class UpscaleModelSelectionTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures");
    private static readonly string Photo = Path.Combine(Fixtures, "srdata", "images", "chelsea.png");
    private readonly string _dir = Directory.CreateTempSubdirectory("nativegan-modelsel-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The fixture network (plays realesr-general-x4v3) and a second one of the same shapes (plays the wdn model).</summary>
    private static (Dictionary<string, SafetensorsEntry> General, Dictionary<string, SafetensorsEntry> Wdn) TwoNetworks(int wdnNumConv = 2, int wdnFeat = 8)
    {
        var general = Safetensors.Read(Path.Combine(Fixtures, "models", "srvgg_tiny_x4_conv2.weights.safetensors")).Tensors
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        using var other = new SRVGGNetCompact(3, 3, wdnFeat, wdnNumConv, 4, device: Device.Cpu, generator: new Generator(5));
        return (general, Sr.SrvggNetCompactTests.Entries(other));
    }

    private static void Write(string path, IReadOnlyDictionary<string, SafetensorsEntry> state, string prefix = "", Dictionary<string, string>? meta = null) =>
        Safetensors.Write(path, state.Select(kv => (prefix + kv.Key, kv.Value.Shape, kv.Value.Data)), meta);

    private string Upscale(string name, params string[] model)
    {
        string output = Path.Combine(_dir, name);
        var (code, stdout, stderr) = RealEsrganZooVerbTests.Run(new[] { "upscale", "-i", Photo, "-o", output, "--device", "cpu" }.Concat(model).ToArray());
        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        return output;
    }

    private static float[] Pixels(string path) => ImageIO.Read(path).Planar;

    [Fact]
    public void ModelNameSearchesModelDirThenNativeGanHome()
    {
        string cwd = Path.Combine(_dir, "cwd"), home = Path.Combine(_dir, "home");
        Directory.CreateDirectory(Path.Combine(cwd, "models"));
        Directory.CreateDirectory(Path.Combine(home, "models"));
        var folders = RealEsrganModels.SearchFolders(null, cwd, home);
        Assert.Equal(new[] { Path.Combine(cwd, "models"), Path.Combine(home, "models") }, folders);
        Assert.Equal(new[] { "/elsewhere" }, RealEsrganModels.SearchFolders("/elsewhere", cwd, home));
        Assert.Single(RealEsrganModels.SearchFolders(null, cwd, null));

        string inHome = Path.Combine(home, "models", "realesr-animevideov3.safetensors");
        File.WriteAllText(inHome, "x");
        Assert.Equal(inHome, RealEsrganModels.Resolve("realesr-animevideov3", folders));
        string inCwd = Path.Combine(cwd, "models", "realesr-animevideov3.safetensors");
        File.WriteAllText(inCwd, "x");
        Assert.Equal(inCwd, RealEsrganModels.Resolve("realesr-animevideov3.pth", folders));   // the current directory's first
        string pth = Path.Combine(cwd, "models", "realesr-animevideov3.pth");
        File.WriteAllText(pth, "x");
        Assert.Equal(pth, RealEsrganModels.Resolve("realesr-animevideov3", folders));          // .pth before .safetensors
    }

    [Fact]
    public void MissingModelNamesTheFileTheFoldersAndTheRelease()
    {
        var folders = RealEsrganModels.SearchFolders(null, _dir, Path.Combine(_dir, "home"));
        var e = Assert.Throws<FileNotFoundException>(() => RealEsrganModels.Resolve("realesr-general-x4v3", folders));
        Assert.Contains("realesr-general-x4v3.pth, realesr-general-x4v3.safetensors", e.Message);
        Assert.Contains(Path.Combine(_dir, "models"), e.Message);
        Assert.Contains(Path.Combine(_dir, "home", "models"), e.Message);
        Assert.Contains("https://github.com/xinntao/Real-ESRGAN/releases/download/v0.2.5.0/realesr-general-x4v3.pth", e.Message);
        Assert.Contains("downloads nothing", e.Message);

        var unknown = Assert.Throws<FileNotFoundException>(() => RealEsrganModels.Resolve("my_model", folders));
        Assert.Contains("not one of Real-ESRGAN's models", unknown.Message);
        Assert.Contains("RealESRGAN_x2plus", unknown.Message);

        var (code, _, stderr) = RealEsrganZooVerbTests.Run("upscale", "-i", Photo, "-o", Path.Combine(_dir, "o.png"), "-n", "RealESRGAN_x4plus",
            "--model-dir", Path.Combine(_dir, "empty"));
        Assert.Equal(ExitCodes.BadArguments, code);   // a model file that is not there: bad input, 1
        Assert.Contains("RealESRGAN_x4plus.pth", stderr);
        Assert.Contains(Path.Combine(_dir, "empty"), stderr);
        Assert.Contains("v0.1.0/RealESRGAN_x4plus.pth", stderr);
    }

    [Fact]
    public void ModelNameRunsTheFileFoundAndNeedsExactlyOneOfMOrN()
    {
        var (general, _) = TwoNetworks();
        Directory.CreateDirectory(Path.Combine(_dir, "zoo"));
        Write(Path.Combine(_dir, "zoo", "realesr-animevideov3.safetensors"), general);
        string byName = Upscale("n.png", "-n", "realesr-animevideov3", "--model-dir", Path.Combine(_dir, "zoo"));
        string byPath = Upscale("m.png", "-m", Path.Combine(Fixtures, "models", "srvgg_tiny_x4_conv2.pth"));
        Assert.Equal(Pixels(byPath), Pixels(byName));

        var (code, _, stderr) = RealEsrganZooVerbTests.Run("upscale", "-i", Photo, "-o", Path.Combine(_dir, "o.png"));
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Contains("-m PATH", stderr);
        (code, _, stderr) = RealEsrganZooVerbTests.Run("upscale", "-i", Photo, "-o", Path.Combine(_dir, "o.png"), "-m", "a.pth", "-n", "b");
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Contains("give one", stderr);
    }

    [Fact]
    public void DenoiseStrengthInterpolatesTheWeights()
    {
        var (general, wdn) = TwoNetworks();
        string a = Path.Combine(_dir, "realesr-general-x4v3.safetensors"), b = Path.Combine(_dir, "realesr-general-wdn-x4v3.safetensors");
        Write(a, general);
        Write(b, wdn);
        Assert.Equal(b, RealEsrganModels.DenoisePartner(a));

        foreach (var (strength, expect) in new[] { (1f, (Func<float, float, float>)((x, _) => x)), (0f, (_, y) => y), (0.5f, (x, y) => 0.5f * x + 0.5f * y), (0.3f, (x, y) => 0.3f * x + 0.7f * y) })
        {
            using var net = SrModelFile.LoadInterpolated(a, b, strength, Device.Cpu);
            foreach (var (k, t) in net.Model.StateDict())
            {
                var got = t.ToArray();
                var want = general[k].Data.Zip(wdn[k].Data, expect).ToArray();
                Assert.True(want.SequenceEqual(got), $"-dn {strength}: {k} is not {strength} x general + {1 - strength} x wdn");
            }
        }

        // Through the CLI: -dn 1 and -dn 0 give the two plain models' images.
        Assert.Equal(Pixels(Upscale("general.png", "-m", a)), Pixels(Upscale("dn1.png", "-m", a, "-dn", "1")));
        Assert.Equal(Pixels(Upscale("wdn.png", "-m", b)), Pixels(Upscale("dn0.png", "-m", a, "-dn", "0")));
        Assert.NotEqual(Pixels(Path.Combine(_dir, "general.png")), Pixels(Upscale("dn05.png", "-m", a, "--denoise-strength", "0.5")));
    }

    /// <summary>As inference_realesrgan.py: -n realesr-general-x4v3 without -dn runs at 0.5 when the wdn model is there.</summary>
    [Fact]
    public void ModelNameRealesrGeneralDefaultsToHalfDenoise()
    {
        var (general, wdn) = TwoNetworks();
        string zoo = Path.Combine(_dir, "zoo-dn");
        Directory.CreateDirectory(zoo);
        string a = Path.Combine(zoo, "realesr-general-x4v3.safetensors");
        Write(a, general);

        // Without the wdn model: the plain one, and a note saying why.
        string output = Path.Combine(_dir, "plain-by-name.png");
        var (code, stdout, stderr) = RealEsrganZooVerbTests.Run("upscale", "-i", Photo, "-o", output, "--device", "cpu", "-n", "realesr-general-x4v3", "--model-dir", zoo);
        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        Assert.Contains("needs realesr-general-wdn-x4v3", stdout);
        Assert.Equal(Pixels(Upscale("plain-by-path.png", "-m", a)), Pixels(output));

        Write(Path.Combine(zoo, "realesr-general-wdn-x4v3.safetensors"), wdn);
        output = Path.Combine(_dir, "default-by-name.png");
        (code, stdout, stderr) = RealEsrganZooVerbTests.Run("upscale", "-i", Photo, "-o", output, "--device", "cpu", "-n", "realesr-general-x4v3", "--model-dir", zoo);
        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        Assert.Contains("denoise strength 0.5 (Real-ESRGAN's default", stdout);
        Assert.Equal(Pixels(Upscale("half.png", "-m", a, "-dn", "0.5")), Pixels(output));
        Assert.Equal(Pixels(Upscale("plain-dn1.png", "-m", a, "-dn", "1")), Pixels(Upscale("plain-by-name-dn1.png", "-n", "realesr-general-x4v3", "--model-dir", zoo, "-dn", "1")));
        // -m never picks a default: the file runs as it is.
        Assert.Equal(Pixels(Path.Combine(_dir, "plain-by-path.png")), Pixels(Upscale("m-no-dn.png", "-m", a)));
    }

    [Fact]
    public void DenoiseStrengthRefusesMissingOrMismatchedPartners()
    {
        var (general, _) = TwoNetworks();
        string a = Path.Combine(_dir, "realesr-general-x4v3.pth");
        Write(a, general); // a safetensors file under a .pth name: the format is read from the content
        var (code, _, stderr) = RealEsrganZooVerbTests.Run("upscale", "-i", Photo, "-o", Path.Combine(_dir, "o.png"), "-m", a, "-dn", "0.5");
        Assert.Equal(ExitCodes.BadArguments, code);   // the partner file is missing: bad input, 1
        Assert.Contains("realesr-general-wdn-x4v3.pth", stderr);
        Assert.Contains("v0.2.5.0/realesr-general-wdn-x4v3.pth", stderr);

        var (_, deeper) = TwoNetworks(wdnNumConv: 3);
        Write(Path.Combine(_dir, "realesr-general-wdn-x4v3.safetensors"), deeper);
        var e = Assert.Throws<ArgumentException>(() => SrModelFile.LoadInterpolated(a, RealEsrganModels.DenoisePartner(a), 0.5f, Device.Cpu));
        Assert.Contains("different networks", e.Message);
        Assert.Contains("body.8", e.Message);

        var (_, wider) = TwoNetworks(wdnFeat: 4);
        Write(Path.Combine(_dir, "realesr-general-wdn-x4v3.safetensors"), wider);
        e = Assert.Throws<ArgumentException>(() => SrModelFile.LoadInterpolated(a, RealEsrganModels.DenoisePartner(a), 0.5f, Device.Cpu));
        Assert.Contains("'body.0.bias' is [8] in the first and [4] in the second", e.Message);

        Assert.Contains("must contain 'realesr-general-x4v3'", Assert.Throws<ArgumentException>(() => RealEsrganModels.DenoisePartner("RealESRGAN_x4plus.pth")).Message);
        (code, _, stderr) = RealEsrganZooVerbTests.Run("upscale", "-i", Photo, "-o", Path.Combine(_dir, "o.png"), "-m", a, "-dn", "1.5");
        Assert.Equal(ExitCodes.BadArguments, code);
        Assert.Contains("0..1", stderr);
    }

    [Fact]
    public void RunFoldersAndCheckpointsGiveTheirEmaGenerator()
    {
        var (ema, plain) = TwoNetworks();
        string run = Path.Combine(_dir, "run");
        string checkpoints = Path.Combine(run, CheckpointStore.FolderName);
        Directory.CreateDirectory(checkpoints);
        string ckpt = Path.Combine(checkpoints, CheckpointStore.FileName(10));
        var tensors = ema.Select(kv => ("params_ema." + kv.Key, kv.Value.Shape, kv.Value.Data))
            .Concat(plain.Select(kv => ("params." + kv.Key, kv.Value.Shape, kv.Value.Data)));
        Safetensors.Write(ckpt, tensors, new Dictionary<string, string> { ["format"] = "nativegan-sr-checkpoint/1", ["iteration"] = "10" });
        File.WriteAllText(Path.Combine(checkpoints, CheckpointStore.LatestFileName), CheckpointStore.FileName(10));
        string emaFile = Path.Combine(_dir, "ema.safetensors");
        Write(emaFile, ema);

        string expected = Upscale("ema.png", "-m", emaFile);
        Assert.Equal(Pixels(expected), Pixels(Upscale("run.png", "-m", run)));
        Assert.Equal(Pixels(expected), Pixels(Upscale("ckpt.png", "-m", ckpt)));
        using (var net = SrModelFile.Load(run, Device.Cpu))
            Assert.Contains("'params_ema'", net.Describe());

        // A run folder without checkpoints falls back on models/net_g_latest.safetensors; a plain folder is refused.
        string released = Path.Combine(_dir, "released");
        Directory.CreateDirectory(Path.Combine(released, "models"));
        Write(Path.Combine(released, "models", "net_g_latest.safetensors"), ema, meta: new() { ["weights"] = "params_ema" });
        Assert.Equal(Pixels(expected), Pixels(Upscale("released.png", "-m", released)));
        var e = Assert.Throws<FileNotFoundException>(() => SrModelFile.Load(Path.Combine(_dir, "released", "models"), Device.Cpu));
        Assert.Contains("not a training run", e.Message);
    }
}
