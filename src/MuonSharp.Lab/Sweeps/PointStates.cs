using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Sweeps;

/// <summary>Where a point of a sweep stands.</summary>
public enum PointState
{
    /// <summary>Not started: queued in Slurm, or not yet run locally.</summary>
    Pending,
    /// <summary>Being run (a Slurm task running, or a live process holding the run's lock).</summary>
    Running,
    /// <summary>Its run completed.</summary>
    Done,
    /// <summary>Its run failed, was interrupted or killed, or its Slurm task ended without completing it; re-running the sweep continues it.</summary>
    Failed,
}

/// <summary>A point's state and, for a failed one, why.</summary>
/// <param name="Point">The point.</param>
/// <param name="State">Its state.</param>
/// <param name="Detail">Why it failed, or what the queue says; empty when nothing to add.</param>
public sealed record PointStatus(SweepPoint Point, PointState State, string Detail);

/// <summary>
/// The state of every point of a sweep, from its run directories and, for a sweep submitted to Slurm,
/// from the scheduler's view of its array tasks (<see cref="SlurmQueue"/>). The run directory is the truth
/// about completion; the queue says whether an unfinished point is still waiting or running.
/// </summary>
public static class PointStates
{
    /// <summary>States of every point.</summary>
    /// <param name="sweepDirectory">The sweep directory.</param>
    /// <param name="tasks">Array task states by index (empty when nothing was submitted to Slurm or it cannot be asked).</param>
    public static IReadOnlyList<PointStatus> Read(string sweepDirectory, IReadOnlyDictionary<int, SlurmTask> tasks) =>
        SweepManifest.Read(sweepDirectory).Select(p => Of(p, RunState(SweepManifest.RunDirectoryOf(sweepDirectory, p)), tasks.GetValueOrDefault(p.Index))).ToList();

    /// <summary>How a point's run directory stands: null when there is none yet.</summary>
    /// <param name="directory">The run directory.</param>
    public static (RunStatus Status, bool Locked)? RunState(string directory)
    {
        if (!Directory.Exists(directory) || !RunDirectory.HoldsRun(directory)) return null;
        var status = File.Exists(Path.Combine(directory, RunDirectory.SummaryFile)) ? LabRunner.ReadSummary(directory).Status : RunStatus.Running;
        return (status, RunLock.IsHeld(directory));
    }

    /// <summary>Combines a point's run directory and its Slurm task into its state.</summary>
    /// <param name="point">The point.</param>
    /// <param name="run">Its run's status and whether a live process holds its lock; null when it has no run yet.</param>
    /// <param name="task">Its Slurm array task, if the scheduler knows it.</param>
    public static PointStatus Of(SweepPoint point, (RunStatus Status, bool Locked)? run, SlurmTask? task)
    {
        if (run is { Status: RunStatus.Completed }) return new(point, PointState.Done, "");
        if (task is { IsQueued: true }) return new(point, PointState.Pending, $"Slurm: {task.State.ToLowerInvariant()}");
        if (task is { IsActive: true }) return new(point, PointState.Running, $"Slurm: {task.State.ToLowerInvariant()}");
        if (run is { Status: RunStatus.Running, Locked: true }) return new(point, PointState.Running, "");
        var ended = task is null ? "" : $"task {task.State.ToLowerInvariant()}, exit {task.ExitCode}";
        if (run is { } r)
        {
            var why = r.Status == RunStatus.Running ? "stopped before finishing (killed?)" : r.Status.ToString().ToLowerInvariant();
            return new(point, PointState.Failed, ended.Length > 0 ? $"{why}; {ended}" : why);
        }
        return task is null ? new(point, PointState.Pending, "") : new(point, PointState.Failed, $"no run directory; {ended}");
    }
}
