using System.CommandLine;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Reports;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Sweeps;
using Spectre.Console;

namespace MuonSharp.Cli;

/// <summary>
/// The commands: list, run, reproduce, report, sweep (<see cref="SweepCommands"/>), data (<see cref="DataCommands"/>). Exit codes: 0 when the work ran (whatever the
/// verdicts); 1 when an experiment failed; 2 for a user error (one line naming the bad value and what
/// is accepted; nothing written); 130 / 143 when SIGINT / SIGTERM interrupted a run (resumable).
/// </summary>
internal static class LabCommands
{
    private const int Failed = 1;

    /// <summary>Parses and runs <paramref name="args"/>; parse errors are one line and exit code 2.</summary>
    public static int Invoke(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(parse.Errors[0].Message)} (see --help)");
            return UserErrors.ExitCode;
        }
        return parse.Invoke();
    }

    public static RootCommand Build()
    {
        var root = new RootCommand("MuonSharp lab: reproduce the spectral-optimizer papers' experiments, each ending in plots and a table of claims with verdicts computed from measurements.");
        root.Subcommands.Add(ListCommand());
        root.Subcommands.Add(RunCommand());
        root.Subcommands.Add(ReproduceCommand());
        root.Subcommands.Add(ReportCommand());
        root.Subcommands.Add(SweepCommands.Build());
        root.Subcommands.Add(DataCommands.Build());
        return root;
    }

    private static Command ListCommand()
    {
        var command = new Command("list", "List the experiments, their papers and their claims.");
        command.SetAction(_ => UserErrors.Guarded(() =>
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
        var id = new Argument<string?>("id") { Description = "Experiment id (see 'muonsharp list').", Arity = ArgumentArity.ZeroOrOne };
        var optimizers = new Option<string?>("--optimizers") { Description = "Comma-separated optimizer names, e.g. gd,muon." };
        var seeds = Options.WholeNumber("--seeds", "Number of seeds.", 1);
        var seed = Options.WholeNumber("--seed", "First seed.", 0);
        var steps = Options.WholeNumber("--steps", "Training steps.", 1);
        var quick = new Option<bool>("--quick") { Description = "The quick size (seconds) instead of the paper's." };
        var set = new Option<string[]>("--set") { Description = "Override a config key: --set key=value (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var config = new Option<string?>("--config") { Description = "JSON file with config keys to override." };
        var output = new Option<string?>("--out") { Description = "Run directory (default runs/<id>-<time>); must not hold a run unless --resume." };
        var resume = new Option<bool>("--resume") { Description = "Continue the interrupted run in --out from its last checkpoint (same options as it was started with; none needed)." };
        var tensorboard = new Option<bool>("--tensorboard") { Description = "Also write TensorBoard event files." };
        var threads = Options.WholeNumber("--threads", "libtorch intra-op threads during the run (default 1: faster for these small matrices).", 1, 1024);
        var dataDir = DataCommands.DataDirectoryOption();

        var command = new Command("run", "Run one experiment and print its claims table.") { id, optimizers, seeds, seed, steps, quick, set, config, output, resume, tensorboard, threads, dataDir };
        command.SetAction(parse => UserErrors.Guarded(() =>
        {
            var experiment = ExperimentRegistry.Get(parse.GetValue(id)
                ?? throw new LabUserException($"run needs an experiment id: one of {string.Join(", ", ExperimentRegistry.All.Select(e => e.Id))}."));
            var assignments = new List<string>();
            if (parse.GetValue(optimizers) is { } o) assignments.Add($"optimizers={o}");
            if (parse.GetValue(seeds) is { } n) assignments.Add($"seeds={n}");
            if (parse.GetValue(seed) is { } s) assignments.Add($"seed={s}");
            if (parse.GetValue(steps) is { } k) assignments.Add($"steps={k}");
            assignments.AddRange(parse.GetValue(set) ?? Array.Empty<string>());
            var file = parse.GetValue(config);
            bool configGiven = assignments.Count > 0 || file is not null || parse.GetValue(quick);
            var directory = parse.GetValue(output) ?? Path.Combine("runs", $"{experiment.Id}-{DateTime.Now:yyyyMMdd-HHmmss}");

            ExperimentConfig resolved;
            if (parse.GetValue(resume) && !configGiven && LabRunner.StoredConfig(directory, experiment) is { } stored)
                resolved = stored;   // "--resume" alone continues with the config the run was started with
            else
            {
                resolved = experiment.DefaultConfig(parse.GetValue(quick) ? ExperimentSize.Quick : ExperimentSize.Paper);
                if (file is not null) resolved = ConfigOverrides.ApplyFile(resolved, file);
                resolved = ConfigOverrides.Apply(resolved, assignments);
            }
            var options = new RunOptions
            {
                TensorBoard = parse.GetValue(tensorboard), TorchThreads = parse.GetValue(threads) ?? 1, Resume = parse.GetValue(resume), DataDirectory = parse.GetValue(dataDir),
            };
            using var signals = new StopSignals();
            var outcome = RunWithProgress(experiment, resolved, directory, options, signals);
            if (outcome.Summary is { } summary) ClaimTable.Show(summary);
            return outcome.ExitCode;
        }));
        return command;
    }

    private static Command ReproduceCommand()
    {
        var quick = new Option<bool>("--quick") { Description = "Quick sizes (minutes in all) instead of the papers'." };
        var seeds = Options.WholeNumber("--seeds", "Seeds per experiment (default: each experiment's own).", 1);
        var output = new Option<string?>("--out") { Description = "Folder for all runs and the report (default runs/reproduce-<time>)." };
        var resume = new Option<bool>("--resume") { Description = "Skip the experiments already finished in --out and continue the interrupted ones." };
        var only = Options.ExperimentIds("--only", "Run only these experiments (comma-separated ids).");
        var skip = Options.ExperimentIds("--skip", "Do not run these experiments (comma-separated ids).");
        var threads = Options.WholeNumber("--threads", "libtorch intra-op threads during each run (default 1).", 1, 1024);
        var dataDir = DataCommands.DataDirectoryOption();
        var command = new Command("reproduce", "Run every experiment, then write report.md and report.html.") { quick, seeds, output, resume, only, skip, threads, dataDir };
        command.SetAction(parse => UserErrors.Guarded(() =>
        {
            var selected = Select(parse.GetValue(only), parse.GetValue(skip));
            var root = parse.GetValue(output) ?? Path.Combine("runs", $"reproduce-{DateTime.Now:yyyyMMdd-HHmmss}");
            var configs = selected.Select(experiment =>
            {
                var config = experiment.DefaultConfig(parse.GetValue(quick) ? ExperimentSize.Quick : ExperimentSize.Paper);
                return parse.GetValue(seeds) is { } n ? ConfigOverrides.Apply(config, new[] { $"seeds={n}" }) : config;
            }).ToList();
            var options = new RunOptions { TorchThreads = parse.GetValue(threads) ?? 1, Resume = parse.GetValue(resume), DataDirectory = parse.GetValue(dataDir) };

            using var signals = new StopSignals();
            int exitCode = 0;
            for (int i = 0; i < selected.Count; i++)
            {
                var outcome = RunWithProgress(selected[i], configs[i], Path.Combine(root, selected[i].Id), options, signals);
                if (outcome.Summary is { } summary) ClaimTable.Show(summary);
                if (outcome.ExitCode != 0) exitCode = outcome.ExitCode;
                if (signals.Token.IsCancellationRequested) break;
            }
            if (Directory.Exists(root))
            {
                var (md, html) = ReportBuilder.Build(root);
                AnsiConsole.MarkupLine($"Report: [bold]{Markup.Escape(html)}[/] and {Markup.Escape(md)}");
            }
            if (exitCode != 0) AnsiConsole.MarkupLine($"[yellow]Not every experiment finished; continue with: muonsharp reproduce{(parse.GetValue(quick) ? " --quick" : "")} --out {Markup.Escape(root)} --resume[/]");
            return exitCode;
        }));
        return command;
    }

    private static Command ReportCommand()
    {
        var directory = new Argument<string?>("dir") { Description = "A folder of runs (from run or reproduce), or a sweep directory; a folder's report leaves out the sweeps inside it.", Arity = ArgumentArity.ZeroOrOne };
        var readme = new Option<string?>("--readme") { Description = "Also rewrite the experiments table between the verdict markers of this README.md." };
        var metric = new Option<string?>("--metric") { Description = "Sweep only: tabulate this metrics.csv metric's final value by grid point and optimizer, and plot it over the grid." };
        var x = new Option<string?>("--x") { Description = "Sweep only: the grid key on the plot's x axis (default: the first numeric one)." };
        var command = new Command("report", "Rebuild report.md and report.html from existing runs (seeds aggregated: mean and spread; a sweep by grid point).") { directory, readme, metric, x };
        command.SetAction(parse => UserErrors.Guarded(() =>
        {
            var root = parse.GetValue(directory) ?? throw new LabUserException("report needs the folder of runs to read, e.g. 'muonsharp report runs/quick'.");
            if (SweepManifest.IsSweep(root))
            {
                if (parse.GetValue(readme) is not null) throw new LabUserException($"--readme: '{root}' is a sweep; the README's experiments table reads a folder of experiment runs (e.g. from reproduce).");
                var (sweepMd, sweepHtml) = SweepReport.Build(root, parse.GetValue(metric), parse.GetValue(x));
                AnsiConsole.MarkupLine($"Sweep report: [bold]{Markup.Escape(sweepHtml)}[/] and {Markup.Escape(sweepMd)}");
                return 0;
            }
            if (parse.GetValue(metric) is not null || parse.GetValue(x) is not null)
                throw new LabUserException($"--metric and --x apply to a sweep directory; '{root}' holds no {SweepManifest.FileName}.");
            if (parse.GetValue(readme) is { } readmeFile) ReadmeTable.Check(readmeFile);   // before anything is written
            var (md, html) = ReportBuilder.Build(root);
            AnsiConsole.MarkupLine($"Report: [bold]{Markup.Escape(html)}[/] and {Markup.Escape(md)}");
            if (parse.GetValue(readme) is { } file)
            {
                ReadmeTable.Replace(file, ReadmeTable.Markdown(ReportBuilder.Read(root), $"muonsharp report {root} --readme {file}", DateOnly.FromDateTime(DateTime.Now)));
                AnsiConsole.MarkupLine($"Experiments table rewritten in [bold]{Markup.Escape(file)}[/]");
            }
            return 0;
        }));
        return command;
    }

    private static IReadOnlyList<IExperiment> Select(string[]? only, string[]? skip)
    {
        foreach (var id in (only ?? Array.Empty<string>()).Concat(skip ?? Array.Empty<string>())) ExperimentRegistry.Get(id);
        return ExperimentRegistry.All
            .Where(e => only is not { Length: > 0 } || only.Contains(e.Id, StringComparer.OrdinalIgnoreCase))
            .Where(e => skip is null || !skip.Contains(e.Id, StringComparer.OrdinalIgnoreCase))
            .ToList();
    }

    internal readonly record struct Outcome(RunSummary? Summary, int ExitCode);

    /// <summary>Runs one experiment with progress bars; a failure is reported in one line and exit code 1, an interrupt by its signal's code.</summary>
    internal static Outcome RunWithProgress(IExperiment experiment, ExperimentConfig config, string directory, RunOptions options, StopSignals signals)
    {
        options = options with { Cancellation = signals.Token };
        RunSummary summary;
        try
        {
            summary = SpectreProgress.Run(progress => LabRunner.Run(experiment, config, directory, options with { Progress = progress }));
        }
        catch (InvalidOperationException failure) when (failure.InnerException is not null)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(experiment.Id)} failed:[/] {Markup.Escape(failure.Message)}");
            return new Outcome(null, Failed);
        }
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(experiment.Id)}[/] → {Markup.Escape(directory)}: {summary.Status.ToString().ToLowerInvariant()}" +
                               (summary.Status == RunStatus.Interrupted ? $" — continue with --out {Markup.Escape(directory)} --resume" : ""));
        return new Outcome(summary, summary.Status == RunStatus.Interrupted ? signals.ExitCode : 0);
    }
}
