using MuonSharp.Cli;
using Spectre.Console;
using Spectre.Console.Testing;

namespace MuonSharp.Cli.Tests;

/// <summary>The command line end to end, output captured (one class: AnsiConsole.Console is global).</summary>
public sealed class LabCommandsTests : IDisposable
{
    private readonly TestConsole _console = new();
    private readonly IAnsiConsole _original = AnsiConsole.Console;

    public LabCommandsTests()
    {
        _console.Profile.Width = 200;
        AnsiConsole.Console = _console;
    }

    public void Dispose() => AnsiConsole.Console = _original;

    private int Run(params string[] args) => LabCommands.Build().Parse(args).Invoke();

    [Fact]
    public void An_unknown_experiment_is_a_one_line_error_with_exit_code_2()
    {
        int code = Run("run", "no-such-experiment");

        Assert.Equal(2, code);
        Assert.Contains("Unknown experiment 'no-such-experiment'", _console.Output);
        Assert.DoesNotContain("   at ", _console.Output);
    }

    [Fact]
    public void Report_on_a_missing_folder_is_a_user_error()
    {
        int code = Run("report", Path.Combine(Path.GetTempPath(), "muonsharp-no-such-folder"));

        Assert.Equal(2, code);
        Assert.Contains("does not exist", _console.Output);
    }

    [Fact]
    public void List_succeeds()
    {
        Assert.Equal(0, Run("list"));
    }
}
