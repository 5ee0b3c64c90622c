using System.Text.Json.Nodes;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Sweeps;

namespace MuonSharp.Lab.Tests.Sweeps;

public sealed class PointStatesTests
{
    private static readonly SweepPoint Point = SweepManifest.Point(0, "toy", new JsonObject(), 0, new JsonObject());

    public static TheoryData<RunStatus?, bool, string?, PointState, string> Cases => new()
    {
        // run directory status, its lock held, Slurm task state, expected state, expected detail
        { RunStatus.Completed, false, null, PointState.Done, "" },
        { RunStatus.Completed, false, "RUNNING", PointState.Done, "" },               // the run directory knows it finished
        { null, false, "PENDING", PointState.Pending, "Slurm: pending" },
        { null, false, "RUNNING", PointState.Running, "Slurm: running" },
        { RunStatus.Running, false, "RUNNING", PointState.Running, "Slurm: running" },
        { RunStatus.Running, true, null, PointState.Running, "" },                  // a local child holds its lock
        { RunStatus.Running, false, null, PointState.Failed, "stopped before finishing (killed?)" },
        { RunStatus.Interrupted, false, null, PointState.Failed, "interrupted" },
        { RunStatus.Failed, false, "FAILED", PointState.Failed, "failed; task failed, exit 1:0" },
        { null, false, "FAILED", PointState.Failed, "no run directory; task failed, exit 1:0" },
        { null, false, null, PointState.Pending, "" },                              // never run (local) or forgotten by Slurm
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_run_directory_says_whether_it_finished_and_the_queue_whether_it_waits_or_runs(RunStatus? run, bool locked, string? task, PointState expected, string detail)
    {
        var status = PointStates.Of(Point, run is { } r ? (r, locked) : null, task is null ? null : new SlurmTask(0, task, task == "FAILED" ? "1:0" : ""));

        Assert.Equal(expected, status.State);
        Assert.Equal(detail, status.Detail);
    }
}
