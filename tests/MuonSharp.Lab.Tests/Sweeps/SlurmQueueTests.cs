using MuonSharp.Lab.Sweeps;

namespace MuonSharp.Lab.Tests.Sweeps;

public sealed class SlurmQueueTests
{
    [Fact]
    public void Squeue_lines_give_each_array_tasks_state()
    {
        var tasks = SlurmQueue.ParseSqueue("2 PENDING\n3 PENDING\n1 RUNNING\n0 RUNNING\n").ToList();

        Assert.Equal(new[] { (2, "PENDING"), (3, "PENDING"), (1, "RUNNING"), (0, "RUNNING") }, tasks.Select(t => (t.Index, t.State)));
        Assert.True(tasks[0].IsQueued);
        Assert.True(tasks[2].IsActive);
        Assert.Empty(SlurmQueue.ParseSqueue(""));
    }

    [Fact]
    public void Scontrol_lines_give_ended_tasks_with_exit_codes_and_leave_pending_ranges_to_squeue()
    {
        // As Slurm 22.05 prints them (-o: one line per array element; shortened).
        const string output =
            "JobId=1 ArrayJobId=1 ArrayTaskId=2-3%2 ArrayTaskThrottle=2 JobName=t.sh JobState=PENDING Reason=JobArrayTaskLimit ExitCode=0:0 RunTime=00:00:00\n" +
            "JobId=5 ArrayJobId=1 ArrayTaskId=3 ArrayTaskThrottle=2 JobName=t.sh JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0 RunTime=00:00:00\n" +
            "JobId=2 ArrayJobId=1 ArrayTaskId=0 ArrayTaskThrottle=2 JobName=t.sh JobState=COMPLETED Reason=None ExitCode=0:0 RunTime=00:00:03\n";

        var tasks = SlurmQueue.ParseScontrol(output).ToList();

        Assert.Equal(new[] { (3, "FAILED", "3:0"), (0, "COMPLETED", "0:0") }, tasks.Select(t => (t.Index, t.State, t.ExitCode)));
        Assert.False(tasks[0].IsQueued || tasks[0].IsActive);
    }
}
