using NativeGan.Cli;

namespace NativeGan.Tests.Cli;

/// <summary>Runs `nativegan` in process, as a user's shell would, capturing both streams.</summary>
public static class CliRun
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
