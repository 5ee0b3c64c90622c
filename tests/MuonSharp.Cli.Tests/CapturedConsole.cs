using Spectre.Console;
using Spectre.Console.Testing;

namespace MuonSharp.Cli.Tests;

/// <summary>A test class whose command-line output is captured: AnsiConsole.Console is swapped for a wide test console and restored on dispose.</summary>
public abstract class CapturedConsole : IDisposable
{
    private readonly IAnsiConsole _original = AnsiConsole.Console;

    protected CapturedConsole()
    {
        Console.Profile.Width = 200;
        AnsiConsole.Console = Console;
    }

    /// <summary>What the commands printed.</summary>
    protected TestConsole Console { get; } = new();

    /// <summary>A user error: exit code 2, exactly one line starting "error:" and holding every fragment.</summary>
    protected void AssertOneLineError(int code, params string[] fragments)
    {
        Assert.Equal(2, code);
        var lines = Console.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Single(lines);
        Assert.StartsWith("error:", lines[0]);
        foreach (var fragment in fragments) Assert.Contains(fragment, lines[0]);
        Assert.DoesNotContain("   at ", Console.Output);
    }

    public virtual void Dispose()
    {
        AnsiConsole.Console = _original;
        GC.SuppressFinalize(this);
    }
}
