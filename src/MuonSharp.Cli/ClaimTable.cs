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
        // Compact on purpose: statement, verdict and the first few numbers. The thresholds and
        // every measured number are in summary.json and the report.
        // The title is a line of its own: a table title is centred on the console width, far off to the right in a captured log.
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(summary.Experiment)}[/] — {Markup.Escape(summary.Source)}");
        var table = new Table()
            .AddColumn("claim").AddColumn("verdict").AddColumn("measured (first numbers)");
        foreach (var c in summary.Claims)
        {
            var colour = c.Verdict switch { Verdict.Holds => "green", Verdict.Fails => "red", _ => "yellow" };
            var shown = c.Headline.Select(k => $"{k} = {c.Measured[k]:G4}").ToList();
            if (c.Measured.Count > shown.Count) shown.Add($"… {c.Measured.Count - shown.Count} more in summary.json");
            table.AddRow(
                new Markup($"[bold]{Markup.Escape(c.Id)}[/] {Markup.Escape(c.Statement)} [grey]({Markup.Escape(c.Source)})[/]"),
                new Markup($"[{colour}]{c.Verdict.ToString().ToLowerInvariant()}[/]" +
                           (c.Verdict == Verdict.Inconclusive && c.Note is { } why ? $"\n[grey]{Markup.Escape(why)}[/]" : "")),
                new Text(string.Join("\n", shown)));
        }
        AnsiConsole.Write(table);
    }
}
