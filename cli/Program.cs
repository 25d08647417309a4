namespace NativeGan.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        // Last line of defence: a failure on another thread still ends as one line, never a stack trace.
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            Console.Error.WriteLine($"error: {CliApp.Describe(e.ExceptionObject as Exception)}");
            Environment.Exit(ExitCodes.RuntimeFailure);
        };
        return CliApp.Run(args, Console.Out, Console.Error);
    }
}
