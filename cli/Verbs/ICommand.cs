namespace NativeGan.Cli.Verbs;

/// <summary>A parsed verb. Run returns an exit code (<see cref="ExitCodes"/>); exceptions become `error: message`.</summary>
public interface ICommand
{
    int Run(TextWriter stdout, TextWriter stderr);
}
