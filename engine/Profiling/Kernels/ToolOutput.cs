namespace NativeGan.Profiling.Kernels;

/// <summary>What one run of an external tool returned: exit code, both streams, and whether it was stopped at its timeout.</summary>
public sealed record ToolOutput(int ExitCode, string StandardOutput, string StandardError, bool TimedOut)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>Both streams, standard error first (ptxas writes its report and its errors there).</summary>
    public string CombinedText => StandardOutput.Length == 0 ? StandardError
        : StandardError.Length == 0 ? StandardOutput
        : StandardError.TrimEnd('\n') + "\n" + StandardOutput;
}
