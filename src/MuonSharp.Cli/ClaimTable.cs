using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Runs;
using Spectre.Console;

namespace MuonSharp.Cli;

/// <summary>Renders a run's claims as a table with coloured verdicts.</summary>
internal static class ClaimTable
{
    public static void Show(RunSummary summary)
    {
        if (summary.Status != RunStatus.Completed)
        {
            AnsiConsole.MarkupLine($"[yellow]{summary.Experiment}: {summary.Status.ToString().ToLowerInvariant()} — claims were not judged.[/]");
            return;
        }
        var table = new Table().Title($"{Markup.Escape(summary.Experiment)} — {Markup.Escape(summary.Source)}")
            .AddColumn("claim").AddColumn("source").AddColumn("verdict").AddColumn("measured").AddColumn("threshold");
        foreach (var c in summary.Claims)
        {
            var colour = c.Verdict switch { Verdict.Holds => "green", Verdict.Fails => "red", _ => "yellow" };
            table.AddRow(
                new Markup($"[bold]{Markup.Escape(c.Id)}[/] {Markup.Escape(c.Statement)}"),
                new Text(c.Source),
                new Markup($"[{colour}]{c.Verdict.ToString().ToLowerInvariant()}[/]"),
                new Text(string.Join("\n", c.Measured.Select(m => $"{m.Key} = {m.Value:G4}")) + (c.Note is null ? "" : $"\n({c.Note})")),
                new Text(c.Threshold));
        }
        AnsiConsole.Write(table);
    }
}
