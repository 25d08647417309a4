using System.Globalization;

namespace NativeGan.Models.Training;

/// <summary>
/// The check every training step makes on a loss value (already read to the host with <c>Item()</c>) before the
/// optimizer step that would apply its gradient: a NaN or infinite loss throws <see cref="NonFiniteLossException"/>,
/// so the poisoned gradient never reaches the weights or the optimizer's moments.
/// </summary>
public static class FiniteLoss
{
    /// <summary>Returns <paramref name="value"/>; throws <see cref="NonFiniteLossException"/> naming <paramref name="name"/> when it is NaN or infinite.</summary>
    public static float Check(float value, string name) =>
        float.IsFinite(value) ? value : throw new NonFiniteLossException(name, value);

    /// <summary>As <see cref="Check(float, string)"/>; null (a term not computed) passes.</summary>
    public static float? Check(float? value, string name) => value is float v ? Check(v, name) : null;
}

/// <summary>A training step met a non-finite loss and stopped before applying it (see <see cref="FiniteLoss"/>).</summary>
public sealed class NonFiniteLossException : Exception
{
    public NonFiniteLossException(string lossName, float value)
        : base($"loss {lossName} is {TrainingLog.Format(value)}; the optimizer step that would apply it was skipped.")
    {
        LossName = lossName;
        Value = value;
    }

    /// <summary>The loss's name as <c>log.csv</c> spells it (d_loss, l_g_pix, ...).</summary>
    public string LossName { get; }
    public float Value { get; }
}

/// <summary>
/// A run stopped because a loss became NaN or infinite. The trainer has rolled its in-memory state back to
/// <see cref="RolledBackTo"/> (the last checkpoint written or resumed from, or the state at the start of the run)
/// and written no checkpoint of the poisoned state; <c>checkpoints/latest</c> still names the good checkpoint.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    public TrainingDivergedException(string lossName, float value, long iteration, string? rolledBackTo, long rolledBackIteration, string outDir,
        Exception? inner = null)
        : base(Describe(lossName, value, iteration, rolledBackTo, rolledBackIteration, outDir), inner)
    {
        LossName = lossName;
        Value = value;
        Iteration = iteration;
        RolledBackTo = rolledBackTo;
        RolledBackIteration = rolledBackIteration;
    }

    /// <summary>The non-finite loss (a <c>log.csv</c> column name).</summary>
    public string LossName { get; }
    public float Value { get; }

    /// <summary>The iteration (1-based, as <c>log.csv</c> counts) whose loss was not finite.</summary>
    public long Iteration { get; }

    /// <summary>The checkpoint the trainer was rolled back to; null: the in-memory state taken at the start of the run.</summary>
    public string? RolledBackTo { get; }

    /// <summary>The iteration the trainer is back at.</summary>
    public long RolledBackIteration { get; }

    private static string Describe(string loss, float value, long iteration, string? to, long back, string outDir)
    {
        var c = CultureInfo.InvariantCulture;
        string where = to != null
            ? $"rolled back to checkpoint {to} (iteration {back.ToString(c)}), which checkpoints/latest still names"
            : $"rolled back to the state at the start of the run (iteration {back.ToString(c)}, no checkpoint had been written yet)";
        return $"training diverged at iteration {iteration.ToString(c)}: loss {loss} is {TrainingLog.Format(value)}; the update was skipped, " +
            $"{where}; no checkpoint of the diverged state was written and log.csv keeps only the rows up to iteration {back.ToString(c)}. " +
            (to != null ? $"Try a lower lr (or check the data) in a new run, or continue this one with `nativegan train --resume {outDir}`."
                : "Try a lower lr (or check the data).");
    }
}
