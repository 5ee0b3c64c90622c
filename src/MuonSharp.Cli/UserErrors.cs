using MuonSharp.Lab.Experiments;
using Spectre.Console;

namespace MuonSharp.Cli;

/// <summary>User mistakes become a red one-line message and exit code 2, never a stack trace.</summary>
internal static class UserErrors
{
    /// <summary>The exit code of a user mistake.</summary>
    public const int ExitCode = 2;

    /// <summary>Runs <paramref name="action"/>, turning a <see cref="LabUserException"/> into its message and <see cref="ExitCode"/>.</summary>
    public static int Guarded(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (LabUserException e)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return ExitCode;
        }
    }
}
