using System.Text;

namespace MuonSharp.Lab.Sweeps;

/// <summary>Resources and command of a sweep's Slurm job array.</summary>
public sealed record SlurmOptions
{
    /// <summary>How a compute node starts MuonSharp (<c>--slurm-command</c>): <c>muonsharp</c> on the node's PATH by default; inserted as shell words, so a prefix such as <c>dotnet /opt/muonsharp/MuonSharp.Cli.dll</c> works.</summary>
    public string Command { get; init; } = "muonsharp";
    /// <summary>libtorch threads per point (<c>--threads</c>), passed to run-point.</summary>
    public int Threads { get; init; } = 1;
    /// <summary>Cores per task (<c>--slurm-cpus</c>, <c>--cpus-per-task</c>); at least <see cref="Threads"/>.</summary>
    public int Cpus { get; init; } = 1;
    /// <summary>At most this many tasks at once (<c>--parallel</c>, the array's <c>%K</c>); null: as many as Slurm gives.</summary>
    public int? Throttle { get; init; }
    /// <summary><c>--partition</c>, if given.</summary>
    public string? Partition { get; init; }
    /// <summary><c>--time</c> per task, if given (Slurm's formats, e.g. <c>30:00</c>, <c>1-00:00:00</c>).</summary>
    public string? Time { get; init; }
    /// <summary><c>--mem</c> per task, if given (e.g. <c>4G</c>).</summary>
    public string? Memory { get; init; }
    /// <summary>Further sbatch options, each one <c>#SBATCH</c> line (<c>--slurm-arg</c>, e.g. <c>--qos=long</c>).</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = Array.Empty<string>();

    /// <summary>Problems with the options, each naming the bad value and what is accepted.</summary>
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Command)) yield return "--slurm-command is empty: give the command that starts muonsharp on a compute node";
        if (Cpus < Threads) yield return $"--slurm-cpus {Cpus} is below --threads {Threads}: each task needs a core per thread";
        foreach (var (name, value) in new[] { ("--slurm-partition", Partition), ("--slurm-time", Time), ("--slurm-mem", Memory), ("--slurm-command", Command) })
            if (value is not null && value.IndexOfAny(new[] { '\n', '\r' }) >= 0) yield return $"{name} contains a line break; give one line";
        foreach (var arg in ExtraArgs)
            if (!arg.StartsWith('-') || arg.IndexOfAny(new[] { '\n', '\r' }) >= 0)
                yield return $"--slurm-arg '{arg}': give one sbatch option per --slurm-arg, starting with '-' (e.g. --slurm-arg=--qos=long)";
    }
}

/// <summary>
/// The <c>sbatch</c> script of a sweep: one job array whose task id is the manifest index, each task
/// running <c>muonsharp sweep run-point DIR --index $SLURM_ARRAY_TASK_ID</c> with its own log file. The
/// script holds absolute paths only, so it runs unchanged from any working directory on any node that
/// sees the sweep directory (a shared file system on a cluster).
/// </summary>
public static class SlurmScript
{
    /// <summary>File name of the script inside the sweep's <c>slurm/</c> folder.</summary>
    public const string FileName = "sweep.sbatch";

    /// <summary>The script text.</summary>
    /// <param name="sweepDirectory">The sweep directory (made absolute here).</param>
    /// <param name="experiment">Experiment id (the job's name).</param>
    /// <param name="indices">The points to run (those not done yet), ascending.</param>
    /// <param name="options">Resources and command.</param>
    public static string Text(string sweepDirectory, string experiment, IReadOnlyList<int> indices, SlurmOptions options)
    {
        var dir = Path.GetFullPath(sweepDirectory);
        var text = new StringBuilder();
        text.Append("#!/bin/bash\n");
        text.Append($"# MuonSharp sweep of {experiment}: one array task per point of {dir}/{SweepManifest.FileName}.\n");
        text.Append("# A completed point is skipped and an interrupted one continues from its checkpoint, so the script can be resubmitted.\n");
        text.Append($"#SBATCH --job-name=muonsharp-{experiment}\n");
        text.Append($"#SBATCH --array={ArraySpec(indices)}{(options.Throttle is { } k ? $"%{k}" : "")}\n");
        text.Append($"#SBATCH --output={Path.Combine(dir, SlurmSubmission.Folder, "logs")}/%A_%a.out\n");
        text.Append($"#SBATCH --cpus-per-task={options.Cpus}\n");
        if (options.Partition is { } partition) text.Append($"#SBATCH --partition={partition}\n");
        if (options.Time is { } time) text.Append($"#SBATCH --time={time}\n");
        if (options.Memory is { } memory) text.Append($"#SBATCH --mem={memory}\n");
        foreach (var arg in options.ExtraArgs) text.Append($"#SBATCH {arg}\n");
        text.Append("set -eu\n");
        text.Append($"exec {options.Command} sweep run-point {ShellQuote(dir)} --index \"$SLURM_ARRAY_TASK_ID\" --threads {options.Threads}\n");
        return text.ToString();
    }

    /// <summary>Slurm's array index list for ascending <paramref name="indices"/>: runs of consecutive ones as ranges, e.g. "0-3,5,7-8".</summary>
    /// <param name="indices">Ascending, distinct, non-empty.</param>
    public static string ArraySpec(IReadOnlyList<int> indices)
    {
        if (indices.Count == 0) throw new ArgumentException("No points to run.", nameof(indices));
        var parts = new List<string>();
        int start = indices[0], previous = indices[0];
        foreach (var i in indices.Skip(1).Append(int.MinValue))
        {
            if (i == previous + 1) { previous = i; continue; }
            parts.Add(start == previous ? $"{start}" : $"{start}-{previous}");
            start = previous = i;
        }
        return string.Join(",", parts);
    }

    /// <summary>A POSIX shell word that stands for <paramref name="value"/> exactly (single quotes).</summary>
    /// <param name="value">Any text.</param>
    public static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''") + "'";
}
