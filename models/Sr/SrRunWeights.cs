using NativeGan.IO;
using NativeGan.Models.Training;
using NativeGan.Optim;

namespace NativeGan.Models.Sr;

/// <summary>
/// Picks the generator out of what `nativegan train` writes for an SR model, so `upscale -m` and `forward` take a run
/// folder or a full training checkpoint as they take a weights file: the EMA weights (<c>params_ema.*</c>) when the
/// run kept them, else the plain ones (<c>params.*</c>). A run folder's newest checkpoint (<c>checkpoints/latest</c>)
/// is read; without one, its <c>models/net_g_latest.safetensors</c> (the released generator, EMA when EMA is on).
/// </summary>
public static class SrRunWeights
{
    /// <summary>The checkpoint format SR training writes (<see cref="Training.SrTrainer.CheckpointFormat"/>).</summary>
    private const string SrCheckpointFormat = "nativegan-sr-checkpoint/1";

    /// <summary>The generator of a run folder or SR training checkpoint, or null when <paramref name="path"/> is neither (a weights file).</summary>
    /// <exception cref="FileNotFoundException">A folder that holds no run; the message says what was looked for.</exception>
    public static PickedWeights? TryPick(string path)
    {
        if (Directory.Exists(path))
        {
            if (CheckpointStore.HoldsRun(path)) return FromCheckpoint(CheckpointStore.Latest(path), Safetensors.Read(CheckpointStore.Latest(path)));
            string released = Path.Combine(path, "models", "net_g_latest.safetensors");
            if (File.Exists(released))
            {
                var file = Safetensors.Read(released);
                return new PickedWeights(file.Tensors, file.Metadata, released, file.Metadata.GetValueOrDefault("weights"));
            }
            throw new FileNotFoundException(
                $"{path}: a folder, but not a training run: expected {Path.Combine(path, CheckpointStore.FolderName, CheckpointStore.LatestFileName)} " +
                $"or {released} (or pass a .pth / .safetensors weights file).", path);
        }
        if (!File.Exists(path) || WeightsFile.Detect(path) != WeightsFormat.Safetensors) return null;
        var st = Safetensors.Read(path);
        return st.Metadata.GetValueOrDefault("format") == SrCheckpointFormat ? FromCheckpoint(path, st) : null;
    }

    private static PickedWeights FromCheckpoint(string path, SafetensorsFile file)
    {
        foreach (var key in new[] { ModuleEma.CheckpointKey, "params" })
        {
            string prefix = key + ".";
            var state = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
            foreach (var (k, v) in file.Tensors)
                if (k.StartsWith(prefix, StringComparison.Ordinal)) state[k[prefix.Length..]] = v;
            if (state.Count > 0) return new PickedWeights(state, file.Metadata, path, key);
        }
        throw new InvalidDataException($"{path}: an SR training checkpoint without generator weights (no params_ema.* or params.* tensors).");
    }
}

/// <summary>A generator's state dict picked out of a run: where it came from and under which key.</summary>
public sealed record PickedWeights(IReadOnlyDictionary<string, SafetensorsEntry> State, IReadOnlyDictionary<string, string> Metadata,
    string File, string? Key);
