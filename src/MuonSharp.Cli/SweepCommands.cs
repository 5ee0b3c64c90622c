using System.CommandLine;
using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Sweeps;
using Spectre.Console;

namespace MuonSharp.Cli;

/// <summary>
/// <c>muonsharp sweep</c>: a grid × seeds of one experiment as a manifest of ordinary runs, run on this
/// machine (<see cref="LocalExecutor"/>) or as a Slurm job array; <c>sweep run-point</c> runs one point
/// (what both executors call); <c>sweep status</c> says where every point stands.
/// </summary>
internal static class SweepCommands
{
    public static Command Build()
    {
        var id = new Argument<string?>("id") { Description = "Experiment id (see 'muonsharp list').", Arity = ArgumentArity.ZeroOrOne };
        var grid = new Option<string[]>("--grid") { Description = "A grid axis: --grid key=v1,v2,… (repeatable; the grid is their product).", Arity = ArgumentArity.ZeroOrMore };
        var seeds = Options.WholeNumber("--seeds", "Seeds per grid point (default: the experiment's own); each seed is a point of its own.", 1);
        var quick = new Option<bool>("--quick") { Description = "Start from the quick size instead of the paper's." };
        var set = new Option<string[]>("--set") { Description = "Fix a config key for every point: --set key=value (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var config = new Option<string?>("--config") { Description = "JSON file with config keys to fix for every point." };
        var output = new Option<string?>("--out") { Description = "Sweep directory: manifest.jsonl and one run directory per point. Running the same command again finishes what is left." };
        var executor = new Option<string>("--executor") { Description = "local (child processes on this machine) or slurm (a job array through sbatch).", DefaultValueFactory = _ => "local" };
        executor.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (value is not ("local" or "slurm")) result.AddError($"--executor {value}: expected local or slurm.");
        });
        var parallel = Options.WholeNumber("--parallel", "Points at once (local: default cores ÷ threads; slurm: the array's %K throttle, default none).", 1, 100_000);
        var threads = Options.WholeNumber("--threads", "libtorch threads per point (default 1).", 1, 1024);
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the Slurm script (local: the points) without writing or submitting anything." };
        var partition = new Option<string?>("--slurm-partition") { Description = "sbatch --partition." };
        var time = new Option<string?>("--slurm-time") { Description = "sbatch --time per point, e.g. 30:00." };
        var cpus = Options.WholeNumber("--slurm-cpus", "sbatch --cpus-per-task (default: --threads).", 1, 1024);
        var memory = new Option<string?>("--slurm-mem") { Description = "sbatch --mem per point, e.g. 4G." };
        var slurmArgs = new Option<string[]>("--slurm-arg") { Description = "Another sbatch option, one per use: --slurm-arg=--qos=long (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Option<string?>("--slurm-command") { Description = "How a compute node starts muonsharp (default 'muonsharp' on its PATH), e.g. 'dotnet /opt/muonsharp/MuonSharp.Cli.dll'." };

        var sweep = new Command("sweep", "Run an experiment over a grid of config values × seeds, locally or as a Slurm job array.")
        {
            id, grid, seeds, quick, set, config, output, executor, parallel, threads, dryRun, partition, time, cpus, memory, slurmArgs, command,
        };
        sweep.Subcommands.Add(RunPointCommand());
        sweep.Subcommands.Add(StatusCommand());
        sweep.SetAction(parse => UserErrors.Guarded(() =>
        {
            var experiment = ExperimentRegistry.Get(parse.GetValue(id)
                ?? throw new LabUserException($"sweep needs an experiment id: one of {string.Join(", ", ExperimentRegistry.All.Select(e => e.Id))}."));
            var directory = parse.GetValue(output) ?? throw new LabUserException("sweep needs --out DIR: the folder of its manifest and runs.");
            var resolved = experiment.DefaultConfig(parse.GetValue(quick) ? ExperimentSize.Quick : ExperimentSize.Paper);
            if (parse.GetValue(config) is { } file) resolved = ConfigOverrides.ApplyFile(resolved, file);
            resolved = ConfigOverrides.Apply(resolved, parse.GetValue(set) ?? Array.Empty<string>());
            var axes = SweepGrid.Parse(parse.GetValue(grid) ?? Array.Empty<string>(), experiment.ConfigType);
            var points = SweepGrid.Expand(experiment, resolved, axes, parse.GetValue(seeds) ?? resolved.Seeds);
            int torchThreads = parse.GetValue(threads) ?? 1;

            if (parse.GetValue(executor) == "slurm")
            {
                var slurm = new SlurmOptions
                {
                    Command = parse.GetValue(command) ?? "muonsharp", Threads = torchThreads, Cpus = parse.GetValue(cpus) ?? torchThreads, Throttle = parse.GetValue(parallel),
                    Partition = parse.GetValue(partition), Time = parse.GetValue(time), Memory = parse.GetValue(memory), ExtraArgs = parse.GetValue(slurmArgs) ?? Array.Empty<string>(),
                };
                if (slurm.Validate().FirstOrDefault() is { } problem) throw new LabUserException(problem + ".");
                return SubmitToSlurm(directory, experiment, points, slurm, parse.GetValue(dryRun));
            }

            int cores = Environment.ProcessorCount;
            int k = parse.GetValue(parallel) ?? Math.Max(1, cores / torchThreads);
            if (k * torchThreads > cores)
                throw new LabUserException($"--parallel {k} × --threads {torchThreads} = {k * torchThreads} threads exceed this machine's {cores} cores; choose --parallel ≤ {Math.Max(1, cores / torchThreads)} (or fewer threads).");
            if (parse.GetValue(dryRun))
            {
                foreach (var p in points) AnsiConsole.MarkupLine($"{p.Index}: {Markup.Escape(p.Label)} → {Markup.Escape(p.Directory)}");
                AnsiConsole.MarkupLine($"{points.Count} point(s), {k} at a time with {torchThreads} torch thread(s) each (dry run: nothing written)");
                return 0;
            }
            SweepManifest.WriteOrMatch(directory, points);
            using var signals = new StopSignals();
            return LocalExecutor.Run(directory, points, k, torchThreads, signals);
        }));
        return sweep;
    }

