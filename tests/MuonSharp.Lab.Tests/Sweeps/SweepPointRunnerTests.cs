using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Sweeps;

namespace MuonSharp.Lab.Tests.Sweeps;

/// <summary>run-point on a registered experiment: skipped when completed, continued when interrupted, equal to a standalone run.</summary>
public sealed class SweepPointRunnerTests
{
    private static readonly IExperiment DeepLinear = ExperimentRegistry.Get("deep-linear");

    /// <summary>Cancels the run after a number of progress steps: an interrupt in the middle of a unit.</summary>
    private sealed class InterruptAfter(int steps, CancellationTokenSource interrupter) : IRunProgress, IProgressTask
    {
        private int _left = steps;
        public IProgressTask Start(string description, double total) => this;
        public void Advance(double amount = 1) { if (--_left == 0) interrupter.Cancel(); }
        public void Dispose() { }
    }

    private static string MakeSweep(TempDirectory temp)
    {
        var config = DeepLinear.DefaultConfig(ExperimentSize.Quick);
        var points = SweepGrid.Expand(DeepLinear, config, SweepGrid.Parse(new[] { "gd_lr=0.05,0.1" }, DeepLinear.ConfigType), 1);
        SweepManifest.WriteOrMatch(temp.Sub("sweep"), points);
        return temp.Sub("sweep");
    }

    [Fact]
    public void An_interrupted_point_continues_to_the_metrics_of_a_standalone_run_and_a_completed_one_is_skipped()
    {
        using var temp = new TempDirectory();
        var sweep = MakeSweep(temp);
        using var interrupter = new CancellationTokenSource();

        var first = SweepPointRunner.Run(sweep, 1, new RunOptions { Cancellation = interrupter.Token, Progress = new InterruptAfter(40, interrupter) });
        Assert.Equal(RunStatus.Interrupted, first.Status);
        Assert.False(SweepPointRunner.Resolve(sweep, 1).Completed);

        var resumed = SweepPointRunner.Run(sweep, 1, new RunOptions());
        var run = SweepPointRunner.Resolve(sweep, 1);
        Assert.Equal(RunStatus.Completed, resumed.Status);
        Assert.True(run.Completed);

        var alone = temp.Sub("alone");
        LabRunner.Run(DeepLinear, run.Config, alone);
        Assert.Equal(File.ReadAllBytes(Path.Combine(alone, "metrics.csv")), File.ReadAllBytes(Path.Combine(run.Directory, "metrics.csv")));

        var written = File.GetLastWriteTimeUtc(Path.Combine(run.Directory, "metrics.csv"));
        Assert.Equal(RunStatus.Completed, SweepPointRunner.Run(sweep, 1, new RunOptions()).Status);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(run.Directory, "metrics.csv")));
        Assert.False(Directory.Exists(SweepManifest.RunDirectoryOf(sweep, SweepManifest.ReadPoint(sweep, 0))));   // only the point asked for ran
    }
}
