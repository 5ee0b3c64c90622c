using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MuonSharp.Lab.Sweeps;

/// <summary>One array task as Slurm reports it.</summary>
/// <param name="Index">The array task id (the point's index).</param>
/// <param name="State">Slurm's job state, e.g. PENDING, RUNNING, COMPLETED, FAILED.</param>
/// <param name="ExitCode">Slurm's exit code text (<c>code:signal</c>), empty while queued or running.</param>
public sealed record SlurmTask(int Index, string State, string ExitCode)
{
    /// <summary>Waiting to start.</summary>
    public bool IsQueued => State is "PENDING" or "REQUEUED" or "CONFIGURING" or "RESV_DEL_HOLD" or "REQUEUE_HOLD" or "REQUEUE_FED" or "SUSPENDED";

    /// <summary>Started and not yet ended.</summary>
    public bool IsActive => State is "RUNNING" or "COMPLETING" or "STAGE_OUT" or "SIGNALING" or "RESIZING";
}

/// <summary>
/// What Slurm knows about a sweep's array job, without an accounting database: <c>squeue</c> for tasks
/// waiting or running (one line per task with <c>-r</c>), then <c>scontrol show job</c> for tasks that
/// ended (kept for <c>MinJobAge</c> seconds after the end, 300 by default).
/// </summary>
public static partial class SlurmQueue
{
    /// <summary>Array task states of job <paramref name="jobId"/>; empty when Slurm cannot be asked or has forgotten the job.</summary>
    /// <param name="jobId">The array job id recorded at submission.</param>
    public static IReadOnlyDictionary<int, SlurmTask> Tasks(string jobId)
    {
        var tasks = new Dictionary<int, SlurmTask>();
        foreach (var t in ParseScontrol(Ask("scontrol", "-o", "show", "job", jobId))) tasks[t.Index] = t;
        foreach (var t in ParseSqueue(Ask("squeue", "-h", "-r", "-j", jobId, "-o", "%K %T"))) tasks[t.Index] = t;   // the live view wins
        return tasks;
    }

    /// <summary>Parses <c>squeue -h -r -o "%K %T"</c> output: "task-id STATE" per line.</summary>
    /// <param name="output">The command's standard output.</param>
    public static IEnumerable<SlurmTask> ParseSqueue(string output)
    {
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                yield return new SlurmTask(index, parts[1], "");
        }
    }

    /// <summary>
    /// Parses <c>scontrol -o show job</c> output: one line per array element with <c>ArrayTaskId</c>,
    /// <c>JobState</c> and <c>ExitCode</c>. Still-pending elements come as one line with a range
    /// (<c>ArrayTaskId=2-3%2</c>); those are left to <see cref="ParseSqueue"/>.
    /// </summary>
    /// <param name="output">The command's standard output.</param>
    public static IEnumerable<SlurmTask> ParseScontrol(string output)
    {
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var task = TaskField().Match(line);
            var state = StateField().Match(line);
            if (!task.Success || !state.Success) continue;
            var exit = ExitField().Match(line);
            yield return new SlurmTask(int.Parse(task.Groups[1].Value, CultureInfo.InvariantCulture), state.Groups[1].Value, exit.Success ? exit.Groups[1].Value : "");
        }
    }

    private static string Ask(string command, params string[] args)
    {
        if (SlurmSubmission.FindOnPath(command) is not { } path) return "";
        var info = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output.Result : "";   // an unknown (purged) job is an error: nothing known
    }

    [GeneratedRegex(@"\bArrayTaskId=(\d+)(?=\s|$)")]
    private static partial Regex TaskField();

    [GeneratedRegex(@"\bJobState=(\S+)")]
    private static partial Regex StateField();

    [GeneratedRegex(@"\bExitCode=(\S+)")]
    private static partial Regex ExitField();
}