    private static int SubmitToSlurm(string directory, IExperiment experiment, IReadOnlyList<SweepPoint> points, SlurmOptions slurm, bool dryRun)
    {
        bool exists = SweepManifest.IsSweep(directory);
        var todo = points.Where(p => !exists || PointStates.RunState(SweepManifest.RunDirectoryOf(directory, p)) is not { Status: RunStatus.Completed }).Select(p => p.Index).ToList();
        if (dryRun)
        {
            if (todo.Count == 0) AnsiConsole.MarkupLine($"All {points.Count} point(s) are done; nothing to submit.");
            else AnsiConsole.WriteLine(SlurmScript.Text(directory, experiment.Id, todo, slurm).TrimEnd('\n'));
            return 0;
        }
        SlurmSubmission.RequireSbatch();
        if (exists && SlurmSubmission.LatestJob(directory) is { } previous && SlurmQueue.Tasks(previous).Values.Any(t => t.IsQueued || t.IsActive))
            throw new LabUserException($"Slurm job {previous} of this sweep is still queued or running; wait for it (muonsharp sweep status {directory}) or cancel it (scancel {previous}) before submitting again.");
        SweepManifest.WriteOrMatch(directory, points);
        if (todo.Count == 0)
        {
            AnsiConsole.MarkupLine($"All {points.Count} point(s) are done; nothing to submit. Report: muonsharp report {Markup.Escape(directory)}");
            return 0;
        }
        if (slurm.Command == "muonsharp" && SlurmSubmission.FindOnPath("muonsharp") is null)
            AnsiConsole.MarkupLine("[yellow]warning:[/] 'muonsharp' is not on PATH here; the tasks fail unless it is on the compute nodes' PATH (or give --slurm-command).");
        var job = SlurmSubmission.Submit(directory, SlurmScript.Text(directory, experiment.Id, todo, slurm));
        AnsiConsole.MarkupLine($"Submitted Slurm job [bold]{Markup.Escape(job)}[/]: {todo.Count} of {points.Count} point(s) as array tasks. Follow with: muonsharp sweep status {Markup.Escape(directory)}");
        return 0;
    }

    private static Command RunPointCommand()
    {
        var directory = new Argument<string>("dir") { Description = "The sweep directory." };
        var index = Options.WholeNumber("--index", "The point's index in manifest.jsonl (the Slurm array task id).", 0);
        var threads = Options.WholeNumber("--threads", "libtorch threads (default 1).", 1, 1024);
        var command = new Command("run-point", "Run one point of a sweep: skipped when completed, continued from its checkpoint when interrupted.") { directory, index, threads };
        command.SetAction(parse => UserErrors.Guarded(() =>
        {
            var dir = parse.GetValue(directory)!;
            var i = parse.GetValue(index) ?? throw new LabUserException("run-point needs --index I (a line of manifest.jsonl, from 0).");
            var run = SweepPointRunner.Resolve(dir, i);
            if (run.Completed)
            {
                AnsiConsole.MarkupLine($"point {i} ({Markup.Escape(run.Point.Label)}) → {Markup.Escape(run.Directory)}: already completed, skipped");
                return 0;
            }
            using var signals = new StopSignals();
            var options = new RunOptions { TorchThreads = parse.GetValue(threads) ?? 1, Resume = true };
            AnsiConsole.MarkupLine($"point {i}: {Markup.Escape(run.Point.Label)}");
            return LabCommands.RunWithProgress(run.Experiment, run.Config, run.Directory, options, signals).ExitCode;
        }));
        return command;
    }

    private static Command StatusCommand()
    {
        var directory = new Argument<string>("dir") { Description = "The sweep directory." };
        var command = new Command("status", "Pending, running, done or failed, per point (from the run directories and, after a Slurm submission, squeue/scontrol).") { directory };
        command.SetAction(parse => UserErrors.Guarded(() =>
        {
            var dir = parse.GetValue(directory)!;
            SweepManifest.Read(dir);   // a folder without a sweep is refused before Slurm is asked
            var job = SlurmSubmission.LatestJob(dir);
            var states = PointStates.Read(dir, job is null ? new Dictionary<int, SlurmTask>() : SlurmQueue.Tasks(job));
            var table = new Table().AddColumns("point", "grid", "seed", "state", "detail", "run directory");
            foreach (var s in states)
                table.AddRow(s.Point.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(s.Point.GridLabel), s.Point.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    s.State.ToString().ToLowerInvariant(), Markup.Escape(s.State == PointState.Failed && job is not null ? $"{s.Detail}; log {SlurmSubmission.Folder}/logs/{job}_{s.Point.Index}.out" : s.Detail),
                    Markup.Escape(s.Point.Directory));
            AnsiConsole.Write(table);
            var counts = string.Join(", ", Enum.GetValues<PointState>().Select(state => $"{states.Count(s => s.State == state)} {state.ToString().ToLowerInvariant()}"));
            AnsiConsole.MarkupLine($"{states.Count} point(s): {counts}{(job is null ? "" : $" (Slurm job {Markup.Escape(job)})")}");
            return 0;
        }));
        return command;
    }
}
