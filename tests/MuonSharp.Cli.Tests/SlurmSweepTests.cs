using System.Diagnostics;
using System.Text.Json.Nodes;
using MuonSharp.Cli;
using MuonSharp.Lab.Sweeps;

namespace MuonSharp.Cli.Tests;

/// <summary>
/// A real 4-point quick sweep through sbatch on the one-node Slurm of scripts/slurm-single-node.sh:
/// submitted, waited for, its run directories, status and report checked. stable-rank-init is the
/// experiment with the fastest quick size (about 2 s a point here).
/// </summary>
public sealed class SlurmSweepTests : CapturedConsole
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"muonsharp-slurm-{Guid.NewGuid():N}");

    public override void Dispose()
    {
        base.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string[] Sweep => new[]
    {
        "sweep", "stable-rank-init", "--quick", "--grid", "samples=128,256", "--seeds", "2", "--executor", "slurm", "--parallel", "2",
        "--slurm-time", "10:00", "--slurm-command", SelfCommand.ShellLine(), "--out", Path.GetRelativePath(Environment.CurrentDirectory, _root),   // as users type it
    };

    [SlurmFact]
    [Trait("Category", "Slurm")]
    public void A_four_point_sweep_runs_as_a_job_array_and_status_and_report_read_it()
    {
        Assert.True(SlurmFactAttribute.Unavailable.Value is null, $"CI=true and Slurm cannot be used ({SlurmFactAttribute.Unavailable.Value}); .ci/run starts it with scripts/slurm-single-node.sh start.");

        Assert.Equal(0, LabCommands.Invoke(Sweep));
        var job = SlurmSubmission.LatestJob(_root);
        Assert.NotNull(job);
        Assert.Contains($"Submitted Slurm job {job}: 4 of 4 point(s)", Console.Output);
        Assert.Contains("#SBATCH --array=0-3%2", File.ReadAllText(Path.Combine(_root, "slurm", "sweep.sbatch")));
        Assert.Equal(2, LabCommands.Invoke(Sweep));   // a point takes seconds: the job is still queued or running
        Assert.Contains($"Slurm job {job} of this sweep is still queued or running", Console.Output);

        WaitForJob(job!);

        var points = SweepManifest.Read(_root);
        Assert.Equal(4, points.Count);
        foreach (var point in points)
        {
            var dir = SweepManifest.RunDirectoryOf(_root, point);
            Assert.True("completed" == (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!["status"], File.ReadAllText(Path.Combine(_root, "slurm", "logs", $"{job}_{point.Index}.out")));
            Assert.Contains($"point {point.Index}: {point.Label}", File.ReadAllText(Path.Combine(_root, "slurm", "logs", $"{job}_{point.Index}.out")));
        }

        Assert.Equal(0, LabCommands.Invoke(new[] { "sweep", "status", _root }));
        Assert.Contains($"4 point(s): 0 pending, 0 running, 4 done, 0 failed (Slurm job {job})", Console.Output);

        Assert.Equal(0, LabCommands.Invoke(new[] { "report", _root, "--metric", "stable_rank" }));
        var report = File.ReadAllText(Path.Combine(_root, "report.md"));
        Assert.Contains("| samples=128 | 2/2 | b-far-below-width | ", report);
        Assert.Contains("| samples=256 | relu2 | ", report);
        Assert.True(File.Exists(Path.Combine(_root, "plots", "sweep-stable_rank-vs-samples.png")));

        Assert.Equal(0, LabCommands.Invoke(Sweep));   // everything done: nothing is submitted again
        Assert.Contains("All 4 point(s) are done; nothing to submit", Console.Output);
        Assert.Equal(job, SlurmSubmission.LatestJob(_root));
    }

    [SlurmFact]
    [Trait("Category", "Slurm")]
    public void A_task_that_cannot_start_muonsharp_is_failed_with_its_exit_code_and_log()
    {
        Assert.True(SlurmFactAttribute.Unavailable.Value is null, $"CI=true and Slurm cannot be used ({SlurmFactAttribute.Unavailable.Value}); .ci/run starts it with scripts/slurm-single-node.sh start.");

        Assert.Equal(0, LabCommands.Invoke(new[] { "sweep", "stable-rank-init", "--quick", "--seeds", "1", "--executor", "slurm", "--slurm-command", "/bin/false", "--out", _root }));
        var job = SlurmSubmission.LatestJob(_root)!;
        WaitForJob(job);

        Assert.Equal(0, LabCommands.Invoke(new[] { "sweep", "status", _root }));
        Assert.Contains($"failed │ no run directory; task failed, exit 1:0; log slurm/logs/{job}_0.out", Console.Output);
        Assert.Contains($"1 point(s): 0 pending, 0 running, 0 done, 1 failed (Slurm job {job})", Console.Output);
    }

    /// <summary>Waits until no task of the job is queued or running (the tasks take seconds; the limit is generous for a busy machine).</summary>
    private static void WaitForJob(string job)
    {
        var clock = Stopwatch.StartNew();
        while (SlurmQueue.Tasks(job).Values.Any(t => t.IsQueued || t.IsActive))
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException($"Slurm job {job} still queued or running after 5 minutes (squeue -j {job}).");
            Thread.Sleep(500);
        }
    }
}
