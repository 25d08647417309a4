using System.Globalization;
using NativeGan.NN;

namespace NativeGan.Models.Training;

/// <summary>The lines of a trainer's <see cref="TrainerBase.StartReport"/>, worded alike for every family.</summary>
public static class RunStartLines
{
    /// <summary>"data: 3 images (image_folder) in /full/path".</summary>
    public static string Data(int count, string unit, string? folder, string? kind = null) =>
        $"data: {count.ToString(CultureInfo.InvariantCulture)} {unit}{(kind != null ? $" ({kind})" : "")}" +
        (string.IsNullOrEmpty(folder) ? " (given in code)" : $" in {System.IO.Path.GetFullPath(folder)}");

    /// <summary>"G (RRDBNet): 16,697,987 parameters".</summary>
    public static string Parameters(string role, Module network) =>
        $"{role} ({network.GetType().Name}): {network.ParameterCount().ToString("N0", CultureInfo.InvariantCulture)} parameters";

    /// <summary>"weights: resumed from CHECKPOINT" or "weights: none loaded (G and D initialised from seed 0)".</summary>
    public static string Weights(string? resumedFrom, ulong seed, string networks = "G and D") => resumedFrom != null
        ? $"weights: resumed from {resumedFrom}"
        : $"weights: none loaded ({networks} initialised from seed {seed.ToString(CultureInfo.InvariantCulture)})";

    /// <summary>"device: cpu".</summary>
    public static string OnDevice(Device device) => $"device: {device}";
}
