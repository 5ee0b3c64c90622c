using System.CommandLine;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Reports;
using MuonSharp.Lab.Runs;
using Spectre.Console;

namespace MuonSharp.Cli;

/// <summary>The commands: list, run, reproduce, report.</summary>
internal static class LabCommands
{
    private const int UserError = 2;

    public static RootCommand Build()
    {
        var root = new RootCommand("MuonSharp lab: reproduce the spectral-optimizer papers' experiments, each ending in plots and a table of claims with verdicts computed from measurements.");
        root.Subcommands.Add(ListCommand());
        root.Subcommands.Add(RunCommand());
        root.Subcommands.Add(ReproduceCommand());
        root.Subcommands.Add(ReportCommand());
        root.Subcommands.Add(DataCommands.Build());
        return root;
    }

    private static Command ListCommand()
    {
        var command = new Command("list", "List the experiments, their papers and their claims.");
        command.SetAction(_ => Guarded(() =>
        {
            foreach (var e in ExperimentRegistry.All)
            {
                AnsiConsole.MarkupLine($"[bold]{Markup.Escape(e.Id)}[/] ({Markup.Escape(e.Source)}) — {Markup.Escape(e.Description)}");
                AnsiConsole.MarkupLine($"  optimizers: {Markup.Escape(string.Join(", ", e.KnownOptimizers))}");
                foreach (var c in e.Claims) AnsiConsole.MarkupLine($"  [grey]{Markup.Escape(c.Id)}[/] {Markup.Escape(c.Statement)} [grey]({Markup.Escape(c.Source)})[/]");
            }
            return 0;
        }));
        return command;
    }

    private static Command RunCommand()
    {
        var id = new Argument<string>("id") { Description = "Experiment id (see 'muonsharp list')." };
        var optimizers = new Option<string?>("--optimizers") { Description = "Comma-separated optimizer names, e.g. gd,muon." };
        var seeds = new Option<int?>("--seeds") { Description = "Number of seeds." };
        var seed = new Option<int?>("--seed") { Description = "First seed." };
        var steps = new Option<int?>("--steps") { Description = "Training steps." };
        var quick = new Option<bool>("--quick") { Description = "The quick size (seconds) instead of the paper's." };
        var set = new Option<string[]>("--set") { Description = "Override a config key: --set key=value (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var config = new Option<string?>("--config") { Description = "JSON file with config keys to override." };
        var output = new Option<string?>("--out") { Description = "Run directory (default runs/<id>-<time>); must not hold a run." };
        var tensorboard = new Option<bool>("--tensorboard") { Description = "Also write TensorBoard event files." };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads during the run (default 1: faster for these small matrices).", DefaultValueFactory = _ => 1 };

        var command = new Command("run", "Run one experiment and print its claims table.") { id, optimizers, seeds, seed, steps, quick, set, config, output, tensorboard, threads };
        command.SetAction(parse => Guarded(() =>
        {
            var experiment = ExperimentRegistry.Get(parse.GetValue(id)!);
            var resolved = experiment.DefaultConfig(parse.GetValue(quick) ? ExperimentSize.Quick : ExperimentSize.Paper);
            if (parse.GetValue(config) is { } file) resolved = ConfigOverrides.ApplyFile(resolved, file);
            var assignments = new List<string>();
            if (parse.GetValue(optimizers) is { } o) assignments.Add($"optimizers={o}");
            if (parse.GetValue(seeds) is { } n) assignments.Add($"seeds={n}");
            if (parse.GetValue(seed) is { } s) assignments.Add($"seed={s}");
            if (parse.GetValue(steps) is { } k) assignments.Add($"steps={k}");
            assignments.AddRange(parse.GetValue(set) ?? Array.Empty<string>());
            resolved = ConfigOverrides.Apply(resolved, assignments);
            var directory = parse.GetValue(output) ?? Path.Combine("runs", $"{experiment.Id}-{DateTime.Now:yyyyMMdd-HHmmss}");
            var summary = RunWithProgress(experiment, resolved, directory, parse.GetValue(tensorboard), parse.GetValue(threads));
            ClaimTable.Show(summary);
            AnsiConsole.MarkupLine($"Run written to [bold]{Markup.Escape(directory)}[/]");
            return 0;
        }));
        return command;
    }

    private static Command ReproduceCommand()
    {
        var quick = new Option<bool>("--quick") { Description = "Quick sizes (minutes in all) instead of the papers'." };
        var seeds = new Option<int?>("--seeds") { Description = "Seeds per experiment (default: each experiment's own)." };
        var output = new Option<string?>("--out") { Description = "Folder for all runs and the report (default runs/reproduce-<time>)." };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads during each run (default 1).", DefaultValueFactory = _ => 1 };
        var command = new Command("reproduce", "Run every experiment, then write report.md and report.html.") { quick, seeds, output, threads };
        command.SetAction(parse => Guarded(() =>
        {
            var root = parse.GetValue(output) ?? Path.Combine("runs", $"reproduce-{DateTime.Now:yyyyMMdd-HHmmss}");
            foreach (var experiment in ExperimentRegistry.All)
            {
                var config = experiment.DefaultConfig(parse.GetValue(quick) ? ExperimentSize.Quick : ExperimentSize.Paper);
                if (parse.GetValue(seeds) is { } n) config = ConfigOverrides.Apply(config, new[] { $"seeds={n}" });
                var summary = RunWithProgress(experiment, config, Path.Combine(root, experiment.Id), tensorboard: false, parse.GetValue(threads));
                ClaimTable.Show(summary);
                if (summary.Status == RunStatus.Interrupted) break;
            }
            var (md, html) = ReportBuilder.Build(root);
            AnsiConsole.MarkupLine($"Report: [bold]{Markup.Escape(html)}[/] and {Markup.Escape(md)}");
            return 0;
        }));
        return command;
    }

    private static Command ReportCommand()
    {
        var directory = new Argument<string>("dir") { Description = "A folder of runs (from run or reproduce)." };
        var command = new Command("report", "Rebuild report.md and report.html from existing runs (seeds aggregated: mean and spread).") { directory };
        command.SetAction(parse => Guarded(() =>
        {
            var (md, html) = ReportBuilder.Build(parse.GetValue(directory)!);
            AnsiConsole.MarkupLine($"Report: [bold]{Markup.Escape(html)}[/] and {Markup.Escape(md)}");
            return 0;
        }));
        return command;
    }

    private static RunSummary RunWithProgress(IExperiment experiment, ExperimentConfig config, string directory, bool tensorboard, int threads)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancellation.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(experiment.Id)}[/] → {Markup.Escape(directory)}");
            return SpectreProgress.Run(progress => LabRunner.Run(experiment, config, directory,
                new RunOptions { Progress = progress, Cancellation = cancellation.Token, TensorBoard = tensorboard, TorchThreads = threads }));
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>User mistakes become a one-line message and exit code 2, never a stack trace.</summary>
    private static int Guarded(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (LabUserException e)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return UserError;
        }
    }
}
